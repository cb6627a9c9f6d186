using Helios.Core.WorkingTrees;

namespace Helios.Core.Tests.WorkingTrees;

/// <summary>
/// One focused test per gitignore(5) rule, then differential tests that walk generated and
/// hand-written trees and compare every decision with real git (<see cref="GitIgnoreOracle"/>).
/// </summary>
public class IgnoreRulesTests
{
    [Fact]
    public void None_ignores_nothing()
    {
        Assert.False(IgnoreRules.None.IsIgnored("a", isDirectory: false));
        Assert.False(IgnoreRules.None.IsIgnored("a/b", isDirectory: true));
    }

    [Fact]
    public void Blank_lines_and_comments_are_not_patterns()
    {
        var rules = Root("\n# node_modules\n   \n#\nkept\n");
        Assert.False(rules.IsIgnored("# node_modules", false));
        Assert.False(rules.IsIgnored("node_modules", true));
        Assert.True(rules.IsIgnored("kept", false));

        // A line of only spaces trims to nothing; it neither matches a name of spaces nor everything.
        Assert.False(rules.IsIgnored("   ", false));
    }

    [Fact]
    public void Escaped_hash_bang_and_space_are_literal()
    {
        var rules = Root("\\#notes\n\\!important\ntrail\\ \n\\ lead\n");
        Assert.True(rules.IsIgnored("#notes", false));
        Assert.True(rules.IsIgnored("!important", false));
        Assert.False(rules.IsIgnored("important", false));
        Assert.True(rules.IsIgnored("trail ", false));
        Assert.False(rules.IsIgnored("trail", false));
        Assert.True(rules.IsIgnored(" lead", false));
    }

    [Fact]
    public void Trailing_unescaped_spaces_are_trimmed_and_leading_spaces_kept()
    {
        var rules = Root("spaced   \nkeep\\  \n  indented\n");
        Assert.True(rules.IsIgnored("spaced", false));
        Assert.False(rules.IsIgnored("spaced   ", false));
        Assert.True(rules.IsIgnored("keep ", false));
        Assert.False(rules.IsIgnored("keep  ", false));
        Assert.True(rules.IsIgnored("  indented", false));
        Assert.False(rules.IsIgnored("indented", false));
    }

    [Fact]
    public void Negation_re_includes_a_file_ignored_by_an_earlier_pattern()
    {
        var rules = Root("*.log\n!keep.log\n");
        Assert.True(rules.IsIgnored("debug.log", false));
        Assert.False(rules.IsIgnored("keep.log", false));
        Assert.False(rules.IsIgnored("sub/keep.log", false));
    }

    [Fact]
    public void The_last_matching_pattern_wins_within_a_file()
    {
        var rules = Root("!keep.log\n*.log\n");
        Assert.True(rules.IsIgnored("keep.log", false));
    }

    [Fact]
    public void A_deeper_file_overrides_its_parent_in_both_directions()
    {
        var rules = Root("*.log\n!keep.txt\n")
            .With("sub", "!*.log\n*.txt\n");
        Assert.True(rules.IsIgnored("root.log", false));
        Assert.False(rules.IsIgnored("sub/a.log", false));
        Assert.False(rules.IsIgnored("sub/deeper/a.log", false));
        Assert.True(rules.IsIgnored("sub/keep.txt", false));
        Assert.False(rules.IsIgnored("keep.txt", false));
    }

    [Fact]
    public void A_trailing_slash_matches_directories_only()
    {
        var rules = Root("cache/\n*\n!/keep/\n");
        Assert.True(rules.IsIgnored("cache", true));
        Assert.True(rules.IsIgnored("keep", false));
        Assert.False(rules.IsIgnored("keep", true));

        var dirOnly = Root("cache/\n");
        Assert.True(dirOnly.IsIgnored("a/b/cache", true));
        Assert.False(dirOnly.IsIgnored("a/b/cache", false));
    }

    [Fact]
    public void A_slash_at_the_start_or_in_the_middle_anchors_the_pattern_to_its_files_directory()
    {
        var rules = Root("/build\ndoc/frotz\n").With("sub", "/out\n");
        Assert.True(rules.IsIgnored("build", true));
        Assert.False(rules.IsIgnored("src/build", true));
        Assert.True(rules.IsIgnored("doc/frotz", false));
        Assert.False(rules.IsIgnored("a/doc/frotz", false));
        Assert.True(rules.IsIgnored("sub/out", false));
        Assert.False(rules.IsIgnored("out", false));
        Assert.False(rules.IsIgnored("sub/x/out", false));
    }

    [Fact]
    public void A_pattern_without_a_slash_matches_a_name_at_any_depth_below_its_directory()
    {
        var rules = Root("node_modules\n*.pyc\nbuild*\n").With("pkg", "dist\n");
        Assert.True(rules.IsIgnored("node_modules", true));
        Assert.True(rules.IsIgnored("web/app/node_modules", true));
        Assert.True(rules.IsIgnored("a/b/c.pyc", false));
        Assert.False(rules.IsIgnored("a/b/c.pyc.txt", false));
        Assert.True(rules.IsIgnored("x/build-output", false));
        Assert.True(rules.IsIgnored("pkg/dist", true));
        Assert.True(rules.IsIgnored("pkg/sub/dist", true));
    }

    [Fact]
    public void A_pattern_applies_only_to_paths_inside_its_files_directory()
    {
        var rules = Root("").With("sub", "*.txt\n/x\n");
        Assert.False(rules.IsIgnored("a.txt", false));
        Assert.False(rules.IsIgnored("subway/a.txt", false));
        Assert.False(rules.IsIgnored("sub", true));
        Assert.True(rules.IsIgnored("sub/a.txt", false));
        Assert.False(rules.IsIgnored("subx", false));
    }

    [Fact]
    public void Star_question_mark_and_classes_never_match_a_slash()
    {
        var rules = Root("doc/*.txt\nsrc/a?c\nlib/a[/]c\n");
        Assert.True(rules.IsIgnored("doc/a.txt", false));
        Assert.False(rules.IsIgnored("doc/x/a.txt", false));
        Assert.True(rules.IsIgnored("src/abc", false));
        Assert.False(rules.IsIgnored("src/a/c", false));
        Assert.False(rules.IsIgnored("lib/a/c", false));
    }

    [Fact]
    public void Character_classes_support_ranges_negation_and_named_classes()
    {
        var rules = Root("[a-c].txt\n[!a-c]x\n[^0-9]y\n[[:digit:]]z\n[]]w\n[a-c-e]v\n[abc\n");
        Assert.True(rules.IsIgnored("b.txt", false));
        Assert.False(rules.IsIgnored("d.txt", false));
        Assert.True(rules.IsIgnored("dx", false));
        Assert.False(rules.IsIgnored("ax", false));
        Assert.True(rules.IsIgnored("ay", false));
        Assert.False(rules.IsIgnored("5y", false));
        Assert.True(rules.IsIgnored("7z", false));
        Assert.True(rules.IsIgnored("]w", false));
        Assert.True(rules.IsIgnored("-v", false));
        Assert.True(rules.IsIgnored("ev", false));
        Assert.False(rules.IsIgnored("dv", false));

        // An unterminated class matches nothing, not even its own text.
        Assert.False(rules.IsIgnored("[abc", false));
        Assert.False(rules.IsIgnored("a", false));
    }

    [Fact]
    public void A_question_mark_matches_one_utf8_byte_as_in_git()
    {
        var rules = Root("caf?\ncaf??\n[é]x\n");
        Assert.True(rules.IsIgnored("café", false));
        Assert.True(rules.IsIgnored("cafe", false));
        Assert.False(rules.IsIgnored("éx", false));

        var single = Root("caf?\n");
        Assert.False(single.IsIgnored("café", false));
    }

    [Fact]
    public void A_leading_double_star_matches_in_every_directory()
    {
        var rules = Root("**/foo\n**/lib/bar\n");
        Assert.True(rules.IsIgnored("foo", true));
        Assert.True(rules.IsIgnored("a/b/foo", false));
        Assert.True(rules.IsIgnored("lib/bar", false));
        Assert.True(rules.IsIgnored("x/y/lib/bar", false));
        Assert.False(rules.IsIgnored("x/lib/baz/bar", false));
    }

    [Fact]
    public void A_trailing_double_star_matches_everything_inside_but_not_the_directory_itself()
    {
        var rules = Root("abc/**\n");
        Assert.False(rules.IsIgnored("abc", true));
        Assert.True(rules.IsIgnored("abc/x", false));
        Assert.True(rules.IsIgnored("abc/x/y", true));
        Assert.False(rules.IsIgnored("x/abc/y", false));
    }

    [Fact]
    public void A_middle_double_star_matches_zero_or_more_directories()
    {
        var rules = Root("a/**/b\ndocs/**/*.tmp\n");
        Assert.True(rules.IsIgnored("a/b", false));
        Assert.True(rules.IsIgnored("a/x/b", false));
        Assert.True(rules.IsIgnored("a/x/y/b", false));
        Assert.False(rules.IsIgnored("a/xb", false));
        Assert.True(rules.IsIgnored("docs/a.tmp", false));
        Assert.True(rules.IsIgnored("docs/x/y/a.tmp", false));
        Assert.False(rules.IsIgnored("src/docs/a.tmp", false));
    }

    [Fact]
    public void A_double_star_inside_a_component_is_a_single_star_except_right_after_a_literal_prefix()
    {
        var rules = Root("a/**b\n");
        Assert.True(rules.IsIgnored("a/xb", false));
        Assert.False(rules.IsIgnored("a/x/b", false));

        // git strips the literal prefix "foo" before globbing, so this '**' starts the glob and crosses directories.
        var quirk = Root("foo**/bar\n");
        Assert.True(quirk.IsIgnored("foo/x/y/bar", false));
        Assert.True(quirk.IsIgnored("foox/bar", false));
    }

    [Fact]
    public void Crlf_line_endings_and_a_byte_order_mark_are_tolerated()
    {
        var rules = Root("\uFEFFfirst\r\n*.log\r\n\r\n!keep.log\r\nlast\r");
        Assert.True(rules.IsIgnored("first", false));
        Assert.True(rules.IsIgnored("a.log", false));
        Assert.False(rules.IsIgnored("keep.log", false));
        Assert.True(rules.IsIgnored("last", false));
        Assert.False(rules.IsIgnored("a.log\r", false));
    }

    [Fact]
    public void With_returns_a_new_instance_and_leaves_the_original_unchanged()
    {
        var root = Root("*.log\n");
        var deeper = root.With("sub", "*.txt\n");
        Assert.NotSame(root, deeper);
        Assert.False(root.IsIgnored("sub/a.txt", false));
        Assert.True(deeper.IsIgnored("sub/a.txt", false));
        Assert.Same(root, root.With("sub", "# only a comment\n"));
        Assert.Throws<ArgumentException>(() => root.With("sub/", "x"));
        Assert.Throws<ArgumentException>(() => root.With("/sub", "x"));
    }

    [Fact]
    public void The_last_match_wins_in_a_file_of_more_than_64_patterns()
    {
        var lines = new List<string> { "*.x", "data/" };
        lines.AddRange(Enumerable.Range(0, 100).Select(i => $"name{i}"));
        lines.Add("!keep.x");
        lines.Add("!name3");
        var rules = Root(Lines([.. lines]));
        Assert.True(rules.IsIgnored("a.x", false));
        Assert.False(rules.IsIgnored("keep.x", false));
        Assert.True(rules.IsIgnored("data", true));
        Assert.False(rules.IsIgnored("data", false));
        Assert.True(rules.IsIgnored("d/name99", false));
        Assert.False(rules.IsIgnored("name3", false));
    }

    [Fact]
    public void IsIgnored_allocates_nothing()
    {
        var rules = Root("*.pyc\nnode_modules/\nbuild*\n/dist\ndocs/**/*.tmp\n*.py[co]\n[a-c]?x\ncaf?\n").With("docs", "!keep.tmp\n");
        string[] paths = ["src/main.py", "docs/a/b/c.tmp", "docs/keep.tmp", "x/abx", "café", "a/b/c/d/e/build.txt"];
        rules.IsIgnored(paths[0], false);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            foreach (var path in paths)
            {
                rules.IsIgnored(path, i % 2 == 0);
            }
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Walking_hand_written_edge_cases_ignores_exactly_what_git_ignores()
    {
        string[] paths =
        [
            "#hash", "!bang", "bang", "trail ", "trail", "  lead", "lead", "a.log", "keep.log", "café", "cafe", "star*", "starx",
            "back\\slash", "q?", "qx", "ab.txt", "d1.txt", "b.o", "y.o", "m.pyc", "m.pyo", "m.py", "[x]", "x",
            "build/out.bin", "build-x/f", "build-y", "generated", "docs/a.tmp", "docs/x/y/b.tmp", "docs/keep.tmp", "docs/a.txt",
            "gen-parent/generated/g.cs", "abc/d", "abc/e/f", "a/z", "a/b/c/z", "a/zz", "foo/bar", "foo/x/y/bar", "foox/bar", "fo/bar",
            "dir-only/inner", "not-dir-only", "sub dir/file", "UPPER.LOG", "e.log/inside",
            "src/a.log", "src/local", "src/x/local", "src/a.txt", "src/important.txt", "src/build/b", "src/m.pyc",
            "src/lib/x.txt", "src/lib/y.txt", "src/lib/deep/x.txt", "src/lib/deep/z.md", "src/docs/c.tmp",
            "crlf/one", "crlf/two", "crlf/three.bin", "crlf/sp ace",
        ];
        var ignoreFiles = new Dictionary<string, string>
        {
            [""] = Lines(
                "# a comment, then a blank line", "", "\\#hash", "\\!bang", "trail\\ ", "*.log", "!keep.log", "!e.log/", "/build",
                "build-*/", "docs/**/*.tmp", "!docs/keep.tmp", "**/generated/", "abc/**", "a/**/z", "foo**/bar", "[a-c]?.txt",
                "[!x-z]*.o", "*.py[co]", "  lead", "caf??", "star\\*", "back\\\\slash", "q\\?", "/[x]", "dir-only/", "not-dir-only/",
                "sub dir/", "[[:upper:]]*.LOG   "),
            ["src"] = Lines("!*.log", "/local", "*.txt", "!important.txt", "!/build/", "!*.pyc"),
            ["src/lib"] = Lines("!/x.txt", "deep/*.txt", "!deep/"),
            ["crlf"] = "one  \r\n\r\n# c\r\n*.bin\r\nsp\\ ace\r\n",
        };

        Assert.NotEmpty(AssertSameAsGit(paths, ignoreFiles, "hand-written set"));
    }

    [Fact]
    public void Walking_generated_trees_ignores_exactly_what_git_ignores()
    {
        int ignored = 0;
        for (int seed = 1; seed <= 40; seed++)
        {
            var (paths, ignoreFiles) = GeneratedTree.Create(new Random(seed));
            ignored += AssertSameAsGit(paths, ignoreFiles, $"seed {seed}").Count;
        }

        // A differential test in which nothing is ignored would prove little.
        Assert.InRange(ignored, 300, int.MaxValue);
    }

    [Fact]
    public void Walking_random_glob_syntax_ignores_exactly_what_git_ignores()
    {
        // Each group directory holds the same small tree and an ignore file of random glob syntax.
        string[] tokens = ["a", "b", "/", "*", "**", "?", "[", "]", "!", "^", "-", "\\", ":", "é", " ", "[:alpha:]", "[:punct:]", "[:bogus:]"];
        string[] files = ["a", "b", "ab", "a-b", "[a]", "!a", "^b", "a\\b", "é", "]", "-", ":"];
        string[] directories = ["aa", "ba"];
        var random = new Random(5);
        var paths = new List<string>();
        var ignoreFiles = new Dictionary<string, string>();
        for (int group = 0; group < 150; group++)
        {
            string root = $"g{group}";
            AddTree(root, 0);
            var lines = Enumerable.Range(0, random.Next(1, 4)).Select(_ => new string(
                Enumerable.Range(0, random.Next(1, 9)).SelectMany(_ => tokens[random.Next(tokens.Length)]).ToArray()));
            ignoreFiles[root] = string.Join("\n", lines) + "\n";
        }

        AssertSameAsGit(paths, ignoreFiles, "random glob syntax");

        void AddTree(string directory, int depth)
        {
            paths.AddRange(files.Select(f => directory + "/" + f));
            if (depth < 2)
            {
                foreach (var sub in directories)
                {
                    AddTree(directory + "/" + sub, depth + 1);
                }
            }
        }
    }

    private static SortedSet<string> AssertSameAsGit(IEnumerable<string> paths, IReadOnlyDictionary<string, string> ignoreFiles, string what)
    {
        using var oracle = new GitIgnoreOracle();
        foreach (var path in paths)
        {
            var full = Path.Combine(oracle.Root, path);
            if (path.EndsWith('/'))
            {
                Directory.CreateDirectory(full);
            }
            else
            {
                Directory.CreateDirectory(Path.GetDirectoryName(full)!);
                File.WriteAllText(full, path);
            }
        }

        foreach (var (directory, content) in ignoreFiles)
        {
            var directoryPath = Path.Combine(oracle.Root, directory);
            Directory.CreateDirectory(directoryPath);
            File.WriteAllText(Path.Combine(directoryPath, ".gitignore"), content);
        }

        oracle.InitRepository();
        var expected = oracle.IgnoredByGit();
        var actual = oracle.IgnoredByRules();
        Assert.True(
            expected.SetEquals(actual),
            $"{what}: only git ignores [{string.Join(", ", expected.Except(actual))}]; only IgnoreRules ignores [{string.Join(", ", actual.Except(expected))}].\n"
            + string.Join("\n", ignoreFiles.Select(f => $"--- {f.Key}/.gitignore\n{f.Value}")));
        return expected;
    }

    private static string Lines(params string[] lines) => string.Join("\n", lines) + "\n";

    private static IgnoreRules Root(string content) => IgnoreRules.None.With("", content);

    /// <summary>A pseudo-random tree of odd names with nested ignore files built from the same names.</summary>
    private static class GeneratedTree
    {
        private static readonly string[] DirectoryNames =
            ["src", "lib", "build", "docs", "node_modules", "bin", "obj", "a", "b", "foo", "bar", "tmp", "logs", "sub dir", "x.d", "Build", "__pycache__", "generated", "keep", "abc", "[x]", "café"];

        private static readonly string[] Stems =
            ["main", "foo", "bar", "keep", "a", "b", "test_1", "x", "README", "#hash", "!bang", "trail ", " lead", "café", "q?", "star*", "back\\slash", "Ab", "zz", "ü"];

        private static readonly string[] Extensions = ["", "", ".log", ".txt", ".py", ".pyc", ".tmp", ".cs", ".o", ".min.js", "~", ".TXT"];

        private static readonly string[] Globs =
            ["[a-f]*", "[!ab]*", "[[:upper:]]*", "*.[ot]*", "[^a-z]*", "?", "??", "caf?", "caf??", "[]a]*", "*[[:digit:]]*", "[a-c-e]*", "*o*", "b*r", "*a*.*", "?[éü]*", "*\\ *", "[[:punct:]]*"];

        public static (List<string> Paths, Dictionary<string, string> IgnoreFiles) Create(Random random)
        {
            var paths = new List<string>();
            var ignoreFiles = new Dictionary<string, string>();
            Fill(random, "", 0, paths, ignoreFiles);
            return (paths, ignoreFiles);
        }

        private static void Fill(Random random, string directory, int depth, List<string> paths, Dictionary<string, string> ignoreFiles)
        {
            string prefix = directory.Length == 0 ? "" : directory + "/";
            if (prefix.Length > 0)
            {
                paths.Add(prefix);
            }

            var subdirectories = depth < 4 ? DirectoryNames.OrderBy(_ => random.Next()).Take(random.Next(depth == 0 ? 2 : 0, 4)).ToList() : [];
            var used = new HashSet<string>(subdirectories, StringComparer.Ordinal);
            for (int i = random.Next(2, 7); i > 0; i--)
            {
                var name = FileName(random);
                if (used.Add(name))
                {
                    paths.Add(prefix + name);
                }
            }

            foreach (var name in subdirectories)
            {
                Fill(random, prefix + name, depth + 1, paths, ignoreFiles);
            }

            if (directory.Length == 0 || random.Next(3) == 0)
            {
                var lines = Enumerable.Range(0, random.Next(directory.Length == 0 ? 3 : 1, directory.Length == 0 ? 12 : 6)).Select(_ => Pattern(random));
                ignoreFiles[directory] = string.Join(random.Next(5) == 0 ? "\r\n" : "\n", lines) + "\n";
            }
        }

        private static string FileName(Random random) => Pick(random, Stems) + Pick(random, Extensions);

        private static string Name(Random random) => random.Next(2) == 0 ? Pick(random, DirectoryNames) : FileName(random);

        private static string Pattern(Random random)
        {
            string dir = Escape(Pick(random, DirectoryNames));
            string extension = Pick(random, Extensions[2..]);
            string pattern = random.Next(14) switch
            {
                0 or 1 => Escape(Name(random)),
                2 => "*" + extension,
                3 => Escape(Pick(random, Stems)) + "*",
                4 => "/" + Escape(Name(random)),
                5 => dir + "/" + Escape(Name(random)),
                6 => "**/" + Escape(Name(random)),
                7 => dir + "/**",
                8 => dir + "/**/" + (random.Next(2) == 0 ? Escape(Name(random)) : "*" + extension),
                9 => "*/" + Escape(Name(random)),
                10 or 11 => Pick(random, Globs),
                12 => "**/" + dir + "/**/*" + extension,
                _ => random.Next(2) == 0 ? dir + "**/" + Escape(Name(random)) : "# " + Name(random),
            };

            if (random.Next(10) < 3) pattern = "!" + pattern;
            if (random.Next(10) < 2) pattern += "/";
            if (random.Next(10) == 0) pattern += "  ";
            return pattern;
        }

        // The pattern that matches exactly this name: glob characters, a leading '#' or '!' and a trailing space escaped.
        private static string Escape(string name)
        {
            var escaped = new System.Text.StringBuilder();
            foreach (char c in name)
            {
                if (c is '*' or '?' or '[' or '\\') escaped.Append('\\');
                escaped.Append(c);
            }

            if (escaped[0] is '#' or '!') escaped.Insert(0, '\\');
            if (escaped[^1] == ' ') escaped.Insert(escaped.Length - 1, '\\');
            return escaped.ToString();
        }

        private static string Pick(Random random, string[] items) => items[random.Next(items.Length)];
    }
}
