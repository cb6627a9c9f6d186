using System.CommandLine;
using Helios.Core.Errors;
using Helios.Core.Objects;
using Helios.Core.Refs;
using Helios.Core.Repositories;
using Helios.Core.WorkingTrees;
using Helios.Storage.Sqlite;

namespace Helios.Cli.Commands;

/// <summary>init, add, commit, status, rev-parse: the commands an agent calls in its loop.</summary>
internal static class WorkingTreeCommands
{
    public static void Add(RootCommand root, CliContext context)
    {
        var initDirectory = new Argument<string?>("directory") { Arity = ArgumentArity.ZeroOrOne, Description = "Where to create the repository (default: the current directory)." };
        root.Subcommands.Add(CommandBuilder.Create("init", "Create a repository (.helios/) and check out the empty branch main.",
            p => Init(context, p.GetValue(initDirectory)), initDirectory));

        var paths = new Argument<string[]>("paths") { Arity = ArgumentArity.OneOrMore, Description = "Files or directories ('.' for everything)." };
        root.Subcommands.Add(CommandBuilder.Create("add", "Stage files: the next commit records only staged paths.", p => AddPaths(context, p.GetValue(paths)!), paths));

        var message = new Option<string?>("--message", "-m") { Description = "The commit message (optional when completing a merge: the merge's message is used)." };
        var meta = new Option<string[]>("--meta") { Description = "Metadata KEY=VALUE stored with the commit (repeatable)." };
        var allowEmpty = new Option<bool>("--allow-empty") { Description = "Commit even when nothing changed." };
        root.Subcommands.Add(CommandBuilder.Create("commit", "Record the working tree (or the staged paths) as a new commit on the current branch.",
            p => Commit(context, p.GetValue(message), p.GetValue(meta) ?? [], p.GetValue(allowEmpty)), message, meta, allowEmpty));

        var porcelain = new Option<bool>("--porcelain") { Description = "Stable machine-readable output (git's porcelain v1)." };
        var untrackedFiles = new Option<string>("--untracked-files", "-u")
        {
            Description = "normal: a directory holding only untracked files is shown once (default); all: every file; no: none.",
            DefaultValueFactory = _ => "normal",
        };
        untrackedFiles.AcceptOnlyFromAmong("normal", "all", "no");
        root.Subcommands.Add(CommandBuilder.Create("status", "Show changed, staged and untracked files.",
            p => Status(context, p.GetValue(porcelain), p.GetValue(untrackedFiles) switch { "all" => UntrackedFiles.All, "no" => UntrackedFiles.No, _ => UntrackedFiles.Normal }), porcelain, untrackedFiles));

        var revision = new Argument<string>("revision") { Description = "A commit id or prefix, branch, HEAD, with ~N, ^ or ^N." };
        root.Subcommands.Add(CommandBuilder.Create("rev-parse", "Print the full id of a revision.", p =>
        {
            context.Out.WriteLine(context.Repository.ResolveRevision(p.GetValue(revision)!));
            return ExitCodes.Success;
        }, revision));
    }

    private static int Init(CliContext context, string? directory)
    {
        string root = Path.GetFullPath(Path.Combine(context.CurrentDirectory, directory ?? "."));
        Directory.CreateDirectory(root);
        if (WorktreeLayout.Find(root) is { } existing && existing.Root == root)
        {
            throw new HeliosException(HeliosErrorCode.AlreadyExists, $"A Helios repository already exists at {root}.");
        }

        using var repository = SqliteRepository.Init(root);
        ExcludeFromGit(root);
        context.Out.WriteLine($"Initialized empty Helios repository in {Path.Combine(root, EntryName.MetadataDirectory)}");
        return ExitCodes.Success;
    }

    /// <summary>Inside a git work tree, keeps .helios/ out of git's status (git and helios may share a directory).</summary>
    private static void ExcludeFromGit(string root)
    {
        string gitDirectory = Path.Combine(root, ".git");
        if (!Directory.Exists(gitDirectory))
        {
            return;
        }

        string exclude = Path.Combine(gitDirectory, "info", "exclude");
        Directory.CreateDirectory(Path.GetDirectoryName(exclude)!);
        string existing = File.Exists(exclude) ? File.ReadAllText(exclude) : "";
        if (!existing.Split('\n').Any(l => l.Trim() is "/.helios/" or ".helios/" or "/.helios" or ".helios"))
        {
            File.AppendAllText(exclude, (existing.Length > 0 && !existing.EndsWith('\n') ? "\n" : "") + "/.helios/\n");
        }
    }

    private static int AddPaths(CliContext context, string[] paths)
    {
        var worktree = context.Worktree;
        var specs = paths.Select(p => worktree.ToTreePath(context.CurrentDirectory, p)).ToArray();
        worktree.Stage(specs);
        return ExitCodes.Success;
    }

    private static int Commit(CliContext context, string? message, string[] meta, bool allowEmpty)
    {
        if (message is null && context.Worktree.MergeInProgress is null)
        {
            throw new HeliosException(HeliosErrorCode.InvalidArgument, "A commit needs a message: give it with -m MESSAGE.");
        }

        var metadata = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in meta)
        {
            int eq = pair.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                throw new HeliosException(HeliosErrorCode.InvalidArgument, $"--meta '{pair}' is not KEY=VALUE.");
            }

            metadata[pair[..eq]] = pair[(eq + 1)..];
        }

        var worktree = context.Worktree;
        long started = System.Diagnostics.Stopwatch.GetTimestamp();
        var result = worktree.Commit(System.Text.Encoding.UTF8.GetBytes(message ?? ""), new CommitOptions
        {
            Metadata = metadata,
            AllowEmpty = allowEmpty,
        });
        if (result is CommitResult.Committed)
        {
            context.CommitLatency = System.Diagnostics.Stopwatch.GetElapsedTime(started);
        }

        switch (result)
        {
            case CommitResult.Committed committed:
                string where = context.Repository.CurrentBranch?.Value ?? "detached HEAD";
                context.Out.WriteLine($"[{where} {committed.Id.ToShortString()}] {context.Repository.ReadCommit(committed.Id).Subject}");
                return ExitCodes.Success;
            case CommitResult.NothingToCommit:
                // An error like any other (stderr, exit 1 through the one table), so agents see why nothing happened.
                throw new HeliosException(HeliosErrorCode.NothingToDo, "Nothing to commit: the working tree matches HEAD; change a file first, or use --allow-empty.");
            case CommitResult.RefMoved moved:
                throw new HeliosException(HeliosErrorCode.Conflict,
                    $"{Describe(moved.Ref)} moved to {moved.Actual?.ToString() ?? "nothing"} (another process or worktree committed to it) while this worktree was based on {moved.Expected?.ToShortString() ?? "no commit"}; nothing was committed. " +
                    $"Run 'helios checkout {Target(moved.Ref)}' to bring this worktree up to that commit (uncommitted changes are kept unless it changed the same files), then commit again.");
            default:
                return ExitCodes.NotDone;
        }
    }

    private static int Status(CliContext context, bool porcelain, UntrackedFiles untrackedFiles)
    {
        var status = context.Worktree.Status(untrackedFiles);
        foreach (var path in status.Skipped)
        {
            context.Error.WriteLine($"helios: warning: skipping '{EntryName.Escape(path)}': its name is not valid UTF-8 or is reserved, so it cannot be recorded.");
        }

        if (porcelain)
        {
            foreach (var entry in status.Entries)
            {
                context.Out.WriteLine(entry.Porcelain);
            }

            return ExitCodes.Success;
        }

        context.Out.WriteLine(status.Head?.Symbolic is { } branch
            ? $"On branch {BranchName.FromRef(branch)}"
            : $"HEAD detached at {status.HeadCommit?.ToShortString()}");
        if (status.HeadCommit is null)
        {
            context.Out.WriteLine("No commits yet");
        }

        if (status.IsStale)
        {
            context.Out.WriteLine($"The branch moved outside this worktree (the files are at {status.BaseCommit?.ToShortString() ?? "no commit"}); changes below are against the new commit. Run 'helios checkout {(status.Head?.Symbolic is { } b ? BranchName.FromRef(b)?.Value : "HEAD")}' to bring the files up to it.");
        }

        if (status.Merging is { } merging)
        {
            context.Out.WriteLine($"You are merging {merging}: fix the conflicts, 'helios add' each path, then 'helios commit' (or 'helios merge --abort').");
        }

        static bool Unmerged(StatusEntry e) => e.Staged is 'U' || e.Unstaged is 'U' || (e.Staged, e.Unstaged) is ('A', 'A');
        var unmerged = status.Entries.Where(Unmerged).ToArray();
        var staged = status.Entries.Where(e => e.Staged is not (' ' or '?') && !Unmerged(e)).ToArray();
        var unstaged = status.Entries.Where(e => e.Unstaged is not (' ' or '?') && !Unmerged(e)).ToArray();
        var others = status.Entries.Where(e => e.Staged == '?').ToArray();
        Section(context, "Changes staged for commit:", staged.Select(e => $"{Word(e.Staged)}{e.Path}"));
        Section(context, "Unmerged paths:", unmerged.Select(e => $"{UnmergedWord(e)}{e.Path}"));
        Section(context, "Changes not staged for commit:", unstaged.Select(e => $"{Word(e.Unstaged)}{e.Path}"));
        Section(context, "Untracked files (commit records them unless ignored):", others.Select(e => e.Path));
        if (status.IsClean)
        {
            context.Out.WriteLine("nothing to commit, working tree clean");
        }

        return ExitCodes.Success;
    }

    private static void Section(CliContext context, string title, IEnumerable<string> lines)
    {
        var list = lines.ToArray();
        if (list.Length == 0)
        {
            return;
        }

        context.Out.WriteLine();
        context.Out.WriteLine(title);
        foreach (var line in list)
        {
            context.Out.WriteLine($"\t{line}");
        }
    }

    private static string Word(char code) => code switch
    {
        'A' => "new file:   ",
        'D' => "deleted:    ",
        'T' => "typechange: ",
        _ => "modified:   ",
    };

    private static string UnmergedWord(StatusEntry e) => (e.Staged, e.Unstaged) switch
    {
        ('A', 'A') => "both added:      ",
        ('U', 'D') => "deleted by them: ",
        ('D', 'U') => "deleted by us:   ",
        _ => "both modified:   ",
    };

    internal static string FirstLine(string message) => message.Split('\n', 2)[0];

    private static string Describe(RefName name) => BranchName.FromRef(name) is { } branch ? $"Branch '{branch}'" : "HEAD";

    private static string Target(RefName name) => BranchName.FromRef(name)?.Value ?? "HEAD";
}
