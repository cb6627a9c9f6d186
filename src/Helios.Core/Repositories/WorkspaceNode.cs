using System.Collections.Immutable;
using Helios.Core.Errors;
using Helios.Core.Objects;
using Helios.Core.Objects.Chunking;
using Helios.Core.Storage;

namespace Helios.Core.Repositories;

/// <summary>
/// A node of a workspace's persistent tree. Nodes are immutable, apart from caching their id
/// once computed (a pure function of their content), so any number of workspaces may share them:
/// a fork copies one reference and a write copies only the nodes on the written path.
/// </summary>
internal abstract class WorkspaceNode
{
    // The id is a pure function of the content, so caching it is safe even on nodes that forks on
    // other threads share: the value is written before the volatile flag that publishes it, and two
    // writers write the same bytes, so a reader that sees the flag sees the whole id.
    // Stored says the object is in the store; it is set only after the batch was written.
    private ObjectId _idValue;
    private volatile bool _hasId;
    private protected volatile bool _stored;

    private protected bool HasId => _hasId;

    /// <summary>The id; only valid when <see cref="HasId"/> (always for stored nodes).</summary>
    private protected ObjectId Id => _idValue;

    private protected void SetId(ObjectId id)
    {
        _idValue = id;
        _hasId = true;
    }

    /// <summary>Called once the batch holding this node's object has been written.</summary>
    public void MarkStored() => _stored = true;
}

/// <summary>Objects a save found unstored, and the nodes to mark stored once they are written.</summary>
internal sealed class SaveBatch
{
    public List<EncodedObject> Objects { get; } = [];

    private readonly List<WorkspaceNode> _nodes = [];

    public void Add(WorkspaceNode node, ObjectId id, byte[] bytes, ObjectId? deltaBase = null)
    {
        Objects.Add(new EncodedObject(id, bytes, deltaBase == id ? null : deltaBase));
        _nodes.Add(node);
    }

    public void Add(WorkspaceNode node, IEnumerable<EncodedObject> objects)
    {
        Objects.AddRange(objects);
        _nodes.Add(node);
    }

    public void MarkStored()
    {
        foreach (var node in _nodes)
        {
            node.MarkStored();
        }
    }
}

/// <summary>A file: its kind and either its stored id, its bytes, or its encoded content.</summary>
internal sealed class FileNode : WorkspaceNode
{
    public FileNode(EntryKind kind, ObjectId id)
    {
        Kind = kind;
        SetId(id);
        _stored = true;
    }

    public FileNode(EntryKind kind, ReadOnlyMemory<byte> content)
    {
        Kind = kind;
        Content = content;
    }

    /// <summary>A file whose content the caller has already encoded and hashed (a working tree file read from disk).</summary>
    public FileNode(EntryKind kind, EncodedContent encoded)
    {
        Kind = kind;
        SetId(encoded.Id);
        _encoded = encoded;
    }

    private FileNode(FileNode other, ObjectId previous)
    {
        Kind = other.Kind;
        Content = other.Content;
        _encoded = other._encoded;
        if (other.HasId)
        {
            SetId(other.Id);
        }

        Previous = previous;
    }

    private readonly EncodedContent? _encoded;

    public EntryKind Kind { get; }

    /// <summary>The bytes when written in this session; empty-and-unset when only the id is known.</summary>
    public ReadOnlyMemory<byte>? Content { get; }

    /// <summary>
    /// The stored content this file replaced at its path (the version in the workspace's base), or
    /// null: passed to the store as a delta-base hint, never read here.
    /// </summary>
    public ObjectId? Previous { get; }

    /// <summary>This node as the replacement of <paramref name="existing"/> at the same path: carries the previous version's id as a hint.</summary>
    public FileNode Replacing(FileNode existing)
    {
        // A gitlink's id names no object here, so it is no base for anything.
        var previous = existing.Kind == EntryKind.Gitlink ? null : existing._stored ? existing.Id : existing.Previous;
        return _stored || Kind == EntryKind.Gitlink || previous is null || previous == Previous ? this : new FileNode(this, previous.Value);
    }

    /// <summary>The content id when the content is stored (so it can be read in ranges), else null.</summary>
    public ObjectId? StoredId => _stored ? Id : null;

    public ReadOnlyMemory<byte> ReadContent(ObjectDatabase objects) =>
        Content ?? (_encoded is { } e ? e.ToContent() : objects.ReadContent(Id));

    /// <summary>
    /// The content id (a blob or chunked blob), hashing the content once. With a batch, unstored
    /// objects are queued with delta-base hints from <see cref="Previous"/>; without one, this only hashes.
    /// </summary>
    public ObjectId Save(ObjectDatabase objects, SaveBatch? batch)
    {
        if (_stored || (batch is null && HasId))
        {
            return Id;
        }

        var encoded = _encoded ?? objects.EncodeContent(Content!.Value.Span);
        SetId(encoded.Id);
        batch?.Add(this, encoded.Objects(objects, Previous));
        return encoded.Id;
    }
}

/// <summary>
/// A directory. Loaded from a stored tree lazily, on first access to its children, so opening
/// a workspace on a commit is O(1) and touching one path loads only the trees along it.
/// </summary>
internal sealed class DirectoryNode : WorkspaceNode
{
    private static readonly ImmutableSortedDictionary<string, WorkspaceNode> NoChildren =
        ImmutableSortedDictionary.Create<string, WorkspaceNode>(Utf8NameComparer.Instance);

    // A save that changed a few entries of a large directory patches the previous encoding instead of
    // walking every child: the walk costs a cache miss per child and dominated commit time.
    private const int MaxPatchedEntries = 16;

    private ImmutableSortedDictionary<string, WorkspaceNode>? _children;

    // The canonical bytes of this node's tree, once computed (a pure function of the content).
    private byte[]? _encoding;

    // Set when this node differs from a stored directory only in the kind or id of existing entries:
    // that directory (stored, so everything it references is stored too, and never itself derived,
    // so no chain of old versions stays alive) and the names of the entries that changed.
    // Cleared once this node is saved for storage.
    private DirectoryNode? _patchOrigin;
    private readonly ImmutableArray<string> _patchedNames = [];

    // The stored tree this directory was derived from (the same directory in the workspace's base),
    // passed to the store as a delta-base hint when this one is saved.
    private ObjectId? _previous;

    /// <summary>What a node derived from this one names as its previous version.</summary>
    private ObjectId? PreviousForDerived => _stored ? Id : _previous;

    /// <summary>A node with <paramref name="children"/> that replaces this one at the same path.</summary>
    private DirectoryNode Derive(ImmutableSortedDictionary<string, WorkspaceNode> children) =>
        new(children) { _previous = PreviousForDerived };

    public DirectoryNode(ObjectId storedTree)
    {
        SetId(storedTree);
        _stored = true;
    }

    public DirectoryNode(ImmutableSortedDictionary<string, WorkspaceNode> children) => _children = children;

    private DirectoryNode(ImmutableSortedDictionary<string, WorkspaceNode> children, DirectoryNode patchOrigin, ImmutableArray<string> patchedNames)
    {
        _children = children;
        _patchOrigin = patchOrigin;
        _patchedNames = patchedNames;
    }

    /// <summary>A new empty directory (a fresh node: stored-ness is per repository, so it is never shared).</summary>
    public static DirectoryNode CreateEmpty() => new(NoChildren);

    public ImmutableSortedDictionary<string, WorkspaceNode> Children(ObjectDatabase objects)
    {
        if (_children is { } loaded)
        {
            return loaded;
        }

        // Two forks may load the same shared node at once; both build equal maps, one wins.
        var tree = objects.Read<Tree>(Id);
        var builder = ImmutableSortedDictionary.CreateBuilder<string, WorkspaceNode>(Utf8NameComparer.Instance);
        foreach (var entry in tree.Entries)
        {
            builder.Add(entry.Name, entry.Kind switch
            {
                EntryKind.Tree => new DirectoryNode(entry.Id),
                _ => new FileNode(entry.Kind, entry.Id),
            });
        }

        _children = builder.ToImmutable();
        return _children;
    }

    /// <summary>
    /// The tree id, hashing every changed node below once. With a batch, unstored objects are
    /// queued; without one, this only hashes. Empty subdirectories are left out, as in git.
    /// Cost: O(nodes changed since the last save).
    /// </summary>
    public ObjectId Save(ObjectDatabase objects, SaveBatch? batch)
    {
        if (_stored || (batch is null && HasId))
        {
            return Id;
        }

        byte[] bytes;
        Tree? tree = null;
        if (_patchOrigin is { } origin)
        {
            bytes = origin.Encoding(objects).ToArray();
            foreach (var name in _patchedNames)
            {
                var (kind, childId) = _children![name] switch
                {
                    FileNode file => (file.Kind, file.Save(objects, batch)),
                    var dir => (EntryKind.Tree, ((DirectoryNode)dir).Save(objects, batch)),
                };
                PatchEntry(bytes, name, kind, childId);
            }
        }
        else
        {
            tree = BuildTree(objects, batch);
            bytes = ObjectCodec.Encode(tree);
        }

        var id = HasId ? Id : ObjectId.Of(bytes);
        SetId(id);
        _encoding = bytes;
        if (batch is not null)
        {
            _patchOrigin = null;
            batch.Add(this, id, bytes, _previous);
            if (tree is not null)
            {
                objects.Remember(id, tree);
            }
        }

        return id;
    }

    private Tree BuildTree(ObjectDatabase objects, SaveBatch? batch)
    {
        var children = _children!;
        var entries = new List<TreeEntry>(children.Count);
        foreach (var (name, child) in children)
        {
            switch (child)
            {
                case FileNode file:
                    entries.Add(new TreeEntry(name, file.Kind, file.Save(objects, batch)));
                    break;
                case DirectoryNode { IsEmpty: false } dir:
                    entries.Add(new TreeEntry(name, EntryKind.Tree, dir.Save(objects, batch)));
                    break;
            }
        }

        return Tree.FromSorted([.. entries]);
    }

    /// <summary>Overwrites the kind and id of the entry named <paramref name="name"/> in a canonical tree encoding.</summary>
    private static void PatchEntry(byte[] encoding, string name, EntryKind kind, ObjectId id)
    {
        Span<byte> wanted = stackalloc byte[System.Text.Encoding.UTF8.GetMaxByteCount(name.Length)];
        wanted = wanted[..System.Text.Encoding.UTF8.GetBytes(name, wanted)];
        int position = 1;
        ReadVarInt(encoding, ref position); // payload length
        ulong count = ReadVarInt(encoding, ref position);
        for (ulong i = 0; i < count; i++)
        {
            int kindPosition = position++;
            int nameLength = (int)ReadVarInt(encoding, ref position);
            var entryName = encoding.AsSpan(position, nameLength);
            position += nameLength;
            if (entryName.SequenceEqual(wanted))
            {
                encoding[kindPosition] = (byte)kind;
                id.CopyTo(encoding.AsSpan(position, ObjectId.Size));
                return;
            }

            position += ObjectId.Size;
        }

        throw new InvalidOperationException($"Entry '{name}' is missing from the directory encoding it was derived from.");
    }

    private static ulong ReadVarInt(byte[] bytes, ref int position)
    {
        ulong value = 0;
        for (int shift = 0; ; shift += 7)
        {
            byte b = bytes[position++];
            value |= (ulong)(b & 0x7f) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }
    }

    /// <summary>
    /// A new node with <paramref name="children"/> that differs from this one only in the entry
    /// <paramref name="name"/>, which existed here and still does: it can be saved by patching.
    /// </summary>
    private DirectoryNode WithChangedEntry(ImmutableSortedDictionary<string, WorkspaceNode> children, string name)
    {
        // Only a stored origin will do: patching writes just the changed entries' objects.
        var (origin, names) = _patchOrigin is { } o
            ? (o, _patchedNames.Contains(name) ? _patchedNames : _patchedNames.Add(name))
            : (_stored ? this : null, ImmutableArray.Create(name));
        return origin is null || names.Length > MaxPatchedEntries
            ? Derive(children)
            : new DirectoryNode(children, origin, names) { _previous = PreviousForDerived };
    }

    /// <summary>This directory's canonical bytes; a stored directory encodes its tree (in L0 once loaded) on first use.</summary>
    private byte[] Encoding(ObjectDatabase objects) =>
        _encoding ??= ObjectCodec.Encode(objects.Read<Tree>(Id));

    /// <summary>The id of the tree with no entries.</summary>
    public static ObjectId EmptyTreeId { get; } = ObjectCodec.EncodeWithId(Tree.Empty).Id;

    /// <summary>True when no file lives anywhere below. Saved trees never hold empty subtrees, so a hashed node answers from its id.</summary>
    public bool IsEmpty => HasId ? Id == EmptyTreeId : _children!.Values.All(n => n is DirectoryNode { IsEmpty: true });

    /// <summary>A copy with <paramref name="path"/>[<paramref name="depth"/>..] set to <paramref name="leaf"/>, or removed when it is null.</summary>
    public DirectoryNode With(ObjectDatabase objects, string[] path, int depth, FileNode? leaf, string fullPath)
    {
        var children = Children(objects);
        string name = path[depth];
        children.TryGetValue(name, out var existing);
        if (depth == path.Length - 1)
        {
            if (existing is DirectoryNode)
            {
                throw new HeliosException(HeliosErrorCode.InvalidArgument, $"'{fullPath}' is a directory, not a file.");
            }

            if (leaf is null)
            {
                return existing is null ? this : Derive(children.Remove(name));
            }

            return existing is null
                ? Derive(children.SetItem(name, leaf))
                : WithChangedEntry(children.SetItem(name, leaf.Replacing((FileNode)existing)), name);
        }

        DirectoryNode child;
        switch (existing)
        {
            case DirectoryNode dir:
                child = dir.With(objects, path, depth + 1, leaf, fullPath);
                if (ReferenceEquals(child, dir)) return this;
                break;
            case null when leaf is null:
                return this;
            case null:
                child = CreateEmpty().With(objects, path, depth + 1, leaf, fullPath);
                break;
            default:
                throw new HeliosException(HeliosErrorCode.InvalidArgument, $"Cannot use '{string.Join('/', path[..(depth + 1)])}' as a directory in '{fullPath}': it is a file.");
        }

        if (child.IsEmpty)
        {
            return Derive(children.Remove(name));
        }

        return existing is null
            ? Derive(children.SetItem(name, child))
            : WithChangedEntry(children.SetItem(name, child), name);
    }
}
