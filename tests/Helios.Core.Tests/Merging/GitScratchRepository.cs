using System.Security.Cryptography;
using System.Text;

namespace Helios.Core.Tests.Merging;

/// <summary>
/// A throwaway git repository in a temp folder, driven without a working tree: commits are
/// written with <c>git fast-import</c> and results read with <c>git cat-file --batch</c>, so one
/// process call covers hundreds of files. git runs with no system, global or user configuration
/// and no GIT_* or COLUMNS variables from the caller. Missing git fails the test.
/// </summary>
internal sealed class GitScratchRepository : IDisposable
{
    private readonly string _temp;

    public GitScratchRepository()
    {
        _temp = Path.Combine(Path.GetTempPath(), "helios-textmerge-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.Combine(_temp, "home"));
        Root = Path.Combine(_temp, "repo");
        Directory.CreateDirectory(Root);
        Run(["init", "-q", "--template=", "."]);
    }

    public string Root { get; }

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    /// <summary>
    /// Creates (or moves) branch <paramref name="branch"/> to a commit holding exactly
    /// <paramref name="files"/>, on the branches <paramref name="parent"/> and (a merge) <paramref name="mergeParent"/>.
    /// </summary>
    public void Commit(string branch, IEnumerable<ScratchFile> files, string? parent = null, string? mergeParent = null, long time = 0)
    {
        var stream = new MemoryStream();
        void Text(string s) => stream.Write(Encoding.UTF8.GetBytes(s));
        void Data(ReadOnlySpan<byte> bytes)
        {
            Text($"data {bytes.Length}\n");
            stream.Write(bytes);
            Text("\n");
        }

        Text($"commit refs/heads/{branch}\ncommitter T <t@example.com> {time} +0000\n");
        Data(Encoding.UTF8.GetBytes(branch));
        if (parent is not null)
        {
            Text($"from refs/heads/{parent}\n");
        }

        if (mergeParent is not null)
        {
            Text($"merge refs/heads/{mergeParent}\n");
        }

        Text("deleteall\n");
        foreach (var file in files)
        {
            Text($"M {file.Mode} inline {file.Path}\n");
            Data(file.Content);
        }

        Text("\n");
        Run(["fast-import", "--quiet", "--force"], stream.ToArray());
    }

    /// <summary>The contents named by <c>git cat-file</c> specs (for example <c>TREE:path</c>); null for a missing object.</summary>
    public List<byte[]?> ReadObjects(IReadOnlyList<string> specs)
    {
        var input = Encoding.UTF8.GetBytes(string.Concat(specs.Select(s => s + "\n")));
        var output = Run(["cat-file", "--batch"], input);
        var results = new List<byte[]?>(specs.Count);
        int position = 0;
        foreach (var _ in specs)
        {
            int newline = Array.IndexOf(output, (byte)'\n', position);
            var header = Encoding.UTF8.GetString(output, position, newline - position);
            position = newline + 1;
            if (header.EndsWith(" missing", StringComparison.Ordinal))
            {
                results.Add(null);
                continue;
            }

            int size = int.Parse(header[(header.LastIndexOf(' ') + 1)..]);
            results.Add(output.AsSpan(position, size).ToArray());
            position += size + 1;
        }

        return results;
    }

    public string RunText(IReadOnlyList<string> arguments, byte[]? stdin = null, params int[] allowedExitCodes) =>
        Encoding.UTF8.GetString(Run(arguments, stdin, allowedExitCodes));

    public byte[] Run(IReadOnlyList<string> arguments, byte[]? stdin = null, params int[] allowedExitCodes) =>
        GitProcess.Run(Root, Path.Combine(_temp, "home"), arguments, stdin, allowedExitCodes);

    /// <summary>git's blob id (SHA-1 of "blob N\0" and the content), as the <c>index</c> line prints it with --full-index.</summary>
    public static string BlobId(ReadOnlySpan<byte> content)
    {
        var header = Encoding.ASCII.GetBytes($"blob {content.Length}\0");
        var all = new byte[header.Length + content.Length];
        header.CopyTo(all, 0);
        content.CopyTo(all.AsSpan(header.Length));
#pragma warning disable CA5350 // git's object ids are SHA-1; this is an identifier, not security.
        return Convert.ToHexStringLower(SHA1.HashData(all));
#pragma warning restore CA5350
    }
}

/// <summary>A file for <see cref="GitScratchRepository.Commit"/>; mode as git writes it (100644, 100755, 120000).</summary>
internal sealed record ScratchFile(string Path, string Mode, byte[] Content);
