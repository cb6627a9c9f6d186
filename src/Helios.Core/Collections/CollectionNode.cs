using Helios.Core.Objects;

namespace Helios.Core.Collections;

/// <summary>
/// One node of a collection's tree (type 8). A leaf (level 0) maps keys to <see cref="StoredValue"/>s;
/// an internal node (level n > 0) lists its children at level n - 1, each with the child's first key
/// and the number of keys beneath it. Keys are strictly increasing by UTF-8 bytes. Immutable and
/// thread-safe; nodes are shared by every collection version that contains them, so callers may
/// cache work per node id (the vector search does, per leaf).
/// </summary>
public sealed class CollectionNode : HeliosObject
{
    private readonly byte[][] _keys;
    private readonly StoredValue[]? _values;
    private readonly ObjectId[]? _children;
    private readonly long[]? _counts;

    // Chunk-boundary flags of the entries, computed on first use: nodes live in the decoded-object
    // cache, so an edit near a cached node does not hash its keys again.
    private bool[]? _boundaries;

    private CollectionNode(int level, byte[][] keys, StoredValue[]? values, ObjectId[]? children, long[]? counts)
    {
        Level = level;
        _keys = keys;
        _values = values;
        _children = children;
        _counts = counts;
        long total = keys.Length;
        if (counts is not null)
        {
            total = 0;
            foreach (long c in counts) total = checked(total + c);
        }

        TotalCount = total;
    }

    /// <summary>The empty leaf: the root of every empty collection.</summary>
    public static CollectionNode EmptyLeaf { get; } = new(0, [], [], null, null);

    internal static CollectionNode Leaf(byte[][] keys, StoredValue[] values) => new(0, keys, values, null, null);

    internal static CollectionNode Internal(int level, byte[][] keys, ObjectId[] children, long[] counts) => new(level, keys, null, children, counts);

    public override ObjectType Type => ObjectType.CollectionNode;

    /// <summary>0 for a leaf; otherwise one more than the level of the children.</summary>
    public int Level { get; }

    public bool IsLeaf => Level == 0;

    /// <summary>The number of entries in this node.</summary>
    public int Count => _keys.Length;

    /// <summary>The number of keys in the subtree under this node.</summary>
    public long TotalCount { get; }

    /// <summary>Entry <paramref name="index"/>'s key as UTF-8 (for an internal entry: the child's first key).</summary>
    public ReadOnlySpan<byte> KeyBytes(int index) => _keys[index];

    /// <summary>Entry <paramref name="index"/>'s key (allocates a string).</summary>
    public string Key(int index) => CollectionKey.ToString(_keys[index]);

    /// <summary>A leaf entry's value.</summary>
    public StoredValue Value(int index) => _values is null ? throw new InvalidOperationException("An internal node holds no values.") : _values[index];

    /// <summary>An internal entry's child node.</summary>
    public ObjectId Child(int index) => _children is null ? throw new InvalidOperationException("A leaf has no children.") : _children[index];

    /// <summary>The number of keys under an internal entry's child.</summary>
    public long SubtreeCount(int index) => _counts is null ? throw new InvalidOperationException("A leaf has no children.") : _counts[index];

    internal byte[] KeyArray(int index) => _keys[index];

    /// <summary>Index of <paramref name="key"/> in this node, or the bitwise complement of where it would go.</summary>
    public int Search(ReadOnlySpan<byte> key)
    {
        int lo = 0, hi = _keys.Length - 1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            int c = CollectionKey.Compare(_keys[mid], key);
            if (c == 0) return mid;
            if (c < 0) lo = mid + 1;
            else hi = mid - 1;
        }

        return ~lo;
    }

    /// <summary>In an internal node, the child whose key range holds <paramref name="key"/>: the last entry not above it, or the first.</summary>
    public int ChildIndexFor(ReadOnlySpan<byte> key)
    {
        int i = Search(key);
        return i >= 0 ? i : Math.Max(0, ~i - 1);
    }

    /// <summary>True when entry <paramref name="index"/> closes a node at this level (<see cref="ChunkBoundary"/>).</summary>
    internal bool ClosesAt(int index)
    {
        var flags = _boundaries;
        if (flags is null)
        {
            flags = new bool[_keys.Length];
            for (int i = 0; i < flags.Length; i++)
            {
                flags[i] = ChunkBoundary.Closes(Level, _keys[i]);
            }

            _boundaries = flags;
        }

        return flags[index];
    }

    internal override int ApproximateSize
    {
        get
        {
            int size = 64 + (_keys.Length * (_values is null ? 72 : 88));
            foreach (var k in _keys) size += k.Length;
            if (_values is not null)
            {
                foreach (var v in _values) size += v.Inline.Length;
            }

            return size;
        }
    }
}
