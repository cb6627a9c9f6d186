using System.Diagnostics;
using System.Text;
using Helios.Core.Merging;
using Xunit.Abstractions;

namespace Helios.Core.Tests.Merging;

public class LineDiffTests(ITestOutputHelper output)
{
    [Fact]
    public void Identical_files_have_no_changes()
    {
        Assert.Empty(Diff("a\nb\n", "a\nb\n"));
        Assert.Empty(Diff("", ""));
    }

    [Fact]
    public void Insertions_deletions_and_replacements_are_reported_as_line_ranges()
    {
        Assert.Equal([new LineChange(2, 0, 2, 1)], Diff("a\nb\nc\n", "a\nb\nx\nc\n"));
        Assert.Equal([new LineChange(1, 1, 1, 0)], Diff("a\nb\nc\n", "a\nc\n"));
        Assert.Equal([new LineChange(1, 1, 1, 1)], Diff("a\nb\nc\n", "a\nB\nc\n"));
        Assert.Equal([new LineChange(0, 1, 0, 0), new LineChange(3, 0, 2, 1)], Diff("a\nb\nc\n", "b\nc\nd\n"));
    }

    [Fact]
    public void Empty_files_diff_as_whole_insertions_or_deletions()
    {
        Assert.Equal([new LineChange(0, 0, 0, 2)], Diff("", "a\nb"));
        Assert.Equal([new LineChange(0, 2, 0, 0)], Diff("a\nb\n", ""));
    }

    [Fact]
    public void A_last_line_without_newline_differs_from_the_same_line_with_one()
    {
        Assert.Equal([new LineChange(1, 1, 1, 1)], Diff("a\nb", "a\nb\n"));
    }

    [Fact]
    public void Crlf_is_part_of_the_line()
    {
        Assert.Equal([new LineChange(0, 1, 0, 1)], Diff("a\r\nb\n", "a\nb\n"));
    }

    [Fact]
    public void The_indent_heuristic_moves_an_ambiguous_insertion_where_git_diff_puts_it()
    {
        // git diff shows "+}\n+\treturn 0;" first; with diff.indentHeuristic=false it shows them after the first "}".
        const string Old = "}\n}\n\treturn 0;\n", New = "}\n\treturn 0;\n}\n}\n\treturn 0;\n";

        Assert.Equal([new LineChange(0, 0, 0, 2)], LineDiff.Diff(Bytes(Old), Bytes(New)));
        Assert.Equal([new LineChange(1, 0, 1, 2)], LineDiff.Diff(Bytes(Old), Bytes(New), indentHeuristic: false));
    }

    [Fact]
    public void Histogram_anchors_on_unique_lines_where_myers_takes_the_longest_common_run()
    {
        // Myers keeps the three "x" lines; histogram keeps the unique "u" and gives up the rest.
        const string Old = "x\nx\nx\nu\n", New = "u\nx\nx\nx\n";

        var myers = LineDiff.Diff(Bytes(Old), Bytes(New));
        var histogram = LineDiff.Diff(Bytes(Old), Bytes(New), DiffAlgorithm.Histogram, indentHeuristic: false);

        Assert.Equal([new LineChange(0, 0, 0, 1), new LineChange(3, 1, 4, 0)], myers);
        Assert.Equal([new LineChange(0, 3, 0, 0), new LineChange(4, 0, 1, 3)], histogram);
    }

    [Fact]
    public void A_10000_line_file_with_a_few_changes_diffs_in_well_under_a_millisecond_on_a_quiet_machine()
    {
        var random = new Random(5);
        var lines = Enumerable.Range(0, 10_000).Select(i => $"    line {i} {random.Next()} some typical source text;").ToList();
        var old = Bytes(string.Join("\n", lines) + "\n");
        lines[1200] = "changed";
        lines.Insert(5000, "inserted");
        lines.RemoveAt(8000);
        var changed = Bytes(string.Join("\n", lines) + "\n");

        Assert.Equal(3, LineDiff.Diff(old, changed).Count);
        Assert.Equal(3, LineDiff.Diff(old, changed, DiffAlgorithm.Histogram).Count);
        double myers = MedianMilliseconds(() => LineDiff.Diff(old, changed));
        double histogram = MedianMilliseconds(() => LineDiff.Diff(old, changed, DiffAlgorithm.Histogram, indentHeuristic: false));
        double merge = MedianMilliseconds(() => TextMerge.Merge(old, changed, old.AsSpan(0, old.Length - 1), new TextMergeLabels("a", "b")));
        output.WriteLine($"10,000 lines, median: Myers diff {myers:F3} ms, histogram diff {histogram:F3} ms, merge {merge:F3} ms");

        // Generous bounds: the machine may be busy; the figures above are the measurement.
        Assert.InRange(myers, 0, 20);
        Assert.InRange(merge, 0, 40);
    }

    [Fact]
    public void Large_unrelated_files_stay_fast_because_the_search_cost_is_capped()
    {
        var random = new Random(9);
        var a = Bytes(string.Concat(Enumerable.Range(0, 40_000).Select(_ => random.Next(2) == 0 ? "a\n" : "b\n")));
        var b = Bytes(string.Concat(Enumerable.Range(0, 40_000).Select(_ => random.Next(2) == 0 ? "a\n" : "b\n")));

        var stopwatch = Stopwatch.StartNew();
        var changes = LineDiff.Diff(a, b);
        output.WriteLine($"40,000 vs 40,000 two-letter lines: {changes.Count} changes in {stopwatch.ElapsedMilliseconds} ms");

        Assert.NotEmpty(changes);
        Assert.InRange(stopwatch.ElapsedMilliseconds, 0, 5_000);
        Assert.Equal(b, Apply(a, b, changes));
    }

    private static double MedianMilliseconds(Action action)
    {
        for (int i = 0; i < 20; i++)
        {
            action();
        }

        var samples = new double[51];
        for (int i = 0; i < samples.Length; i++)
        {
            long start = Stopwatch.GetTimestamp();
            action();
            samples[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }

        Array.Sort(samples);
        return samples[samples.Length / 2];
    }

    // Rebuilds the new file from the old one and the changes: proves the script is a valid edit.
    private static byte[] Apply(byte[] oldText, byte[] newText, IReadOnlyList<LineChange> changes)
    {
        var oldLines = SplitKeepingNewlines(oldText);
        var newLines = SplitKeepingNewlines(newText);
        var result = new List<byte>();
        int next = 0;
        foreach (var change in changes)
        {
            for (; next < change.OldStart; next++)
            {
                result.AddRange(oldLines[next]);
            }

            for (int i = 0; i < change.NewCount; i++)
            {
                result.AddRange(newLines[change.NewStart + i]);
            }

            next = change.OldStart + change.OldCount;
        }

        for (; next < oldLines.Count; next++)
        {
            result.AddRange(oldLines[next]);
        }

        return [.. result];
    }

    private static List<byte[]> SplitKeepingNewlines(byte[] text)
    {
        var lines = new List<byte[]>();
        int start = 0;
        while (start < text.Length)
        {
            int newline = Array.IndexOf(text, (byte)'\n', start);
            int end = newline < 0 ? text.Length : newline + 1;
            lines.Add(text[start..end]);
            start = end;
        }

        return lines;
    }

    private static IReadOnlyList<LineChange> Diff(string oldText, string newText) => LineDiff.Diff(Bytes(oldText), Bytes(newText));

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);
}
