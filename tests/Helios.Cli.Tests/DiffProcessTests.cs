using static Helios.Cli.Tests.HeliosProcess;

namespace Helios.Cli.Tests;

/// <summary><c>diff</c> and <c>show</c> as real processes, checked against real git.</summary>
public sealed class DiffProcessTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void The_worktree_diff_applies_with_git_apply_and_matches_git_diff_apart_from_object_ids()
    {
        var before = new Dictionary<string, string?>
        {
            ["a.txt"] = string.Concat(Enumerable.Range(1, 40).Select(i => $"line {i}\n")),
            ["dir/b.txt"] = "b1\nb2\nb3\n",
            ["gone.txt"] = "bye\n",
            ["name with spaces.txt"] = "s\n",
            ["no-newline.txt"] = "x\ny",
        };
        string repo = _temp["repo"];
        string git = _temp["git"];
        Succeed(_temp.Path, "init", "repo");
        Directory.CreateDirectory(git);
        Git(git, "init", "-q");
        foreach (var dir in new[] { repo, git })
        {
            Write(dir, before);
        }

        Succeed(repo, "commit", "-m", "base");
        Git(git, "add", "-A");
        Git(git, "commit", "-q", "-m", "base");

        var after = new Dictionary<string, string?>
        {
            ["a.txt"] = before["a.txt"]!.Replace("line 3\n", "line three\n").Replace("line 30\n", "").Replace("line 39\n", "line 39\nnew line\n"),
            ["dir/b.txt"] = "b1\nb2 changed\nb3\n",
            ["gone.txt"] = null,
            ["name with spaces.txt"] = "s2\n",
            ["no-newline.txt"] = "x\ny\n",
            ["staged-new.txt"] = "fresh\n",
        };
        foreach (var dir in new[] { repo, git })
        {
            Write(dir, after);
        }

        Succeed(repo, "add", "staged-new.txt");
        Git(git, "add", "-N", "staged-new.txt");

        string patch = Succeed(repo, "diff").Stdout;
        Assert.Equal(WithoutIndexLines(Git(git, "diff", "HEAD")), WithoutIndexLines(patch));
        Assert.Equal(Git(git, "diff", "HEAD", "--stat"), Succeed(repo, "diff", "--stat").Stdout);

        // The patch takes a clean checkout of HEAD to the worktree's content.
        Git(git, "reset", "-q", "--hard", "HEAD");
        Git(git, "clean", "-qfd");
        File.WriteAllText(_temp["patch"], patch);
        Git(git, "apply", _temp["patch"]);
        foreach (var (path, content) in after)
        {
            Assert.Equal(content, File.Exists(Path.Combine(git, path)) ? File.ReadAllText(Path.Combine(git, path)) : null);
        }
    }

    [Fact]
    public void Diff_between_commits_and_show_print_the_same_patch()
    {
        Succeed(_temp.Path, "init", "repo");
        string repo = _temp["repo"];
        File.WriteAllText(Path.Combine(repo, "f.txt"), "one\ntwo\n");
        Succeed(repo, "commit", "-m", "first");
        File.WriteAllText(Path.Combine(repo, "f.txt"), "one\n2\n");
        File.WriteAllBytes(Path.Combine(repo, "bin"), [0, 1, 2]);
        Succeed(repo, "commit", "-m", "second");

        string patch = Succeed(repo, "diff", "HEAD~1", "HEAD").Stdout;
        string show = Succeed(repo, "show").Stdout;

        Assert.EndsWith(patch, show, StringComparison.Ordinal);
        Assert.Contains("Binary files /dev/null and b/bin differ\n", patch, StringComparison.Ordinal);
        Assert.Contains("-two\n+2\n", patch, StringComparison.Ordinal);
        Assert.Contains(" bin   | Bin 0 -> 3 bytes\n", Succeed(repo, "diff", "HEAD~1", "HEAD", "--stat").Stdout, StringComparison.Ordinal);
        Assert.Empty(Succeed(repo, "diff").Stdout);
    }

    private static void Write(string root, IReadOnlyDictionary<string, string?> files)
    {
        foreach (var (path, content) in files)
        {
            string full = Path.Combine(root, path);
            if (content is null)
            {
                File.Delete(full);
                continue;
            }

            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllText(full, content);
        }
    }

    private static string WithoutIndexLines(string patch) =>
        string.Join('\n', patch.Split('\n').Where(l => !l.StartsWith("index ", StringComparison.Ordinal)));

    private static string Git(string directory, params string[] args)
    {
        var result = RunProgram("git", directory, ["-c", "user.name=T", "-c", "user.email=t@example.com", "-c", "core.quotePath=true", .. args]);
        Assert.True(result.Code == 0, $"git {string.Join(' ', args)}: {result}");
        return result.Stdout;
    }
}
