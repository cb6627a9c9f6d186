using BenchmarkDotNet.Attributes;
using Helios.Benchmarks.Support;
using Helios.Core.WorkingTrees;

namespace Helios.Benchmarks;

/// <summary>
/// <see cref="IgnoreRules.IsIgnored"/> over the 100,000 paths (files and directories) a walker
/// visits in a generated source tree, against a realistic 20-pattern root .gitignore (names,
/// suffixes, a prefix, anchored, dir-only, <c>**</c>, a negation). The benchmark is one pass over
/// all paths; <c>OperationsPerInvoke</c> makes the figures per call. The nested variant gives the
/// paths below <c>src/</c> and <c>docs/</c> the rules of two more ignore files, as a walker would.
/// </summary>
[Config(typeof(BenchConfig))]
[BenchmarkCategory("IgnoreRules")]
public class IgnoreRulesBenchmarks
{
    private const int PathCount = 100_000;

    private const string RootIgnoreFile = """
        # Python
        *.pyc
        __pycache__/
        .venv/
        *.egg-info/
        # .NET and JavaScript
        bin/
        obj/
        node_modules/
        *.min.js
        coverage/
        # build output
        /build
        /dist/
        src/**/generated/
        docs/**/*.tmp
        # editors and logs
        *.swp
        *~
        .DS_Store
        .idea/
        tmp*
        *.log
        !keep.log
        """;

    private static readonly string[] DirectoryNames =
    [
        "src", "lib", "core", "utils", "models", "api", "views", "components", "services", "tests", "docs", "guide",
        "assets", "images", "scripts", "pkg", "internal", "app", "config", "data", "node_modules", "__pycache__",
        "bin", "obj", ".venv", "generated", "coverage", "build", "tmp-cache",
    ];

    private static readonly string[] Stems =
        ["index", "main", "util", "model", "view", "test_api", "helpers", "README", "config", "schema", "keep", "server", "client", "types"];

    private static readonly string[] Extensions =
        [".py", ".cs", ".js", ".ts", ".json", ".md", ".txt", ".log", ".pyc", ".tmp", ".min.js", ".css", ".html", ".yml", ".swp", ".go", ""];

    private string[] _paths = [];
    private bool[] _isDirectory = [];
    private IgnoreRules[] _rules = [];

    [GlobalSetup(Target = nameof(Root_gitignore_of_20_patterns))]
    public void CreateRootOnly() => Generate(nested: false);

    [GlobalSetup(Target = nameof(Root_and_two_nested_gitignores))]
    public void CreateNested() => Generate(nested: true);

    [Benchmark(OperationsPerInvoke = PathCount)]
    public int Root_gitignore_of_20_patterns() => CountIgnored();

    [Benchmark(OperationsPerInvoke = PathCount)]
    public int Root_and_two_nested_gitignores() => CountIgnored();

    private int CountIgnored()
    {
        var paths = _paths;
        var isDirectory = _isDirectory;
        var rules = _rules;
        int ignored = 0;
        for (int i = 0; i < paths.Length; i++)
        {
            if (rules[i].IsIgnored(paths[i], isDirectory[i]))
            {
                ignored++;
            }
        }

        return ignored;
    }

    // Walks a pseudo-random tree breadth-first like a status would, never descending into an
    // ignored directory, and records every IsIgnored call it makes until there are PathCount.
    private void Generate(bool nested)
    {
        var random = new Random(42);
        var root = IgnoreRules.None.With("", RootIgnoreFile);
        var paths = new List<string>(PathCount);
        var isDirectory = new List<bool>(PathCount);
        var rules = new List<IgnoreRules>(PathCount);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Queue<(string Path, IgnoreRules Rules, int Depth)>();
        pending.Enqueue(("", root, 0));
        while (paths.Count < PathCount)
        {
            if (pending.Count == 0)
            {
                pending.Enqueue(($"repo{paths.Count}", root, 1));
            }

            var (directory, directoryRules, depth) = pending.Dequeue();
            if (nested && directory is "src" or "docs")
            {
                directoryRules = directoryRules.With(directory, directory == "src" ? "*.generated.cs\n!keep.log\n/scratch/\n" : "*.pdf\n!index.tmp\n");
            }

            string prefix = directory.Length == 0 ? "" : directory + "/";
            int files = random.Next(5, 25);
            for (int i = 0; i < files && paths.Count < PathCount; i++)
            {
                string path = prefix + Stems[random.Next(Stems.Length)] + i + Extensions[random.Next(Extensions.Length)];
                paths.Add(path);
                isDirectory.Add(false);
                rules.Add(directoryRules);
            }

            int subdirectories = depth < 7 ? random.Next(2, 6) : 0;
            for (int i = 0; i < subdirectories && paths.Count < PathCount; i++)
            {
                string name = DirectoryNames[random.Next(DirectoryNames.Length)];
                string path = prefix + (random.Next(3) == 0 ? name + i : name);
                if (!seen.Add(path))
                {
                    continue;
                }

                paths.Add(path);
                isDirectory.Add(true);
                rules.Add(directoryRules);
                if (!directoryRules.IsIgnored(path, isDirectory: true))
                {
                    pending.Enqueue((path, directoryRules, depth + 1));
                }
            }
        }

        _paths = [.. paths];
        _isDirectory = [.. isDirectory];
        _rules = [.. rules];
    }
}
