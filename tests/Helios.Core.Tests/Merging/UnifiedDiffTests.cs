using System.Text;
using Helios.Core.Errors;
using Helios.Core.Merging;
using Helios.Core.Objects;

namespace Helios.Core.Tests.Merging;

public class UnifiedDiffTests
{
    [Fact]
    public void A_modified_file_gets_git_headers_and_hunks_with_the_enclosing_function_name()
    {
        var patch = Format(
            File("src/m.c", "int main()\n{\n\ta();\n\tb();\n\tc();\n\td();\n\te();\n}\n", "1111111"),
            File("src/m.c", "int main()\n{\n\ta();\n\tb();\n\tc();\n\tD();\n\te();\n}\n", "2222222"));

        Assert.Equal(
            "diff --git a/src/m.c b/src/m.c\nindex 1111111..2222222 100644\n--- a/src/m.c\n+++ b/src/m.c\n" +
            "@@ -3,6 +3,6 @@ int main()\n \ta();\n \tb();\n \tc();\n-\td();\n+\tD();\n \te();\n }\n",
            patch);
    }

    [Fact]
    public void Created_and_deleted_files_diff_against_dev_null()
    {
        Assert.Equal(
            "diff --git a/n b/n\nnew file mode 100755\nindex 0000000..1111111\n--- /dev/null\n+++ b/n\n@@ -0,0 +1,2 @@\n+a\n+b\n",
            Format(null, File("n", "a\nb\n", "1111111", EntryKind.Executable)));
        Assert.Equal(
            "diff --git a/d b/d\ndeleted file mode 100644\nindex 1111111..0000000\n--- a/d\n+++ /dev/null\n@@ -1 +0,0 @@\n-a\n",
            Format(File("d", "a\n", "1111111"), null));
        Assert.Equal(
            "diff --git a/e b/e\nnew file mode 100644\nindex 0000000..e69de29\n",
            Format(null, File("e", "", "e69de29")));
    }

    [Fact]
    public void A_mode_change_alone_has_no_index_line_or_hunks()
    {
        Assert.Equal(
            "diff --git a/x b/x\nold mode 100644\nnew mode 100755\n",
            Format(File("x", "a\n", "1111111"), File("x", "a\n", "1111111", EntryKind.Executable)));
        Assert.Empty(Format(File("x", "a\n", "1111111"), File("x", "a\n", "1111111")));
    }

    [Fact]
    public void A_missing_final_newline_is_marked_after_the_line()
    {
        Assert.Equal(
            "diff --git a/f b/f\nindex 1111111..2222222 100644\n--- a/f\n+++ b/f\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+b\n",
            Format(File("f", "a\nb", "1111111"), File("f", "a\nb\n", "2222222")));
    }

    [Fact]
    public void Binary_content_is_reported_without_hunks()
    {
        Assert.Equal(
            "diff --git a/b.bin b/b.bin\nindex 1111111..2222222 100644\nBinary files a/b.bin and b/b.bin differ\n",
            Format(File("b.bin", "a\0", "1111111"), File("b.bin", "b\0", "2222222")));
        Assert.Equal(
            "diff --git a/b.bin b/b.bin\nnew file mode 100644\nindex 0000000..2222222\nBinary files /dev/null and b/b.bin differ\n",
            Format(null, File("b.bin", "b\0", "2222222")));
    }

    [Fact]
    public void A_symlink_replaced_by_a_file_is_a_deletion_and_a_creation()
    {
        Assert.Equal(
            "diff --git a/l b/l\ndeleted file mode 120000\nindex 1111111..0000000\n--- a/l\n+++ /dev/null\n@@ -1 +0,0 @@\n-target\n\\ No newline at end of file\n" +
            "diff --git a/l b/l\nnew file mode 100644\nindex 0000000..2222222\n--- /dev/null\n+++ b/l\n@@ -0,0 +1 @@\n+text\n",
            Format(File("l", "target", "1111111", EntryKind.Symlink), File("l", "text\n", "2222222")));
    }

    [Fact]
    public void Unusual_paths_are_quoted_and_names_with_spaces_get_a_tab()
    {
        Assert.StartsWith(
            "diff --git a/with space b/with space\nindex 1111111..2222222 100644\n--- a/with space\t\n+++ b/with space\t\n",
            Format(File("with space", "a\n", "1111111"), File("with space", "b\n", "2222222")));
        Assert.StartsWith(
            "diff --git \"a/tab\\there\" \"b/tab\\there\"\nindex 1111111..2222222 100644\n--- \"a/tab\\there\"\n+++ \"b/tab\\there\"\n",
            Format(File("tab\there", "a\n", "1111111"), File("tab\there", "b\n", "2222222")));
        Assert.StartsWith(
            "diff --git \"a/caf\\303\\251\" \"b/caf\\303\\251\"\n",
            Format(File("caf\u00e9", "a\n", "1111111"), File("caf\u00e9", "b\n", "2222222")));
    }

    [Fact]
    public void A_rename_writes_similarity_and_rename_lines()
    {
        var patch = Format(
            File("old name", "a\nb\nc\nd\n", "1111111"),
            File("new", "a\nb\nc\nD\n", "2222222"),
            new UnifiedDiffOptions { RenameSimilarity = 75 });

        Assert.Equal(
            "diff --git a/old name b/new\nsimilarity index 75%\nrename from old name\nrename to new\nindex 1111111..2222222 100644\n" +
            "--- a/old name\t\n+++ b/new\n@@ -1,4 +1,4 @@\n a\n b\n c\n-d\n+D\n",
            patch);
    }

    [Fact]
    public void Context_lines_are_configurable_and_close_changes_share_a_hunk()
    {
        const string Old = "1\n2\n3\n4\n5\n6\n7\n8\n9\n", New = "1\nX\n3\n4\n5\n6\n7\nY\n9\n";

        Assert.EndsWith(
            "@@ -1,9 +1,9 @@\n 1\n-2\n+X\n 3\n 4\n 5\n 6\n 7\n-8\n+Y\n 9\n",
            Format(File("f", Old, "1111111"), File("f", New, "2222222")));
        Assert.EndsWith(
            "@@ -2 +2 @@\n-2\n+X\n@@ -8 +8 @@\n-8\n+Y\n",
            Format(File("f", Old, "1111111"), File("f", New, "2222222"), new UnifiedDiffOptions { ContextLines = 0 }));
    }

    [Fact]
    public void Invalid_requests_are_rejected_with_invalid_argument()
    {
        Assert.Equal(HeliosErrorCode.InvalidArgument, Assert.Throws<HeliosException>(() => UnifiedDiff.Format(null, null)).Code);
        Assert.Equal(
            HeliosErrorCode.InvalidArgument,
            Assert.Throws<HeliosException>(() => UnifiedDiff.Format(File("a", "x\n", "1"), File("b", "y\n", "2"))).Code);
        Assert.Equal(
            HeliosErrorCode.InvalidArgument,
            Assert.Throws<HeliosException>(() => UnifiedDiff.Format(null, File("t", "", "1", EntryKind.Tree))).Code);
        Assert.Equal(
            HeliosErrorCode.InvalidArgument,
            Assert.Throws<HeliosException>(() => UnifiedDiff.Format(null, File("t", "", "1"), new UnifiedDiffOptions { ContextLines = -1 })).Code);
    }

    private static UnifiedDiffSide File(string path, string content, string id, EntryKind kind = EntryKind.File) =>
        new(path, kind, Encoding.UTF8.GetBytes(content), id);

    private static string Format(UnifiedDiffSide? oldSide, UnifiedDiffSide? newSide, UnifiedDiffOptions? options = null) =>
        Encoding.UTF8.GetString(UnifiedDiff.Format(oldSide, newSide, options));
}
