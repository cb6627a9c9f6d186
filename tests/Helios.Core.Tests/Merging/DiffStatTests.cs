using Helios.Core.Merging;

namespace Helios.Core.Tests.Merging;

public class DiffStatTests
{
    [Fact]
    public void Each_file_gets_a_count_and_a_graph_then_a_summary_line()
    {
        var stat = DiffStat.Format([new DiffStatEntry("a.txt", 2, 1), new DiffStatEntry("dir/b.txt", 0, 10)]);

        Assert.Equal(
            " a.txt     |  3 ++-\n dir/b.txt | 10 ----------\n 2 files changed, 2 insertions(+), 11 deletions(-)\n",
            stat);
    }

    [Fact]
    public void The_summary_uses_singular_words_and_omits_a_zero_side()
    {
        Assert.Equal(" f | 1 +\n 1 file changed, 1 insertion(+)\n", DiffStat.Format([new DiffStatEntry("f", 1, 0)]));
        Assert.Equal(" f | 1 -\n 1 file changed, 1 deletion(-)\n", DiffStat.Format([new DiffStatEntry("f", 0, 1)]));
        Assert.Equal(" f | 0\n 1 file changed, 0 insertions(+), 0 deletions(-)\n", DiffStat.Format([new DiffStatEntry("f", 0, 0)]));
        Assert.Equal("", DiffStat.Format([]));
    }

    [Fact]
    public void Large_changes_are_scaled_to_the_width_keeping_a_mark_for_each_nonzero_side()
    {
        var stat = DiffStat.Format([new DiffStatEntry("a", 1000, 0), new DiffStatEntry("b", 1, 1)]);

        // 80 columns: " a | 1000 " then 69 marks.
        Assert.Equal(
            $" a | 1000 {new string('+', 69)}\n b |    2 +-\n 2 files changed, 1001 insertions(+), 1 deletion(-)\n",
            stat);
    }

    [Fact]
    public void Binary_files_show_their_sizes_and_do_not_count_as_lines()
    {
        var stat = DiffStat.Format([DiffStatEntry.ForBinary("b.bin", 10, 20), new DiffStatEntry("t", 1, 0)]);

        Assert.Equal(" b.bin | Bin 10 -> 20 bytes\n t     |   1 +\n 2 files changed, 1 insertion(+)\n", stat);
    }

    [Fact]
    public void Long_names_are_shortened_from_the_left_at_a_directory_boundary()
    {
        string path = "very/long/directory/name/that/goes/on/and/on/and/on/past/fifty/columns/file.txt";

        var stat = DiffStat.Format([new DiffStatEntry(path, 1, 0)]);

        // What git diff --stat prints for this path at 80 columns.
        Assert.Equal(
            " .../name/that/goes/on/and/on/and/on/past/fifty/columns/file.txt          | 1 +\n 1 file changed, 1 insertion(+)\n",
            stat);
    }

    [Fact]
    public void Text_entries_count_the_lines_of_a_line_diff()
    {
        var changes = LineDiff.Diff("a\nb\nc\n"u8, "a\nB\nc\nd\n"u8);

        Assert.Equal(new DiffStatEntry("f", 2, 1), DiffStatEntry.ForText("f", changes));
    }
}
