using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Helios.Core.Merging;

/// <summary>
/// The Myers O(ND) difference algorithm the way git's xdiff runs it, so that results agree with
/// <c>git diff</c>: equal ends are trimmed, lines without a partner in the other file are dropped
/// before the search (and lines with very many partners when they sit among such lines), and the
/// middle-snake search gives up on optimality once the edit cost passes about the square root of
/// the input size (at least 256), taking the furthest-reaching diagonal instead. Cost is
/// O((N + M)·D) for D differences, and that cap keeps two large unrelated files far from O(N·M).
/// </summary>
internal static class MyersDiff
{
    private const int MaxCostMin = 256;
    private const int HeuristicMinCost = 256;
    private const int SnakeCount = 20;
    private const int HeuristicFactor = 4;
    private const int MaxEqualLimit = 1024;
    private const int SimilarScanWindow = 100;
    private const int DiscardRunFactor = 4;

    private const byte NoMatch = 0;
    private const byte SomeMatches = 1;
    private const byte ManyMatches = 2;

    /// <summary>
    /// Marks the lines of <paramref name="a"/> and <paramref name="b"/> (class numbers) that are
    /// not part of the common subsequence: <c>changedA[i]</c> for line i of a, likewise for b.
    /// Only sets flags, never clears them.
    /// </summary>
    public static void Diff(ReadOnlySpan<int> a, ReadOnlySpan<int> b, Span<bool> changedA, Span<bool> changedB, DiffScratch scratch)
    {
        int n = a.Length, m = b.Length;

        int limit = Math.Min(n, m);
        int start = 0;
        while (start < limit && a[start] == b[start])
        {
            start++;
        }

        int tail = 0;
        limit -= start;
        while (tail < limit && a[n - 1 - tail] == b[m - 1 - tail])
        {
            tail++;
        }

        int endA = n - tail - 1, endB = m - tail - 1;

        // Occurrence counts are taken over the whole of each file, trimmed ends included, as xdiff does.
        var countA = scratch.CountA;
        var countB = scratch.CountB;
        foreach (int c in a)
        {
            countA[c]++;
        }

        foreach (int c in b)
        {
            countB[c]++;
        }

        // Only the lines between the equal ends are classified; index 0 is line `start`.
        var matchesA = new byte[endA - start + 1];
        var matchesB = new byte[endB - start + 1];
        int limitA = Math.Min(BogoSqrt(n), MaxEqualLimit);
        for (int i = start; i <= endA; i++)
        {
            int partners = countB[a[i]];
            matchesA[i - start] = partners == 0 ? NoMatch : partners >= limitA ? ManyMatches : SomeMatches;
        }

        int limitB = Math.Min(BogoSqrt(m), MaxEqualLimit);
        for (int i = start; i <= endB; i++)
        {
            int partners = countA[b[i]];
            matchesB[i - start] = partners == 0 ? NoMatch : partners >= limitB ? ManyMatches : SomeMatches;
        }

        foreach (int c in a)
        {
            countA[c] = 0;
        }

        foreach (int c in b)
        {
            countB[c] = 0;
        }

        var keptA = Keep(a, matchesA, start, endA, changedA, out var indexA);
        var keptB = Keep(b, matchesB, start, endB, changedB, out var indexB);
        Compare(keptA, indexA, keptB, indexB, changedA, changedB);
    }

    // xdiff's xdl_bogosqrt: a power of two near the square root.
    internal static int BogoSqrt(int n)
    {
        int result = 1;
        for (; n > 0; n >>= 2)
        {
            result <<= 1;
        }

        return result;
    }

    // Lines that stay in the search; the others are changed by definition. matches[0] is line start.
    private static int[] Keep(ReadOnlySpan<int> lines, byte[] matches, int start, int end, Span<bool> changed, out int[] index)
    {
        int size = matches.Length;
        var kept = new int[size];
        index = new int[size];
        int count = 0;
        for (int i = start; i <= end; i++)
        {
            byte match = matches[i - start];
            if (match == SomeMatches || (match == ManyMatches && !DiscardAmongUnmatched(matches, i - start, 0, end - start)))
            {
                index[count] = i;
                kept[count] = lines[i];
                count++;
            }
            else
            {
                changed[i] = true;
            }
        }

        Array.Resize(ref kept, count);
        Array.Resize(ref index, count);
        return kept;
    }

    // xdiff's xdl_clean_mmatch: a line with many partners is dropped only when it sits in a run
    // dominated by lines that have no partner at all.
    private static bool DiscardAmongUnmatched(byte[] matches, int i, int start, int end)
    {
        if (i - start > SimilarScanWindow)
        {
            start = i - SimilarScanWindow;
        }

        if (end - i > SimilarScanWindow)
        {
            end = i + SimilarScanWindow;
        }

        int unmatchedBefore = 0, manyBefore = 1;
        for (int r = 1; i - r >= start; r++)
        {
            if (matches[i - r] == NoMatch)
            {
                unmatchedBefore++;
            }
            else if (matches[i - r] == ManyMatches)
            {
                manyBefore++;
            }
            else
            {
                break;
            }
        }

        if (unmatchedBefore == 0)
        {
            return false;
        }

        int unmatchedAfter = 0, manyAfter = 1;
        for (int r = 1; i + r <= end; r++)
        {
            if (matches[i + r] == NoMatch)
            {
                unmatchedAfter++;
            }
            else if (matches[i + r] == ManyMatches)
            {
                manyAfter++;
            }
            else
            {
                break;
            }
        }

        if (unmatchedAfter == 0)
        {
            return false;
        }

        int unmatched = unmatchedAfter + unmatchedBefore;
        int many = manyAfter + manyBefore;
        return many * DiscardRunFactor < many + unmatched;
    }

    // Divide and conquer over boxes; an explicit stack replaces xdiff's recursion (the flags do not
    // depend on the order boxes are finished in) so a long degenerate split chain cannot overflow.
    private static void Compare(int[] a, int[] indexA, int[] b, int[] indexB, Span<bool> changedA, Span<bool> changedB)
    {
        int diagonals = a.Length + b.Length + 3;
        var forward = new int[diagonals];
        var backward = new int[diagonals];
        int origin = b.Length + 1;
        int maxCost = Math.Max(BogoSqrt(diagonals), MaxCostMin);

        var boxes = new Stack<Box>();
        boxes.Push(new Box(0, a.Length, 0, b.Length, NeedMinimal: false));
        while (boxes.TryPop(out var box))
        {
            int off1 = box.Off1, lim1 = box.Lim1, off2 = box.Off2, lim2 = box.Lim2;
            while (off1 < lim1 && off2 < lim2 && a[off1] == b[off2])
            {
                off1++;
                off2++;
            }

            while (off1 < lim1 && off2 < lim2 && a[lim1 - 1] == b[lim2 - 1])
            {
                lim1--;
                lim2--;
            }

            if (off1 == lim1)
            {
                for (; off2 < lim2; off2++)
                {
                    changedB[indexB[off2]] = true;
                }
            }
            else if (off2 == lim2)
            {
                for (; off1 < lim1; off1++)
                {
                    changedA[indexA[off1]] = true;
                }
            }
            else
            {
                var split = Split(a, off1, lim1, b, off2, lim2, forward, backward, origin, box.NeedMinimal, maxCost);
                boxes.Push(new Box(split.I1, lim1, split.I2, lim2, split.MinimalHigh));
                boxes.Push(new Box(off1, split.I1, off2, split.I2, split.MinimalLow));
            }
        }
    }

    // xdiff's xdl_split: the middle snake of the box, or after enough cost a good-enough point.
    private static SplitPoint Split(
        int[] a, int off1, int lim1, int[] b, int off2, int lim2,
        int[] kvdf, int[] kvdb, int o, bool needMinimal, int maxCost)
    {
        int dmin = off1 - lim2, dmax = lim1 - off2;
        int fmid = off1 - off2, bmid = lim1 - lim2;
        bool odd = ((fmid - bmid) & 1) != 0;
        int fmin = fmid, fmax = fmid;
        int bmin = bmid, bmax = bmid;

        kvdf[o + fmid] = off1;
        kvdb[o + bmid] = lim1;

        // The two snake loops below run O(N·D) times: read through refs without bounds checks. Every
        // index stays inside the box [off, lim) and the diagonal range [dmin - 1, dmax + 1], which
        // Compare sized the arrays for.
        ref int lineA = ref MemoryMarshal.GetArrayDataReference(a);
        ref int lineB = ref MemoryMarshal.GetArrayDataReference(b);
        ref int forward = ref kvdf[o];
        ref int backward = ref kvdb[o];

        for (int cost = 1; ; cost++)
        {
            bool gotSnake = false;
            int i1, i2, previous;

            // Widen the diagonal range by one each way, or shrink it where it hits the box edge.
            if (fmin > dmin)
            {
                kvdf[o + --fmin - 1] = -1;
            }
            else
            {
                ++fmin;
            }

            if (fmax < dmax)
            {
                kvdf[o + ++fmax + 1] = -1;
            }
            else
            {
                --fmax;
            }

            for (int d = fmax; d >= fmin; d -= 2)
            {
                int below = Unsafe.Add(ref forward, d - 1), above = Unsafe.Add(ref forward, d + 1);
                i1 = below >= above ? below + 1 : above;
                previous = i1;
                i2 = i1 - d;
                while (i1 < lim1 && i2 < lim2 && Unsafe.Add(ref lineA, i1) == Unsafe.Add(ref lineB, i2))
                {
                    i1++;
                    i2++;
                }

                if (i1 - previous > SnakeCount)
                {
                    gotSnake = true;
                }

                kvdf[o + d] = i1;
                if (odd && bmin <= d && d <= bmax && kvdb[o + d] <= i1)
                {
                    return new SplitPoint(i1, i2, true, true);
                }
            }

            if (bmin > dmin)
            {
                kvdb[o + --bmin - 1] = int.MaxValue;
            }
            else
            {
                ++bmin;
            }

            if (bmax < dmax)
            {
                kvdb[o + ++bmax + 1] = int.MaxValue;
            }
            else
            {
                --bmax;
            }

            for (int d = bmax; d >= bmin; d -= 2)
            {
                int below = Unsafe.Add(ref backward, d - 1), above = Unsafe.Add(ref backward, d + 1);
                i1 = below < above ? below : above - 1;
                previous = i1;
                i2 = i1 - d;
                while (i1 > off1 && i2 > off2 && Unsafe.Add(ref lineA, i1 - 1) == Unsafe.Add(ref lineB, i2 - 1))
                {
                    i1--;
                    i2--;
                }

                if (previous - i1 > SnakeCount)
                {
                    gotSnake = true;
                }

                kvdb[o + d] = i1;
                if (!odd && fmin <= d && d <= fmax && i1 <= kvdf[o + d])
                {
                    return new SplitPoint(i1, i2, true, true);
                }
            }

            if (needMinimal)
            {
                continue;
            }

            // Past the trigger cost, accept a diagonal that went far with a long snake behind it.
            if (gotSnake && cost > HeuristicMinCost)
            {
                int best = 0;
                var point = default(SplitPoint);
                for (int d = fmax; d >= fmin; d -= 2)
                {
                    int dd = d > fmid ? d - fmid : fmid - d;
                    i1 = kvdf[o + d];
                    i2 = i1 - d;
                    int v = (i1 - off1) + (i2 - off2) - dd;
                    if (v > HeuristicFactor * cost && v > best &&
                        off1 + SnakeCount <= i1 && i1 < lim1 && off2 + SnakeCount <= i2 && i2 < lim2)
                    {
                        for (int k = 1; a[i1 - k] == b[i2 - k]; k++)
                        {
                            if (k == SnakeCount)
                            {
                                best = v;
                                point = new SplitPoint(i1, i2, true, false);
                                break;
                            }
                        }
                    }
                }

                if (best > 0)
                {
                    return point;
                }

                for (int d = bmax; d >= bmin; d -= 2)
                {
                    int dd = d > bmid ? d - bmid : bmid - d;
                    i1 = kvdb[o + d];
                    i2 = i1 - d;
                    int v = (lim1 - i1) + (lim2 - i2) - dd;
                    if (v > HeuristicFactor * cost && v > best &&
                        off1 < i1 && i1 <= lim1 - SnakeCount && off2 < i2 && i2 <= lim2 - SnakeCount)
                    {
                        for (int k = 0; a[i1 + k] == b[i2 + k]; k++)
                        {
                            if (k == SnakeCount - 1)
                            {
                                best = v;
                                point = new SplitPoint(i1, i2, false, true);
                                break;
                            }
                        }
                    }
                }

                if (best > 0)
                {
                    return point;
                }
            }

            // Too expensive: take whichever direction reached furthest.
            if (cost >= maxCost)
            {
                int fbest = -1, fbest1 = -1;
                for (int d = fmax; d >= fmin; d -= 2)
                {
                    i1 = Math.Min(kvdf[o + d], lim1);
                    i2 = i1 - d;
                    if (lim2 < i2)
                    {
                        i1 = lim2 + d;
                        i2 = lim2;
                    }

                    if (fbest < i1 + i2)
                    {
                        fbest = i1 + i2;
                        fbest1 = i1;
                    }
                }

                int bbest = int.MaxValue, bbest1 = int.MaxValue;
                for (int d = bmax; d >= bmin; d -= 2)
                {
                    i1 = Math.Max(off1, kvdb[o + d]);
                    i2 = i1 - d;
                    if (i2 < off2)
                    {
                        i1 = off2 + d;
                        i2 = off2;
                    }

                    if (i1 + i2 < bbest)
                    {
                        bbest = i1 + i2;
                        bbest1 = i1;
                    }
                }

                return (lim1 + lim2) - bbest < fbest - (off1 + off2)
                    ? new SplitPoint(fbest1, fbest - fbest1, true, false)
                    : new SplitPoint(bbest1, bbest - bbest1, false, true);
            }
        }
    }

    private readonly record struct Box(int Off1, int Lim1, int Off2, int Lim2, bool NeedMinimal);

    private readonly record struct SplitPoint(int I1, int I2, bool MinimalLow, bool MinimalHigh);
}

/// <summary>
/// Work arrays for the diffs of one operation, indexed by line class or line, taken from the shared
/// array pool on first use (they would otherwise be large-object allocations on every diff) and
/// kept zeroed between uses, so a merge's many small diffs share them. Dispose returns them.
/// </summary>
internal sealed class DiffScratch(int classCount, int maxLines) : IDisposable
{
    private int[]? _countA;
    private int[]? _countB;
    private int[]? _first;
    private int[]? _occurrences;
    private int[]? _next;

    /// <summary>Myers: occurrences of each class in the old file.</summary>
    public int[] CountA => _countA ??= Rent(classCount);

    /// <summary>Myers: occurrences of each class in the new file.</summary>
    public int[] CountB => _countB ??= Rent(classCount);

    /// <summary>Histogram: the first occurrence of each class in the scanned region (valid where <see cref="Occurrences"/> is not 0).</summary>
    public int[] First => _first ??= Rent(classCount);

    /// <summary>Histogram: how often each class occurs in the scanned region.</summary>
    public int[] Occurrences => _occurrences ??= Rent(classCount);

    /// <summary>Histogram: the next occurrence of the same line in the scanned region.</summary>
    public int[] Next => _next ??= Rent(maxLines + 1);

    public void Dispose()
    {
        foreach (var array in new[] { _countA, _countB, _first, _occurrences, _next })
        {
            if (array is not null)
            {
                System.Buffers.ArrayPool<int>.Shared.Return(array);
            }
        }

        _countA = _countB = _first = _occurrences = _next = null;
    }

    private static int[] Rent(int length)
    {
        var array = System.Buffers.ArrayPool<int>.Shared.Rent(Math.Max(1, length));
        Array.Clear(array, 0, length);
        return array;
    }
}
