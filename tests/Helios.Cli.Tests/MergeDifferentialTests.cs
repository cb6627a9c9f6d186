using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Xunit.Abstractions;

namespace Helios.Cli.Tests;

/// <summary>
/// Differential test of merging against git (issue 3): a seeded generator builds a random history
/// of edits, new and deleted files, executable-bit changes, binary files, commits, branches,
/// checkouts, hard resets and merges, and applies every step to a git repository and a helios
/// repository side by side. After every step the working trees must be byte-identical (paths,
/// contents, executable bits, empty directories) and <c>status --porcelain</c> must print the same
/// lines. A merge must end the same way (up to date, fast-forward, merge commit, or exit 1 with the
/// same conflicted paths and the same conflict markers); a conflicted merge is then aborted or
/// resolved identically in both.
/// </summary>
/// <remarks>
/// What the generator stays away from, and why:
/// <list type="bullet">
/// <item>Rename detection, a non-goal of Helios: git runs with <c>merge.renames</c>,
/// <c>diff.renames</c> and <c>status.renames</c> off, so a deleted file and a similar added file are
/// never paired.</item>
/// <item>File/directory conflicts: files only ever live at the paths in <see cref="Paths"/>, none of
/// which is a directory of another.</item>
/// <item>Merging with uncommitted changes, which helios refuses for any tracked change by design
/// (git only when the merge touches the changed files): the tree is committed first. Checkouts and
/// hard resets do run over uncommitted changes now and then; a checkout must then succeed in both
/// or be refused by both.</item>
/// </list>
/// Seeds 11, 16 and 19 were picked for their mix: content, add/add, binary, modify/delete and
/// delete/modify conflicts, a criss-cross merge, aborts and resolutions, dirty and refused checkouts.
/// Each history costs about 150 helios processes (35-50 s on a busy 2-core machine).
/// A failure prints the seed, the step, every step so far and the first differing path with both
/// contents; rerun that seed to reproduce it.
/// </remarks>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class MergeDifferentialTests(ITestOutputHelper output)
{
    private const int Steps = 70;

    private static readonly string[] Paths =
    [
        "a.txt", "b.txt", "c.md", "e.txt", "src/main.c", "src/util.c", "src/lib/x.h", "src/lib/y.h",
        "docs/guide.md", "docs/notes/n1.txt", "bin/tool.sh", "data/blob.dat",
    ];

    private static readonly string[] CommonLines = ["", "}", "{", "return 0;", "#endif", "    break;", "end"];

    private static readonly string[] Words = ["alpha", "beta", "gamma", "delta", "omega", "let x =", "call", "if (y)", "// note"];

    [Theory]
    [InlineData(11)]
    [InlineData(16)]
    [InlineData(19)]
    public void Random_histories_leave_the_same_files_and_conflicts_in_git_and_helios(int seed)
    {
        using var temp = new TempDirectory();
        var history = new History(seed, temp.Path);
        output.WriteLine(history.Run(Steps));
    }

    private sealed class History
    {
        private readonly int _seed;
        private readonly Random _random;
        private readonly string _git;
        private readonly string _helios;
        private readonly string _home;
        private readonly List<string> _log = [];
        private readonly List<string> _branches = ["main"];
        private string _current = "main";
        private int _step;
        private int _nextBranch = 1;
        private readonly Dictionary<string, int> _counts = new(StringComparer.Ordinal);

        public History(int seed, string root)
        {
            _seed = seed;
            _random = new Random(seed);
            _git = Path.Combine(root, "git");
            _helios = Path.Combine(root, "helios");
            _home = Path.Combine(root, "home");
            Directory.CreateDirectory(_git);
            Directory.CreateDirectory(_helios);
            Directory.CreateDirectory(_home);
        }

        public string Run(int steps)
        {
            var clock = Stopwatch.StartNew();
            Git("init", "-q", "-b", "main");
            foreach (var (key, value) in new[]
            {
                ("core.autocrlf", "false"), ("core.filemode", "true"), ("merge.renames", "false"),
                ("diff.renames", "false"), ("status.renames", "false"), ("merge.conflictStyle", "merge"),
            })
            {
                Git("config", key, value);
            }

            Helios("init");

            // A first commit, so that branches have somewhere to start.
            _log.Add("0: add a.txt, b.txt; commit");
            WriteText("a.txt", RandomLines(8, 20), endsWithNewline: true);
            WriteText("b.txt", RandomLines(3, 10), endsWithNewline: true);
            Commit();
            Compare();

            for (_step = 1; _step <= steps; _step++)
            {
                // Status costs a helios process: after a file step it is compared now and then (and
                // always before the commit that ends a run of file steps), after history steps always.
                bool historyStep = RandomStep();
                Compare(status: historyStep || _random.Next(3) == 0);
            }

            return $"seed {_seed}: {steps} steps in {clock.Elapsed.TotalSeconds:F1} s; " +
                string.Join(", ", _counts.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key} {kv.Value}"));
        }

        private void Count(string what) => _counts[what] = _counts.GetValueOrDefault(what) + 1;

        private void Log(string what) => _log.Add($"{_step}: {what}");

        /// <summary>One random step; true when it was a history step (commit, branch, checkout, reset, merge).</summary>
        private bool RandomStep()
        {
            int roll = _random.Next(100);
            var files = TrackedOrNotFiles();
            switch (roll)
            {
                case < 30 when files.Count > 0:
                    EditFile(files[_random.Next(files.Count)]);
                    return false;
                case < 37:
                    AddFile();
                    return false;
                case < 41 when files.Count > 1:
                    DeleteFile(files[_random.Next(files.Count)]);
                    return false;
                case < 44 when files.Count > 0:
                    ToggleExecutable(files[_random.Next(files.Count)]);
                    return false;
                case < 46:
                    WriteBinary(Paths[_random.Next(Paths.Length)]);
                    return false;
                case < 58:
                    if (!IsDirty())
                    {
                        EditFile(files.Count > 0 ? files[_random.Next(files.Count)] : "a.txt");
                        return false;
                    }

                    Log("commit");
                    Commit();
                    return true;
                case < 63:
                    CreateBranch();
                    return true;
                case < 73:
                    SwitchBranch();
                    return true;
                case < 77:
                    ResetHard();
                    return true;
                default:
                    Merge();
                    return true;
            }
        }

        // ---- file steps (the same bytes written to both trees) ----

        private List<string> TrackedOrNotFiles() => Paths.Where(p => File.Exists(Path.Combine(_git, p))).ToList();

        private void EditFile(string path)
        {
            byte[] bytes = File.ReadAllBytes(Path.Combine(_git, path));
            if (Array.IndexOf(bytes, (byte)0) >= 0)
            {
                Log($"replace binary {path} with text");
                WriteText(path, RandomLines(1, 12), endsWithNewline: true);
                return;
            }

            string text = Encoding.UTF8.GetString(bytes);
            bool newline = text.Length == 0 || text.EndsWith('\n');
            var lines = (newline && text.Length > 0 ? text[..^1] : text).Split('\n').ToList();
            if (text.Length == 0)
            {
                lines.Clear();
            }

            var done = new List<string>();
            int edits = 1 + _random.Next(3);
            for (int i = 0; i < edits; i++)
            {
                int at = lines.Count == 0 ? 0 : _random.Next(lines.Count);
                switch (_random.Next(4))
                {
                    case 0 when lines.Count > 0:
                        lines.RemoveAt(at);
                        done.Add($"delete line {at}");
                        break;
                    case 1:
                        int n = 1 + _random.Next(3);
                        lines.InsertRange(at, RandomLines(n, n));
                        done.Add($"insert {n} at {at}");
                        break;
                    case 2 when lines.Count > 0:
                        // The same change another branch may make too: both sides agree.
                        lines[at] = $"shared {path} {at}";
                        done.Add($"set line {at} to the shared value");
                        break;
                    default:
                        if (lines.Count == 0)
                        {
                            lines.Add(RandomLine());
                        }
                        else
                        {
                            lines[at] = RandomLine();
                        }

                        done.Add($"change line {at}");
                        break;
                }
            }

            if (_random.Next(20) == 0)
            {
                newline = !newline;
                done.Add(newline ? "add final newline" : "drop final newline");
            }

            Log($"edit {path}: {string.Join(", ", done)}");
            WriteText(path, lines, newline);
        }

        private void AddFile()
        {
            var free = Paths.Where(p => !File.Exists(Path.Combine(_git, p))).ToList();
            if (free.Count == 0)
            {
                EditFile(Paths[_random.Next(Paths.Length)]);
                return;
            }

            string path = free[_random.Next(free.Count)];
            Log($"add {path}");
            WriteText(path, RandomLines(1, 15), endsWithNewline: _random.Next(10) > 0);
        }

        private void DeleteFile(string path)
        {
            Log($"delete {path}");
            File.Delete(Path.Combine(_git, path));
            File.Delete(Path.Combine(_helios, path));
        }

        private void ToggleExecutable(string path)
        {
            bool executable = !IsExecutable(Path.Combine(_git, path));
            Log($"chmod {(executable ? "+x" : "-x")} {path}");
            foreach (var root in new[] { _git, _helios })
            {
                string file = Path.Combine(root, path);
                var mode = File.GetUnixFileMode(file);
                File.SetUnixFileMode(file, executable
                    ? mode | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute
                    : mode & ~(UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute));
            }
        }

        private void WriteBinary(string path)
        {
            var bytes = new byte[8 + _random.Next(24)];
            _random.NextBytes(bytes);
            bytes[_random.Next(bytes.Length)] = 0;
            Log($"write binary {path} ({bytes.Length} bytes)");
            WriteBoth(path, bytes);
        }

        private void WriteText(string path, List<string> lines, bool endsWithNewline)
        {
            string text = string.Join('\n', lines) + (endsWithNewline && lines.Count > 0 ? "\n" : "");
            WriteBoth(path, Encoding.UTF8.GetBytes(text));
        }

        private void WriteBoth(string path, byte[] bytes)
        {
            foreach (var root in new[] { _git, _helios })
            {
                string file = Path.Combine(root, path);
                Directory.CreateDirectory(Path.GetDirectoryName(file)!);
                File.WriteAllBytes(file, bytes);
            }
        }

        private List<string> RandomLines(int min, int max) =>
            Enumerable.Range(0, min + _random.Next(max - min + 1)).Select(_ => RandomLine()).ToList();

        private string RandomLine() => _random.Next(10) < 3
            ? CommonLines[_random.Next(CommonLines.Length)]
            : $"{Words[_random.Next(Words.Length)]} {_random.Next(100_000)}";

        // ---- history steps ----

        private bool IsDirty() => Git("status", "--porcelain").Stdout.Length > 0;

        private void CommitIfDirty()
        {
            if (IsDirty())
            {
                Log("commit");
                Commit();
                Compare();
            }
        }

        private void Commit()
        {
            Compare(status: true);
            Git("add", "-A");
            Git("commit", "-q", "-m", $"step {_step}");
            Expect(Helios("commit", "-m", $"step {_step}"), 0, "commit");
            Count("commits");
        }

        private void CreateBranch()
        {
            CommitIfDirty();
            string name = $"b{_nextBranch++}";
            _branches.Add(name);
            if (_random.Next(2) == 0)
            {
                Log($"branch {name}");
                Git("branch", name);
                Expect(Helios("branch", name), 0, "branch");
            }
            else
            {
                Log($"checkout -b {name}");
                Git("checkout", "-q", "-b", name);
                Expect(Helios("checkout", "-b", name), 0, "checkout -b");
                _current = name;
            }
        }

        private void SwitchBranch()
        {
            var others = _branches.Where(b => b != _current).ToList();
            if (others.Count == 0)
            {
                CreateBranch();
                return;
            }

            // Now and then with uncommitted changes: both carry them over, or both refuse.
            bool dirty = _random.Next(4) == 0 && IsDirty();
            if (!dirty)
            {
                CommitIfDirty();
            }

            string name = others[_random.Next(others.Count)];
            string verb = _random.Next(2) == 0 ? "checkout" : "switch";
            Log($"{verb} {name}{(dirty ? " (with uncommitted changes)" : "")}");
            var git = Git([verb, "-q", name], allowFailure: true);
            var helios = Helios(verb, name);
            if ((git.Code == 0) != (helios.Code == 0))
            {
                Fail($"git {verb} exited {git.Code}, helios {helios.Code}\ngit: {git}\nhelios: {helios}");
            }

            if (git.Code == 0)
            {
                _current = name;
                Count(dirty ? "dirty checkouts" : "checkouts");
            }
            else
            {
                Count("refused checkouts");
            }
        }

        private void ResetHard()
        {
            // Now and then over uncommitted changes, which both discard (untracked files stay).
            if (_random.Next(3) > 0)
            {
                CommitIfDirty();
            }

            int depth = int.Parse(Git("rev-list", "--first-parent", "--count", "HEAD").Stdout.Trim(), System.Globalization.CultureInfo.InvariantCulture);
            if (depth < 2)
            {
                EditFile(TrackedOrNotFiles().FirstOrDefault() ?? "a.txt");
                return;
            }

            string target = $"HEAD~{1 + _random.Next(Math.Min(3, depth - 1))}";
            Log($"reset --hard {target}{(IsDirty() ? " (with uncommitted changes)" : "")}");
            Git("reset", "-q", "--hard", target);
            Expect(Helios("reset", "--hard", target), 0, "reset --hard");
            Count("resets");
        }

        private void Merge()
        {
            var others = _branches.Where(b => b != _current).ToList();
            if (others.Count == 0)
            {
                CreateBranch();
                return;
            }

            CommitIfDirty();

            // Mostly branches with something to bring in: merging an ancestor is only "up to date".
            var fresh = others.Where(b => Git(["merge-base", "--is-ancestor", b, "HEAD"], allowFailure: true).Code != 0).ToList();
            if (fresh.Count == 0 && _random.Next(4) > 0)
            {
                SwitchBranch();
                return;
            }

            var pool = fresh.Count > 0 && _random.Next(8) > 0 ? fresh : others;
            string name = pool[_random.Next(pool.Count)];
            bool noFastForward = _random.Next(6) == 0;
            Log($"merge {(noFastForward ? "--no-ff " : "")}{name}");
            string[] flags = noFastForward ? ["--no-ff"] : [];
            var git = Git(["merge", "--no-edit", .. flags, name], allowFailure: true);
            var helios = Helios(["merge", "--json", .. flags, name]);
            if (git.Code is not (0 or 1))
            {
                Fail($"git merge failed unexpectedly: {git}");
            }

            Expect(helios, git.Code, "merge");
            using var report = JsonDocument.Parse(helios.Stdout);
            string outcome = report.RootElement.GetProperty("outcome").GetString()!;
            string gitOutcome = git.Code == 1 ? "conflicted"
                : git.Stdout.Contains("Already up to date", StringComparison.Ordinal) ? "up-to-date"
                : git.Stdout.Contains("Fast-forward", StringComparison.Ordinal) ? "fast-forward"
                : "merged";
            if (outcome != gitOutcome)
            {
                Fail($"git's merge was {gitOutcome}, helios's {outcome}.\ngit: {git}\nhelios: {helios}");
            }

            Count(outcome);
            if (report.RootElement.GetProperty("bases").GetArrayLength() > 1)
            {
                Count("criss-cross");
            }

            foreach (var c in report.RootElement.GetProperty("conflicts").EnumerateArray())
            {
                Count($"conflict {c.GetProperty("kind").GetString()}");
            }

            if (git.Code == 0)
            {
                return;
            }

            var gitConflicts = Git("diff", "--name-only", "--diff-filter=U").Lines.Order(StringComparer.Ordinal).ToList();
            var heliosConflicts = report.RootElement.GetProperty("conflicts").EnumerateArray()
                .Where(c => c.GetProperty("resolution").GetString() == "unresolved")
                .Select(c => c.GetProperty("path").GetString()!).Order(StringComparer.Ordinal).ToList();
            if (!gitConflicts.SequenceEqual(heliosConflicts))
            {
                Fail($"conflicted paths differ: git [{string.Join(", ", gitConflicts)}], helios [{string.Join(", ", heliosConflicts)}]\ngit: {git}\nhelios: {helios}");
            }

            Count("conflicted paths", gitConflicts.Count);
            Compare();
            if (_random.Next(3) == 0)
            {
                Log("merge --abort");
                Git("merge", "--abort");
                Expect(Helios("merge", "--abort"), 0, "merge --abort");
                Count("aborts");
                return;
            }

            var resolved = new List<string>();
            foreach (var path in gitConflicts)
            {
                if (_random.Next(4) == 0)
                {
                    File.Delete(Path.Combine(_git, path));
                    File.Delete(Path.Combine(_helios, path));
                    resolved.Add($"delete {path}");
                }
                else
                {
                    WriteText(path, RandomLines(1, 10), endsWithNewline: true);
                    resolved.Add($"rewrite {path}");
                }
            }

            Log($"resolve ({string.Join(", ", resolved)}), add, commit");
            Compare();
            Git(["add", "--", .. gitConflicts]);
            Expect(Helios(["add", .. gitConflicts]), 0, "add");
            Compare();
            Git("commit", "-q", "--no-edit");
            Expect(Helios("commit"), 0, "commit of the merge");
            Count("resolutions");
        }

        private void Count(string what, int n) => _counts[what] = _counts.GetValueOrDefault(what) + n;

        // ---- comparison ----

        private void Compare(bool status = true)
        {
            var gitFiles = Snapshot(_git);
            var heliosFiles = Snapshot(_helios);
            foreach (var path in gitFiles.Keys.Union(heliosFiles.Keys).Order(StringComparer.Ordinal))
            {
                gitFiles.TryGetValue(path, out var g);
                heliosFiles.TryGetValue(path, out var h);
                if (g is null || h is null || g.Executable != h.Executable || !g.Content.AsSpan().SequenceEqual(h.Content))
                {
                    Fail($"the working trees differ at '{path}'\n--- git ---\n{Show(g)}\n--- helios ---\n{Show(h)}");
                }
            }

            if (!status)
            {
                return;
            }

            var gitStatus = Git("status", "--porcelain").Lines;
            var heliosStatus = Expect(Helios("status", "--porcelain"), 0, "status").Lines;
            if (!gitStatus.SequenceEqual(heliosStatus))
            {
                Fail($"status --porcelain differs\n--- git ---\n{string.Join('\n', gitStatus)}\n--- helios ---\n{string.Join('\n', heliosStatus)}");
            }
        }

        private sealed record Entry(byte[] Content, bool Executable, bool IsDirectory);

        /// <summary>Every file (content, executable bit) and every empty directory under the root, but .git and .helios.</summary>
        private static Dictionary<string, Entry> Snapshot(string root)
        {
            var entries = new Dictionary<string, Entry>(StringComparer.Ordinal);
            void Walk(string directory, string prefix)
            {
                bool empty = true;
                foreach (var item in Directory.EnumerateFileSystemEntries(directory))
                {
                    string name = Path.GetFileName(item);
                    if (prefix.Length == 0 && name is ".git" or ".helios")
                    {
                        continue;
                    }

                    empty = false;
                    if (Directory.Exists(item))
                    {
                        Walk(item, prefix + name + "/");
                    }
                    else
                    {
                        entries[prefix + name] = new Entry(File.ReadAllBytes(item), IsExecutable(item), false);
                    }
                }

                if (empty && prefix.Length > 0)
                {
                    entries[prefix] = new Entry([], false, true);
                }
            }

            Walk(root, "");
            return entries;
        }

        private static bool IsExecutable(string file) => (File.GetUnixFileMode(file) & UnixFileMode.UserExecute) != 0;

        private static string Show(Entry? entry)
        {
            if (entry is null)
            {
                return "(missing)";
            }

            if (entry.IsDirectory)
            {
                return "(empty directory)";
            }

            var text = new StringBuilder(entry.Executable ? "(executable)\n" : "(not executable)\n");
            foreach (char c in Encoding.UTF8.GetString(entry.Content))
            {
                text.Append(c is '\n' or '\t' || !char.IsControl(c) ? c.ToString() : $"\\x{(int)c:x2}");
            }

            return text.ToString();
        }

        private ProcessResult Expect(ProcessResult result, int code, string what)
        {
            if (result.Code != code)
            {
                Fail($"helios {what} exited {result.Code}, expected {code}: {result}");
            }

            return result;
        }

        private void Fail(string what) => Assert.Fail(
            $"seed {_seed}, step {_step}: {what}\n--- steps ---\n{string.Join('\n', _log)}");

        // ---- processes ----

        private ProcessResult Helios(params string[] args)
        {
            Count("helios processes");
            return HeliosProcess.Run(_helios, args);
        }

        private ProcessResult Git(params string[] args) => Git(args, allowFailure: false);

        private ProcessResult Git(string[] args, bool allowFailure)
        {
            var start = new ProcessStartInfo("git")
            {
                WorkingDirectory = _git,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            foreach (var a in args)
            {
                start.ArgumentList.Add(a);
            }

            foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("GIT_", StringComparison.Ordinal)).ToList())
            {
                start.Environment.Remove(key);
            }

            start.Environment["HOME"] = _home;
            start.Environment["XDG_CONFIG_HOME"] = _home;
            start.Environment["GIT_CONFIG_NOSYSTEM"] = "1";
            start.Environment["GIT_CONFIG_GLOBAL"] = "/dev/null";
            start.Environment["GIT_AUTHOR_NAME"] = "Differential";
            start.Environment["GIT_AUTHOR_EMAIL"] = "diff@example.com";
            start.Environment["GIT_COMMITTER_NAME"] = "Differential";
            start.Environment["GIT_COMMITTER_EMAIL"] = "diff@example.com";
            start.Environment["LC_ALL"] = "C";
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            process.WaitForExit();
            var result = new ProcessResult(process.ExitCode, stdout.Result, stderr.Result);
            if (!allowFailure && result.Code != 0)
            {
                Fail($"git {string.Join(' ', args)} failed: {result}");
            }

            return result;
        }
    }
}
