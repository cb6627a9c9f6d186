using Helios.Core.Errors;

namespace Helios.Core.Collections.Search;

/// <summary>
/// Keeps the best <see cref="K"/> of the (key, score) pairs offered to it, in a binary heap whose root is the worst
/// pair kept. "Better" means a higher score, and between equal scores the key that sorts first by ordinal comparison,
/// so the result does not depend on the order pairs are offered in. NaN scores are never kept.
/// </summary>
/// <remarks>
/// <see cref="Offer"/> costs O(1) for a pair that does not make the cut (one comparison with the root) and O(log k)
/// for one that does; memory grows with the pairs kept, never beyond k. Not thread-safe.
/// </remarks>
public sealed class TopK
{
    private Entry[] _heap;
    private int _count;

    /// <param name="k">How many pairs to keep, at least 1.</param>
    /// <exception cref="HeliosException"><see cref="HeliosErrorCode.InvalidArgument"/> when <paramref name="k"/> is less than 1.</exception>
    public TopK(int k)
    {
        if (k < 1)
        {
            throw new HeliosException(HeliosErrorCode.InvalidArgument, $"The number of results to return must be at least 1, not {k}.");
        }

        K = k;
        _heap = new Entry[Math.Min(k, 16)];
    }

    /// <summary>The most pairs kept.</summary>
    public int K { get; }

    /// <summary>Pairs kept so far, at most <see cref="K"/>.</summary>
    public int Count => _count;

    /// <summary>
    /// The score a new pair must at least reach to be kept: negative infinity until <see cref="K"/> pairs are kept,
    /// then the worst kept score (a pair equal to it is kept only if its key sorts first).
    /// </summary>
    public float Threshold => _count < K ? float.NegativeInfinity : _heap[0].Score;

    /// <summary>Keeps the pair if it is among the best <see cref="K"/> seen so far; true when kept.</summary>
    public bool Offer(string key, float score)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (float.IsNaN(score))
        {
            return false;
        }

        var entry = new Entry(score, key);
        if (_count < K)
        {
            if (_count == _heap.Length)
            {
                Array.Resize(ref _heap, (int)Math.Min(K, 2L * _heap.Length));
            }

            _heap[_count] = entry;
            SiftUp(_count++);
            return true;
        }

        if (!IsBetter(entry, _heap[0]))
        {
            return false;
        }

        _heap[0] = entry;
        SiftDown(0);
        return true;
    }

    /// <summary>The pairs kept, best first. O(k log k); the heap is left as it is, so offering may continue.</summary>
    public SearchHit[] ToSortedArray()
    {
        var entries = _heap.AsSpan(0, _count).ToArray();
        Array.Sort(entries, static (x, y) => IsBetter(x, y) ? -1 : IsBetter(y, x) ? 1 : 0);
        var hits = new SearchHit[entries.Length];
        for (int i = 0; i < entries.Length; i++)
        {
            hits[i] = new SearchHit(entries[i].Key, entries[i].Score);
        }

        return hits;
    }

    private static bool IsBetter(in Entry x, in Entry y) =>
        x.Score > y.Score || (x.Score == y.Score && string.CompareOrdinal(x.Key, y.Key) < 0);

    private void SiftUp(int index)
    {
        var entry = _heap[index];
        while (index > 0)
        {
            int parent = (index - 1) / 2;
            if (!IsBetter(_heap[parent], entry))
            {
                break;
            }

            _heap[index] = _heap[parent];
            index = parent;
        }

        _heap[index] = entry;
    }

    private void SiftDown(int index)
    {
        var entry = _heap[index];
        while (true)
        {
            int child = (2 * index) + 1;
            if (child >= _count)
            {
                break;
            }

            if (child + 1 < _count && IsBetter(_heap[child], _heap[child + 1]))
            {
                child++;
            }

            if (!IsBetter(entry, _heap[child]))
            {
                break;
            }

            _heap[index] = _heap[child];
            index = child;
        }

        _heap[index] = entry;
    }

    private readonly record struct Entry(float Score, string Key);
}
