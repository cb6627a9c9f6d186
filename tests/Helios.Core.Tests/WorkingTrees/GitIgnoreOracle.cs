using System.Text;
using Helios.Core.WorkingTrees;

namespace Helios.Core.Tests.WorkingTrees;

/// <summary>
/// Walks a directory tree the way a working-tree walker does (never descending into an ignored
/// directory) and collects the ignored paths twice: once by asking real git
/// (<c>git check-ignore --no-index</c>, one batch per depth) and once with <see cref="IgnoreRules"/>.
/// git runs with no system, global or user configuration. Missing git fails the test.
/// </summary>
internal sealed class GitIgnoreOracle : IDisposable
{
    private readonly string _temp;

    public GitIgnoreOracle()
    {
        _temp = Path.Combine(Path.GetTempPath(), "helios-ignore-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.Combine(_temp, "home"));
        Root = Path.Combine(_temp, "repo");
        Directory.CreateDirectory(Root);
    }

    /// <summary>The repository's working tree; fill it, then call <see cref="InitRepository"/>.</summary>
    public string Root { get; }

    public void InitRepository() => Run(["init", "-q", "--template=", "."], stdin: null, allowedExitCodes: [0]);

    /// <summary>The ignored paths a walker stops at, as git decides them.</summary>
    public SortedSet<string> IgnoredByGit()
    {
        var ignored = new SortedSet<string>(StringComparer.Ordinal);
        var level = Children("").ToList();
        while (level.Count > 0)
        {
            var input = new StringBuilder();
            foreach (var (path, _) in level)
            {
                input.Append(path).Append('\0');
            }

            // Exit code 1 means "nothing ignored".
            var stdout = Run(
                ["-c", "core.excludesFile=/dev/null", "-c", "core.ignoreCase=false", "check-ignore", "--no-index", "--stdin", "-z"],
                Encoding.UTF8.GetBytes(input.ToString()),
                allowedExitCodes: [0, 1]);
            var batch = stdout.Split('\0', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
            ignored.UnionWith(batch);
            level = level.Where(e => e.IsDirectory && !batch.Contains(e.Path)).SelectMany(e => Children(e.Path)).ToList();
        }

        return ignored;
    }

    /// <summary>The ignored paths a walker stops at, as <see cref="IgnoreRules"/> decides them.</summary>
    public SortedSet<string> IgnoredByRules()
    {
        var ignored = new SortedSet<string>(StringComparer.Ordinal);
        Walk("", IgnoreRules.None, ignored);
        return ignored;
    }

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    private void Walk(string directory, IgnoreRules rules, SortedSet<string> ignored)
    {
        var ignoreFile = Path.Combine(Full(directory), ".gitignore");
        if (File.Exists(ignoreFile))
        {
            rules = rules.With(directory, File.ReadAllText(ignoreFile));
        }

        foreach (var (path, isDirectory) in Children(directory))
        {
            if (rules.IsIgnored(path, isDirectory))
            {
                ignored.Add(path);
            }
            else if (isDirectory)
            {
                Walk(path, rules, ignored);
            }
        }
    }

    private IEnumerable<(string Path, bool IsDirectory)> Children(string directory)
    {
        foreach (var entry in Directory.EnumerateFileSystemEntries(Full(directory)).Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(entry);
            if (directory.Length == 0 && name == ".git")
            {
                continue;
            }

            yield return (directory.Length == 0 ? name : directory + "/" + name, Directory.Exists(entry));
        }
    }

    private string Full(string path) => path.Length == 0 ? Root : Path.Combine(Root, path);

    private string Run(IReadOnlyList<string> arguments, byte[]? stdin, int[] allowedExitCodes) =>
        Encoding.UTF8.GetString(GitProcess.Run(Root, Path.Combine(_temp, "home"), arguments, stdin, allowedExitCodes));
}
