using System.Buffers;
using System.CommandLine;
using Helios.Core.Errors;
using Helios.Core.Merging;
using Helios.Core.Objects;
using Helios.Core.Repositories;

namespace Helios.Cli.Commands;

/// <summary>diff: changes between the worktree and a commit, or between two commits, as git prints them.</summary>
internal static class DiffCommand
{
    /// <summary>One side of a changed path: its version and how to get its bytes.</summary>
    internal sealed record Side(FileVersion Version, Func<ReadOnlyMemory<byte>> Content);

    /// <summary>A changed path with both sides (null: absent).</summary>
    internal sealed record PathDiff(string Path, Side? Old, Side? New);

    public static void Add(RootCommand root, CliContext context)
    {
        var revisions = new Argument<string[]>("revisions")
        {
            Arity = new ArgumentArity(0, 2),
            Description = "None: the worktree against HEAD. One: the worktree against it. Two: the first against the second.",
        };
        var stat = new Option<bool>("--stat") { Description = "A summary per file (lines added and removed) instead of the patch." };
        var unified = new Option<int>("--unified", "-U") { Description = "Lines of context around each change (default 3).", DefaultValueFactory = _ => 3 };
        root.Subcommands.Add(CommandBuilder.Create("diff", "Show changes as a unified diff that git apply accepts.",
            p => Diff(context, p.GetValue(revisions) ?? [], p.GetValue(stat), p.GetValue(unified)), revisions, stat, unified));
    }

    private static int Diff(CliContext context, string[] revisions, bool stat, int contextLines)
    {
        var repository = context.Repository;
        List<PathDiff> diffs;
        if (revisions.Length == 2)
        {
            var from = repository.ReadCommit(repository.ResolveRevision(revisions[0])).Tree;
            var to = repository.ReadCommit(repository.ResolveRevision(revisions[1])).Tree;
            diffs = BetweenTrees(repository, from, to);
        }
        else
        {
            diffs = AgainstWorktree(context, revisions.Length == 1 ? revisions[0] : "HEAD");
        }

        Write(context, diffs, stat, contextLines);
        return ExitCodes.Success;
    }

    /// <summary>The paths that differ between two trees, with content read from the store.</summary>
    internal static List<PathDiff> BetweenTrees(Repository repository, ObjectId from, ObjectId to) =>
        TreeDiff.Diff(repository.Objects, from, to)
            .Where(c => !SameFile(repository, c.Old, c.New))
            .Select(c => new PathDiff(c.Path, Stored(repository, c.Old), Stored(repository, c.New))).ToList();

    /// <summary>
    /// True when two versions differ only in how their bytes are stored (one chunked, one not: commits
    /// made under different chunking thresholds): git would see no change, so none is shown.
    /// </summary>
    private static bool SameFile(Repository repository, FileVersion? old, FileVersion? @new) =>
        old is { } o && @new is { } n && o.Kind == n.Kind && o.Kind != EntryKind.Gitlink && repository.Objects.ContentEquals(o.Id, n.Id);

    /// <summary>
    /// The worktree's tracked files against a commit: the commit's tree against HEAD's, overlaid
    /// with the worktree's changes against HEAD (content read from disk).
    /// </summary>
    private static List<PathDiff> AgainstWorktree(CliContext context, string revision)
    {
        var repository = context.Repository;
        var worktree = context.Worktree;
        var baseTree = repository.ReadCommit(repository.ResolveRevision(revision)).Tree;
        var headTree = repository.HeadCommit is { } head ? repository.ReadCommit(head).Tree : TreeDiff.EmptyTree;
        var byPath = new SortedDictionary<string, (FileVersion? Old, Side? New)>(StringComparer.Ordinal);
        foreach (var change in TreeDiff.Diff(repository.Objects, baseTree, headTree).Where(c => !SameFile(repository, c.Old, c.New)))
        {
            byPath[change.Path] = (change.Old, Stored(repository, change.New));
        }

        foreach (var change in worktree.TrackedChanges())
        {
            var old = byPath.TryGetValue(change.Path, out var known) ? known.Old : change.Old;
            var path = change.Path;
            var onDisk = change.New is { } disk ? new Side(disk, () => worktree.ReadContent(path)) : null;
            byPath[path] = (old, onDisk);
        }

        return byPath
            .Where(kv => kv.Value.Old != kv.Value.New?.Version)
            .Select(kv => new PathDiff(kv.Key, Stored(repository, kv.Value.Old), kv.Value.New))
            .ToList();
    }

    private static Side? Stored(Repository repository, FileVersion? version) =>
        version is { } v ? new Side(v, () => v.Kind == EntryKind.Gitlink ? ReadOnlyMemory<byte>.Empty : repository.Objects.ReadContent(v.Id)) : null;

    /// <summary>Prints the patch (git's format, byte for byte) or, with <paramref name="stat"/>, git's --stat summary.</summary>
    internal static void Write(CliContext context, IReadOnlyList<PathDiff> diffs, bool stat, int contextLines)
    {
        if (contextLines < 0)
        {
            throw new HeliosException(HeliosErrorCode.InvalidArgument, $"--unified takes a number of lines of at least 0, not {contextLines}.");
        }

        if (stat)
        {
            var entries = diffs.Select(StatEntry).ToList();
            if (entries.Count > 0)
            {
                context.Out.Write(DiffStat.Format(entries));
            }

            return;
        }

        var output = new ArrayBufferWriter<byte>();
        var options = new UnifiedDiffOptions { ContextLines = contextLines };
        foreach (var d in diffs)
        {
            UnifiedDiff.Append(output, ToSide(d.Path, d.Old), ToSide(d.Path, d.New), options);
        }

        context.WriteBytes(output.WrittenSpan);
    }

    private static UnifiedDiffSide? ToSide(string path, Side? side) =>
        side is null ? null : new UnifiedDiffSide(path, side.Version.Kind, side.Content(), side.Version.Id.ToShortString(7));

    private static DiffStatEntry StatEntry(PathDiff d)
    {
        var old = d.Old?.Content() ?? ReadOnlyMemory<byte>.Empty;
        var @new = d.New?.Content() ?? ReadOnlyMemory<byte>.Empty;
        return TextMerge.IsBinary(old.Span) || TextMerge.IsBinary(@new.Span)
            ? DiffStatEntry.ForBinary(d.Path, d.Old is null ? 0 : old.Length, d.New is null ? 0 : @new.Length)
            : DiffStatEntry.ForText(d.Path, LineDiff.Diff(old.Span, @new.Span));
    }
}
