using Helios.Core.Objects;
using Helios.Core.Storage;

namespace Helios.Core.Collections;

/// <summary>
/// One entry of a level while it is being rebuilt: a leaf entry (key and value) or an internal one
/// (key, child, keys beneath). <see cref="Closes"/> caches the chunk-boundary test: 0 unknown, 1 no, 2 yes.
/// </summary>
internal readonly record struct Slot(byte[] Key, StoredValue Value, ObjectId Child, long Count, byte Closes = 0)
{
    public bool ClosesAt(int level) => Closes == 0 ? ChunkBoundary.Closes(level, Key) : Closes == 2;

    public static Slot From(CollectionNode node, int index) =>
        node.IsLeaf
            ? new Slot(node.KeyArray(index), node.Value(index), default, 1, node.ClosesAt(index) ? (byte)2 : (byte)1)
            : new Slot(node.KeyArray(index), default, node.Child(index), node.SubtreeCount(index), node.ClosesAt(index) ? (byte)2 : (byte)1);

    public bool SameAs(CollectionNode node, int index) =>
        node.IsLeaf ? node.Value(index) == Value : node.Child(index) == Child && node.SubtreeCount(index) == Count;
}

/// <summary>A change to one level's entry sequence: put <see cref="Put"/> (with the blob its value needs, if new), or delete <see cref="Key"/>.</summary>
internal readonly record struct LevelEdit(byte[] Key, Slot? Put, byte[]? Blob = null);

/// <summary>A node built during an edit, with what its parent entry records about it.</summary>
internal readonly record struct NodeRef(byte[] FirstKey, ObjectId Id, CollectionNode Node);

/// <summary>
/// Applies sorted edits to a collection tree, level by level from the leaves up. At each level only
/// the nodes an edit falls in are rebuilt, each together with its successors while the rebuilt run
/// does not end on a closing key; the rebuilt nodes then become edits (delete the old child entries,
/// put the new ones) of the level above. Because node boundaries depend on keys only, the result
/// is the tree a build from scratch would give. Cost: O(edits × (fanout + height)) node reads and encodings.
/// Not thread-safe (one instance per edit); it never writes to the store.
/// </summary>
internal sealed class CollectionBuilder
{
    private readonly CollectionTree _tree;
    private readonly List<EncodedObject> _objects = [];
    private readonly HashSet<ObjectId> _written = [];
    private readonly Dictionary<ObjectId, CollectionNode> _built = [];

    public CollectionBuilder(CollectionTree tree) => _tree = tree;

    /// <summary>Applies <paramref name="edits"/> (strictly increasing keys) to the collection <paramref name="headerId"/>.</summary>
    public CollectionUpdate Apply(ObjectId headerId, CollectionHeader header, List<LevelEdit> edits)
    {
        var root = _tree.ReadNode(header.Root, null);
        var levelEdits = edits;
        for (int level = 0; ; level++)
        {
            if (levelEdits.Count == 0)
            {
                return new CollectionUpdate(headerId, header, []);
            }

            var (removedKeys, added, changed) = RewriteLevel(root, level, levelEdits);
            if (level == root.Level)
            {
                if (!changed)
                {
                    return new CollectionUpdate(headerId, header, []);
                }

                var top = Collapse(BuildUp(added, level));
                var newHeader = new CollectionHeader(header.Dimension, top.Node.TotalCount, top.Id);
                var (id, bytes) = ObjectCodec.EncodeWithId(newHeader);
                Add(id, bytes);
                return new CollectionUpdate(id, newHeader, _objects);
            }

            levelEdits = ParentEdits(removedKeys, added);
        }
    }

    /// <summary>Builds the tree of <paramref name="nodes"/> (a whole level, in key order) up to its single root.</summary>
    private NodeRef BuildUp(List<NodeRef> nodes, int level)
    {
        if (nodes.Count == 0)
        {
            return Emit(CollectionNode.EmptyLeaf, []);
        }

        while (nodes.Count > 1)
        {
            level++;
            var slots = new List<Slot>(nodes.Count);
            foreach (var n in nodes)
            {
                slots.Add(new Slot(n.FirstKey, default, n.Id, n.Node.TotalCount));
            }

            nodes = Chunk(level, slots);
        }

        return nodes[0];
    }

    /// <summary>The root is the lowest level with one node: a single-entry internal root gives way to its child.</summary>
    private NodeRef Collapse(NodeRef top)
    {
        while (top.Node.Level > 0 && top.Node.Count == 1)
        {
            var id = top.Node.Child(0);
            var child = _built.TryGetValue(id, out var built) ? built : _tree.ReadNode(id, top.Node.Level - 1);
            top = new NodeRef(top.FirstKey, id, child);
        }

        return top;
    }

    /// <summary>
    /// Rebuilds the nodes of <paramref name="level"/> that <paramref name="edits"/> touch. Returns the
    /// first keys of the replaced nodes (none for an empty leaf), the nodes replacing them, and whether anything changed.
    /// </summary>
    private (List<byte[]> Removed, List<NodeRef> Added, bool Changed) RewriteLevel(CollectionNode root, int level, List<LevelEdit> edits)
    {
        var removed = new List<byte[]>();
        var added = new List<NodeRef>();
        bool anyChange = false;
        var cursor = new LevelCursor(_tree, root, level);
        var run = new List<Slot>();
        int next = 0;
        while (next < edits.Count)
        {
            cursor.Seek(edits[next].Key);
            run.Clear();
            int removedBefore = removed.Count;
            bool changed = false;
            while (true)
            {
                var node = cursor.Node;
                if (node.Count > 0)
                {
                    removed.Add(node.KeyArray(0));
                }

                changed |= MergeInto(run, node, edits, ref next, cursor.UpperBound());
                // A run must end on a closing key (or at the end of the level), or the next node joins it.
                if (run.Count > 0 && !run[^1].ClosesAt(level) && cursor.MoveNext())
                {
                    continue;
                }

                break;
            }

            if (!changed)
            {
                removed.RemoveRange(removedBefore, removed.Count - removedBefore);
                continue;
            }

            anyChange = true;
            added.AddRange(Chunk(level, run));
        }

        return (removed, added, anyChange);
    }

    /// <summary>
    /// Appends <paramref name="node"/>'s entries to <paramref name="run"/> with the edits below
    /// <paramref name="upperBound"/> applied; true when an edit changed something.
    /// </summary>
    private bool MergeInto(List<Slot> run, CollectionNode node, List<LevelEdit> edits, ref int next, byte[]? upperBound)
    {
        bool changed = false;
        int j = 0;
        for (; next < edits.Count && (upperBound is null || CollectionKey.Compare(edits[next].Key, upperBound) < 0); next++)
        {
            var edit = edits[next];
            while (j < node.Count && CollectionKey.Compare(node.KeyBytes(j), edit.Key) < 0)
            {
                run.Add(Slot.From(node, j++));
            }

            bool exists = j < node.Count && node.KeyBytes(j).SequenceEqual(edit.Key);
            if (edit.Put is { } put)
            {
                if (exists && put.SameAs(node, j))
                {
                    run.Add(Slot.From(node, j));
                }
                else
                {
                    run.Add(put);
                    changed = true;
                    if (edit.Blob is { } blob)
                    {
                        Add(put.Value.Blob, blob);
                    }
                }
            }
            else
            {
                changed |= exists;
            }

            if (exists) j++;
        }

        while (j < node.Count)
        {
            run.Add(Slot.From(node, j++));
        }

        return changed;
    }

    /// <summary>Cuts a run of entries into nodes after every closing key (the run's last node ends where the run does).</summary>
    private List<NodeRef> Chunk(int level, List<Slot> run)
    {
        var nodes = new List<NodeRef>();
        int start = 0;
        for (int i = 0; i < run.Count; i++)
        {
            if (i == run.Count - 1 || run[i].ClosesAt(level))
            {
                nodes.Add(Emit(level, run, start, i + 1));
                start = i + 1;
            }
        }

        return nodes;
    }

    private NodeRef Emit(int level, List<Slot> run, int start, int end)
    {
        int n = end - start;
        var keys = new byte[n][];
        for (int i = 0; i < n; i++) keys[i] = run[start + i].Key;
        CollectionNode node;
        if (level == 0)
        {
            var values = new StoredValue[n];
            for (int i = 0; i < n; i++) values[i] = run[start + i].Value;
            node = CollectionNode.Leaf(keys, values);
        }
        else
        {
            var children = new ObjectId[n];
            var counts = new long[n];
            for (int i = 0; i < n; i++)
            {
                children[i] = run[start + i].Child;
                counts[i] = run[start + i].Count;
            }

            node = CollectionNode.Internal(level, keys, children, counts);
        }

        return Emit(node, keys.Length > 0 ? keys[0] : []);
    }

    private NodeRef Emit(CollectionNode node, byte[] firstKey)
    {
        var (id, bytes) = ObjectCodec.EncodeWithId(node);
        Add(id, bytes);
        _built[id] = node;
        return new NodeRef(firstKey, id, node);
    }

    private void Add(ObjectId id, byte[] bytes)
    {
        if (_written.Add(id))
        {
            _objects.Add(new EncodedObject(id, bytes));
        }
    }

    /// <summary>The edits of the level above: delete the replaced children's entries, put the new children's (a put wins over a delete of the same key).</summary>
    private static List<LevelEdit> ParentEdits(List<byte[]> removed, List<NodeRef> added)
    {
        var edits = new List<LevelEdit>(removed.Count + added.Count);
        int r = 0, a = 0;
        while (r < removed.Count || a < added.Count)
        {
            int c = r == removed.Count ? 1 : a == added.Count ? -1 : CollectionKey.Compare(removed[r], added[a].FirstKey);
            if (c < 0)
            {
                edits.Add(new LevelEdit(removed[r++], null));
                continue;
            }

            if (c == 0) r++;
            var n = added[a++];
            edits.Add(new LevelEdit(n.FirstKey, new Slot(n.FirstKey, default, n.Id, n.Node.TotalCount)));
        }

        return edits;
    }
}

/// <summary>
/// A position on one level of a tree: the node there and the path of internal nodes above it.
/// Seeking costs one node read per level; moving to the next node reads only what changes.
/// </summary>
internal sealed class LevelCursor(CollectionTree tree, CollectionNode root, int level)
{
    private readonly List<(CollectionNode Node, int Index)> _path = [];

    /// <summary>The current node (set by <see cref="Seek"/>).</summary>
    public CollectionNode Node { get; private set; } = null!;

    /// <summary>The current node's id; null when it is the root the cursor started from.</summary>
    public ObjectId? NodeId => _path.Count == 0 ? null : _path[^1].Node.Child(_path[^1].Index);

    /// <summary>Moves to the node of this level whose key range holds <paramref name="key"/> (the first node for keys before every other).</summary>
    public void Seek(ReadOnlySpan<byte> key)
    {
        _path.Clear();
        var node = root;
        while (node.Level > level)
        {
            int i = node.ChildIndexFor(key);
            _path.Add((node, i));
            node = tree.ReadNode(node.Child(i), node.Level - 1);
        }

        Node = node;
    }

    /// <summary>The first key of the next node on this level, or null when this is the last one.</summary>
    public byte[]? UpperBound()
    {
        for (int f = _path.Count - 1; f >= 0; f--)
        {
            var (node, index) = _path[f];
            if (index + 1 < node.Count)
            {
                return node.KeyArray(index + 1);
            }
        }

        return null;
    }

    /// <summary>Moves to the next node on this level; false (staying put) when this is the last one.</summary>
    public bool MoveNext()
    {
        int f = _path.Count - 1;
        while (f >= 0 && _path[f].Index + 1 >= _path[f].Node.Count) f--;
        if (f < 0) return false;
        _path.RemoveRange(f + 1, _path.Count - f - 1);
        var (parent, index) = _path[f];
        _path[f] = (parent, index + 1);
        var node = tree.ReadNode(parent.Child(index + 1), parent.Level - 1);
        while (node.Level > level)
        {
            _path.Add((node, 0));
            node = tree.ReadNode(node.Child(0), node.Level - 1);
        }

        Node = node;
        return true;
    }
}
