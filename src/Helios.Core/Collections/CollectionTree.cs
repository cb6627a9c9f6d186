using Helios.Core.Errors;
using Helios.Core.Objects;
using Helios.Core.Storage;

namespace Helios.Core.Collections;

/// <summary>
/// Versioned collections over an <see cref="ObjectDatabase"/>: a map from string keys to values
/// stored as a prolly tree (a content-addressed search tree whose node boundaries depend only on
/// keys, see <see cref="ChunkBoundary"/>), so equal contents have equal ids and two versions share
/// every unchanged node. A collection version is the id of its <see cref="CollectionHeader"/>.
/// <para>
/// Thread-safe: it holds no state but the database. Reads go through the database's caches.
/// Nothing here writes to the store: <see cref="Apply"/> and <see cref="Merge"/> return the new objects
/// for the caller to store with the ref move that publishes them. Costs, for n keys and height h = O(log n):
/// get O(h); scan O(h + keys returned); apply O(edits × h); diff O(differences × h); merge O(their changes × h)
/// when they changed at most a few thousand keys, else O(both diffs × h).
/// </para>
/// </summary>
public sealed class CollectionTree(ObjectDatabase objects)
{
    public ObjectDatabase Objects => objects;

    /// <summary>An empty collection of the given vector dimension (0: no vectors): its header and the two objects to store.</summary>
    public static CollectionUpdate Empty(int dimension)
    {
        var (rootId, rootBytes) = ObjectCodec.EncodeWithId(CollectionNode.EmptyLeaf);
        var header = new CollectionHeader(dimension, 0, rootId);
        var (id, bytes) = ObjectCodec.EncodeWithId(header);
        return new CollectionUpdate(id, header, [new EncodedObject(rootId, rootBytes), new EncodedObject(id, bytes)]);
    }

    /// <summary>The header of a collection version; not-found or corruption when it is missing or not a collection.</summary>
    public CollectionHeader ReadHeader(ObjectId header) =>
        objects.TryRead(header) switch
        {
            CollectionHeader h => h,
            null => throw new NotFoundException(header.ToString(), $"Collection {header} is not in the repository."),
            var other => throw new HeliosException(HeliosErrorCode.InvalidArgument, $"Object {header} is a {other.Type.ToString().ToLowerInvariant()}, not a collection."),
        };

    /// <summary>The number of keys. O(1).</summary>
    public long Count(ObjectId header) => ReadHeader(header).Count;

    /// <summary>The value stored under <paramref name="key"/>, or null. O(height) node reads plus one blob read for a large value.</summary>
    public CollectionValue? TryGet(ObjectId header, string key) => TryGetStored(header, key) is { } stored ? Load(stored) : null;

    /// <summary>How the value under <paramref name="key"/> is stored, without reading its blob; null when absent.</summary>
    public StoredValue? TryGetStored(ObjectId header, string key) => TryGetStoredAt(ReadHeader(header).Root, CollectionKey.ToUtf8(key));

    /// <summary>How the value under key <paramref name="k"/> (UTF-8) is stored in the tree rooted at <paramref name="root"/>; null when absent. O(height).</summary>
    internal StoredValue? TryGetStoredAt(ObjectId root, byte[] k)
    {
        var node = ReadNode(root, null);
        while (!node.IsLeaf)
        {
            if (CollectionKey.Compare(k, node.KeyBytes(0)) < 0) return null;
            node = ReadNode(node.Child(node.ChildIndexFor(k)), node.Level - 1);
        }

        int i = node.Search(k);
        return i >= 0 ? node.Value(i) : null;
    }

    /// <summary>The number of keys that sort before <paramref name="key"/> (its index when present). O(height × fanout).</summary>
    public long Rank(ObjectId header, string key)
    {
        var k = CollectionKey.ToUtf8(key);
        var node = ReadNode(ReadHeader(header).Root, null);
        long rank = 0;
        while (!node.IsLeaf)
        {
            int i = node.ChildIndexFor(k);
            for (int j = 0; j < i; j++) rank += node.SubtreeCount(j);
            node = ReadNode(node.Child(i), node.Level - 1);
        }

        int at = node.Search(k);
        return rank + (at >= 0 ? at : ~at);
    }

    /// <summary>The value a leaf records: inline bytes as they are, a blob read from the store.</summary>
    public CollectionValue Load(StoredValue value)
    {
        if (value.IsInline)
        {
            return CollectionValue.FromStorage(value.ValueKind, value.Inline);
        }

        return objects.TryRead(value.Blob) switch
        {
            Blob blob => CollectionValue.FromStorage(value.ValueKind, blob.Content),
            null => throw new NotFoundException(value.Blob.ToString(), $"The value blob {value.Blob} is not in the repository."),
            var other => throw new CorruptObjectException(value.Blob, $"a collection value should be a blob, not a {other.Type.ToString().ToLowerInvariant()}."),
        };
    }

    /// <summary>Every key starting with <paramref name="prefix"/> (by UTF-8 bytes) with its value, in key order; lazily.</summary>
    public IEnumerable<KeyValuePair<string, CollectionValue>> Scan(ObjectId header, string prefix)
    {
        if (prefix.Length == 0)
        {
            return Range(header, null, null);
        }

        var from = CollectionKey.ToUtf8(prefix);
        return Range(header, from, CollectionKey.PrefixEnd(from));
    }

    /// <summary>Keys in [<paramref name="fromInclusive"/>, <paramref name="toExclusive"/>) with their values, in key order; a null bound is open. Lazy.</summary>
    public IEnumerable<KeyValuePair<string, CollectionValue>> Scan(ObjectId header, string? fromInclusive, string? toExclusive) =>
        Range(header, fromInclusive is null ? null : CollectionKey.ToUtf8(fromInclusive), toExclusive is null ? null : CollectionKey.ToUtf8(toExclusive));

    private IEnumerable<KeyValuePair<string, CollectionValue>> Range(ObjectId header, byte[]? from, byte[]? to)
    {
        // Read eagerly so a missing collection fails at the call, not at the first MoveNext.
        var root = ReadNode(ReadHeader(header).Root, null);
        return Iterate();

        IEnumerable<KeyValuePair<string, CollectionValue>> Iterate()
        {
            var cursor = new LevelCursor(this, root, 0);
            cursor.Seek(from ?? []);
            do
            {
                var leaf = cursor.Node;
                int i = from is null ? 0 : leaf.Search(from);
                if (i < 0) i = ~i;
                for (; i < leaf.Count; i++)
                {
                    if (to is not null && CollectionKey.Compare(leaf.KeyBytes(i), to) >= 0) yield break;
                    yield return new(leaf.Key(i), Load(leaf.Value(i)));
                }
            }
            while (cursor.MoveNext());
        }
    }

    /// <summary>The leaves under node <paramref name="root"/> in key order, with their ids; lazily, one read per node.</summary>
    public IEnumerable<(ObjectId Id, CollectionNode Leaf)> EnumerateLeaves(ObjectId root)
    {
        var pending = new Stack<(ObjectId Id, int? Level)>();
        pending.Push((root, null));
        while (pending.TryPop(out var item))
        {
            var node = ReadNode(item.Id, item.Level);
            if (node.IsLeaf)
            {
                yield return (item.Id, node);
                continue;
            }

            for (int i = node.Count - 1; i >= 0; i--)
            {
                pending.Push((node.Child(i), node.Level - 1));
            }
        }
    }

    /// <summary>
    /// The exact top <paramref name="k"/> vectors of collection <paramref name="header"/> for
    /// <paramref name="query"/>, best first, optionally only keys starting with <paramref name="keyPrefix"/>.
    /// Each leaf's vectors are scanned as one dense block, cached by the leaf's id in
    /// <paramref name="cache"/>: leaves are shared between versions, so a branch that changed a few
    /// keys reuses every other leaf's block. Single-threaded. Cost: one vectorised pass over the
    /// vectors plus, for leaves not cached, reading them.
    /// </summary>
    public IReadOnlyList<Search.SearchHit> Search(ObjectId header, ReadOnlySpan<float> query, int k, Search.SimilarityMetric metric, Search.VectorBlockCache cache, string? keyPrefix = null)
    {
        var h = ReadHeader(header);
        if (h.Dimension == 0)
        {
            throw new HeliosException(HeliosErrorCode.InvalidArgument, "This collection holds no vectors (its dimension is 0); there is nothing to search.");
        }

        return Collections.Search.VectorSearch.Search(query, Blocks(h, cache, keyPrefix), k, metric, keyPrefix);
    }

    private IEnumerable<Search.VectorBlock> Blocks(CollectionHeader header, Search.VectorBlockCache cache, string? keyPrefix)
    {
        if (string.IsNullOrEmpty(keyPrefix))
        {
            foreach (var (id, leaf) in EnumerateLeaves(header.Root))
            {
                yield return cache.GetOrAdd(id, _ => BuildBlock(leaf, header.Dimension));
            }

            yield break;
        }

        // Only the leaves of the prefix's key range are read: seek to its first, stop past its end.
        var from = CollectionKey.ToUtf8(keyPrefix);
        var to = CollectionKey.PrefixEnd(from);
        var cursor = new LevelCursor(this, ReadNode(header.Root, null), 0);
        cursor.Seek(from);
        do
        {
            var leaf = cursor.Node;
            if (leaf.Count == 0 || CollectionKey.Compare(leaf.KeyBytes(leaf.Count - 1), from) < 0)
            {
                continue;
            }

            if (to is not null && CollectionKey.Compare(leaf.KeyBytes(0), to) >= 0)
            {
                yield break;
            }

            yield return cache.GetOrAdd(cursor.NodeId ?? header.Root, _ => BuildBlock(leaf, header.Dimension));
        }
        while (cursor.MoveNext());
    }

    private Search.VectorBlock BuildBlock(CollectionNode leaf, int dimension)
    {
        var builder = new Search.VectorBlock.Builder(dimension, leaf.Count);
        for (int i = 0; i < leaf.Count; i++)
        {
            var stored = leaf.Value(i);
            if (stored.ValueKind == CollectionValueKind.Vector)
            {
                builder.Add(leaf.Key(i), Load(stored).VectorSpan(dimension));
            }
        }

        return builder.Build();
    }

    /// <summary>
    /// The collection <paramref name="header"/> with <paramref name="edits"/> applied (any order; one
    /// edit per key). Nothing is stored: the result lists the objects to store. Invalid-argument, with
    /// nothing built, for a bad key, a repeated key, or a value that does not fit the collection's dimension.
    /// </summary>
    public CollectionUpdate Apply(ObjectId header, IEnumerable<CollectionEdit> edits)
    {
        var h = ReadHeader(header);
        var prepared = new List<LevelEdit>();
        foreach (var edit in edits)
        {
            var key = CollectionKey.ToUtf8(edit.Key);
            if (edit.Value is null)
            {
                prepared.Add(new LevelEdit(key, null));
                continue;
            }

            if (edit.Value.ProblemFor(h.Dimension) is { } problem)
            {
                throw new HeliosException(HeliosErrorCode.InvalidArgument, $"Cannot put '{edit.Key}': {problem}.");
            }

            var stored = StoredValue.Of(edit.Value, out var blob);
            prepared.Add(new LevelEdit(key, new Slot(key, stored, default, 1), blob));
        }

        prepared.Sort((a, b) => CollectionKey.Compare(a.Key, b.Key));
        for (int i = 1; i < prepared.Count; i++)
        {
            if (prepared[i].Key.AsSpan().SequenceEqual(prepared[i - 1].Key))
            {
                throw new HeliosException(HeliosErrorCode.InvalidArgument, $"The key '{CollectionKey.ToString(prepared[i].Key)}' is edited twice in one batch.");
            }
        }

        return new CollectionBuilder(this).Apply(header, h, prepared);
    }

    /// <summary>
    /// Keys whose values differ from collection <paramref name="from"/> to <paramref name="to"/>, in key
    /// order, lazily. Subtrees with equal ids are skipped unread, so the cost follows the differences.
    /// </summary>
    public IEnumerable<CollectionChange> Diff(ObjectId from, ObjectId to)
    {
        var a = ReadHeader(from).Root;
        var b = ReadHeader(to).Root;
        foreach (var (key, old, @new) in CollectionDiff.Changes(this, a, b))
        {
            yield return new CollectionChange(CollectionKey.ToString(key), old, @new);
        }
    }

    /// <summary>
    /// Three-way merge of <paramref name="theirs"/> into <paramref name="ours"/> from their common
    /// <paramref name="base"/>; see <see cref="CollectionMerge"/>. Nothing is stored.
    /// </summary>
    public CollectionMergeResult Merge(ObjectId @base, ObjectId ours, ObjectId theirs, Func<CollectionConflict, KeyResolution> resolver) =>
        CollectionMerge.Run(this, @base, ours, theirs, resolver);

    /// <summary>A tree node, checked to be one and (when given) to sit at the expected level.</summary>
    internal CollectionNode ReadNode(ObjectId id, int? level)
    {
        var node = objects.TryRead(id) switch
        {
            CollectionNode n => n,
            null => throw new NotFoundException(id.ToString(), $"The collection node {id} is not in the repository."),
            var other => throw new CorruptObjectException(id, $"a collection tree refers to it as a node, but it is a {other.Type.ToString().ToLowerInvariant()}."),
        };
        if (level is { } expected && node.Level != expected)
        {
            throw new CorruptObjectException(id, $"the node is at level {node.Level} where its parent expects level {expected}.");
        }

        return node;
    }
}
