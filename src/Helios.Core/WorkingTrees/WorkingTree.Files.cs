using System.Collections.Concurrent;
using Helios.Core.Errors;
using Helios.Core.Objects;
using Helios.Core.Refs;
using Helios.Core.Repositories;

namespace Helios.Core.WorkingTrees;

// The file-system half: scanning the worktree against the index, and writing files.
public sealed partial class WorkingTree
{
    private static readonly string[] IgnoreFiles = [".gitignore", ".heliosignore"];

    // False while a status scans: untracked files are only listed, so they are not read.
    private bool _readUntracked = true;

    /// <summary>HEAD as one command saw it, and the index synced to HEAD's tree.</summary>
    private sealed record Snapshot(RefTarget? HeadRef, ObjectId? HeadCommit, WorkingTreeIndex Index, DateTimeOffset Started)
    {
        /// <summary>True once the whole worktree was walked, so paths not found are known to be gone.</summary>
        public bool Walked { get; set; }
    }

    private Snapshot Begin()
    {
        var started = DateTimeOffset.UtcNow;
        var headRef = _repository.ReadRef(_repository.Head);
        var commit = headRef switch
        {
            { Id: { } id } => id,
            { Symbolic: { } branch } => _repository.ResolveRef(branch),
            _ => null,
        };
        var index = WorkingTreeIndex.Load(_indexFile);
        var tree = TreeOf(commit);
        if (index.BaseTree != tree)
        {
            Resync(index, tree);
        }
        else if (!index.IsNew && commit is not null && index.BaseCommit is { } based && based != commit
            && TreeOf(based) == tree && !File.Exists(MergeStateFile))
        {
            // The branch moved to a commit with the same files as the one these files came from (a
            // memory or state-array commit by another agent): follow it instead of refusing the next
            // commit as based on a stale head. The base commit's own tree is compared, not the
            // index's (a resync moves that to the new head's without touching the files).
            index.BaseCommit = commit;
        }

        if (index.IsNew)
        {
            index.BaseCommit = commit;
        }

        return new Snapshot(headRef, commit, index, started);
    }

    /// <summary>
    /// Points the index at another base tree (HEAD moved outside this worktree, or the index is
    /// new): by a tree diff when the old base is still readable, else by listing the new tree.
    /// Files on disk are not touched, so they show as changes against the new base.
    /// </summary>
    private void Resync(WorkingTreeIndex index, ObjectId tree)
    {
        if (index.BaseTree == TreeDiff.EmptyTree || _repository.Objects.Contains(index.BaseTree))
        {
            foreach (var change in TreeDiff.Diff(_repository.Objects, index.BaseTree, tree))
            {
                index.GetOrAdd(change.Path).Head = change.New;
            }
        }
        else
        {
            foreach (var entry in index.Entries.Values)
            {
                entry.Head = null;
            }

            foreach (var (path, file) in TreeDiff.Files(_repository.Objects, tree))
            {
                index.GetOrAdd(path).Head = file;
            }
        }

        index.BaseTree = tree;
    }

    /// <summary>Writes the index back when anything in it changed (a clean status writes nothing).</summary>
    private void Save(Snapshot snapshot)
    {
        foreach (var entry in snapshot.Walked ? snapshot.Index.Entries.Values : Enumerable.Empty<IndexEntry>())
        {
            // A path seen once but gone from disk and never tracked is forgotten.
            if (!entry.Visited && entry.Head is null && !entry.IsStaged)
            {
                entry.Seen = null;
            }
        }

        if (snapshot.Index.HasChanges)
        {
            snapshot.Index.Save(_indexFile, snapshot.Started, RacyWindow);
        }
    }

    /// <summary>
    /// Fills in <see cref="IndexEntry.Disk"/> for every path: walks the worktree (untracked files
    /// too) or, with <paramref name="tracked"/>, lstats only the paths the index knows. Returns
    /// paths skipped because Helios cannot record them (names that are not UTF-8 or are reserved).
    /// </summary>
    private List<string> Scan(Snapshot snapshot, bool tracked, bool readUntracked = true)
    {
        _readUntracked = readUntracked;
        try
        {
            return ScanFiles(snapshot, tracked);
        }
        finally
        {
            _readUntracked = true;
        }
    }

    private List<string> ScanFiles(Snapshot snapshot, bool tracked)
    {
        var index = snapshot.Index;
        _ = index.Entries; // decoded here, before the walking threads read it
        var skipped = new List<string>();
        var walkedDirectories = new HashSet<string>(StringComparer.Ordinal);
        if (!tracked)
        {
            var results = WalkAll(index);
            snapshot.Walked = true;
            foreach (var result in results)
            {
                skipped.AddRange(result.Skipped);
                walkedDirectories.UnionWith(result.Directories);
                foreach (var (path, stat) in result.NewFiles)
                {
                    var entry = index.GetOrAdd(path);
                    entry.Visited = true;
                    Resolve(entry, stat);
                }
            }

            skipped.Sort(StringComparer.Ordinal);
        }

        var rest = index.Entries.Values.Where(e => !e.Visited && (e.Head is not null || e.IsStaged)).ToArray();
        var directories = new ConcurrentDictionary<string, bool>(StringComparer.Ordinal);
        void Check(IndexEntry entry)
        {
            entry.Disk = null;
            int slash = entry.Path.LastIndexOf('/');
            string parent = slash < 0 ? "" : entry.Path[..slash];
            // Under a walked directory the walk would have found it: it is gone.
            if (tracked || !walkedDirectories.Contains(parent))
            {
                if (LStatInside(entry.Path, directories) is { } stat)
                {
                    entry.Visited = true;
                    Resolve(entry, stat);
                }
            }
        }

        // Without a walk (reset --hard), every tracked path is checked: in parallel when there are many.
        if (rest.Length > 2048)
        {
            Parallel.ForEach(rest, Check);
        }
        else
        {
            foreach (var entry in rest)
            {
                Check(entry);
            }
        }

        return skipped;
    }

    /// <summary>
    /// lstat of a worktree path, refusing to look through a symlinked or missing parent directory.
    /// With <paramref name="directories"/>, each parent is checked once per scan instead of once per file.
    /// </summary>
    private FileStat? LStatInside(string path, ConcurrentDictionary<string, bool>? directories = null)
    {
        int slash = path.LastIndexOf('/');
        if (slash > 0 && !IsRealDirectory(path[..slash], directories))
        {
            return null;
        }

        return NativeFileSystem.LStat(Absolute(path));
    }

    private bool IsRealDirectory(string path, ConcurrentDictionary<string, bool>? known)
    {
        if (known is not null && known.TryGetValue(path, out bool cached))
        {
            return cached;
        }

        bool isDirectory = LStatInside(path, known) is { IsDirectory: true };
        if (known is not null)
        {
            known[path] = isDirectory;
        }

        return isDirectory;
    }

    private static EntryKind KindOf(FileStat stat) =>
        stat.IsSymlink ? EntryKind.Symlink : stat.IsExecutable ? EntryKind.Executable : EntryKind.File;

    private string Absolute(string path) => path.Length == 0 ? Root : Root + "/" + path;

    /// <summary>Sets the entry's disk version from the stat cache, or by reading and hashing the file.</summary>
    private void Resolve(IndexEntry entry, FileStat stat)
    {
        if (!stat.IsRegularFile && !stat.IsSymlink)
        {
            entry.Disk = null;
            return;
        }

        if (entry.Seen is { } seen && entry.SeenStat == stat)
        {
            entry.Disk = seen;
            return;
        }

        if (!_readUntracked && entry.Head is null && !entry.IsStaged)
        {
            // Present is all a status needs to know of an untracked file (the id stays unknown).
            entry.Disk = new FileVersion(KindOf(stat), default);
            return;
        }

        var (version, encoding) = ReadFile(entry, stat);
        entry.Disk = version;
        entry.Encoding = encoding;
        // Trust the stat only if the file did not change while it was read.
        bool stable = NativeFileSystem.LStat(Absolute(entry.Path)) == stat;
        entry.Seen = stable ? version : null;
        entry.SeenStat = stable ? stat : default;
    }

    /// <summary>
    /// Reads and encodes the file under the repository's chunking threshold. When that id differs
    /// from the base's but the base recorded the same bytes the other way (a plain blob where the
    /// threshold now chunks, or the reverse: the threshold changed since), the file is unchanged and
    /// keeps the base's id; the encoding is then null, as nothing needs storing.
    /// </summary>
    private (FileVersion Version, Objects.Chunking.EncodedContent? Encoding) ReadFile(IndexEntry entry, FileStat stat)
    {
        var content = ReadContent(entry.Path, stat);
        var encoded = _repository.Objects.EncodeContent(content);
        var version = new FileVersion(KindOf(stat), encoded.Id);
        if (entry.Head is { } head && head.Kind == version.Kind && head.Id != version.Id && MayBeOtherRepresentation(encoded, head.Id)
            && encoded.AlternateId(content) == head.Id)
        {
            return (head, null);
        }

        return (version, encoded);
    }

    private byte[] ReadContent(string path, FileStat stat)
    {
        string absolute = Absolute(path);
        try
        {
            return stat.IsSymlink
                ? System.Text.Encoding.UTF8.GetBytes(new FileInfo(absolute).LinkTarget ?? "")
                : File.ReadAllBytes(absolute);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new HeliosException(HeliosErrorCode.Storage, $"Cannot read '{path}': permission denied; fix its permissions or add it to .heliosignore.", e);
        }
    }

    /// <summary>
    /// False when the base's id cannot be the other representation of these bytes, so an edited
    /// large file is not hashed twice: a chunked file whose base is chunked too (a listing read, small)
    /// simply changed. A small file's other id costs little, so it is always computed.
    /// </summary>
    private bool MayBeOtherRepresentation(Objects.Chunking.EncodedContent encoded, ObjectId recorded) =>
        encoded.Chunked is null || _repository.Objects.TryRead(recorded) is not ChunkedBlob;

    /// <summary>The entry's disk content encoded for storage, reading the file again if the scan used the stat cache.</summary>
    private Objects.Chunking.EncodedContent ReadEncoded(IndexEntry entry)
    {
        if (entry.Encoding is { } cached)
        {
            return cached;
        }

        var stat = LStatInside(entry.Path) ?? throw new HeliosException(HeliosErrorCode.Conflict, $"'{entry.Path}' disappeared while Helios was reading the worktree; run the command again.");
        var (version, encoding) = ReadFile(entry, stat);
        if (version != entry.Disk || encoding is null)
        {
            throw new HeliosException(HeliosErrorCode.Conflict, $"'{entry.Path}' changed while Helios was reading the worktree; run the command again.");
        }

        entry.Encoding = encoding;
        return encoding;
    }

    // Classes rather than tuples: collections of reference types share code ReadyToRun has already
    // compiled, where tuple instantiations would be compiled at start-up by every command.
    private sealed record PendingDirectory(string Path, IgnoreRules Rules);

    private sealed record DirectoryEntry(string Name, NativeFileSystem.EntryType Type, bool Valid);

    private sealed record FoundFile(string Path, FileStat Stat);

    /// <summary>What one walking thread found: files the index does not know yet, skipped paths, directories walked.</summary>
    private sealed class WalkResult
    {
        public List<FoundFile> NewFiles { get; } = [];

        public List<string> Skipped { get; } = [];

        public List<string> Directories { get; } = [];
    }

    /// <summary>
    /// Walks the worktree on one thread per core, one directory per work item. Files the index
    /// knows are resolved on the walking thread (stat compare, or hashing when changed); the index
    /// is only read meanwhile, so new paths are returned for the caller to add.
    /// </summary>
    private WalkResult[] WalkAll(WorkingTreeIndex index)
    {
        var pending = new BlockingCollection<PendingDirectory>(new ConcurrentQueue<PendingDirectory>());
        int outstanding = 1;
        pending.Add(new PendingDirectory("", RootIgnoreRules()));
        var failures = new ConcurrentQueue<Exception>();
        // Threads pay off only on large trees; a small one is walked on the calling thread alone.
        var results = new WalkResult[index.Entries.Count > 2000 || index.IsNew ? Math.Max(1, Environment.ProcessorCount) : 1];
        void Work(object? slot)
        {
            var result = results[(int)slot!] = new WalkResult();
            foreach (var (directory, rules) in pending.GetConsumingEnumerable())
            {
                try
                {
                    result.Directories.Add(directory);
                    foreach (var sub in WalkDirectory(directory, rules, index, result))
                    {
                        Interlocked.Increment(ref outstanding);
                        pending.Add(sub);
                    }
                }
                catch (Exception e)
                {
                    failures.Enqueue(e);
                }
                finally
                {
                    if (Interlocked.Decrement(ref outstanding) == 0)
                    {
                        pending.CompleteAdding();
                    }
                }
            }
        }

        var threads = Enumerable.Range(1, results.Length - 1).Select(_ => new Thread(Work) { IsBackground = true }).ToArray();
        for (int i = 0; i < threads.Length; i++) threads[i].Start(i + 1);
        Work(0);
        foreach (var thread in threads) thread.Join();
        if (failures.TryDequeue(out var failure))
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
        }

        return results;
    }

    private IgnoreRules RootIgnoreRules()
    {
        // .git/info/exclude applies when git and helios share the directory.
        string exclude = Path.Combine(Root, ".git", "info", "exclude");
        return File.Exists(exclude) ? IgnoreRules.None.With("", File.ReadAllText(exclude)) : IgnoreRules.None;
    }

    private List<PendingDirectory> WalkDirectory(string directory, IgnoreRules rules, WorkingTreeIndex index, WalkResult result)
    {
        var subdirectories = new List<PendingDirectory>();
        using var dir = NativeFileSystem.Directory.Open(Absolute(directory));
        if (dir is null)
        {
            return subdirectories;
        }

        var entries = new List<DirectoryEntry>();
        while (dir.Next(out var name, out var type, out bool valid))
        {
            entries.Add(new DirectoryEntry(name, type, valid));
        }

        if (directory.Length > 0 && entries.Exists(e => e.Name == EntryName.MetadataDirectory))
        {
            // Another repository or worktree nested in this one: its files are its own.
            return subdirectories;
        }

        foreach (var ignoreFile in IgnoreFiles)
        {
            if (entries.Exists(e => e.Name == ignoreFile && e.Type != NativeFileSystem.EntryType.Directory))
            {
                rules = rules.With(directory, File.ReadAllText(Path.Combine(Absolute(directory), ignoreFile)));
            }
        }

        string prefix = directory.Length == 0 ? "" : directory + "/";
        foreach (var (name, type, valid) in entries)
        {
            string path = prefix + name;
            if (name is ".git" || name.Equals(EntryName.MetadataDirectory, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var kind = type;
            FileStat? stat = null;
            if (kind is not (NativeFileSystem.EntryType.Directory or NativeFileSystem.EntryType.Regular or NativeFileSystem.EntryType.Symlink))
            {
                stat = dir.LStat(name);
                kind = stat switch
                {
                    { IsDirectory: true } => NativeFileSystem.EntryType.Directory,
                    { IsRegularFile: true } => NativeFileSystem.EntryType.Regular,
                    { IsSymlink: true } => NativeFileSystem.EntryType.Symlink,
                    _ => NativeFileSystem.EntryType.Unknown,
                };
            }

            bool isDirectory = kind == NativeFileSystem.EntryType.Directory;
            if (kind == NativeFileSystem.EntryType.Unknown
                || (rules.IsIgnored(path, isDirectory) && !(index.Entries.TryGetValue(path, out var known) && (known.Head is not null || known.IsStaged))))
            {
                // Ignore rules apply to untracked paths only: a tracked file stays tracked.
                continue;
            }

            if (!valid || EntryName.Validate(name) is not null)
            {
                result.Skipped.Add(path);
                continue;
            }

            if (isDirectory)
            {
                subdirectories.Add(new PendingDirectory(path, rules));
            }
            else if ((stat ?? dir.LStat(name)) is { } s)
            {
                if (index.Entries.TryGetValue(path, out var entry))
                {
                    entry.Visited = true;
                    Resolve(entry, s);
                }
                else
                {
                    result.NewFiles.Add(new FoundFile(path, s));
                }
            }
        }

        return subdirectories;
    }

    /// <summary>
    /// Paths a change set would overwrite although they hold content that is neither the old nor
    /// the new version: local edits, staged changes, untracked files in the way.
    /// </summary>
    private List<string> FindOverwrites(Snapshot snapshot, List<FileChange> changes)
    {
        var blocked = new List<string>();
        var removed = changes.Where(c => c.New is null).Select(c => c.Path).ToHashSet(StringComparer.Ordinal);
        foreach (var change in changes)
        {
            var entry = snapshot.Index.GetOrAdd(change.Path);
            if (entry.IsStaged)
            {
                blocked.Add(change.Path);
                continue;
            }

            var stat = LStatInside(change.Path);
            if (stat is { IsDirectory: true })
            {
                // A directory that becomes a file is in the way only if it holds something this
                // change does not remove (its removed files are checked as changes themselves).
                if (change.New is not null && HoldsOtherThan(change.Path, removed))
                {
                    blocked.Add(change.Path);
                }

                continue;
            }

            if (stat is { } s)
            {
                Resolve(entry, s);
                if (entry.Disk != change.Old && entry.Disk != change.New)
                {
                    blocked.Add(change.Path);
                }
            }

            // A new file under a path that is a file or symlink on disk (and not removed by this change).
            if (change.Old is null)
            {
                for (int slash = change.Path.IndexOf('/'); slash > 0; slash = change.Path.IndexOf('/', slash + 1))
                {
                    string parent = change.Path[..slash];
                    if (LStatInside(parent) is { IsDirectory: false } && !removed.Contains(parent))
                    {
                        blocked.Add(change.Path);
                        break;
                    }
                }
            }
        }

        return blocked;
    }

    /// <summary>True when the directory holds a file or symlink whose path is not in <paramref name="removed"/>.</summary>
    private bool HoldsOtherThan(string directory, HashSet<string> removed)
    {
        string root = Absolute(directory);
        foreach (var entry in new DirectoryInfo(root).EnumerateFileSystemInfos("*", SearchOption.AllDirectories))
        {
            bool isFile = entry.LinkTarget is not null || (entry.Attributes & FileAttributes.Directory) == 0;
            if (isFile && !removed.Contains(directory + "/" + Path.GetRelativePath(root, entry.FullName)))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Makes each path hold the given version (null: remove it), updating the index. Removals go
    /// first, so a file can replace a directory and the other way round. With
    /// <paramref name="onlyIfClean"/>, paths whose disk content differs from the index's base are
    /// left alone. Writes go to a temporary file renamed over the target, and never through a symlink.
    /// </summary>
    private void ApplyChanges(Snapshot snapshot, IEnumerable<FileChange> changes, bool onlyIfClean)
    {
        var index = snapshot.Index;
        var list = new List<PendingWrite>();
        foreach (var change in changes)
        {
            var entry = index.GetOrAdd(change.Path);
            if (onlyIfClean)
            {
                if (LStatInside(change.Path) is { } stat)
                {
                    Resolve(entry, stat);
                }
                else
                {
                    entry.Disk = null;
                }

                if (entry.Disk != entry.Head)
                {
                    entry.Head = change.New;
                    continue;
                }
            }

            list.Add(new PendingWrite(entry, change.New));
        }

        foreach (var w in list)
        {
            if (w.Version is null || w.Version.Value.Kind == EntryKind.Symlink || w.Entry.Head?.Kind == EntryKind.Symlink)
            {
                RemoveFile(w.Entry.Path, pruneParents: w.Version is null);
            }
        }

        var writes = list.FindAll(w => w.Version is not null);
        var ready = new HashSet<string>(StringComparer.Ordinal);
        foreach (var w in writes)
        {
            EnsureParentDirectory(w.Entry.Path, ready);
        }

        // Threads pay off for many files (a new worktree); a checkout of a few writes them in line.
        if (writes.Count > 64)
        {
            Parallel.ForEach(writes, w => WriteFile(w.Entry.Path, w.Version!.Value));
        }
        else
        {
            foreach (var w in writes)
            {
                WriteFile(w.Entry.Path, w.Version!.Value);
            }
        }

        foreach (var (entry, version) in list)
        {
            entry.Head = version;
            entry.Encoding = null;
            entry.Visited = true;
            var stat = version is null || version.Value.Kind == EntryKind.Gitlink ? null : NativeFileSystem.LStat(Absolute(entry.Path));
            entry.Disk = stat is null ? null : version;
            entry.Seen = stat is null ? null : version;
            entry.SeenStat = stat ?? default;
        }
    }

    /// <summary>A path about to be written (or removed: null version) by <see cref="ApplyChanges"/>.</summary>
    private sealed record PendingWrite(IndexEntry Entry, FileVersion? Version);

    private void RemoveFile(string path, bool pruneParents)
    {
        string absolute = Absolute(path);
        var stat = LStatInside(path);
        if (stat is { IsDirectory: false })
        {
            File.Delete(absolute);
        }

        for (int slash = path.LastIndexOf('/'); pruneParents && slash > 0; slash = path.LastIndexOf('/', slash - 1))
        {
            string parent = Absolute(path[..slash]);
            if (!Directory.Exists(parent) || Directory.EnumerateFileSystemEntries(parent).Any())
            {
                break;
            }

            Directory.Delete(parent);
        }
    }

    /// <summary>Creates the parent directories of a path, replacing files or symlinks in the way (the caller checked they may go).</summary>
    private void EnsureParentDirectory(string path, HashSet<string> ready)
    {
        for (int slash = path.IndexOf('/'); slash > 0; slash = path.IndexOf('/', slash + 1))
        {
            string parent = path[..slash];
            if (!ready.Add(parent))
            {
                continue;
            }

            var stat = NativeFileSystem.LStat(Absolute(parent));
            if (stat is { IsDirectory: true })
            {
                continue;
            }

            if (stat is not null)
            {
                File.Delete(Absolute(parent));
            }

            Directory.CreateDirectory(Absolute(parent));
        }
    }

    private void WriteFile(string path, FileVersion version)
    {
        string absolute = Absolute(path);
        var existing = NativeFileSystem.LStat(absolute);
        if (existing is { IsDirectory: true })
        {
            // A tracked directory became a file: its files were removed first, so it is empty.
            Directory.Delete(absolute);
            existing = null;
        }

        if (version.Kind == EntryKind.Gitlink)
        {
            Directory.CreateDirectory(absolute);
            return;
        }

        if (version.Kind == EntryKind.Symlink)
        {
            var target = _repository.Objects.ReadContent(version.Id);
            File.CreateSymbolicLink(absolute, System.Text.Encoding.UTF8.GetString(target.Span));
            return;
        }

        // A new path is created in place (exclusively); an existing file is replaced atomically, so a
        // reader never sees it half-written.
        if (existing is null && TryCreate(absolute, version.Id, version.Kind))
        {
            return;
        }

        string temp = Path.Combine(Path.GetDirectoryName(absolute)!, $".helios-{Guid.NewGuid():N}.tmp");
        try
        {
            TryCreate(temp, version.Id, version.Kind);
            File.Move(temp, absolute, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }

    /// <summary>Creates a file that must not exist yet; false when something appeared there meanwhile.</summary>
    /// <remarks>Content is streamed a chunk at a time, so a large chunked file is never held in memory whole.</remarks>
    private bool TryCreate(string path, ObjectId content, EntryKind kind)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (kind == EntryKind.Executable && !OperatingSystem.IsWindows())
        {
            // rwxr-xr-x before the umask, as git creates executables.
            options.UnixCreateMode = (UnixFileMode)0b111_101_101;
        }

        FileStream stream;
        try
        {
            stream = new FileStream(path, options);
        }
        catch (IOException) when (File.Exists(path))
        {
            return false;
        }

        try
        {
            using (stream)
            {
                _repository.Objects.CopyContent(content, stream);
            }

            return true;
        }
        catch
        {
            // A missing chunk or a full disk must not leave half a file behind at a new path.
            File.Delete(path);
            throw;
        }
    }
}
