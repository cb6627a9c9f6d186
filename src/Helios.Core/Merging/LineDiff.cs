namespace Helios.Core.Merging;

/// <summary>
/// One changed region of a line diff: <see cref="OldCount"/> lines of the old file starting at
/// <see cref="OldStart"/> were replaced by <see cref="NewCount"/> lines of the new file starting at
/// <see cref="NewStart"/> (0-based line indices; a count may be 0 for a pure insertion or deletion,
/// and then its start is the line the change sits before).
/// </summary>
public readonly record struct LineChange(int OldStart, int OldCount, int NewStart, int NewCount);

/// <summary>Which of git's diff algorithms <see cref="LineDiff"/> runs.</summary>
public enum DiffAlgorithm
{
    /// <summary>git's default for <c>git diff</c>: Myers with xdiff's heuristics.</summary>
    Myers,

    /// <summary>What <c>git merge</c> (merge-ort) uses for content merges.</summary>
    Histogram,
}

/// <summary>
/// Line-level diff of two byte buffers, computed the way git's xdiff computes it so that hunks
/// agree with git: lines end at <c>\n</c> (CR is an ordinary byte; a last line without newline
/// differs from the same line with one), changes are found with <see cref="DiffAlgorithm.Myers"/>
/// or <see cref="DiffAlgorithm.Histogram"/>, then slid to canonical positions (xdiff's change
/// compaction, optionally with git diff's indent heuristic). Pure and thread-safe.
/// Cost: O(bytes) to split and hash lines, then for Myers O(N·D) over the lines between the first
/// and last change (D differences), its search capped near √N per split so that large unrelated
/// files stay far below O(N²); histogram is about O(N) per level of its recursion. No per-line
/// allocation.
/// </summary>
public static class LineDiff
{
    /// <summary>
    /// The changed regions from <paramref name="oldText"/> to <paramref name="newText"/>, in file
    /// order, never adjacent to one another. The defaults match <c>git diff</c>.
    /// </summary>
    public static IReadOnlyList<LineChange> Diff(
        ReadOnlySpan<byte> oldText,
        ReadOnlySpan<byte> newText,
        DiffAlgorithm algorithm = DiffAlgorithm.Myers,
        bool indentHeuristic = true)
    {
        int classCount = LineClassifier.Classify(oldText, newText, out var oldFile, out var newFile);
        return Compute(
            oldFile.Classes, newFile.Classes, classCount, algorithm,
            indentHeuristic ? new LineText(oldText, oldFile.Starts) : default,
            indentHeuristic ? new LineText(newText, newFile.Starts) : default);
    }

    /// <summary>
    /// The diff pipeline on classified lines (xdiff's xdl_do_diff, xdl_change_compact both ways,
    /// xdl_build_script). Texts are only needed for the indent heuristic; pass default to skip it.
    /// A <paramref name="scratch"/> shared by several calls must cover their classes and lines.
    /// </summary>
    internal static List<LineChange> Compute(
        ReadOnlySpan<int> a, ReadOnlySpan<int> b, int classCount, DiffAlgorithm algorithm, LineText textA, LineText textB,
        DiffScratch? scratch = null)
    {
        var changedA = new bool[a.Length + 2];
        var changedB = new bool[b.Length + 2];
        using var ownScratch = scratch is null ? new DiffScratch(classCount, Math.Max(a.Length, b.Length)) : null;
        var work = scratch ?? ownScratch!;
        if (algorithm == DiffAlgorithm.Histogram)
        {
            HistogramDiff.Diff(a, b, changedA.AsSpan(1, a.Length), changedB.AsSpan(1, b.Length), work);
        }
        else
        {
            MyersDiff.Diff(a, b, changedA.AsSpan(1, a.Length), changedB.AsSpan(1, b.Length), work);
        }

        ChangeCompaction.Compact(a, changedA, changedB, textA);
        ChangeCompaction.Compact(b, changedB, changedA, textB);
        return BuildScript(changedA, changedB);
    }

    // changed[i] is line i - 1; index 0 and the last index are false sentinels.
    private static List<LineChange> BuildScript(bool[] changedA, bool[] changedB)
    {
        var changes = new List<LineChange>();
        for (int i1 = changedA.Length - 2, i2 = changedB.Length - 2; i1 >= 0 || i2 >= 0; i1--, i2--)
        {
            if ((i1 > 0 && changedA[i1]) || (i2 > 0 && changedB[i2]))
            {
                int end1 = i1, end2 = i2;
                while (i1 > 0 && changedA[i1])
                {
                    i1--;
                }

                while (i2 > 0 && changedB[i2])
                {
                    i2--;
                }

                changes.Add(new LineChange(i1, end1 - i1, i2, end2 - i2));
            }
        }

        changes.Reverse();
        return changes;
    }
}
