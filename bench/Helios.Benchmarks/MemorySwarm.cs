using System.Diagnostics;
using System.Globalization;
using Helios.Benchmarks.Support;
using Helios.Core.Collections;
using Helios.Core.Integrity;
using Helios.Core.Memory;
using Helios.Core.Merging;
using Helios.Core.Refs;
using Helios.Core.Repositories;
using Helios.Core.Storage;
using Helios.Storage.Sqlite;

namespace Helios.Benchmarks;

/// <summary>
/// The memory swarm (issue 5's last benchmark; run with <c>-- swarm [--agents 15] [--seconds 60]
/// [--processes] [--vectors 10000] [--fast]</c>, or <c>--smoke</c> for 3 agents × 3 s over 2,000 vectors).
/// Builds a SQLite repository (the embedded default, durable; <c>--fast</c>: synchronous=NORMAL) in a temp folder whose <c>main</c> holds
/// a collection <c>kb</c> of 384-float vectors, then lets N agents loop at once for S seconds, each round:
/// derive a child of main, put 10 new vectors (keys <c>aAA/rRRRRRR/kI</c>) and change 2 seed vectors,
/// commit, then merge back child-wins (80% of rounds) or discard (20%). Agents are threads sharing one
/// repository handle, or with <c>--processes</c> OS processes (this program in the hidden
/// <c>swarm-agent</c> mode), each opening its own.
/// <para>
/// Every exception that reaches an agent is counted and printed. Afterwards main's <c>kb</c> must be
/// exactly what the acknowledged rounds predict (seed vectors, plus every merged round's new keys with
/// the values written, each seed key holding the value of the last merged round that changed it in
/// merge-log order, nothing from a discarded round); the merge log must verify and hold one record per
/// merge, naming exactly the merged rounds; the lineage records must say merged and discarded for the
/// same rounds; fsck must be clean. Prints throughput and latencies; exits 1 on any error or failed check.
/// </para>
/// </summary>
internal static class MemorySwarm
{
    private const string CollectionName = "kb";
    private const int NewKeysPerRound = 10;
    private const int SeedChangesPerRound = 2;
    private const int SeedBatch = 1000;
    private const double MergeShare = 0.8;
    private static readonly BranchName Main = Repository.DefaultBranch;

    public static int Run(string[] args)
    {
        bool smoke = args.Contains("--smoke");
        int agents = Option(args, "--agents", smoke ? 3 : 15);
        int seconds = Option(args, "--seconds", smoke ? 3 : 60);
        int vectors = Option(args, "--vectors", smoke ? 2_000 : 10_000);
        bool processes = args.Contains("--processes");
        var storage = args.Contains("--fast") ? new SqliteStorageOptions { Durability = Durability.Fast } : SqliteStorageOptions.Default;
        if (agents < 1 || seconds < 1 || vectors < SeedChangesPerRound)
        {
            Console.Error.WriteLine("usage: swarm [--agents N >= 1] [--seconds S >= 1] [--vectors N >= 2] [--processes] [--fast] [--smoke]");
            return 2;
        }

        string root = Directory.CreateTempSubdirectory("helios-swarm-").FullName;
        try
        {
            var clock = Stopwatch.StartNew();
            using (var repository = SqliteRepository.Init(root, storage))
            {
                Seed(repository, vectors);
            }

            Console.WriteLine($"Memory swarm: {agents} agents ({(processes ? "processes" : "threads")}), {seconds} s; main holds '{CollectionName}' of {vectors:N0} vectors x {VectorCollection.Dimension} (seeded in {clock.Elapsed.TotalSeconds:F1} s; SQLite {storage.Durability.ToString().ToLowerInvariant()}, {root}).");

            var run = processes ? RunProcesses(root, storage, agents, seconds, vectors) : RunThreads(root, storage, agents, seconds, vectors);
            return Report(root, storage, agents, processes, vectors, run) ? 0 : 1;
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>
    /// The hidden agent mode: <c>swarm-agent ROOT AGENT VECTORS DURABILITY</c>. Opens the repository, prints
    /// <c>ready</c>, waits for <c>go SECONDS</c> on stdin, runs the agent loop, then prints one line per
    /// round and per error (<see cref="SwarmLog"/>) and <c>done</c>.
    /// </summary>
    public static int RunAgentProcess(string[] args)
    {
        if (args is not [var root, var agentText, var vectorsText, var durability])
        {
            Console.Error.WriteLine("usage: swarm-agent ROOT AGENT VECTORS DURABILITY");
            return 2;
        }

        int agent = int.Parse(agentText, CultureInfo.InvariantCulture);
        int vectors = int.Parse(vectorsText, CultureInfo.InvariantCulture);
        var result = new AgentResult(agent);
        Repository? repository = null;
        try
        {
            repository = SqliteRepository.Open(root, new SqliteStorageOptions { Durability = Enum.Parse<Durability>(durability) });
        }
        catch (Exception e)
        {
            result.Errors.Add(Describe(e));
        }

        Console.Out.WriteLine("ready");
        Console.Out.Flush();
        string? go = Console.In.ReadLine();
        if (repository is not null && go is ['g', 'o', ' ', .. var secondsText])
        {
            var memory = new AgentMemory(repository);
            RunAgent(memory, agent, vectors, Stopwatch.GetTimestamp() + (long)(double.Parse(secondsText, CultureInfo.InvariantCulture) * Stopwatch.Frequency), result);
        }

        try
        {
            repository?.Dispose();
        }
        catch (Exception e)
        {
            result.Errors.Add(Describe(e));
        }

        foreach (var line in SwarmLog.Write(result))
        {
            Console.Out.WriteLine(line);
        }

        Console.Out.WriteLine("done");
        return 0;
    }

    private static void Seed(Repository repository, int vectors)
    {
        var workspace = repository.OpenHead();
        workspace.Write("README", "memory swarm knowledge base\n");
        repository.Commit(workspace, "start the knowledge base").EnsureCommitted();
        var main = new AgentMemory(repository).Open(Main);
        var kb = main.CreateCollection(CollectionName, VectorCollection.Dimension);
        for (int start = 0; start < vectors; start += SeedBatch)
        {
            for (int i = start; i < Math.Min(vectors, start + SeedBatch); i++)
            {
                kb.Put(VectorCollection.KeyOf(i), SeedValue(i));
            }

            main.Commit($"seed vectors {start}..{Math.Min(vectors, start + SeedBatch) - 1}", "seed");
        }
    }

    private static SwarmRun RunThreads(string root, SqliteStorageOptions storage, int agents, int seconds, int vectors)
    {
        using var repository = SqliteRepository.Open(root, storage);
        var memory = new AgentMemory(repository);
        var results = Enumerable.Range(0, agents).Select(a => new AgentResult(a)).ToArray();
        using var ready = new CountdownEvent(agents);
        using var go = new ManualResetEventSlim();
        long deadline = 0;
        var threads = results.Select(result => new Thread(() =>
        {
            ready.Signal();
            go.Wait();
            RunAgent(memory, result.Agent, vectors, Volatile.Read(ref deadline), result);
        })
        { Name = $"agent {result.Agent}" }).ToArray();
        foreach (var t in threads) t.Start();
        ready.Wait();
        long start = Stopwatch.GetTimestamp();
        Volatile.Write(ref deadline, start + seconds * Stopwatch.Frequency);
        go.Set();
        foreach (var t in threads) t.Join();
        return new SwarmRun(results, Stopwatch.GetElapsedTime(start));
    }

    private static SwarmRun RunProcesses(string root, SqliteStorageOptions storage, int agents, int seconds, int vectors)
    {
        var (host, prefix) = SelfCommand();
        var children = new List<AgentProcess>();
        try
        {
            for (int a = 0; a < agents; a++)
            {
                var start = new ProcessStartInfo(host)
                {
                    RedirectStandardInput = true,
                    RedirectStandardOutput = true,
                    RedirectStandardError = true,
                    UseShellExecute = false,
                };
                foreach (var p in prefix.Concat(["swarm-agent", root, a.ToString(CultureInfo.InvariantCulture), vectors.ToString(CultureInfo.InvariantCulture), storage.Durability.ToString()]))
                {
                    start.ArgumentList.Add(p);
                }

                var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start agent process {a}.");
                children.Add(new AgentProcess(process, new AgentResult(a)));
            }

            // Every agent opens the repository first, so the window measures the work, not the runtimes starting.
            foreach (var child in children)
            {
                child.Ready = child.Process.StandardOutput.ReadLine() == "ready";
                child.Stdout = child.Process.StandardOutput.ReadToEndAsync();
                child.Stderr = child.Process.StandardError.ReadToEndAsync();
            }

            long begin = Stopwatch.GetTimestamp();
            foreach (var child in children.Where(c => c.Ready))
            {
                child.Process.StandardInput.WriteLine($"go {seconds.ToString(CultureInfo.InvariantCulture)}");
                child.Process.StandardInput.Flush();
            }

            // A round started before the deadline still finishes; two minutes more is far beyond any seen.
            var patience = TimeSpan.FromSeconds(seconds + 120);
            foreach (var child in children)
            {
                var left = patience - Stopwatch.GetElapsedTime(begin);
                if (!child.Process.WaitForExit(left > TimeSpan.Zero ? left : TimeSpan.Zero))
                {
                    child.Process.Kill();
                    child.Result.Errors.Add($"agent process {child.Result.Agent} was still running {patience.TotalSeconds:F0} s after the start and was killed");
                    child.Process.WaitForExit();
                }

                string output = child.Stdout.Result;
                SwarmLog.Read(output, child.Result);
                if (!child.Ready || child.Process.ExitCode != 0 || !output.EndsWith("done\n", StringComparison.Ordinal))
                {
                    child.Result.Errors.Add($"agent process {child.Result.Agent} exited with {child.Process.ExitCode} without finishing its report");
                }

                if (child.Stderr.Result.Trim() is { Length: > 0 } text)
                {
                    child.Result.Errors.Add($"agent process {child.Result.Agent} wrote to stderr: {text.ReplaceLineEndings(" ")}");
                }
            }

            return new SwarmRun(children.Select(c => c.Result).ToArray(), Stopwatch.GetElapsedTime(begin));
        }
        finally
        {
            foreach (var child in children)
            {
                if (!child.Process.HasExited)
                {
                    child.Process.Kill();
                }

                child.Process.Dispose();
            }
        }
    }

    /// <summary>One agent's loop until <paramref name="deadline"/> (a <see cref="Stopwatch"/> timestamp); a round started before it is finished.</summary>
    private static void RunAgent(AgentMemory memory, int agent, int vectors, long deadline, AgentResult result)
    {
        var random = new Random(1000 + agent);
        string name = AgentName(agent);
        for (int round = 0; Stopwatch.GetTimestamp() < deadline; round++)
        {
            var branch = RoundBranch(agent, round);
            var seeds = new int[SeedChangesPerRound];
            for (int j = 0; j < seeds.Length; j++)
            {
                do seeds[j] = random.Next(vectors);
                while (Array.IndexOf(seeds, seeds[j], 0, j) >= 0);
            }

            bool merge = random.NextDouble() < MergeShare;
            var outcome = RoundOutcome.Failed;
            double derive = double.NaN, commit = double.NaN, end = double.NaN;
            try
            {
                long t0 = Stopwatch.GetTimestamp();
                memory.Derive(Main, branch, name);
                long t1 = Stopwatch.GetTimestamp();
                var handle = memory.Open(branch);
                var kb = handle.Collection(CollectionName);
                for (int i = 0; i < NewKeysPerRound; i++)
                {
                    kb.Put(NewKey(agent, round, i), RoundValue(agent, round, i));
                }

                for (int j = 0; j < seeds.Length; j++)
                {
                    kb.Put(VectorCollection.KeyOf(seeds[j]), RoundValue(agent, round, NewKeysPerRound + j));
                }

                long t2 = Stopwatch.GetTimestamp();
                handle.Commit($"round {round}", name);
                long t3 = Stopwatch.GetTimestamp();
                if (merge)
                {
                    memory.Merge(branch, new MemoryMergeOptions { Strategy = MergeStrategy.ChildWins, Agent = name });
                    outcome = RoundOutcome.Merged;
                }
                else
                {
                    memory.Discard(branch, name);
                    outcome = RoundOutcome.Discarded;
                }

                long t4 = Stopwatch.GetTimestamp();
                derive = Ms(t0, t1);
                commit = Ms(t2, t3);
                end = Ms(t3, t4);
            }
            catch (Exception e)
            {
                result.Errors.Add(Describe(e));
            }

            result.Rounds.Add(new SwarmRound(agent, round, outcome, seeds, derive, commit, end));
        }
    }

    private static bool Report(string root, SqliteStorageOptions storage, int agents, bool processes, int vectors, SwarmRun run)
    {
        var rounds = run.Agents.SelectMany(a => a.Rounds).ToArray();
        var errors = run.Agents.SelectMany(a => a.Errors).ToArray();
        int merged = rounds.Count(r => r.Outcome == RoundOutcome.Merged);
        int discarded = rounds.Count(r => r.Outcome == RoundOutcome.Discarded);
        int failed = rounds.Count(r => r.Outcome == RoundOutcome.Failed);
        long puts = (long)(merged + discarded) * (NewKeysPerRound + SeedChangesPerRound);
        double seconds = run.Elapsed.TotalSeconds;
        Console.WriteLine($"  window: {seconds:F2} s (until the last agent finished its last round)");
        Console.WriteLine($"  rounds: {rounds.Length:N0} (merged {merged:N0}, discarded {discarded:N0}, failed {failed:N0}); puts {puts:N0} ({NewKeysPerRound + SeedChangesPerRound} per committed round)");
        Console.WriteLine($"  throughput: {merged / seconds:N1} merges/s, {puts / seconds:N0} puts/s, {(merged + discarded) / seconds:N1} rounds/s");
        Console.WriteLine($"  per agent rounds: {string.Join(" ", run.Agents.Select(a => a.Rounds.Count))}");
        Latency("merge  ", rounds.Where(r => r.Outcome == RoundOutcome.Merged).Select(r => r.EndMs));
        Latency("discard", rounds.Where(r => r.Outcome == RoundOutcome.Discarded).Select(r => r.EndMs));
        Latency("derive ", rounds.Where(r => r.Outcome != RoundOutcome.Failed).Select(r => r.DeriveMs));
        Latency("commit ", rounds.Where(r => r.Outcome != RoundOutcome.Failed).Select(r => r.CommitMs));
        Console.WriteLine($"  errors: {errors.Length}");
        foreach (var group in errors.GroupBy(e => e).OrderByDescending(g => g.Count()).Take(20))
        {
            Console.WriteLine($"    {group.Count()} x {group.Key}");
        }

        var problems = Verify(root, storage, vectors, rounds);
        Console.WriteLine(problems.Count == 0
            ? "  verification: ok (main's kb is exactly what the acknowledged rounds predict; merge log valid, one record per merge; lineage agrees; fsck clean)"
            : $"  verification: FAILED ({problems.Count} problems)");
        foreach (var p in problems.Take(20))
        {
            Console.WriteLine($"    {p}");
        }

        bool ok = errors.Length == 0 && failed == 0 && problems.Count == 0 && rounds.Length > 0;
        Console.WriteLine($"swarm: {agents} agents, {(processes ? "processes" : "threads")}: {(ok ? "ok" : "FAILED")}");
        return ok;
    }

    private static List<string> Verify(string root, SqliteStorageOptions storage, int vectors, SwarmRound[] rounds)
    {
        var problems = new List<string>();
        using var repository = SqliteRepository.Open(root, storage);
        var memory = new AgentMemory(repository);
        var byBranch = rounds.ToDictionary(r => RoundBranch(r.Agent, r.Round));

        // The merge log, oldest first: one record per merge, naming exactly the merged rounds.
        var log = new MergeLog(repository).Records().Select(r => r.Record).Reverse().ToArray();
        var logged = new List<SwarmRound>();
        foreach (var record in log)
        {
            if (!byBranch.TryGetValue(record.Entry.ChildBranch, out var round))
            {
                problems.Add($"merge-log record {record.Sequence} names {record.Entry.ChildBranch}, which no agent ran.");
            }
            else if (round.Outcome == RoundOutcome.Discarded)
            {
                problems.Add($"merge-log record {record.Sequence} names {record.Entry.ChildBranch}, which its agent discarded.");
            }
            else
            {
                // A failed round the log names did merge: its caller just did not hear so (already an error).
                logged.Add(round);
            }
        }

        if (logged.Count != logged.Distinct().Count())
        {
            problems.Add("the merge log holds more than one record for some round.");
        }

        var missing = rounds.Where(r => r.Outcome == RoundOutcome.Merged).Except(logged).ToArray();
        if (missing.Length > 0)
        {
            problems.Add($"{missing.Length} acknowledged merges have no merge-log record (first: {RoundBranch(missing[0].Agent, missing[0].Round)}).");
        }

        var verification = memory.VerifyLog();
        if (!verification.IsValid)
        {
            problems.Add($"merge log: {verification}");
        }
        else if (verification.RecordCount != log.Length)
        {
            problems.Add($"merge log: verified {verification.RecordCount} records but read {log.Length}.");
        }

        // Lineage: merged and discarded as the agents saw it.
        foreach (var info in memory.List(includeDiscarded: true))
        {
            if (!byBranch.TryGetValue(info.Branch, out var round))
            {
                problems.Add($"memory branch {info.Branch} was made by no agent.");
                continue;
            }

            var expected = round.Outcome switch
            {
                RoundOutcome.Merged => MemoryBranchStatus.Merged,
                RoundOutcome.Discarded => MemoryBranchStatus.Discarded,
                _ => info.Status,
            };
            if (info.Status != expected)
            {
                problems.Add($"memory branch {info.Branch} is {info.Status} but its agent saw it {round.Outcome}.");
            }
        }

        // main's kb, predicted: the seed, each merged round's new keys, and for each seed key the value
        // of the last merged round (in log order) that changed it: child-wins makes every merge's write stick.
        var expectedValues = new Dictionary<string, (CollectionValue Value, string Writer)>(StringComparer.Ordinal);
        for (int i = 0; i < vectors; i++)
        {
            expectedValues[VectorCollection.KeyOf(i)] = (SeedValue(i), "the seed");
        }

        foreach (var round in logged)
        {
            string writer = RoundBranch(round.Agent, round.Round).Value;
            for (int i = 0; i < NewKeysPerRound; i++)
            {
                expectedValues[NewKey(round.Agent, round.Round, i)] = (RoundValue(round.Agent, round.Round, i), writer);
            }

            for (int j = 0; j < round.Seeds.Length; j++)
            {
                expectedValues[VectorCollection.KeyOf(round.Seeds[j])] = (RoundValue(round.Agent, round.Round, NewKeysPerRound + j), writer);
            }
        }

        var discardedKeys = rounds.Where(r => r.Outcome == RoundOutcome.Discarded)
            .SelectMany(r => Enumerable.Range(0, NewKeysPerRound).Select(i => NewKey(r.Agent, r.Round, i))).ToHashSet(StringComparer.Ordinal);
        var kb = memory.Open(Main).Collection(CollectionName);
        int leaked = 0, wrong = 0, unexpected = 0, seen = 0;
        foreach (var (key, value) in kb.Scan())
        {
            seen++;
            if (!expectedValues.TryGetValue(key, out var expected))
            {
                if (discardedKeys.Contains(key))
                {
                    if (leaked++ == 0) problems.Add($"main holds {key}, written by a discarded round.");
                }
                else if (unexpected++ == 0)
                {
                    problems.Add($"main holds {key}, which no merged round wrote.");
                }
            }
            else if (!expected.Value.Equals(value))
            {
                if (wrong++ == 0) problems.Add($"main's {key} is not the value {expected.Writer} wrote last.");
            }
        }

        int lost = expectedValues.Count - (seen - leaked - unexpected);
        if (lost != 0)
        {
            problems.Add($"{lost} key(s) written by merged rounds (or the seed) are missing from main.");
        }

        if (leaked + wrong + unexpected > 0)
        {
            problems.Add($"main's kb: {leaked} keys of discarded rounds, {unexpected} unexpected keys, {wrong} wrong values.");
        }

        if (kb.Count != seen)
        {
            problems.Add($"main's kb counts {kb.Count} keys but a scan sees {seen}.");
        }

        var fsck = Fsck.Check(repository);
        problems.AddRange(fsck.Problems.Select(p => $"fsck: {p.Kind}: {p.Message}"));
        Console.WriteLine($"  checked: {seen:N0} keys in main's kb, {log.Length:N0} merge-log records, fsck of {fsck.ObjectsChecked:N0} objects and {fsck.Operations:N0} operations");
        return problems;
    }

    private static void Latency(string what, IEnumerable<double> samples)
    {
        var sorted = samples.Order().ToArray();
        if (sorted.Length == 0)
        {
            return;
        }

        Console.WriteLine($"  {what} latency ms: p50 {Percentile(sorted, 50):F2}, p95 {Percentile(sorted, 95):F2}, p99 {Percentile(sorted, 99):F2}, max {sorted[^1]:F2} ({sorted.Length:N0} samples)");
    }

    // Nearest rank: the smallest sample with at least p% of the samples at or below it.
    private static double Percentile(double[] sorted, int p) => sorted[Math.Max(0, (int)Math.Ceiling(p / 100.0 * sorted.Length) - 1)];

    private static double Ms(long from, long to) => (to - from) * 1000.0 / Stopwatch.Frequency;

    private static string AgentName(int agent) => $"agent-{agent:D2}";

    private static BranchName RoundBranch(int agent, int round) => BranchName.Parse($"swarm/a{agent:D2}/r{round:D6}");

    private static string NewKey(int agent, int round, int index) => $"a{agent:D2}/r{round:D6}/k{index}";

    private static CollectionValue SeedValue(int i) =>
        CollectionValue.FromVector(VectorCollection.Vector(i, 0), $$"""{"id":{{i}},"v":0}""");

    /// <summary>The value a round writes in its slot <paramref name="index"/> (0-9 new keys, then the seed changes): unique to agent, round and slot.</summary>
    private static CollectionValue RoundValue(int agent, int round, int index) =>
        CollectionValue.FromVector(VectorCollection.Vector(-1 - (agent * 16) - index, round + 1), $$"""{"agent":{{agent}},"round":{{round}},"slot":{{index}}}""");

    private static string Describe(Exception e) => $"{e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")}";

    private static int Option(string[] args, string name, int fallback)
    {
        int at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : fallback;
    }

    /// <summary>How to start this program again: the apphost itself, or <c>dotnet</c> with this assembly.</summary>
    private static (string Host, string[] Prefix) SelfCommand()
    {
        string self = Environment.ProcessPath ?? throw new InvalidOperationException("The path of this process is unknown.");
        return Path.GetFileNameWithoutExtension(self) == "dotnet" ? (self, [typeof(MemorySwarm).Assembly.Location]) : (self, []);
    }

    private sealed class AgentProcess(Process process, AgentResult result)
    {
        public Process Process { get; } = process;

        public AgentResult Result { get; } = result;

        public bool Ready { get; set; }

        public Task<string> Stdout { get; set; } = Task.FromResult("");

        public Task<string> Stderr { get; set; } = Task.FromResult("");
    }

    private sealed record SwarmRun(IReadOnlyList<AgentResult> Agents, TimeSpan Elapsed);

    /// <summary>What one agent did; filled by its own thread only, read after it stopped.</summary>
    internal sealed class AgentResult(int agent)
    {
        public int Agent { get; } = agent;

        public List<SwarmRound> Rounds { get; } = [];

        public List<string> Errors { get; } = [];
    }

    internal enum RoundOutcome
    {
        Failed,
        Merged,
        Discarded,
    }

    /// <summary>One round: which seed keys it changed, how it ended, and its timings in ms (NaN when it failed).</summary>
    internal sealed record SwarmRound(int Agent, int Round, RoundOutcome Outcome, int[] Seeds, double DeriveMs, double CommitMs, double EndMs);

    /// <summary>
    /// The line protocol an agent process reports in: <c>R agent round outcome seed,seed derive commit end</c>
    /// per round and <c>E message</c> per error (one line: line ends are replaced by spaces).
    /// </summary>
    internal static class SwarmLog
    {
        public static IEnumerable<string> Write(AgentResult result)
        {
            foreach (var r in result.Rounds)
            {
                yield return string.Create(CultureInfo.InvariantCulture,
                    $"R {r.Agent} {r.Round} {r.Outcome} {string.Join(',', r.Seeds)} {r.DeriveMs:R} {r.CommitMs:R} {r.EndMs:R}");
            }

            foreach (var e in result.Errors)
            {
                yield return "E " + e.ReplaceLineEndings(" ");
            }
        }

        public static void Read(string output, AgentResult result)
        {
            foreach (var line in output.Split('\n'))
            {
                if (line.StartsWith("R ", StringComparison.Ordinal))
                {
                    var f = line.Split(' ');
                    result.Rounds.Add(new SwarmRound(
                        int.Parse(f[1], CultureInfo.InvariantCulture),
                        int.Parse(f[2], CultureInfo.InvariantCulture),
                        Enum.Parse<RoundOutcome>(f[3]),
                        f[4].Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray(),
                        double.Parse(f[5], CultureInfo.InvariantCulture),
                        double.Parse(f[6], CultureInfo.InvariantCulture),
                        double.Parse(f[7], CultureInfo.InvariantCulture)));
                }
                else if (line.StartsWith("E ", StringComparison.Ordinal))
                {
                    result.Errors.Add(line[2..]);
                }
            }
        }
    }
}
