using Helios.Core.Errors;
using Helios.Core.Objects;
using Helios.Core.Refs;
using Helios.Core.Storage;

namespace Helios.Core.Repositories;

/// <summary>
/// An in-memory view of a branch (or of a detached commit): read, write, delete and list files,
/// then commit through <c>Repository.Commit</c>. Backed by a persistent tree, so
/// <see cref="Fork()"/> is O(1) and a write copies only the nodes on its path; unchanged
/// directories are loaded from storage on first use. Not thread-safe: one writer per workspace
/// (forks are independent and may be used on other threads).
/// </summary>
public sealed class Workspace
{
    private readonly ObjectDatabase _objects;

    internal Workspace(ObjectDatabase objects, RefName target, ObjectId? baseCommit, DirectoryNode root)
    {
        _objects = objects;
        Target = target;
        BaseCommit = baseCommit;
        Root = root;
    }

    /// <summary>The ref a commit moves: a branch, or HEAD when detached.</summary>
    public RefName Target { get; }

    /// <summary>The branch this workspace commits to, or null when detached.</summary>
    public BranchName? Branch => BranchName.FromRef(Target);

    /// <summary>The commit the workspace started from or last committed; null on an unborn branch.</summary>
    public ObjectId? BaseCommit { get; internal set; }

    internal DirectoryNode Root { get; set; }

    /// <summary>The tree of <see cref="BaseCommit"/> (the empty tree when unborn).</summary>
    internal ObjectId BaseTree { get; set; }

    /// <summary>True when the content differs from <see cref="BaseCommit"/>. Hashes changed files and directories (no storage writes).</summary>
    public bool HasChanges => ComputeTreeId() != BaseTree;

    /// <summary>An independent copy in O(1): both share every node until one of them writes.</summary>
    public Workspace Fork() => new(_objects, Target, BaseCommit, Root) { BaseTree = BaseTree };

    /// <summary>
    /// An O(1) fork whose commits move <paramref name="branch"/> instead: the way to run a variant on
    /// its own branch. The branch must point at <see cref="BaseCommit"/> (create it there with
    /// <c>Repository.CreateBranch</c>); each commit moves it by compare-and-swap.
    /// </summary>
    public Workspace Fork(BranchName branch) => new(_objects, branch.Ref, BaseCommit, Root) { BaseTree = BaseTree };

    /// <summary>The file's bytes, or null when no file has that path.</summary>
    public ReadOnlyMemory<byte>? TryRead(string path) => Find(path) is FileNode file ? file.ReadContent(_objects) : (ReadOnlyMemory<byte>?)null;

    /// <summary>
    /// Up to <paramref name="length"/> bytes of the file from <paramref name="offset"/>, or null when no
    /// file has that path. For a stored large file only the chunks the range overlaps are read.
    /// </summary>
    public byte[]? TryReadRange(string path, long offset, int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        if (Find(path) is not FileNode file)
        {
            return null;
        }

        if (file.StoredId is { } id)
        {
            return _objects.ReadRange(id, offset, length);
        }

        var content = file.ReadContent(_objects);
        return offset >= content.Length ? [] : content.Span.Slice((int)offset, (int)Math.Min(length, content.Length - offset)).ToArray();
    }

    /// <summary>The file's bytes; throws not-found when absent.</summary>
    public ReadOnlyMemory<byte> Read(string path) =>
        TryRead(path) ?? throw new NotFoundException(path, $"No file '{path}' in the workspace.");

    /// <summary>The kind of the entry at <paramref name="path"/> (file, executable, symlink, tree) or null.</summary>
    public EntryKind? KindOf(string path) => Find(path) switch
    {
        FileNode f => f.Kind,
        DirectoryNode => EntryKind.Tree,
        _ => null,
    };

    /// <summary>Creates or replaces a file, creating parent directories. O(depth · log width).</summary>
    public void Write(string path, ReadOnlyMemory<byte> content, EntryKind kind = EntryKind.File)
    {
        if (kind is EntryKind.Tree)
        {
            throw new HeliosException(HeliosErrorCode.InvalidArgument, $"Cannot write '{path}' as a tree; write files into it instead.");
        }

        Root = Root.With(_objects, EntryName.SplitPath(path), 0, new FileNode(kind, content), path);
    }

    /// <summary>Sets a file to content already encoded and hashed by the caller; its objects are stored with the next commit.</summary>
    internal void WriteEncoded(string path, EntryKind kind, Objects.Chunking.EncodedContent encoded) =>
        Root = Root.With(_objects, EntryName.SplitPath(path), 0, new FileNode(kind, encoded), path);

    /// <summary>Sets a file to a blob that is already stored.</summary>
    internal void WriteStored(string path, EntryKind kind, ObjectId id) =>
        Root = Root.With(_objects, EntryName.SplitPath(path), 0, new FileNode(kind, id), path);

    /// <summary>Puts an existing file node (shared, nodes are immutable) at <paramref name="path"/>: copies and renames.</summary>
    internal void Put(string path, FileNode node) =>
        Root = Root.With(_objects, EntryName.SplitPath(path), 0, node, path);

    /// <summary>Empties the workspace (git's <c>deleteall</c>).</summary>
    internal void Clear() => Root = DirectoryNode.CreateEmpty();

    /// <summary>Writes a file's UTF-8 text.</summary>
    public void Write(string path, string text) => Write(path, System.Text.Encoding.UTF8.GetBytes(text));

    /// <summary>Removes a file (directories left empty disappear). Returns false when there was none.</summary>
    public bool Delete(string path)
    {
        var before = Root;
        Root = Root.With(_objects, EntryName.SplitPath(path), 0, null, path);
        return !ReferenceEquals(before, Root);
    }

    /// <summary>Every file path under <paramref name="directory"/> (all when null), sorted, '/'-separated.</summary>
    public IEnumerable<string> ListFiles(string? directory = null)
    {
        var start = directory is null ? Root : Find(directory) as DirectoryNode;
        if (start is null)
        {
            yield break;
        }

        string prefix = string.IsNullOrEmpty(directory) ? "" : directory.TrimEnd('/') + "/";
        foreach (var path in Walk(start, prefix))
        {
            yield return path;
        }
    }

    /// <summary>Makes the workspace show <paramref name="commit"/>'s tree, discarding changes.</summary>
    internal void Load(ObjectId? commit, ObjectId tree)
    {
        BaseCommit = commit;
        BaseTree = tree;
        Root = tree == DirectoryNode.EmptyTreeId ? DirectoryNode.CreateEmpty() : new DirectoryNode(tree);
    }

    /// <summary>Hashes everything changed and queues unstored objects; returns the root tree id.</summary>
    internal ObjectId Save(SaveBatch batch) => Root.Save(_objects, batch);

    private ObjectId ComputeTreeId() => Root.Save(_objects, null);

    private IEnumerable<string> Walk(DirectoryNode dir, string prefix)
    {
        foreach (var (name, child) in dir.Children(_objects))
        {
            if (child is DirectoryNode sub)
            {
                foreach (var path in Walk(sub, prefix + name + "/"))
                {
                    yield return path;
                }
            }
            else
            {
                yield return prefix + name;
            }
        }
    }

    internal WorkspaceNode? Find(string path)
    {
        if (path.Length == 0 || path == "/")
        {
            return Root;
        }

        WorkspaceNode? node = Root;
        foreach (var part in EntryName.SplitPath(path.TrimEnd('/')))
        {
            if (node is not DirectoryNode dir || !dir.Children(_objects).TryGetValue(part, out node))
            {
                return null;
            }
        }

        return node;
    }
}
