using Helios.Core.Errors;
using Helios.Core.Merging;
using Helios.Core.Objects;
using Helios.Core.Refs;
using Helios.Core.Repositories;
using Helios.Core.Storage;

namespace Helios.Core.WorkingTrees;

/// <summary>One line of <c>status</c>: git's two porcelain columns (staged, then working tree).</summary>
public sealed record StatusEntry(string Path, char Staged, char Unstaged)
{
    public string Porcelain => $"{Staged}{Unstaged} {QuotePath(Path)}";

    /// <summary>Quotes a path as git's porcelain does when it holds a space-like or special character.</summary>
    public static string QuotePath(string path) =>
        path.IndexOfAny(['"', '\\', '\t', '\n', ' ']) < 0 ? path
            : "\"" + path.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)
                .Replace("\t", "\\t", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal) + "\"";
}

/// <summary>How <see cref="WorkingTree.Status"/> lists untracked files (git's --untracked-files).</summary>
public enum UntrackedFiles
{
    /// <summary>A directory holding only untracked files is listed once, as "dir/".</summary>
    Normal,

    /// <summary>Every untracked file is listed.</summary>
    All,

    /// <summary>Untracked files are not listed.</summary>
    No,
}

/// <summary>The state of a worktree against its HEAD.</summary>
/// <param name="Head">HEAD's value: the branch it follows, or the detached commit.</param>
/// <param name="HeadCommit">The commit HEAD resolves to; null on an unborn branch.</param>
/// <param name="BaseCommit">The commit the files were last brought to; differs from <paramref name="HeadCommit"/> when the branch moved outside this worktree.</param>
/// <param name="Entries">Changed, staged and untracked paths, sorted.</param>
/// <param name="Skipped">Paths Helios cannot record (names that are not UTF-8 or are reserved).</param>
public sealed record WorkingTreeStatus(RefTarget? Head, ObjectId? HeadCommit, ObjectId? BaseCommit, IReadOnlyList<StatusEntry> Entries, IReadOnlyList<string> Skipped)
{
    public bool IsClean => Entries.Count == 0;

    /// <summary>True when the branch moved outside this worktree: commits are refused until the files are rebased (reset).</summary>
    public bool IsStale => BaseCommit != HeadCommit;

    /// <summary>The label of the revision being merged while a conflicted merge is in progress; null otherwise.</summary>
    public string? Merging { get; init; }
}

/// <summary>A checkout or reset refused because it would overwrite local changes in <see cref="Paths"/>.</summary>
public sealed class LocalChangesException(string operation, IReadOnlyList<string> paths) : HeliosException(HeliosErrorCode.Conflict,
    $"Your local changes to {paths.Count} file(s) would be overwritten by {operation}: {string.Join(", ", paths.Take(10))}{(paths.Count > 10 ? ", ..." : "")}; commit them, or discard them with 'reset --hard', first.")
{
    public IReadOnlyList<string> Paths { get; } = paths;
}

/// <summary>
/// A directory on disk bound to a repository HEAD: status, add, commit, checkout and reset over
/// real files. Each worktree has its own HEAD and index; all share the repository's store, so
/// any number of processes can work in different worktrees at once with no lock held between
/// commands. Commit moves the branch by compare-and-swap from the commit the scan saw, so a branch
/// moved by another process is reported, never overwritten.
/// <para>
/// Costs: status and commit lstat every file (rehashing only files whose stat changed); checkout
/// between commits touches only the paths that differ between their trees; reset --hard lstats
/// tracked files only. Ignore rules come from <c>.gitignore</c> and <c>.heliosignore</c> files;
/// <c>.git</c> and <c>.helios</c> are never tracked. Not thread-safe.
/// </para>
/// </summary>
public sealed partial class WorkingTree
{
    /// <summary>Files modified this close to a scan have their stat rechecked by content next time.</summary>
    public static readonly TimeSpan RacyWindow = TimeSpan.FromSeconds(2);

    private readonly Repository _repository;
    private readonly string _indexFile;
    private readonly string _agent;

    public WorkingTree(Repository repository, string root, string indexFile, string agent = "")
    {
        if (!NativeFileSystem.IsSupported)
        {
            throw new HeliosException(HeliosErrorCode.InvalidState, "Working directories are supported on Linux (x86-64 and arm64) only.");
        }

        _repository = repository;
        Root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));
        _indexFile = indexFile;
        _agent = agent;
    }

    /// <summary>The absolute path of the worktree's top directory.</summary>
    public string Root { get; }

    /// <summary>
    /// Turns a path given on the command line (relative to <paramref name="currentDirectory"/>) into a
    /// worktree path ('/'-separated, "" for the root); throws when it lies outside the worktree.
    /// </summary>
    public string ToTreePath(string currentDirectory, string path)
    {
        string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(Path.Combine(currentDirectory, path)));
        if (full == Root)
        {
            return "";
        }

        if (!full.StartsWith(Root + "/", StringComparison.Ordinal))
        {
            throw new HeliosException(HeliosErrorCode.InvalidArgument, $"Path '{path}' is outside the worktree {Root}.");
        }

        string relative = full[(Root.Length + 1)..];
        if (relative.Split('/').Any(p => p.Equals(EntryName.MetadataDirectory, StringComparison.OrdinalIgnoreCase)))
        {
            throw new HeliosException(HeliosErrorCode.InvalidArgument, $"Path '{path}' is inside the repository's own {EntryName.MetadataDirectory} directory.");
        }

        return relative;
    }

    /// <summary>
    /// Compares the files on disk with the index and HEAD, as git's porcelain lists them: changes to
    /// tracked paths sorted by path, then untracked ones. Refreshes the stat cache.
    /// </summary>
    public WorkingTreeStatus Status(UntrackedFiles untracked = UntrackedFiles.Normal)
    {
        var snapshot = Begin();
        var skipped = Scan(snapshot, tracked: false, readUntracked: false);
        var entries = new List<StatusEntry>();
        foreach (var entry in snapshot.Index.Entries.Values)
        {
            AddStatus(entry, entries);
        }

        // Unresolved paths show as git shows unmerged ones (UU, AA, UD, DU), among the changes. Like
        // git's unmerged index entries they are tracked: a file the merge wrote where HEAD has none
        // (DU) is neither untracked itself nor makes its directory untracked.
        var merge = PendingMerge(snapshot);
        var unmerged = (merge?.Conflicts ?? []).ToDictionary(c => c.Path, c => UnmergedLetters(c.Kind), StringComparer.Ordinal);
        var changes = entries.Where(e => e.Staged != '?' && !unmerged.ContainsKey(e.Path))
            .Concat(unmerged.Select(u => new StatusEntry(u.Key, u.Value[0], u.Value[1])))
            .OrderBy(e => e.Path, StringComparer.Ordinal);
        var others = entries.Where(e => e.Staged == '?' && !unmerged.ContainsKey(e.Path)).Select(e => e.Path);
        others = untracked switch
        {
            UntrackedFiles.No => [],
            UntrackedFiles.Normal => CollapseUntracked(snapshot.Index, unmerged.Keys, others.ToList()),
            _ => others,
        };

        entries = [.. changes, .. others.Order(StringComparer.Ordinal).Select(p => new StatusEntry(p, '?', '?'))];
        Save(snapshot);
        return new WorkingTreeStatus(snapshot.HeadRef, snapshot.HeadCommit, snapshot.Index.BaseCommit, entries, skipped) { Merging = merge?.Label };
    }

    /// <summary>
    /// Stages the current content of the files under <paramref name="paths"/> (worktree paths; ""
    /// for everything): new and changed files, and removals of tracked files that are gone. The
    /// next commit then records only staged paths. Returns the paths staged.
    /// </summary>
    public IReadOnlyList<string> Stage(IReadOnlyList<string> paths)
    {
        var snapshot = Begin();
        Scan(snapshot, tracked: false);
        var matched = new bool[paths.Count];
        var staged = new List<string>();
        var blobs = new List<EncodedObject>();
        foreach (var entry in snapshot.Index.Entries.Values)
        {
            int match = MatchingPathspec(paths, entry.Path);
            if (match < 0 || (entry.Disk is null && entry.Indexed is null))
            {
                continue;
            }

            matched[match] = true;
            if (entry.Disk == entry.Indexed)
            {
                continue;
            }

            if (entry.Disk == entry.Head)
            {
                // Back to what the base records: nothing left to stage.
                entry.Unstage();
            }
            else
            {
                if (entry.Disk is { } disk)
                {
                    blobs.AddRange(ReadEncoded(entry).Objects(_repository.Objects, entry.Head is { Kind: not EntryKind.Gitlink } head ? head.Id : null));
                }

                entry.Stage(entry.Disk);
            }

            staged.Add(entry.Path);
        }

        // Staging a conflicted path marks it resolved, even when the resolution is to delete it.
        var resolved = new List<string>();
        foreach (var conflict in PendingMerge(snapshot)?.Conflicts ?? [])
        {
            int match = MatchingPathspec(paths, conflict.Path);
            if (match >= 0)
            {
                matched[match] = true;
                resolved.Add(conflict.Path);
            }
        }

        for (int i = 0; i < paths.Count; i++)
        {
            if (!matched[i])
            {
                throw new NotFoundException(paths[i], $"Path '{paths[i]}' did not match any file in the worktree (ignored files are not added).");
            }
        }

        if (blobs.Count > 0)
        {
            _repository.Objects.Store.PutMany(blobs);
        }

        ResolveConflicts(snapshot, resolved);
        Save(snapshot);
        staged.Sort(StringComparer.Ordinal);
        return staged;
    }

    /// <summary>
    /// Commits the worktree: the staged paths when any were staged with <see cref="Stage"/>,
    /// otherwise every new, changed and deleted file (ignore rules apply to untracked files).
    /// </summary>
    public CommitResult Commit(ReadOnlyMemory<byte> message, CommitOptions? options = null)
    {
        var snapshot = Begin();
        var target = snapshot.HeadRef?.Symbolic ?? _repository.Head;
        if (snapshot.Index.BaseCommit != snapshot.HeadCommit)
        {
            // The branch moved outside this worktree (another process or worktree committed to it):
            // these files are based on the old commit, so committing them would undo that work.
            return new CommitResult.RefMoved(target, snapshot.Index.BaseCommit, snapshot.HeadRef?.Symbolic is { } b ? _repository.ReadRef(b) : snapshot.HeadRef);
        }

        var merge = PendingMergeForCommit(snapshot);
        if (merge is not null)
        {
            options = (options ?? new CommitOptions()) with
            {
                ExtraParents = [merge.Child],
                Roots = RootMerge.Merge(_repository, merge.Parent, merge.Child, CommitAncestry.MergeBases(_repository.Objects, merge.Parent, merge.Child), merge.Strategy),
                Metadata = new Dictionary<string, string>(options?.Metadata ?? new Dictionary<string, string>()) { ["merge.strategy"] = merge.Strategy.Name() },
                Operation = ("merge", $"{merge.Summary}; resolved by hand"),
            };
            if (message.IsEmpty)
            {
                message = System.Text.Encoding.UTF8.GetBytes(merge.Message);
            }
        }

        Scan(snapshot, tracked: false);
        var entries = snapshot.Index.Entries.Values;
        bool stagedOnly = entries.Any(e => e.IsStaged);
        var workspace = _repository.OpenWorkspaceAt(target, snapshot.HeadCommit);
        var committed = new List<(IndexEntry Entry, FileVersion? Version)>();
        foreach (var entry in entries)
        {
            var version = stagedOnly ? entry.Indexed : entry.Disk;
            if (version == entry.Head || (stagedOnly && !entry.IsStaged))
            {
                continue;
            }

            if (version is not { } v)
            {
                workspace.Delete(entry.Path);
            }
            else if (stagedOnly)
            {
                workspace.WriteStored(entry.Path, v.Kind, v.Id);
            }
            else
            {
                workspace.WriteEncoded(entry.Path, v.Kind, ReadEncoded(entry));
            }

            committed.Add((entry, version));
        }

        var result = committed.Count == 0 && !(options?.AllowEmpty ?? false) && (options?.ExtraParents.Count ?? 0) == 0
            ? new CommitResult.NothingToCommit()
            : _repository.Commit(workspace, message, (options ?? new CommitOptions()) with { Agent = options?.Agent is { Length: > 0 } a ? a : _agent });
        if (result is CommitResult.Committed)
        {
            foreach (var (entry, version) in committed)
            {
                entry.Head = version;
                entry.Unstage();
            }

            snapshot.Index.BaseTree = workspace.BaseTree;
            snapshot.Index.BaseCommit = workspace.BaseCommit;
            if (merge is not null)
            {
                File.Delete(MergeStateFile);
            }
        }

        Save(snapshot);
        return result;
    }

    /// <summary>
    /// Checks out a branch (HEAD follows it) or a commit (HEAD detached there). Only paths that
    /// differ between the two commits are written; local changes elsewhere are kept. Refused,
    /// changing nothing, when a local change or an untracked file would be overwritten, or while a
    /// merge is in progress.
    /// </summary>
    public OperationRecord? Checkout(string revision)
    {
        var snapshot = Begin();
        if (PendingMerge(snapshot) is { } merge)
        {
            throw new HeliosException(HeliosErrorCode.InvalidState,
                $"A merge of {merge.Label} is in progress; finish it with 'commit' or give it up with 'merge --abort' before checking out.");
        }

        RefTarget newHead;
        ObjectId? newCommit;
        var branch = BranchName.TryParse(revision);
        if (branch is { } b && (_repository.TryGetBranch(b) is not null || snapshot.HeadRef?.Symbolic == b.Ref))
        {
            newHead = RefTarget.Follow(b.Ref);
            newCommit = _repository.TryGetBranch(b);
        }
        else
        {
            newCommit = _repository.ResolveRevision(revision);
            newHead = RefTarget.To(newCommit.Value);
        }

        var newTree = TreeOf(newCommit);
        // The files show the base commit. When another process moved the branch since, that is older
        // than HEAD: diffing from it brings the files forward (checking out the same branch updates them).
        var filesTree = snapshot.Index.BaseCommit == snapshot.HeadCommit ? snapshot.Index.BaseTree : TreeOf(snapshot.Index.BaseCommit);
        var changes = TreeDiff.Diff(_repository.Objects, filesTree, newTree);
        var blocked = FindOverwrites(snapshot, changes);
        if (blocked.Count > 0)
        {
            throw new LocalChangesException("checkout", blocked);
        }

        OperationRecord? record = null;
        if (snapshot.HeadRef != newHead)
        {
            record = _repository.MoveHead(snapshot.HeadRef, newHead, $"checkout {revision} in {Describe()}", _agent);
        }

        ApplyChanges(snapshot, changes, onlyIfClean: false);
        if (filesTree != snapshot.Index.BaseTree)
        {
            // Entries not written still describe HEAD's tree: make them describe the target's.
            var written = changes.Select(c => c.Path).ToHashSet(StringComparer.Ordinal);
            foreach (var change in TreeDiff.Diff(_repository.Objects, snapshot.Index.BaseTree, newTree))
            {
                if (!written.Contains(change.Path))
                {
                    snapshot.Index.GetOrAdd(change.Path).Head = change.New;
                }
            }
        }

        snapshot.Index.BaseTree = newTree;
        snapshot.Index.BaseCommit = newCommit;
        Save(snapshot);
        return record;
    }

    /// <summary>
    /// Moves HEAD's branch (or the detached HEAD) to <paramref name="target"/>. Hard: the worktree
    /// then shows the target, local changes to tracked files and staged changes discarded (untracked
    /// and ignored files are left alone). Soft: files are untouched and show as changes; staged
    /// paths stay staged only with <paramref name="keepStaged"/> (git's --soft; without it, --mixed).
    /// A merge in progress is given up, as git's reset does.
    /// </summary>
    public OperationRecord Reset(ObjectId target, ResetMode mode, bool keepStaged = false)
    {
        var snapshot = Begin();
        // As git's reset forgets MERGE_HEAD: the merge in progress, if any, is given up.
        File.Delete(MergeStateFile);
        var newTree = _repository.ReadCommit(target).Tree;
        if (mode == ResetMode.Hard)
        {
            Scan(snapshot, tracked: true);
        }

        var moved = snapshot.HeadRef?.Symbolic ?? _repository.Head;
        RefTarget? expected = snapshot.HeadCommit is { } c ? RefTarget.To(c) : null;
        var record = _repository.MoveRef(moved, expected, RefTarget.To(target),
            $"reset {mode.ToString().ToLowerInvariant()} {Describe()} to {target.ToShortString()}", _agent);

        var changes = TreeDiff.Diff(_repository.Objects, snapshot.Index.BaseTree, newTree);
        if (mode == ResetMode.Hard)
        {
            var writes = changes.ToDictionary(c => c.Path, c => c.New, StringComparer.Ordinal);
            foreach (var entry in snapshot.Index.Entries.Values)
            {
                // Local edits and staged additions go back to what the target records.
                if (!writes.ContainsKey(entry.Path) && entry.HasTrackedChange)
                {
                    writes[entry.Path] = entry.Head;
                }

                entry.Unstage();
            }

            ApplyChanges(snapshot, writes.Select(w => new FileChange(w.Key, null, w.Value)), onlyIfClean: false);
        }
        else
        {
            foreach (var change in changes)
            {
                snapshot.Index.GetOrAdd(change.Path).Head = change.New;
            }

            if (!keepStaged)
            {
                foreach (var entry in snapshot.Index.Entries.Values)
                {
                    entry.Unstage();
                }
            }
        }

        snapshot.Index.BaseTree = newTree;
        snapshot.Index.BaseCommit = target;
        Save(snapshot);
        return record;
    }

    /// <summary>
    /// Undoes this worktree's last operation (see <see cref="Repository.Undo"/>) and brings the files
    /// to the commit HEAD shows afterwards. Files with local changes are left as they are.
    /// </summary>
    public OperationRecord Undo()
    {
        var snapshot = Begin();
        var record = _repository.Undo(_agent, ownOnly: true);
        var newCommit = _repository.HeadCommit;
        var newTree = TreeOf(newCommit);
        var changes = TreeDiff.Diff(_repository.Objects, snapshot.Index.BaseTree, newTree);
        ApplyChanges(snapshot, changes, onlyIfClean: true);
        snapshot.Index.BaseTree = newTree;
        snapshot.Index.BaseCommit = newCommit;
        Save(snapshot);
        return record;
    }

    /// <summary>Writes every file of HEAD's commit into an empty directory (a new worktree).</summary>
    public void Populate()
    {
        var snapshot = Begin();
        var tree = snapshot.Index.BaseTree;
        snapshot.Index.Clear();
        var files = TreeDiff.Diff(_repository.Objects, TreeDiff.EmptyTree, tree);
        ApplyChanges(snapshot, files, onlyIfClean: false);
        snapshot.Index.BaseTree = tree;
        snapshot.Index.BaseCommit = snapshot.HeadCommit;
        Save(snapshot);
    }

    /// <summary>
    /// Tracked paths (in HEAD or staged) whose file on disk differs from HEAD's version, staged or
    /// not, in path order: what <c>git diff HEAD</c> compares. Untracked files are not included.
    /// </summary>
    public IReadOnlyList<FileChange> TrackedChanges()
    {
        var snapshot = Begin();
        Scan(snapshot, tracked: true);
        var changes = snapshot.Index.Entries.Values
            .Where(e => (e.Head is not null || e.IsStaged) && e.Disk != e.Head)
            .Select(e => new FileChange(e.Path, e.Head, e.Disk))
            .OrderBy(c => c.Path, StringComparer.Ordinal)
            .ToList();
        Save(snapshot);
        return changes;
    }

    /// <summary>A file's content as a blob records it: the bytes of a file, the target of a symlink.</summary>
    public byte[] ReadContent(string path) =>
        ReadContent(path, LStatInside(path) ?? throw new NotFoundException(path, $"'{path}' is not in the worktree."));

    /// <summary>True when tracked files differ from HEAD or paths are staged (untracked files do not count).</summary>
    public bool HasTrackedChanges()
    {
        var snapshot = Begin();
        Scan(snapshot, tracked: true);
        bool changed = snapshot.Index.Entries.Values.Any(e => e.HasTrackedChange);
        Save(snapshot);
        return changed;
    }

    private string Describe() => _repository.Head == RefName.Head ? "the main worktree" : _repository.Head.Value;

    private ObjectId TreeOf(ObjectId? commit) => commit is { } c ? _repository.ReadCommit(c).Tree : TreeDiff.EmptyTree;

    private static int MatchingPathspec(IReadOnlyList<string> paths, string path)
    {
        for (int i = 0; i < paths.Count; i++)
        {
            string spec = paths[i];
            if (spec.Length == 0 || path == spec || (path.Length > spec.Length && path[spec.Length] == '/' && path.StartsWith(spec, StringComparison.Ordinal)))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>
    /// Replaces the files of each directory that holds nothing tracked by that directory ("dir/"),
    /// topmost first. <paramref name="unmerged"/> paths count as tracked.
    /// </summary>
    private static IEnumerable<string> CollapseUntracked(WorkingTreeIndex index, IEnumerable<string> unmerged, List<string> untracked)
    {
        if (untracked.TrueForAll(p => !p.Contains('/')))
        {
            return untracked;
        }

        var trackedDirectories = new HashSet<string>(StringComparer.Ordinal);
        var tracked = index.Entries.Values.Where(e => e.Head is not null || e.IsStaged).Select(e => e.Path).Concat(unmerged);
        foreach (var path in tracked)
        {
            // Stops at the first directory already known: its parents are known too.
            int slash = path.LastIndexOf('/');
            while (slash > 0 && trackedDirectories.Add(path[..slash]))
            {
                slash = path.LastIndexOf('/', slash - 1);
            }
        }

        var result = new HashSet<string>(StringComparer.Ordinal);
        foreach (var path in untracked)
        {
            string shown = path;
            for (int slash = path.IndexOf('/'); slash > 0; slash = path.IndexOf('/', slash + 1))
            {
                if (!trackedDirectories.Contains(path[..slash]))
                {
                    shown = path[..(slash + 1)];
                    break;
                }
            }

            result.Add(shown);
        }

        return result;
    }

    private static string UnmergedLetters(ConflictKind kind) => kind switch
    {
        ConflictKind.AddAdd => "AA",
        ConflictKind.ModifyDelete => "UD",
        ConflictKind.DeleteModify => "DU",
        _ => "UU",
    };

    private static void AddStatus(IndexEntry entry, List<StatusEntry> into)
    {
        var indexed = entry.Indexed;
        char staged = !entry.IsStaged ? ' ' : TreeDiff.Letter(entry.Head, indexed);
        if (indexed is null)
        {
            if (staged != ' ')
            {
                into.Add(new StatusEntry(entry.Path, staged, ' '));
            }

            if (entry.Disk is not null)
            {
                into.Add(new StatusEntry(entry.Path, '?', '?'));
            }

            return;
        }

        char unstaged = TreeDiff.Letter(indexed, entry.Disk);
        if (staged != ' ' || unstaged != ' ')
        {
            into.Add(new StatusEntry(entry.Path, staged, unstaged));
        }
    }
}
