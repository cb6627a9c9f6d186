using System.Diagnostics;

namespace Helios.Cli.Tests;

/// <summary>
/// helios import --from-git and export --to-git as real processes against repositories built with
/// git itself: the round trip must give back every git commit id, and bad input must move no ref.
/// </summary>
public sealed class GitImportTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    private string Source => _temp["src"];

    private string Helios => _temp["helios"];

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Import_then_export_reproduces_every_git_commit_id_and_ref()
    {
        BuildVariedRepository();
        InitHelios();
        var import = HeliosProcess.Succeed(Helios, "import", "--from-git", Source);
        Assert.Contains("warning: commit", import.Stderr); // the -0000 zone and the encoding header are reported
        Assert.DoesNotContain("not imported", import.Stderr);
        Assert.Contains("2 annotated tags", import.Stderr);

        HeliosProcess.Succeed(Helios, "export", "--to-git", _temp["out"]);

        var expected = Git(Source, "rev-list", "--all").Split('\n', StringSplitOptions.RemoveEmptyEntries).Order().ToArray();
        var actual = Git(_temp["out"], "rev-list", "--all").Split('\n', StringSplitOptions.RemoveEmptyEntries).Order().ToArray();
        Assert.True(expected.Length >= 12, $"only {expected.Length} commits built");
        Assert.Equal(expected, actual);
        foreach (var branch in new[] { "master", "side", "o1", "o2", "odd" })
        {
            Assert.Equal(Git(Source, "rev-parse", branch), Git(_temp["out"], "rev-parse", branch));
        }

        Assert.Equal(Git(Source, "rev-parse", "light"), Git(_temp["out"], "rev-parse", "light"));
        var tags = Git(Source, "for-each-ref", "--format=%(objectname) %(refname)", "refs/tags");
        Assert.Contains("refs/tags/ann", tags);
        Assert.Equal(tags, Git(_temp["out"], "for-each-ref", "--format=%(objectname) %(refname)", "refs/tags"));
    }

    [Fact]
    public void An_annotated_tag_resolves_to_its_commit_and_passes_fsck()
    {
        BuildVariedRepository();
        InitHelios();
        HeliosProcess.Succeed(Helios, "import", "--from-git", Source);
        string master = HeliosProcess.Succeed(Helios, "rev-parse", "master").Stdout.Trim();
        Assert.Equal(master, HeliosProcess.Succeed(Helios, "rev-parse", "refs/tags/ann").Stdout.Trim());
        Assert.Equal(master, HeliosProcess.Succeed(Helios, "rev-parse", "ann").Stdout.Trim());
        Assert.Equal(master, HeliosProcess.Succeed(Helios, "rev-parse", Git(Source, "rev-parse", "ann")).Stdout.Trim());
        HeliosProcess.Succeed(Helios, "fsck");
    }

    [Fact]
    public void Git_ids_resolve_as_revisions_after_an_import()
    {
        BuildVariedRepository();
        InitHelios();
        HeliosProcess.Succeed(Helios, "import", "--from-git", Source);
        string heliosMaster = HeliosProcess.Succeed(Helios, "rev-parse", "master").Stdout.Trim();
        string gitMaster = Git(Source, "rev-parse", "master");
        Assert.Equal(heliosMaster, HeliosProcess.Succeed(Helios, "rev-parse", gitMaster).Stdout.Trim());
        Assert.Equal(heliosMaster, HeliosProcess.Succeed(Helios, "rev-parse", gitMaster[..7]).Stdout.Trim());
        string parent = HeliosProcess.Succeed(Helios, "rev-parse", gitMaster[..10] + "~1^2").Stdout.Trim();
        Assert.Equal(HeliosProcess.Succeed(Helios, "rev-parse", Git(Source, "rev-parse", "master~1^2")).Stdout.Trim(), parent);
        Assert.NotEmpty(HeliosProcess.Succeed(Helios, "log", "--oneline", gitMaster[..8]).Lines);
    }

    [Fact]
    public void Importing_again_imports_only_new_commits()
    {
        BuildVariedRepository();
        InitHelios();
        HeliosProcess.Succeed(Helios, "import", "--from-git", Source);
        Git(Source, "checkout", "-q", "master");
        File.WriteAllText(Path.Combine(Source, "later.txt"), "later\n");
        Git(Source, "add", "later.txt");
        Git(Source, "commit", "-q", "-m", "later");

        var again = HeliosProcess.Succeed(Helios, "import", "--from-git", Source);
        Assert.Contains("imported 1 commits", again.Stderr);
        HeliosProcess.Succeed(Helios, "export", "--to-git", _temp["out"]);
        Assert.Equal(Git(Source, "rev-parse", "master"), Git(_temp["out"], "rev-parse", "master"));
    }

    [Fact]
    public void Exporting_again_sends_only_new_commits_and_keeps_ids()
    {
        BuildVariedRepository();
        InitHelios();
        HeliosProcess.Succeed(Helios, "import", "--from-git", Source);
        var first = HeliosProcess.Succeed(Helios, "export", "--to-git", _temp["out"]);
        Assert.DoesNotContain("exported 0 commits", first.Stderr); // the map knows every commit, but not in "out"
        HeliosProcess.Succeed(Helios, "checkout", "master");
        File.WriteAllText(Path.Combine(Helios, "new.txt"), "made in helios\n");
        HeliosProcess.Succeed(Helios, "commit", "-m", "made in helios");

        var second = HeliosProcess.Succeed(Helios, "export", "--to-git", _temp["out"]);

        Assert.Contains("exported 1 commits and 0 annotated tags", second.Stderr);
        Assert.Equal(Git(Source, "rev-parse", "master"), Git(_temp["out"], "rev-parse", "master~1"));
        Assert.Equal("made in helios", Git(_temp["out"], "log", "-1", "--format=%s", "master"));
        Assert.Equal(Git(Source, "for-each-ref", "--format=%(objectname) %(refname)", "refs/tags"),
            Git(_temp["out"], "for-each-ref", "--format=%(objectname) %(refname)", "refs/tags"));
        var third = HeliosProcess.Succeed(Helios, "export", "--to-git", _temp["out"]);
        Assert.Contains("exported 0 commits and 0 annotated tags", third.Stderr);
        string gitId = Git(_temp["out"], "rev-parse", "master");
        Assert.Equal(HeliosProcess.Succeed(Helios, "rev-parse", "master").Stdout.Trim(), HeliosProcess.Succeed(Helios, "rev-parse", gitId).Stdout.Trim());
    }

    [Fact]
    public void A_path_Helios_refuses_stops_the_import_naming_commit_and_path_and_moves_no_ref()
    {
        Directory.CreateDirectory(Source);
        Git(Source, "init", "-q");
        CommitFile("ok.txt", "ok\n", "fine");
        Directory.CreateDirectory(Path.Combine(Source, "sub", ".helios"));
        File.WriteAllText(Path.Combine(Source, "sub", ".helios", "store.db"), "evil\n");
        Git(Source, "add", "-f", "sub");
        Git(Source, "commit", "-q", "-m", "bad");
        string bad = Git(Source, "rev-parse", "HEAD");
        InitHelios();
        var before = HeliosProcess.Succeed(Helios, "branch").Stdout;
        var opsBefore = HeliosProcess.Succeed(Helios, "op", "log").Stdout;

        var result = HeliosProcess.Run(Helios, "import", "--from-git", Source);

        Assert.Equal(2, result.Code);
        Assert.Contains(bad, result.Stderr);
        Assert.Contains("sub/.helios/store.db", result.Stderr);
        Assert.Equal(before, HeliosProcess.Succeed(Helios, "branch").Stdout);
        Assert.Equal(opsBefore, HeliosProcess.Succeed(Helios, "op", "log").Stdout);
        Assert.False(File.Exists(Path.Combine(Helios, ".helios", "git-map")));
    }

    [Fact]
    public void A_directory_that_is_not_a_git_repository_is_reported_with_gits_error()
    {
        Directory.CreateDirectory(Source);
        InitHelios();
        var result = HeliosProcess.Run(Helios, "import", "--from-git", Source);
        Assert.NotEqual(0, result.Code);
        Assert.Contains("not a git repository", result.Stderr, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("Unhandled", result.Stderr);
    }

    [Fact]
    public void A_corrupt_repository_stops_the_import_with_gits_error_and_moves_no_ref()
    {
        Directory.CreateDirectory(Source);
        Git(Source, "init", "-q");
        CommitFile("a.txt", "first\n", "first");
        CommitFile("a.txt", "second\n", "second");
        // Remove the second version's blob: fast-export fails part way through the history.
        string blob = Git(Source, "rev-parse", "HEAD:a.txt");
        File.Delete(Path.Combine(Source, ".git", "objects", blob[..2], blob[2..]));
        InitHelios();
        var opsBefore = HeliosProcess.Succeed(Helios, "op", "log").Stdout;

        var result = HeliosProcess.Run(Helios, "import", "--from-git", Source);

        Assert.NotEqual(0, result.Code);
        Assert.Contains(blob, result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled", result.Stderr, StringComparison.Ordinal);
        Assert.Empty(HeliosProcess.Succeed(Helios, "branch").Stdout);
        Assert.Equal(opsBefore, HeliosProcess.Succeed(Helios, "op", "log").Stdout);
    }

    private void InitHelios()
    {
        Directory.CreateDirectory(Helios);
        HeliosProcess.Succeed(Helios, "init");
    }

    /// <summary>Merges, an octopus merge, a rename, a symlink, an executable, binary data, unicode and odd names, a gitlink, empty commits, several zones, odd messages.</summary>
    private void BuildVariedRepository()
    {
        Directory.CreateDirectory(Source);
        Git(Source, "init", "-q", "-b", "master");
        Write("a.txt", "a\n");
        Write("run.sh", "#!/bin/sh\necho hi\n");
        File.CreateSymbolicLink(Path.Combine(Source, "link"), "a.txt");
        Write("dir with space/\"quoted\" é ü.txt", "unicode\n");
        File.WriteAllBytes(Path.Combine(Source, "bin.dat"), [0, 1, 2, 255, 254, 0, 10, 13]);
        Git(Source, "add", "-A");
        Git(Source, "update-index", "--chmod=+x", "run.sh");
        Commit("first", "1700000000 +0530", "1700000001 -0800");
        Git(Source, "update-index", "--add", "--cacheinfo", "160000,1234567890abcdef1234567890abcdef12345678,vendor/sub");
        Commit("gitlink", "1700000050 +0000", "1700000050 +0000");

        Git(Source, "checkout", "-q", "-b", "side");
        Git(Source, "mv", "a.txt", "b.txt");
        Commit("rename", "1700000100 -0000", "1700000100 +1400");
        Git(Source, "checkout", "-q", "master");
        Write("c.txt", "c\n");
        Git(Source, "add", "c.txt");
        Commit("no trailing newline", "1700000200 -1200", "1700000200 +0100", trailingNewline: false);
        Git(Source, "merge", "-q", "--no-edit", "side");

        Git(Source, "checkout", "-q", "-b", "o1", "HEAD~1");
        Write("o1", "1\n");
        Git(Source, "add", "o1");
        Commit("o1", "1700000300 +0200", "1700000300 +0200");
        Git(Source, "checkout", "-q", "-b", "o2", "master~1");
        Write("o2", "2\n");
        Git(Source, "add", "o2");
        Commit("o2", "1700000400 +0200", "1700000400 +0200");
        Git(Source, "checkout", "-q", "master");
        Git(Source, "merge", "-q", "--no-edit", "o1", "o2");
        Commit("empty", "1700000500 +0000", "1700000500 +0000");

        // A file becomes a directory, another is deleted, a subject in Latin-1 with its encoding header.
        Git(Source, "checkout", "-q", "-b", "odd");
        Git(Source, "rm", "-q", "c.txt", "o1");
        Directory.CreateDirectory(Path.Combine(Source, "o1"));
        Write("o1/inside", "x\n");
        Git(Source, "add", "-A");
        Commit("file to directory", "1700000600 +0000", "1700000600 +0000");
        Git(Source, "-c", "i18n.commitEncoding=ISO-8859-1", "commit", "-q", "--allow-empty", "-m", "caf\u00e9");
        var latin1 = Path.Combine(_temp.Path, "msg");
        File.WriteAllBytes(latin1, [(byte)'c', (byte)'a', (byte)'f', 0xe9, (byte)'\n']);
        Git(Source, "-c", "i18n.commitEncoding=ISO-8859-1", "commit", "-q", "--allow-empty", "-F", latin1);
        Git(Source, "checkout", "-q", "master");
        Git(Source, "tag", "light");
        Git(Source, "tag", "-a", "ann", "-m", "annotated");
        Git(Source, ["tag", "-a", "old-ann", "-m", "on an older commit\n\nwith a body", "master~2"], ("GIT_COMMITTER_DATE", "1700000700 -0330"));
    }

    private void Write(string relative, string text)
    {
        var path = Path.Combine(Source, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }

    private void CommitFile(string relative, string text, string message)
    {
        Write(relative, text);
        Git(Source, "add", relative);
        Git(Source, "commit", "-q", "-m", message);
    }

    private void Commit(string message, string authorDate, string committerDate, bool trailingNewline = true)
    {
        var file = Path.Combine(_temp.Path, "msg");
        File.WriteAllText(file, trailingNewline ? message + "\n" : message);
        Git(Source, ["commit", "-q", "--allow-empty", "--cleanup=verbatim", "-F", file], ("GIT_AUTHOR_DATE", authorDate), ("GIT_COMMITTER_DATE", committerDate));
    }

    private string Git(string directory, params string[] args) => Git(directory, args, []);

    private string Git(string directory, string[] args, params (string Key, string Value)[] env)
    {
        var start = new ProcessStartInfo("git") { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("GIT_", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(key);
        }

        start.Environment["HOME"] = _temp.Path;
        start.Environment["XDG_CONFIG_HOME"] = _temp.Path;
        start.Environment["GIT_CONFIG_NOSYSTEM"] = "1";
        start.Environment["GIT_CONFIG_GLOBAL"] = "/dev/null";
        start.Environment["GIT_AUTHOR_NAME"] = "Ada Lovelace";
        start.Environment["GIT_AUTHOR_EMAIL"] = "ada@example.com";
        start.Environment["GIT_COMMITTER_NAME"] = "Committer Ωmega";
        start.Environment["GIT_COMMITTER_EMAIL"] = "c@example.com";
        foreach (var (key, value) in env)
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"git {string.Join(' ', args)}: {stderr.Result}");
        return stdout.Result.Trim();
    }
}
