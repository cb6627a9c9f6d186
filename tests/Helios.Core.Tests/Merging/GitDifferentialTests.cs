using System.Buffers;
using System.Text;
using Helios.Core.Merging;
using Helios.Core.Objects;

namespace Helios.Core.Tests.Merging;

/// <summary>
/// Compares the merging layer with real git on a few hundred seeded random files at once: one
/// <c>git merge-tree</c> (merge-ort, what <c>git merge</c> runs) per conflict style, one
/// <c>git diff</c> and <c>git diff --stat</c> between two commits, and one <c>git apply --cached</c>
/// of our patch text. Outputs must be byte-identical.
/// </summary>
public sealed class GitDifferentialTests
{
    private const int MergeCases = 500;
    private const int DiffCaseCount = 600;

    [Fact]
    public void Merges_agree_with_git_merge_byte_for_byte_in_every_conflict_style()
    {
        var random = new RandomText(20240611);
        var r = random.Random;
        var cases = new List<MergeCase>();
        for (int i = 0; i < MergeCases; i++)
        {
            // A few large files whose repeated lines occur more than 64 times push the histogram
            // diff into its Myers fallback.
            List<string> baseLines, oursLines, theirsLines;
            var nearOurs = new List<int>();
            if (i < 8)
            {
                // A few distinct lines, each far more than 64 times, so the histogram diff falls
                // back to Myers.
                baseLines = random.PoolLines(r.Next(200, 600), 2 + (i % 3));
                oursLines = random.Edit(baseLines, 40, [], nearOurs);
                theirsLines = random.Edit(baseLines, 40, nearOurs, []);
            }
            else if (i % 3 == 0)
            {
                baseLines = random.CodeLines(r.Next(1, 6));
                oursLines = random.EditChunks(baseLines, 3);
                theirsLines = random.EditChunks(baseLines, 3);
            }
            else
            {
                baseLines = random.Lines(30);
                oursLines = random.Edit(baseLines, 4, [], nearOurs);
                theirsLines = r.Next(10) == 0
                    ? random.Edit(oursLines, 1, nearOurs, [])
                    : random.Edit(baseLines, 4, nearOurs, []);
            }

            // Mostly one line ending per case; sometimes the sides disagree (markers follow the sides).
            bool crlf = r.Next(10) == 0;
            bool mixed = r.Next(12) == 0;
            bool baseNewline = r.Next(6) != 0;
            bool oursNewline = r.Next(8) == 0 ? !baseNewline : baseNewline;
            bool theirsNewline = r.Next(8) == 0 ? !baseNewline : baseNewline;
            cases.Add(new MergeCase(
                $"f{i:D3}",
                RandomText.Render(baseLines, baseNewline, mixed ? r.Next(2) == 0 : crlf),
                RandomText.Render(oursLines, oursNewline, mixed ? r.Next(2) == 0 : crlf),
                RandomText.Render(theirsLines, theirsNewline, mixed ? r.Next(2) == 0 : crlf)));
        }

        using var git = new GitScratchRepository();
        git.Commit("base", cases.Select(c => new ScratchFile(c.Path, "100644", c.Base)));
        git.Commit("ours", cases.Select(c => new ScratchFile(c.Path, "100644", c.Ours)), parent: "base");
        git.Commit("theirs", cases.Select(c => new ScratchFile(c.Path, "100644", c.Theirs)), parent: "base");
        string baseLabel = git.RunText(["rev-parse", "--short", "base"]).Trim();
        var labels = new TextMergeLabels("ours", "theirs", baseLabel);

        var failures = new List<string>();
        int conflicted = 0;
        foreach (var (style, name) in new[] { (ConflictStyle.Merge, "merge"), (ConflictStyle.Diff3, "diff3"), (ConflictStyle.ZealousDiff3, "zdiff3") })
        {
            var output = git.RunText(
                ["-c", "merge.conflictStyle=" + name, "merge-tree", "--write-tree", "-z", "--name-only", "ours", "theirs"], null, 0, 1);
            var fields = output.Split('\0');
            string tree = fields[0];
            var conflicts = fields.Skip(1).TakeWhile(f => f.Length > 0).ToHashSet(StringComparer.Ordinal);
            var merged = git.ReadObjects(cases.Select(c => $"{tree}:{c.Path}").ToList());
            for (int i = 0; i < cases.Count; i++)
            {
                var c = cases[i];
                var result = TextMerge.Merge(c.Base, c.Ours, c.Theirs, labels, style);
                bool gitClean = !conflicts.Contains(c.Path);
                if (!result.Content.AsSpan().SequenceEqual(merged[i]) || result.IsClean != gitClean)
                {
                    failures.Add(
                        $"{c.Path} ({name}): git {(gitClean ? "clean" : "conflict")}, ours {(result.IsClean ? "clean" : "conflict")}\n" +
                        $"--- base\n{RandomText.Show(c.Base)}\n--- ours\n{RandomText.Show(c.Ours)}\n--- theirs\n{RandomText.Show(c.Theirs)}\n" +
                        $"--- git\n{RandomText.Show(merged[i])}\n--- helios\n{RandomText.Show(result.Content)}");
                }

                if (!gitClean && style == ConflictStyle.Merge)
                {
                    conflicted++;
                }
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} merges differ from git; first:\n{string.Join("\n=====\n", failures.Take(2))}");

        // The generator must exercise both outcomes, or the comparison proves little.
        Assert.InRange(conflicted, MergeCases / 10, MergeCases * 9 / 10);
    }

    [Fact]
    public void Unified_diffs_and_stats_agree_with_git_diff_and_apply_with_git_apply()
    {
        var cases = DiffCases(new RandomText(8675309));

        using var git = new GitScratchRepository();
        git.Commit("old", cases.Where(c => c.Old is not null).Select(c => c.Old!));
        git.Commit("new", cases.Where(c => c.New is not null).Select(c => c.New!));

        var patch = Patch(cases, new UnifiedDiffOptions());
        var stats = new List<DiffStatEntry>();
        foreach (var c in cases.OrderBy(c => c.Path, StringComparer.Ordinal))
        {
            if (UnifiedDiff.Format(Side(c.Old), Side(c.New)).Length == 0)
            {
                continue;
            }

            var oldContent = c.Old?.Content ?? [];
            var newContent = c.New?.Content ?? [];
            stats.Add(TextMerge.IsBinary(oldContent) || TextMerge.IsBinary(newContent)
                ? DiffStatEntry.ForBinary(c.Path, oldContent.Length, newContent.Length)
                : DiffStatEntry.ForText(c.Path, LineDiff.Diff(oldContent, newContent)));
        }

        AssertSamePatch(git.Run(["diff", "--no-renames", "--full-index", "old", "new"]), patch);
        foreach (int context in new[] { 0, 1 })
        {
            AssertSamePatch(
                git.Run(["diff", "--no-renames", "--full-index", $"-U{context}", "old", "new"]),
                Patch(cases, new UnifiedDiffOptions { ContextLines = context }));
        }

        var expectedStat = git.RunText(["diff", "--no-renames", "--stat", "old", "new"]);
        Assert.Equal(expectedStat, DiffStat.Format(stats));
        foreach (int width in new[] { 40, 60, 120 })
        {
            Assert.Equal(git.RunText(["diff", "--no-renames", $"--stat={width}", "old", "new"]), DiffStat.Format(stats, width));
        }

        git.Run(["read-tree", "old"]);
        git.Run(["apply", "--cached", "-"], patch);
        Assert.Equal(git.RunText(["rev-parse", "new^{tree}"]).Trim(), git.RunText(["write-tree"]).Trim());
    }

    [Fact]
    public void Zero_context_diffs_drop_the_common_tail_first_as_git_does()
    {
        // Without context git diffs the files minus their common tail (whole KiB blocks), which
        // changes line counts and partners, and so, now and then, the alignment found.
        var random = new RandomText(4242);
        var r = random.Random;
        var cases = new List<DiffCase>();
        for (int i = 0; i < 1500; i++)
        {
            var tail = random.PoolLines(r.Next(300, 700), 5);
            var middle = random.PoolLines(r.Next(20, 120), 5);
            var oldMiddle = middle.Select(l => r.NextDouble() < 0.3 ? random.NewLine(0) : l).ToList();
            var newMiddle = middle.Select(l => r.NextDouble() < 0.6 ? random.NewLine(0.5) : l).ToList();
            cases.Add(new DiffCase(
                $"t{i:D4}",
                new ScratchFile($"t{i:D4}", "100644", RandomText.Render([.. oldMiddle, .. tail], true, false)),
                new ScratchFile($"t{i:D4}", "100644", RandomText.Render([.. newMiddle, .. tail], true, false))));
        }

        using var git = new GitScratchRepository();
        git.Commit("old", cases.Select(c => c.Old!));
        git.Commit("new", cases.Select(c => c.New!));

        AssertSamePatch(git.Run(["diff", "--full-index", "-U0", "old", "new"]), Patch(cases, new UnifiedDiffOptions { ContextLines = 0 }));
    }

    [Fact]
    public void Renames_agree_with_git_diff_given_its_similarity_index()
    {
        var random = new RandomText(99);
        var oldLines = random.Lines(30, 0.1);
        var oldContent = RandomText.Render(oldLines, true, false);
        var newContent = RandomText.Render(random.Edit(oldLines, 2, [], []), true, false);
        using var git = new GitScratchRepository();
        git.Commit("old", [new ScratchFile("dir/old name.txt", "100644", oldContent)]);
        git.Commit("new", [new ScratchFile("new\tname.txt", "100755", newContent)]);

        var expected = git.RunText(["diff", "-M", "--full-index", "old", "new"]);
        int similarity = int.Parse(expected.Split('\n').Single(l => l.StartsWith("similarity index ", StringComparison.Ordinal))[17..^1]);
        var patch = UnifiedDiff.Format(
            new UnifiedDiffSide("dir/old name.txt", EntryKind.File, oldContent, GitScratchRepository.BlobId(oldContent)),
            new UnifiedDiffSide("new\tname.txt", EntryKind.Executable, newContent, GitScratchRepository.BlobId(newContent)),
            new UnifiedDiffOptions { RenameSimilarity = similarity });

        Assert.Equal(expected, Encoding.UTF8.GetString(patch));
        git.Run(["read-tree", "old"]);
        git.Run(["apply", "--cached", "-"], patch);
        Assert.Equal(git.RunText(["rev-parse", "new^{tree}"]).Trim(), git.RunText(["write-tree"]).Trim());
    }

    private static List<DiffCase> DiffCases(RandomText random)
    {
        var r = random.Random;
        var cases = new List<DiffCase>();
        for (int i = 0; i < DiffCaseCount; i++)
        {
            string path = (i % 40) switch
            {
                10 => i % 80 == 10 ? $"with space {i}" : $"tab\there{i}",
                11 => i % 80 == 11 ? $"caf\u00e9/\u00fcber{i}" : $"quote\"and\\slash{i}",
                _ => $"d{i:D3}",
            };
            bool crlf = r.Next(12) == 0;
            List<string> oldLines, newLines;
            if (i >= DiffCaseCount - 8)
            {
                // Large rewrites: edit costs past xdiff's heuristic thresholds (256) and its cost
                // limit, with runs of common lines both shorter and longer than its snake length (20).
                oldLines = random.Lines(3000, 0.6);
                newLines = random.Rewrite(oldLines, 0.5, (i % 3) switch { 0 => 1, 1 => 15, _ => 25 });
            }
            else if (i % 3 == 1)
            {
                oldLines = random.CodeLines(r.Next(1, 8));
                newLines = random.EditChunks(oldLines, 4);
            }
            else if (i % 3 == 2)
            {
                oldLines = random.IndentedLines(40);
                newLines = random.EditChunks(oldLines, 4);
            }
            else
            {
                oldLines = random.Lines(40, 0.5);
                newLines = random.Edit(oldLines, 6, [], []);
            }

            bool oldNewline = r.Next(6) != 0;
            bool newNewline = r.Next(6) == 0 ? !oldNewline : oldNewline;
            var oldContent = RandomText.Render(oldLines, oldNewline, crlf);
            var newContent = RandomText.Render(newLines, newNewline, crlf);
            ScratchFile? File(byte[] content, string mode = "100644") => new(path, mode, content);
            var binary = new byte[] { 1, 0, 2, 3 };
            cases.Add((i % 40) switch
            {
                0 => new DiffCase(path, null, File(newContent)),
                1 => new DiffCase(path, File(oldContent), null),
                2 => new DiffCase(path, File(oldContent), File([.. newContent, .. binary])),
                3 => new DiffCase(path, File(oldContent), File(oldContent, "100755")),
                4 => new DiffCase(path, File(oldContent, "100755"), File(newContent)),
                5 => new DiffCase(path, File("target/one"u8.ToArray(), "120000"), File("target/two"u8.ToArray(), "120000")),
                6 => new DiffCase(path, File("target"u8.ToArray(), "120000"), File(newContent)),
                7 => new DiffCase(path, null, File([])),
                8 => new DiffCase(path, File(oldContent), File([])),
                9 => new DiffCase(path, null, File(binary, "100755")),
                _ => new DiffCase(path, File(oldContent), File(newContent)),
            });
        }

        return cases;
    }

    private static byte[] Patch(List<DiffCase> cases, UnifiedDiffOptions options)
    {
        var patch = new ArrayBufferWriter<byte>();
        foreach (var c in cases.OrderBy(c => c.Path, StringComparer.Ordinal))
        {
            UnifiedDiff.Append(patch, Side(c.Old), Side(c.New), options);
        }

        return patch.WrittenSpan.ToArray();
    }

    private static UnifiedDiffSide? Side(ScratchFile? file) => file is null ? null : new UnifiedDiffSide(
        file.Path,
        file.Mode switch { "100755" => EntryKind.Executable, "120000" => EntryKind.Symlink, _ => EntryKind.File },
        file.Content,
        GitScratchRepository.BlobId(file.Content));

    private static void AssertSamePatch(ReadOnlySpan<byte> expected, ReadOnlySpan<byte> actual)
    {
        if (expected.SequenceEqual(actual))
        {
            return;
        }

        var expectedFiles = SplitFiles(Encoding.UTF8.GetString(expected));
        var actualFiles = SplitFiles(Encoding.UTF8.GetString(actual));
        int differing = 0;
        var shown = new StringBuilder();
        for (int i = 0; i < Math.Max(expectedFiles.Count, actualFiles.Count); i++)
        {
            string e = i < expectedFiles.Count ? expectedFiles[i] : "(none)";
            string a = i < actualFiles.Count ? actualFiles[i] : "(none)";
            if (e != a && differing++ < 2)
            {
                shown.Append("--- git\n").Append(e).Append("--- helios\n").Append(a).Append("=====\n");
            }
        }

        Assert.Fail($"{differing} file patches differ from git diff:\n{shown}");
    }

    private static List<string> SplitFiles(string patch) =>
        patch.Split("\ndiff --git ").Select((p, i) => i == 0 ? p + "\n" : "diff --git " + p + "\n").ToList();

    private sealed record MergeCase(string Path, byte[] Base, byte[] Ours, byte[] Theirs);

    private sealed record DiffCase(string Path, ScratchFile? Old, ScratchFile? New);
}
