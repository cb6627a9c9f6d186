using System.Text;
using Helios.Core.Merging;

namespace Helios.Core.Tests.Merging;

public class TextMergeTests
{
    private static readonly TextMergeLabels Labels = new("ours", "theirs", "base");

    [Fact]
    public void Edits_separated_by_an_unchanged_line_merge_cleanly()
    {
        var result = Merge("1\n2\n3\n4\n5\n", "1\nA\n3\n4\n5\n", "1\n2\n3\nB\n5\n");

        Assert.True(result.IsClean);
        Assert.Equal(0, result.ConflictCount);
        Assert.Equal("1\nA\n3\nB\n5\n", Text(result));
    }

    [Fact]
    public void Edits_on_adjacent_lines_conflict()
    {
        var result = Merge("1\n2\n3\n4\n", "1\nA\n3\n4\n", "1\n2\nB\n4\n");

        Assert.False(result.IsClean);
        Assert.Equal(1, result.ConflictCount);
        Assert.Equal("1\n<<<<<<< ours\nA\n3\n=======\n2\nB\n>>>>>>> theirs\n4\n", Text(result));
    }

    [Fact]
    public void Identical_changes_on_both_sides_are_taken_once()
    {
        var result = Merge("1\n2\n3\n", "1\nX\n3\n4\n", "1\nX\n3\n");

        Assert.True(result.IsClean);
        Assert.Equal("1\nX\n3\n4\n", Text(result));
    }

    [Fact]
    public void A_line_deleted_on_one_side_and_modified_on_the_other_conflicts()
    {
        var result = Merge("1\n2\n3\n", "1\n3\n", "1\nB\n3\n");

        Assert.Equal(1, result.ConflictCount);
        Assert.Equal("1\n<<<<<<< ours\n=======\nB\n>>>>>>> theirs\n3\n", Text(result));
    }

    [Fact]
    public void Deleting_everything_against_a_modification_conflicts()
    {
        var result = Merge("a\nb\n", "", "a\nB\n");

        Assert.Equal("<<<<<<< ours\n=======\na\nB\n>>>>>>> theirs\n", Text(result));
    }

    [Fact]
    public void A_last_line_without_newline_gets_one_inside_a_conflict()
    {
        var result = Merge("a\nb", "a\nc", "a\nd");

        Assert.Equal("a\n<<<<<<< ours\nc\n=======\nd\n>>>>>>> theirs\n", Text(result));
    }

    [Fact]
    public void A_missing_final_newline_outside_conflicts_is_kept()
    {
        Assert.Equal("A\nb\nc\nD", Text(Merge("a\nb\nc\nd", "A\nb\nc\nd", "a\nb\nc\nD")));
        Assert.Equal("A\nb\nc\nd\n", Text(Merge("a\nb\nc\nd", "A\nb\nc\nd", "a\nb\nc\nd\n")));
    }

    [Fact]
    public void Different_additions_to_an_empty_file_conflict_and_equal_ones_merge()
    {
        Assert.Equal("<<<<<<< ours\nx\n=======\ny\n>>>>>>> theirs\n", Text(Merge("", "x\n", "y\n")));
        Assert.True(Merge("", "x\n", "x\n").IsClean);
    }

    [Fact]
    public void Conflict_markers_end_in_crlf_when_the_file_uses_crlf()
    {
        var result = Merge("a\r\nb\r\nc\r\n", "a\r\nX\r\nc\r\n", "a\r\nY\r\nc\r\n");

        Assert.Equal("a\r\n<<<<<<< ours\r\nX\r\n=======\r\nY\r\n>>>>>>> theirs\r\nc\r\n", Text(result));
    }

    [Fact]
    public void A_side_whose_line_ending_cannot_be_told_follows_the_other_side_and_the_base()
    {
        // Ours is one line without a newline; theirs and the base use CRLF, so git writes CRLF
        // markers and ends ours' line with CRLF too.
        var result = Merge("a\r\nb\r\n", "x", "y\r\n");

        Assert.Equal("<<<<<<< ours\r\nx\r\n=======\r\ny\r\n>>>>>>> theirs\r\n", Text(result));
    }

    [Fact]
    public void Crlf_line_endings_are_ordinary_bytes_when_comparing_lines()
    {
        var result = Merge("a\nb\nc\n", "a\r\nb\nc\n", "a\nb\nc\r\n");

        Assert.True(result.IsClean);
        Assert.Equal("a\r\nb\nc\r\n", Text(result));
    }

    [Fact]
    public void Diff3_style_shows_the_base_lines_of_each_conflict()
    {
        var result = Merge("1\n2\n3\n", "1\nA\n3\n", "1\nB\n3\n", ConflictStyle.Diff3);

        Assert.Equal("1\n<<<<<<< ours\nA\n||||||| base\n2\n=======\nB\n>>>>>>> theirs\n3\n", Text(result));
    }

    [Fact]
    public void Conflicts_are_narrowed_to_the_lines_the_sides_disagree_on_except_in_diff3()
    {
        const string Base = "1\n2\n3\n4\n5\n", Ours = "1\nA\nX\nC\n5\n", Theirs = "1\nA\nY\nC\n5\n";

        Assert.Equal("1\nA\n<<<<<<< ours\nX\n=======\nY\n>>>>>>> theirs\nC\n5\n", Text(Merge(Base, Ours, Theirs)));
        Assert.Equal(
            "1\n<<<<<<< ours\nA\nX\nC\n||||||| base\n2\n3\n4\n=======\nA\nY\nC\n>>>>>>> theirs\n5\n",
            Text(Merge(Base, Ours, Theirs, ConflictStyle.Diff3)));
        Assert.Equal(
            "1\nA\n<<<<<<< ours\nX\n||||||| base\n2\n3\n4\n=======\nY\n>>>>>>> theirs\nC\n5\n",
            Text(Merge(Base, Ours, Theirs, ConflictStyle.ZealousDiff3)));
    }

    [Fact]
    public void Conflicts_at_most_three_lines_apart_are_joined_into_one()
    {
        const string Base = "0\n1\n2\n3\n4\n5\n6\n7\n8\n";

        var near = Merge(Base, "0\no1\n2\n3\n4\no5\n6\n7\n8\n", "0\nt1\n2\n3\n4\nt5\n6\n7\n8\n");
        var far = Merge(Base, "0\no1\n2\n3\n4\n5\no6\n7\n8\n", "0\nt1\n2\n3\n4\n5\nt6\n7\n8\n");

        Assert.Equal(1, near.ConflictCount);
        Assert.Equal("0\n<<<<<<< ours\no1\n2\n3\n4\no5\n=======\nt1\n2\n3\n4\nt5\n>>>>>>> theirs\n6\n7\n8\n", Text(near));
        Assert.Equal(2, far.ConflictCount);
    }

    [Fact]
    public void When_one_side_is_unchanged_the_other_side_is_taken_verbatim()
    {
        Assert.Equal("x\r\ny", Text(Merge("a\n", "a\n", "x\r\ny")));
        Assert.Equal("x\r\ny", Text(Merge("a\n", "x\r\ny", "a\n")));
    }

    [Fact]
    public void Null_labels_write_bare_markers()
    {
        var result = TextMerge.Merge("a\n"u8, "b\n"u8, "c\n"u8, new TextMergeLabels(null, null));

        Assert.Equal("<<<<<<<\nb\n=======\nc\n>>>>>>>\n", Encoding.UTF8.GetString(result.Content));
    }

    [Fact]
    public void Binary_files_changed_on_both_sides_are_a_conflict_that_keeps_ours()
    {
        var result = TextMerge.Merge("a\0"u8, "b\0"u8, "c\0"u8, Labels);

        Assert.True(result.IsBinary);
        Assert.Equal(1, result.ConflictCount);
        Assert.Equal("b\0"u8.ToArray(), result.Content);
        Assert.True(TextMerge.Merge("a\0"u8, "a\0"u8, "c\0"u8, Labels).IsClean);
    }

    [Fact]
    public void Content_is_binary_when_a_nul_byte_is_among_the_first_8000_bytes()
    {
        var data = new byte[9000];
        data.AsSpan().Fill((byte)'x');
        Assert.False(TextMerge.IsBinary(data));

        data[7999] = 0;
        Assert.True(TextMerge.IsBinary(data));

        data[7999] = (byte)'x';
        data[8000] = 0;
        Assert.False(TextMerge.IsBinary(data));
        Assert.False(TextMerge.IsBinary([]));
    }

    private static TextMergeResult Merge(string @base, string ours, string theirs, ConflictStyle style = ConflictStyle.Merge) =>
        TextMerge.Merge(Encoding.UTF8.GetBytes(@base), Encoding.UTF8.GetBytes(ours), Encoding.UTF8.GetBytes(theirs), Labels, style);

    private static string Text(TextMergeResult result) => Encoding.UTF8.GetString(result.Content);
}
