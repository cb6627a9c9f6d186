namespace Helios.Core.Merging;

/// <summary>
/// The histogram diff git uses for merges (xdiff's xhistogram.c, after JGit): in each region it
/// anchors on the longest run of common lines whose rarest line occurs least often in the old
/// side, then recurses on both sides of the anchor. A region whose common lines all occur more
/// than 64 times falls back to <see cref="MyersDiff"/>. Cost is about O(N) per recursion level.
/// </summary>
internal static class HistogramDiff
{
    private const int MaxChainLength = 64;

    /// <summary>Marks the lines not in the common subsequence, like <see cref="MyersDiff.Diff"/>.</summary>
    public static void Diff(ReadOnlySpan<int> a, ReadOnlySpan<int> b, Span<bool> changedA, Span<bool> changedB, DiffScratch scratch)
    {
        // Regions are 1-based (line, count) pairs as in xhistogram.c; 0 is the "no line" pointer.
        var pending = new Stack<(int Line1, int Count1, int Line2, int Count2)>();
        pending.Push((1, a.Length, 1, b.Length));
        while (pending.TryPop(out var region))
        {
            var (line1, count1, line2, count2) = region;
            while (true)
            {
                if (count1 <= 0 && count2 <= 0)
                {
                    break;
                }

                if (count1 == 0)
                {
                    changedB.Slice(line2 - 1, count2).Fill(true);
                    break;
                }

                if (count2 == 0)
                {
                    changedA.Slice(line1 - 1, count1).Fill(true);
                    break;
                }

                var outcome = FindLcs(a, b, line1, count1, line2, count2, scratch, out var lcs);
                if (outcome == LcsOutcome.TooCommon)
                {
                    MyersDiff.Diff(
                        a.Slice(line1 - 1, count1), b.Slice(line2 - 1, count2),
                        changedA[(line1 - 1)..], changedB[(line2 - 1)..], scratch);
                    break;
                }

                if (lcs.Begin1 == 0 && lcs.Begin2 == 0)
                {
                    changedA.Slice(line1 - 1, count1).Fill(true);
                    changedB.Slice(line2 - 1, count2).Fill(true);
                    break;
                }

                pending.Push((line1, lcs.Begin1 - line1, line2, lcs.Begin2 - line2));
                int end1 = line1 + count1 - 1, end2 = line2 + count2 - 1;
                count1 = end1 - lcs.End1;
                line1 = lcs.End1 + 1;
                count2 = end2 - lcs.End2;
                line2 = lcs.End2 + 1;
            }
        }
    }

    private static LcsOutcome FindLcs(
        ReadOnlySpan<int> a, ReadOnlySpan<int> b, int line1, int count1, int line2, int count2,
        DiffScratch scratch, out Region lcs)
    {
        // Per class: its first occurrence in the region of a and how often it occurs there.
        var first = scratch.First;
        var occurrences = scratch.Occurrences;
        var next = scratch.Next;
        int end1 = line1 + count1 - 1, end2 = line2 + count2 - 1;

        for (int ptr = end1; ptr >= line1; ptr--)
        {
            int c = a[ptr - 1];
            next[ptr - line1] = occurrences[c] > 0 ? first[c] : 0;
            first[c] = ptr;
            occurrences[c]++;
        }

        var search = new LcsSearch { Best = default, MaxCount = MaxChainLength + 1, HasCommon = false };
        for (int bPtr = line2; bPtr <= end2;)
        {
            bPtr = TryLcs(a, b, ref search, bPtr, line1, end1, line2, end2, first, occurrences, next);
        }

        for (int ptr = line1; ptr <= end1; ptr++)
        {
            occurrences[a[ptr - 1]] = 0;
        }

        lcs = search.Best;
        return search.HasCommon && MaxChainLength < search.MaxCount ? LcsOutcome.TooCommon : LcsOutcome.Found;
    }

    private static int TryLcs(
        ReadOnlySpan<int> a, ReadOnlySpan<int> b, ref LcsSearch search, int bPtr,
        int line1, int end1, int line2, int end2, int[] first, int[] occurrences, int[] next)
    {
        int bNext = bPtr + 1;
        int c = b[bPtr - 1];
        int count = occurrences[c];
        if (count == 0)
        {
            return bNext;
        }

        search.HasCommon = true;
        if (count > search.MaxCount)
        {
            return bNext;
        }

        int aStart = first[c];
        while (true)
        {
            int following = next[aStart - line1];
            int bStart = bPtr, aEnd = aStart, bEnd = bStart;
            int rarest = count;

            while (line1 < aStart && line2 < bStart && a[aStart - 2] == b[bStart - 2])
            {
                aStart--;
                bStart--;
                if (1 < rarest)
                {
                    rarest = Math.Min(rarest, occurrences[a[aStart - 1]]);
                }
            }

            while (aEnd < end1 && bEnd < end2 && a[aEnd] == b[bEnd])
            {
                aEnd++;
                bEnd++;
                if (1 < rarest)
                {
                    rarest = Math.Min(rarest, occurrences[a[aEnd - 1]]);
                }
            }

            if (bNext <= bEnd)
            {
                bNext = bEnd + 1;
            }

            if (search.Best.End1 - search.Best.Begin1 < aEnd - aStart || rarest < search.MaxCount)
            {
                search.Best = new Region(aStart, aEnd, bStart, bEnd);
                search.MaxCount = rarest;
            }

            if (following == 0)
            {
                return bNext;
            }

            while (following <= aEnd)
            {
                following = next[following - line1];
                if (following == 0)
                {
                    return bNext;
                }
            }

            aStart = following;
        }
    }

    private enum LcsOutcome
    {
        Found,
        TooCommon,
    }

    /// <summary>A common run: lines Begin1..End1 of a equal Begin2..End2 of b (1-based, inclusive).</summary>
    private readonly record struct Region(int Begin1, int End1, int Begin2, int End2);

    private struct LcsSearch
    {
        public Region Best;
        public int MaxCount;
        public bool HasCommon;
    }
}
