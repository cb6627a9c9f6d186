using System.Buffers;

namespace Helios.Core.Merging;

/// <summary>How conflicts are written (git's <c>merge.conflictStyle</c>).</summary>
public enum ConflictStyle
{
    /// <summary>git's default: ours, <c>=======</c>, theirs; conflicts are narrowed to the lines the sides disagree on.</summary>
    Merge,

    /// <summary>Adds the base lines after a <c>|||||||</c> marker; conflicts are not narrowed (git's <c>diff3</c>).</summary>
    Diff3,

    /// <summary>Like <see cref="Diff3"/>, but lines both sides agree on at a conflict's start and end are taken out of it (git's <c>zdiff3</c>).</summary>
    ZealousDiff3,
}

/// <summary>Which side a conflicting region takes instead of markers (git's -X ours / -X theirs).</summary>
public enum TextMergeFavor
{
    /// <summary>Conflicting regions get conflict markers.</summary>
    None,

    /// <summary>Conflicting regions take our lines.</summary>
    Ours,

    /// <summary>Conflicting regions take their lines.</summary>
    Theirs,
}

/// <summary>
/// The names written after conflict markers: <c>&lt;&lt;&lt;&lt;&lt;&lt;&lt; Ours</c>,
/// <c>&gt;&gt;&gt;&gt;&gt;&gt;&gt; Theirs</c> and, in the diff3 styles, <c>||||||| Base</c>.
/// A null name writes the bare marker.
/// </summary>
public sealed record TextMergeLabels(string? Ours, string? Theirs, string? Base = null)
{
    /// <summary>
    /// Marker length (git's default 7). git widens markers by 2 for each level of a recursive merge,
    /// so the conflicts kept in a virtual merge base never look like the outer merge's.
    /// </summary>
    public int MarkerSize { get; init; } = 7;
}

/// <summary>
/// The outcome of <see cref="TextMerge.Merge"/>: the merged bytes (with conflict markers where the
/// sides disagree) and how many conflict regions they contain.
/// </summary>
public sealed class TextMergeResult
{
    internal TextMergeResult(byte[] content, int conflictCount, bool isBinary)
    {
        Content = content;
        ConflictCount = conflictCount;
        IsBinary = isBinary;
    }

    /// <summary>The merged file. For a binary conflict, ours unchanged.</summary>
    public byte[] Content { get; }

    /// <summary>The number of conflict regions written (1 for a binary conflict).</summary>
    public int ConflictCount { get; }

    /// <summary>True when no conflict remains.</summary>
    public bool IsClean => ConflictCount == 0;

    /// <summary>
    /// True when both sides changed a file that git treats as binary: nothing was merged, the
    /// content is ours and the file counts as one conflict (git: "Cannot merge binary files").
    /// </summary>
    public bool IsBinary { get; }
}

/// <summary>
/// Three-way line merge with the result <c>git merge</c> (merge-ort, git 2.39) writes for a file
/// both sides changed: xdiff's xdl_merge at level ZEALOUS on histogram diffs, markers of 7
/// characters. Changes separated by at least one unchanged line merge cleanly, identical changes
/// are taken once, overlapping or adjacent changes conflict; conflicting regions are narrowed to
/// the lines the sides disagree on, and conflicts fewer than four lines apart are joined. Marker
/// lines end in CRLF when the surrounding lines do. Pure and thread-safe. Cost: two diffs
/// (O(bytes) hashing plus about O(N) per histogram level) and O(output) copying.
/// </summary>
public static class TextMerge
{
    private const int BinaryProbeBytes = 8000;

    /// <summary>git's binary test: a NUL byte among the first 8000 bytes. O(min(size, 8000)).</summary>
    public static bool IsBinary(ReadOnlySpan<byte> content) =>
        content[..Math.Min(content.Length, BinaryProbeBytes)].Contains((byte)0);

    /// <summary>
    /// Merges the changes from <paramref name="base"/> to <paramref name="ours"/> and to
    /// <paramref name="theirs"/>. When one side is unchanged or both are equal, the other side is
    /// taken as is; when a side is binary (<see cref="IsBinary"/>) nothing is merged (see
    /// <see cref="TextMergeResult.IsBinary"/>).
    /// </summary>
    public static TextMergeResult Merge(
        ReadOnlySpan<byte> @base,
        ReadOnlySpan<byte> ours,
        ReadOnlySpan<byte> theirs,
        TextMergeLabels labels,
        ConflictStyle style = ConflictStyle.Merge,
        TextMergeFavor favor = TextMergeFavor.None)
    {
        ArgumentNullException.ThrowIfNull(labels);

        // merge-ort settles these by blob id before any content merge; past them both sides differ
        // from the base, so both edit scripts below are non-empty.
        if (ours.SequenceEqual(theirs) || @base.SequenceEqual(theirs))
        {
            return new TextMergeResult(ours.ToArray(), 0, isBinary: false);
        }

        if (@base.SequenceEqual(ours))
        {
            return new TextMergeResult(theirs.ToArray(), 0, isBinary: false);
        }

        if (IsBinary(@base) || IsBinary(ours) || IsBinary(theirs))
        {
            return new TextMergeResult(ours.ToArray(), 1, isBinary: true);
        }

        int classCount = LineClassifier.Classify(@base, ours, theirs, out var baseFile, out var oursFile, out var theirsFile);

        using var scratch = new DiffScratch(classCount, Math.Max(baseFile.Count, Math.Max(oursFile.Count, theirsFile.Count)));
        var oursScript = LineDiff.Compute(baseFile.Classes, oursFile.Classes, classCount, DiffAlgorithm.Histogram, default, default, scratch);
        var theirsScript = LineDiff.Compute(baseFile.Classes, theirsFile.Classes, classCount, DiffAlgorithm.Histogram, default, default, scratch);
        var regions = Combine(oursScript, theirsScript, baseFile, oursFile, theirsFile);
        if (style == ConflictStyle.ZealousDiff3)
        {
            TrimAgreeingEnds(regions, oursFile, theirsFile);
        }
        else if (style == ConflictStyle.Merge)
        {
            regions = Refine(regions, oursFile, theirsFile, classCount, scratch);
            JoinCloseConflicts(regions);
        }

        var output = new ArrayBufferWriter<byte>(ours.Length + theirs.Length / 4 + 64);
        var writer = new MergeWriter(output, @base, ours, theirs, baseFile, oursFile, theirsFile);
        int conflicts = 0;
        int next = 0;
        foreach (var region in regions)
        {
            var mode = region.Mode;
            if (mode == RegionMode.Conflict && favor != TextMergeFavor.None)
            {
                // The strategy settles the hunk: no markers, and it no longer counts as a conflict.
                mode = favor == TextMergeFavor.Ours ? RegionMode.Ours : RegionMode.Theirs;
            }

            switch (mode)
            {
                case RegionMode.Conflict:
                    conflicts++;
                    writer.Conflict(next, region, labels, style);
                    break;
                case RegionMode.Ours:
                    writer.CopyOurs(next, region.Start1 - next);
                    writer.CopyOurs(region.Start1, region.Count1);
                    break;
                case RegionMode.Theirs:
                    writer.CopyOurs(next, region.Start1 - next);
                    writer.CopyTheirs(region.Start2, region.Count2);
                    break;
                default:
                    // Both sides made this change: it is already in ours, copied with what follows.
                    continue;
            }

            next = region.Start1 + region.Count1;
        }

        writer.CopyOurs(next, oursFile.Count - next);
        return new TextMergeResult(output.WrittenSpan.ToArray(), conflicts, isBinary: false);
    }

    // xdl_do_merge's first pass: walks both edit scripts (base→ours, base→theirs) in base order and
    // records each change as taken from one side, or as a conflict where the two overlap or touch.
    // Changes both sides made identically are taken once (every level git merge uses does this).
    private static List<MergeRegion> Combine(
        List<LineChange> ours, List<LineChange> theirs, LineFile baseFile, LineFile oursFile, LineFile theirsFile)
    {
        var regions = new List<MergeRegion>();
        int x1 = 0, x2 = 0;
        while (x1 < ours.Count && x2 < theirs.Count)
        {
            var c1 = ours[x1];
            var c2 = theirs[x2];
            if (c1.OldStart + c1.OldCount < c2.OldStart)
            {
                Append(regions, RegionMode.Ours, c1.OldStart, c1.OldCount, c1.NewStart, c1.NewCount,
                    c2.NewStart - c2.OldStart + c1.OldStart, c1.OldCount);
                x1++;
                continue;
            }

            if (c2.OldStart + c2.OldCount < c1.OldStart)
            {
                Append(regions, RegionMode.Theirs, c2.OldStart, c2.OldCount,
                    c1.NewStart - c1.OldStart + c2.OldStart, c2.OldCount, c2.NewStart, c2.NewCount);
                x2++;
                continue;
            }

            if (c1.OldStart != c2.OldStart || c1.OldCount != c2.OldCount || c1.NewCount != c2.NewCount ||
                !oursFile.Classes.AsSpan(c1.NewStart, c1.NewCount).SequenceEqual(theirsFile.Classes.AsSpan(c2.NewStart, c2.NewCount)))
            {
                int off = c1.OldStart - c2.OldStart;
                int ffo = off + c1.OldCount - c2.OldCount;
                int i0 = c1.OldStart, i1 = c1.NewStart, i2 = c2.NewStart;
                if (off > 0)
                {
                    i0 -= off;
                    i1 -= off;
                }
                else
                {
                    i2 += off;
                }

                int chg0 = c1.OldStart + c1.OldCount - i0;
                int chg1 = c1.NewStart + c1.NewCount - i1;
                int chg2 = c2.NewStart + c2.NewCount - i2;
                if (ffo < 0)
                {
                    chg0 -= ffo;
                    chg1 -= ffo;
                }
                else
                {
                    chg2 += ffo;
                }

                Append(regions, RegionMode.Conflict, i0, chg0, i1, chg1, i2, chg2);
            }

            int end1 = c1.OldStart + c1.OldCount;
            int end2 = c2.OldStart + c2.OldCount;
            if (end1 >= end2)
            {
                x2++;
            }

            if (end2 >= end1)
            {
                x1++;
            }
        }

        int theirsShift = theirsFile.Count - baseFile.Count;
        for (; x1 < ours.Count; x1++)
        {
            var c1 = ours[x1];
            Append(regions, RegionMode.Ours, c1.OldStart, c1.OldCount, c1.NewStart, c1.NewCount, c1.OldStart + theirsShift, c1.OldCount);
        }

        int oursShift = oursFile.Count - baseFile.Count;
        for (; x2 < theirs.Count; x2++)
        {
            var c2 = theirs[x2];
            Append(regions, RegionMode.Theirs, c2.OldStart, c2.OldCount, c2.OldStart + oursShift, c2.OldCount, c2.NewStart, c2.NewCount);
        }

        return regions;
    }

    // xdl_append_merge: a change that touches or overlaps the previous region (in either side's
    // file) is folded into it, and the region becomes a conflict if the two came from different sides.
    private static void Append(List<MergeRegion> regions, RegionMode mode, int i0, int chg0, int i1, int chg1, int i2, int chg2)
    {
        if (regions.Count > 0)
        {
            var last = regions[^1];
            if (i1 <= last.Start1 + last.Count1 || i2 <= last.Start2 + last.Count2)
            {
                if (mode != last.Mode)
                {
                    last.Mode = RegionMode.Conflict;
                }

                last.Count0 = i0 + chg0 - last.Start0;
                last.Count1 = i1 + chg1 - last.Start1;
                last.Count2 = i2 + chg2 - last.Start2;
                return;
            }
        }

        regions.Add(new MergeRegion(mode, i0, chg0, i1, chg1, i2, chg2));
    }

    // xdl_refine_conflicts: diffs ours against theirs inside each conflict and keeps only the
    // parts where they differ; a conflict whose sides turn out equal is marked as taken by both.
    private static List<MergeRegion> Refine(List<MergeRegion> regions, LineFile oursFile, LineFile theirsFile, int classCount, DiffScratch scratch)
    {
        var refined = new List<MergeRegion>(regions.Count);
        foreach (var region in regions)
        {
            if (region.Mode != RegionMode.Conflict || region.Count1 == 0 || region.Count2 == 0)
            {
                refined.Add(region);
                continue;
            }

            var script = LineDiff.Compute(
                oursFile.Classes.AsSpan(region.Start1, region.Count1),
                theirsFile.Classes.AsSpan(region.Start2, region.Count2),
                classCount, DiffAlgorithm.Histogram, default, default, scratch);
            if (script.Count == 0)
            {
                region.Mode = RegionMode.Both;
                refined.Add(region);
                continue;
            }

            foreach (var change in script)
            {
                refined.Add(new MergeRegion(
                    RegionMode.Conflict, region.Start0, region.Count0,
                    region.Start1 + change.OldStart, change.OldCount,
                    region.Start2 + change.NewStart, change.NewCount));
            }
        }

        return refined;
    }

    // xdl_simplify_non_conflicts: two conflicts at most three lines apart become one, since
    // showing the few lines between them twice takes no more room than separate markers.
    private static void JoinCloseConflicts(List<MergeRegion> regions)
    {
        int i = 0;
        while (i + 1 < regions.Count)
        {
            var m = regions[i];
            var next = regions[i + 1];
            int gap = next.Start1 - (m.Start1 + m.Count1);
            if (m.Mode != RegionMode.Conflict || next.Mode != RegionMode.Conflict || gap > 3)
            {
                i++;
                continue;
            }

            m.Count1 = next.Start1 + next.Count1 - m.Start1;
            m.Count2 = next.Start2 + next.Count2 - m.Start2;
            regions.RemoveAt(i + 1);
        }
    }

    // xdl_refine_zdiff3_conflicts: lines both sides agree on at a conflict's edges leave it.
    private static void TrimAgreeingEnds(List<MergeRegion> regions, LineFile oursFile, LineFile theirsFile)
    {
        var ours = oursFile.Classes;
        var theirs = theirsFile.Classes;
        foreach (var m in regions)
        {
            if (m.Mode != RegionMode.Conflict)
            {
                continue;
            }

            while (m.Count1 > 0 && m.Count2 > 0 && ours[m.Start1] == theirs[m.Start2])
            {
                m.Count1--;
                m.Count2--;
                m.Start1++;
                m.Start2++;
            }

            while (m.Count1 > 0 && m.Count2 > 0 && ours[m.Start1 + m.Count1 - 1] == theirs[m.Start2 + m.Count2 - 1])
            {
                m.Count1--;
                m.Count2--;
            }
        }
    }

    private enum RegionMode
    {
        Conflict = 0,
        Ours = 1,
        Theirs = 2,
        Both = 4,
    }

    /// <summary>
    /// One region of the merge: base lines [Start0, +Count0) became ours [Start1, +Count1) and
    /// theirs [Start2, +Count2). Mutable while regions are combined and refined.
    /// </summary>
    private sealed class MergeRegion(RegionMode mode, int start0, int count0, int start1, int count1, int start2, int count2)
    {
        public RegionMode Mode { get; set; } = mode;

        public int Start0 { get; } = start0;

        public int Count0 { get; set; } = count0;

        public int Start1 { get; set; } = start1;

        public int Count1 { get; set; } = count1;

        public int Start2 { get; set; } = start2;

        public int Count2 { get; set; } = count2;
    }

    /// <summary>Writes merge output from the three inputs (xdl_fill_merge_buffer).</summary>
    private readonly ref struct MergeWriter(
        ArrayBufferWriter<byte> output,
        ReadOnlySpan<byte> @base,
        ReadOnlySpan<byte> ours,
        ReadOnlySpan<byte> theirs,
        LineFile baseFile,
        LineFile oursFile,
        LineFile theirsFile)
    {
        private readonly ReadOnlySpan<byte> _base = @base;
        private readonly ReadOnlySpan<byte> _ours = ours;
        private readonly ReadOnlySpan<byte> _theirs = theirs;

        public void CopyOurs(int start, int count) => Copy(_ours, oursFile, start, count, addNewline: false, crlf: false);

        public void CopyTheirs(int start, int count) => Copy(_theirs, theirsFile, start, count, addNewline: false, crlf: false);

        public void Conflict(int next, MergeRegion m, TextMergeLabels labels, ConflictStyle style)
        {
            bool crlf = NeedsCr(m);
            Copy(_ours, oursFile, next, m.Start1 - next, addNewline: false, crlf: false);
            Marker((byte)'<', labels.Ours, labels.MarkerSize, crlf);
            Copy(_ours, oursFile, m.Start1, m.Count1, addNewline: true, crlf);
            if (style != ConflictStyle.Merge)
            {
                Marker((byte)'|', labels.Base, labels.MarkerSize, crlf);
                Copy(_base, baseFile, m.Start0, m.Count0, addNewline: true, crlf);
            }

            Marker((byte)'=', null, labels.MarkerSize, crlf);
            Copy(_theirs, theirsFile, m.Start2, m.Count2, addNewline: true, crlf);
            Marker((byte)'>', labels.Theirs, labels.MarkerSize, crlf);
        }

        private void Marker(byte c, string? label, int size, bool crlf)
        {
            int labelBytes = label is null ? 0 : System.Text.Encoding.UTF8.GetByteCount(label) + 1;
            var span = output.GetSpan(size + labelBytes + 2);
            span[..size].Fill(c);
            int written = size;
            if (label is not null)
            {
                span[written++] = (byte)' ';
                written += System.Text.Encoding.UTF8.GetBytes(label, span[written..]);
            }

            if (crlf)
            {
                span[written++] = (byte)'\r';
            }

            span[written++] = (byte)'\n';
            output.Advance(written);
        }

        // Lines [start, start + count) of a file; inside a conflict a last line lacking its newline
        // gets one, so the marker after it starts a line.
        private void Copy(ReadOnlySpan<byte> text, LineFile file, int start, int count, bool addNewline, bool crlf)
        {
            if (count < 1)
            {
                return;
            }

            int from = file.Starts[start], to = file.Starts[start + count];
            output.Write(text[from..to]);
            if (addNewline && text[to - 1] != (byte)'\n')
            {
                output.Write(crlf ? "\r\n"u8 : "\n"u8);
            }
        }

        // xdiff's is_cr_needed: markers use CRLF when the lines before the conflict on both sides
        // (or their first lines) and the base's first line end in CRLF.
        private bool NeedsCr(MergeRegion m)
        {
            int needsCr = EndsInCrlf(_ours, oursFile, m.Start1 > 0 ? m.Start1 - 1 : 0);
            if (needsCr != 0)
            {
                needsCr = EndsInCrlf(_theirs, theirsFile, m.Start2 > 0 ? m.Start2 - 1 : 0);
            }

            if (needsCr != 0)
            {
                needsCr = EndsInCrlf(_base, baseFile, 0);
            }

            return needsCr > 0;
        }

        // xdiff's is_eol_crlf: 1 for CRLF, 0 for LF, -1 when the file cannot tell.
        private static int EndsInCrlf(ReadOnlySpan<byte> text, LineFile file, int line)
        {
            if (line < file.Count - 1)
            {
                return IsCrlf(text, file, line);
            }

            if (file.Count == 0)
            {
                return -1;
            }

            if (text[file.Starts[line + 1] - 1] == (byte)'\n')
            {
                return IsCrlf(text, file, line);
            }

            return line == 0 ? -1 : IsCrlf(text, file, line - 1);
        }

        private static int IsCrlf(ReadOnlySpan<byte> text, LineFile file, int line)
        {
            int end = file.Starts[line + 1];
            return end - file.Starts[line] > 1 && text[end - 2] == (byte)'\r' ? 1 : 0;
        }
    }
}
