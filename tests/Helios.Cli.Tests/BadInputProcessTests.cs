using static Helios.Cli.Tests.HeliosProcess;

namespace Helios.Cli.Tests;

/// <summary>
/// Bad input to the working-directory commands, run as real processes: each is refused with one
/// sentence on stderr starting "helios:", the documented exit code, and no change to the
/// repository (refs, operation log, history, status, worktrees and files compared before and after).
/// </summary>
public sealed class BadInputProcessTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Every_repository_command_outside_a_repository_exits_3_and_creates_nothing()
    {
        string outside = Directory.CreateDirectory(_temp["not-a-repo"]).FullName;
        string[][] commands =
        [
            ["status"], ["status", "--porcelain"], ["log", "--oneline"], ["commit", "-m", "x"], ["add", "."],
            ["branch"], ["branch", "b"], ["checkout", "main"], ["checkout", "-b", "b"], ["reset", "--hard", "HEAD"],
            ["rev-parse", "HEAD"], ["show"], ["undo"], ["op", "log"], ["worktree", "list"], ["worktree", "add", "../w"],
            ["config", "get", "user.name"],
        ];

        foreach (var command in commands)
        {
            var result = Run(outside, command);
            AssertRefused(result, 3, $"Not a Helios repository (or any parent up to /): {outside}; run 'helios init' first.", command);
        }

        Assert.Empty(Directory.EnumerateFileSystemEntries(outside));
        Assert.Equal([outside], Directory.EnumerateFileSystemEntries(_temp.Path));
    }

    [Fact]
    public void An_unknown_revision_exits_2_naming_it_and_changes_nothing()
    {
        string repo = NewRepository();
        string before = State(repo);

        string[][] commands =
        [
            ["rev-parse", "nope"], ["checkout", "nope"], ["reset", "--hard", "nope"], ["reset", "--soft", "nope"],
            ["log", "--oneline", "nope"], ["show", "nope"], ["branch", "b", "nope"], ["checkout", "-b", "b", "nope"],
            ["worktree", "add", "../w", "nope"], ["rev-parse", "HEAD~5"],
        ];
        foreach (var command in commands)
        {
            var result = Run(repo, command);
            AssertRefused(result, 2, command[^1] == "HEAD~5" ? "HEAD~5" : "'nope'", command);
        }

        Assert.Equal(before, State(repo));
        Assert.False(Directory.Exists(_temp["w"]));
    }

    [Fact]
    public void Adding_a_path_outside_the_worktree_exits_2_and_stages_nothing()
    {
        string repo = NewRepository();
        File.WriteAllText(_temp["x"], "outside\n");
        File.WriteAllText(Path.Combine(repo, "untracked.txt"), "new\n");
        string before = State(repo);

        AssertRefused(Run(repo, "add", "../x"), 2, "'../x' is outside the worktree", ["add", "../x"]);
        AssertRefused(Run(repo, "add", _temp["x"], "untracked.txt"), 2, "is outside the worktree", ["add", "/abs/x"]);
        AssertRefused(Run(repo, "add", ".helios/store.db"), 2, "inside the repository's own .helios directory", ["add", ".helios/store.db"]);

        Assert.Equal(before, State(repo));
        Assert.Contains("?? untracked.txt", before, StringComparison.Ordinal);
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void A_file_the_agent_may_not_read_fails_the_commit_with_exit_5_naming_it_and_commits_nothing()
    {
        string repo = NewRepository();
        string before = State(repo);
        File.WriteAllText(Path.Combine(repo, "README.md"), "changed\n");
        string secret = Path.Combine(repo, "secret.txt");
        File.WriteAllText(secret, "secret\n");
        File.SetUnixFileMode(secret, UnixFileMode.None);

        // root reads any file whatever its mode, so as root helios runs without the capabilities that allow that.
        bool root = RunProgram("id", repo, "-u").Stdout.Trim() == "0";
        string[] command = ["commit", "-m", "should not happen"];
        var result = root
            ? RunProgram("setpriv", repo, ["--bounding-set=-dac_override,-dac_read_search", "dotnet", Path.Combine(AppContext.BaseDirectory, "helios.dll"), .. command])
            : Run(repo, command);

        AssertRefused(result, 5, "Cannot read 'secret.txt': permission denied", command);
        File.Delete(secret);
        File.WriteAllText(Path.Combine(repo, "README.md"), "hello\n");
        Assert.Equal(before, State(repo));
    }

    [Fact]
    public void A_dangling_symlink_is_committed_as_a_symlink_and_checked_out_as_one()
    {
        string repo = NewRepository();
        File.CreateSymbolicLink(Path.Combine(repo, "dangling"), "nowhere/at/all");

        Succeed(repo, "commit", "-m", "add a dangling link");
        Succeed(repo, "worktree", "add", "../copy");

        var link = new FileInfo(_temp["copy/dangling"]);
        Assert.True(link.Attributes.HasFlag(FileAttributes.ReparsePoint), "checked out as a symlink");
        Assert.Equal("nowhere/at/all", link.LinkTarget);
        Assert.Empty(Succeed(repo, "status", "--porcelain").Stdout);
        Assert.Empty(Succeed(_temp["copy"], "status", "--porcelain").Stdout);
    }

    [Fact]
    public void Worktree_add_to_a_non_empty_directory_exits_1_creates_no_branch_and_registers_nothing()
    {
        string repo = NewRepository();
        string occupied = Directory.CreateDirectory(_temp["occupied"]).FullName;
        File.WriteAllText(Path.Combine(occupied, "keep.txt"), "mine\n");
        string before = State(repo);

        AssertRefused(Run(repo, "worktree", "add", "../occupied", "-b", "agent"), 1, $"'{occupied}' already exists", ["worktree", "add"]);
        AssertRefused(Run(repo, "worktree", "add", "../occupied/keep.txt"), 1, "keep.txt' already exists", ["worktree", "add", "file"]);

        Assert.Equal(before, State(repo));
        Assert.Equal([Path.Combine(occupied, "keep.txt")], Directory.EnumerateFileSystemEntries(occupied));
        Assert.Equal("mine\n", File.ReadAllText(Path.Combine(occupied, "keep.txt")));
    }

    [Fact]
    public void Invalid_branch_names_exit_2_naming_the_problem_and_create_nothing()
    {
        string repo = NewRepository();
        string before = State(repo);

        AssertRefused(Run(repo, "branch", "a..b"), 2, "'a..b' is not a valid branch name", ["branch", "a..b"]);
        AssertRefused(Run(repo, "branch", "-bad"), 2, "'-bad' is not a valid branch name", ["branch", "-bad"]);
        AssertRefused(Run(repo, "checkout", "-b", "x y"), 2, "'x y' is not a valid branch name", ["checkout", "-b", "x y"]);
        AssertRefused(Run(repo, "worktree", "add", "../w", "-b", "a..b"), 2, "'a..b' is not a valid branch name", ["worktree", "add", "-b"]);

        Assert.Equal(before, State(repo));
        Assert.False(Directory.Exists(_temp["w"]));
    }

    [Fact]
    public void Commit_with_nothing_to_commit_exits_1_and_says_so_on_stderr()
    {
        string repo = NewRepository();
        string before = State(repo);

        AssertRefused(Run(repo, "commit", "-m", "empty"), 1, "Nothing to commit: the working tree matches HEAD", ["commit"]);

        Assert.Equal(before, State(repo));
    }

    [Fact]
    public void Checkout_that_would_overwrite_a_local_change_exits_1_lists_the_file_and_keeps_its_content()
    {
        string repo = NewRepository();
        Succeed(repo, "checkout", "-b", "other");
        File.WriteAllText(Path.Combine(repo, "README.md"), "other's version\n");
        Succeed(repo, "commit", "-m", "other changes README");
        Succeed(repo, "checkout", "main");
        File.WriteAllText(Path.Combine(repo, "README.md"), "my unsaved work\n");
        string before = State(repo);

        var result = Run(repo, "checkout", "other");

        AssertRefused(result, 1, "would be overwritten by checkout: README.md", ["checkout", "other"]);
        Assert.Equal("my unsaved work\n", File.ReadAllText(Path.Combine(repo, "README.md")));
        Assert.Equal(before, State(repo));
    }

    [Fact]
    public void Undo_on_a_fresh_repository_exits_1_and_says_there_is_nothing_to_undo()
    {
        Succeed(_temp.Path, "init", "fresh");
        string repo = _temp["fresh"];
        string before = State(repo);

        AssertRefused(Run(repo, "undo"), 1, "Nothing to undo", ["undo"]);

        Assert.Equal(before, State(repo));
    }

    /// <summary>A repository with one commit (README.md, src/app.txt) on main.</summary>
    private string NewRepository()
    {
        Succeed(_temp.Path, "init", "repo");
        string repo = _temp["repo"];
        File.WriteAllText(Path.Combine(repo, "README.md"), "hello\n");
        Directory.CreateDirectory(Path.Combine(repo, "src"));
        File.WriteAllText(Path.Combine(repo, "src", "app.txt"), "v1\n");
        Succeed(repo, "commit", "-m", "first");
        return repo;
    }

    /// <summary>Everything a refused command must leave alone, as one string to compare.</summary>
    private static string State(string repo)
    {
        var parts = new List<string>();
        foreach (var command in new[] { "branch", "log --oneline", "status --porcelain", "worktree list", "op log" })
        {
            parts.Add($"$ helios {command}\n{Succeed(repo, command.Split(' ')).Stdout}");
        }

        parts.Add("$ files");
        foreach (var entry in new DirectoryInfo(repo).EnumerateFileSystemInfos("*", SearchOption.AllDirectories)
            .Where(e => !Path.GetRelativePath(repo, e.FullName).Split('/').Contains(".helios"))
            .OrderBy(e => e.FullName, StringComparer.Ordinal))
        {
            string relative = Path.GetRelativePath(repo, entry.FullName);
            parts.Add(entry switch
            {
                { LinkTarget: { } target } => $"{relative} -> {target}",
                FileInfo file => $"{relative}: {File.ReadAllText(file.FullName)}",
                _ => $"{relative}/",
            });
        }

        return string.Join('\n', parts);
    }

    private static void AssertRefused(ProcessResult result, int code, string mentions, string[] command)
    {
        string what = $"helios {string.Join(' ', command)}: {result}";
        Assert.True(result.Code == code, $"expected exit {code}; {what}");
        var lines = result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1 && lines[0].StartsWith("helios: ", StringComparison.Ordinal), $"expected one line starting 'helios: ' on stderr; {what}");
        Assert.True(lines[0].Contains(mentions, StringComparison.Ordinal), $"expected stderr to mention \"{mentions}\"; {what}");
        Assert.True(result.Stdout.Length == 0, $"expected nothing on stdout; {what}");
    }
}
