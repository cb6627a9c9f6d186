using Helios.Core.Tests;

namespace Helios.Cli.Tests;

/// <summary>
/// Large files (stored as chunked blobs) through the CLI as real processes: commit, edit in the
/// middle, check out both versions byte for byte, and a git import/export round trip.
/// </summary>
public sealed class LargeFileProcessTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private static byte[] RandomBytes(int seed, int length)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    [Fact]
    public void A_large_file_edited_in_the_middle_checks_out_both_versions_byte_identical()
    {
        string repo = _temp["repo"];
        Directory.CreateDirectory(repo);
        HeliosProcess.Succeed(repo, "init");
        var v1 = RandomBytes(1, 8 << 20);
        File.WriteAllBytes(Path.Combine(repo, "model.bin"), v1);
        HeliosProcess.Succeed(repo, "commit", "-m", "v1");
        string first = HeliosProcess.Succeed(repo, "rev-parse", "HEAD").Stdout.Trim();

        var v2 = v1.ToArray();
        RandomBytes(2, 4096).CopyTo(v2, 4 << 20);
        File.WriteAllBytes(Path.Combine(repo, "model.bin"), v2);
        Assert.Equal(" M model.bin", HeliosProcess.Succeed(repo, "status", "--porcelain").Stdout.TrimEnd('\n'));
        HeliosProcess.Succeed(repo, "commit", "-m", "v2");

        HeliosProcess.Succeed(repo, "checkout", first);
        Assert.Equal(v1, File.ReadAllBytes(Path.Combine(repo, "model.bin")));
        HeliosProcess.Succeed(repo, "checkout", "main");
        Assert.Equal(v2, File.ReadAllBytes(Path.Combine(repo, "model.bin")));
        Assert.Empty(HeliosProcess.Succeed(repo, "status", "--porcelain").Stdout);
        HeliosProcess.Succeed(repo, "fsck");
    }

    [Fact]
    public void A_large_file_survives_a_git_import_and_export_with_every_commit_id_kept()
    {
        string source = _temp["src"];
        Directory.CreateDirectory(source);
        Git(source, "init", "-q", "-b", "master");
        var v1 = RandomBytes(3, 1 << 20);
        File.WriteAllBytes(Path.Combine(source, "data.bin"), v1);
        File.WriteAllText(Path.Combine(source, "small.txt"), "small\n");
        Git(source, "add", "-A");
        Git(source, "commit", "-q", "-m", "v1");
        var v2 = v1.ToArray();
        v2[500_000] ^= 0xff;
        File.WriteAllBytes(Path.Combine(source, "data.bin"), v2);
        Git(source, "commit", "-q", "-am", "v2");

        string repo = _temp["helios"];
        Directory.CreateDirectory(repo);
        HeliosProcess.Succeed(repo, "init");
        HeliosProcess.Succeed(repo, "import", "--from-git", source);
        HeliosProcess.Succeed(repo, "checkout", "master");
        Assert.Equal(v2, File.ReadAllBytes(Path.Combine(repo, "data.bin")));

        // A commit made in Helios exports too: its large file becomes one git blob.
        var v3 = v2.ToArray();
        v3[10] ^= 0xff;
        File.WriteAllBytes(Path.Combine(repo, "data.bin"), v3);
        HeliosProcess.Succeed(repo, "commit", "-m", "v3");
        HeliosProcess.Succeed(repo, "export", "--to-git", _temp["out"]);

        Assert.Equal(Git(source, "rev-parse", "master~0"), Git(_temp["out"], "rev-parse", "master~1"));
        Assert.Equal(Git(source, "rev-parse", "master~1"), Git(_temp["out"], "rev-parse", "master~2"));
        Git(_temp["out"], "fsck", "--strict");
        var exported = Git(_temp["out"], "cat-file", "-s", "master:data.bin");
        Assert.Equal(v3.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), exported);
        // The exported blob is byte-identical: git's id of it is the SHA-1 of its header and our bytes
        // (SHA-1 because git names objects with it, not for security).
#pragma warning disable CA5350
        var header = System.Text.Encoding.ASCII.GetBytes($"blob {v3.Length}\0");
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA1.HashData([.. header, .. v3])), Git(_temp["out"], "rev-parse", "master:data.bin"));
#pragma warning restore CA5350
    }

    private string Git(string directory, params string[] args) =>
        System.Text.Encoding.UTF8.GetString(
            GitProcess.Run(directory, _temp.Path, ["-c", "user.name=Ada", "-c", "user.email=ada@example.com", .. args])).Trim();
}
