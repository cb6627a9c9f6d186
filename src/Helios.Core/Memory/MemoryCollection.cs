using Helios.Core.Collections;
using Helios.Core.Collections.Search;
using Helios.Core.Errors;
using Helios.Core.Objects;

namespace Helios.Core.Memory;

/// <summary>
/// One collection as a <see cref="MemoryBranch"/> sees it: the version its branch head records,
/// overlaid with this handle's uncommitted edits. Reads see the edits at once; nothing is stored
/// until <see cref="MemoryBranch.Commit"/>. Not thread-safe: one agent owns a handle.
/// Costs: get O(log n) node reads (cached), put O(log n) (a lookup to keep the count exact).
/// </summary>
public sealed class MemoryCollection
{
    private readonly CollectionTree _tree;
    private readonly VectorBlockCache _blocks;
    private readonly SortedDictionary<string, CollectionValue?> _pending = new(Utf8NameComparer.Instance);
    private long _countDelta;

    internal MemoryCollection(CollectionTree tree, VectorBlockCache blocks, string name, int dimension, ObjectId? committed)
    {
        _tree = tree;
        _blocks = blocks;
        Name = name;
        Dimension = dimension;
        Committed = committed;
    }

    public string Name { get; }

    /// <summary>The length of every vector in the collection; 0 when it holds no vectors.</summary>
    public int Dimension { get; }

    /// <summary>The committed version the edits apply to (null: created by this handle, not yet committed).</summary>
    internal ObjectId? Committed { get; private set; }

    internal bool HasEdits => _pending.Count > 0 || Committed is null;

    internal IEnumerable<CollectionEdit> Edits => _pending.Select(e => new CollectionEdit(e.Key, e.Value));

    /// <summary>The number of keys, edits included. O(1).</summary>
    public long Count => (Committed is { } c ? _tree.Count(c) : 0) + _countDelta;

    /// <summary>The value under <paramref name="key"/>, or null.</summary>
    public CollectionValue? Get(string key)
    {
        if (_pending.Count > 0 && _pending.TryGetValue(key, out var pending))
        {
            return pending;
        }

        if (Committed is { } c)
        {
            return _tree.TryGet(c, key); // Validates the key too.
        }

        CollectionKey.ToUtf8(key);
        return null;
    }

    /// <summary>The bytes under <paramref name="key"/> (a vector record's raw payload for a vector), or null.</summary>
    public byte[]? GetBytes(string key) => Get(key)?.Payload.ToArray();

    /// <summary>The vector under <paramref name="key"/>, or null when absent; invalid-argument when the value is not a vector.</summary>
    public float[]? GetVector(string key) => Get(key)?.GetVector(Dimension);

    /// <summary>Stores opaque bytes under <paramref name="key"/>.</summary>
    public void Put(string key, ReadOnlySpan<byte> value) => Put(key, CollectionValue.FromBytes(value));

    /// <summary>Stores a vector (of <see cref="Dimension"/> floats) with optional JSON metadata under <paramref name="key"/>.</summary>
    public void PutVector(string key, ReadOnlySpan<float> vector, string? metadataJson = null) =>
        Put(key, CollectionValue.FromVector(vector, metadataJson));

    /// <summary>Stores <paramref name="value"/>; invalid-argument, with nothing changed, for a bad key or a value that does not fit.</summary>
    public void Put(string key, CollectionValue value)
    {
        ArgumentNullException.ThrowIfNull(value);
        CollectionKey.ToUtf8(key);
        if (value.ProblemFor(Dimension) is { } problem)
        {
            throw new HeliosException(HeliosErrorCode.InvalidArgument, $"Cannot put '{key}' in collection '{Name}': {problem}.");
        }

        bool existed = Exists(key);
        _pending[key] = value;
        if (!existed) _countDelta++;
    }

    /// <summary>Deletes <paramref name="key"/>; true when it was there.</summary>
    public bool Delete(string key)
    {
        CollectionKey.ToUtf8(key);
        bool existed = Exists(key);
        if (Committed is { } c && _tree.TryGetStored(c, key) is not null)
        {
            _pending[key] = null;
        }
        else
        {
            _pending.Remove(key);
        }

        if (existed) _countDelta--;
        return existed;
    }

    /// <summary>Keys starting with <paramref name="prefix"/> with their values, in key order (UTF-8 bytes), edits included.</summary>
    public IEnumerable<KeyValuePair<string, CollectionValue>> Scan(string prefix = "") =>
        Overlay(Committed is { } c ? _tree.Scan(c, prefix) : [], _pending.Where(e => e.Key.StartsWith(prefix, StringComparison.Ordinal)));

    /// <summary>Keys in [<paramref name="fromInclusive"/>, <paramref name="toExclusive"/>) with their values, in key order; a null bound is open.</summary>
    public IEnumerable<KeyValuePair<string, CollectionValue>> Scan(string? fromInclusive, string? toExclusive) =>
        Overlay(Committed is { } c ? _tree.Scan(c, fromInclusive, toExclusive) : [],
            _pending.Where(e => (fromInclusive is null || Utf8NameComparer.Instance.Compare(e.Key, fromInclusive) >= 0)
                && (toExclusive is null || Utf8NameComparer.Instance.Compare(e.Key, toExclusive) < 0)));

    /// <summary>
    /// The exact top <paramref name="k"/> vectors for <paramref name="query"/> by <paramref name="metric"/>,
    /// best first, edits included; only keys starting with <paramref name="keyPrefix"/> when given.
    /// See <see cref="CollectionTree.Search"/> for the cost.
    /// </summary>
    public IReadOnlyList<SearchHit> Search(ReadOnlySpan<float> query, int k, SimilarityMetric metric = SimilarityMetric.Cosine, string? keyPrefix = null)
    {
        if (Dimension == 0)
        {
            throw new HeliosException(HeliosErrorCode.InvalidArgument, $"Collection '{Name}' holds no vectors (its dimension is 0); there is nothing to search.");
        }

        if (_pending.Count == 0)
        {
            return Committed is { } only ? _tree.Search(only, query, k, metric, _blocks, keyPrefix) : VectorSearch.Search(query, [], k, metric);
        }

        // Edited keys: their committed vectors are stale, so ask for enough extra hits to drop them,
        // then score the edited vectors as one more block.
        var committed = Committed is { } c ? _tree.Search(c, query, k + _pending.Count, metric, _blocks, keyPrefix) : [];
        var edited = new VectorBlock.Builder(Dimension, _pending.Count);
        foreach (var (key, value) in _pending)
        {
            if (value is { Kind: CollectionValueKind.Vector } && (string.IsNullOrEmpty(keyPrefix) || key.StartsWith(keyPrefix, StringComparison.Ordinal)))
            {
                edited.Add(key, value.VectorSpan(Dimension));
            }
        }

        var top = new TopK(k);
        foreach (var hit in committed.Where(h => !_pending.ContainsKey(h.Key)))
        {
            top.Offer(hit.Key, hit.Score);
        }

        foreach (var hit in VectorSearch.Search(query, [edited.Build()], k, metric))
        {
            top.Offer(hit.Key, hit.Score);
        }

        return top.ToSortedArray();
    }

    /// <summary>After a commit: the edits are in <paramref name="version"/> now.</summary>
    internal void MarkCommitted(ObjectId version)
    {
        Committed = version;
        _pending.Clear();
        _countDelta = 0;
    }

    private bool Exists(string key) =>
        _pending.TryGetValue(key, out var pending) ? pending is not null : Committed is { } c && _tree.TryGetStored(c, key) is not null;

    /// <summary>Merges two key-ordered streams; the edits win, and a deletion hides the committed key.</summary>
    private static IEnumerable<KeyValuePair<string, CollectionValue>> Overlay(
        IEnumerable<KeyValuePair<string, CollectionValue>> committed, IEnumerable<KeyValuePair<string, CollectionValue?>> edits)
    {
        using var c = committed.GetEnumerator();
        using var e = edits.GetEnumerator();
        bool hasC = c.MoveNext(), hasE = e.MoveNext();
        while (hasC || hasE)
        {
            int order = !hasE ? -1 : !hasC ? 1 : Utf8NameComparer.Instance.Compare(c.Current.Key, e.Current.Key);
            if (order < 0)
            {
                yield return c.Current;
                hasC = c.MoveNext();
                continue;
            }

            if (e.Current.Value is { } value)
            {
                yield return new(e.Current.Key, value);
            }

            if (order == 0) hasC = c.MoveNext();
            hasE = e.MoveNext();
        }
    }
}
