using System.Diagnostics;
using Helios.Core.Objects;
using Helios.Core.Refs;
using Helios.Core.Repositories;
using Helios.Core.Storage;
using Helios.Storage.Sqlite;

namespace Helios.Cli.Commands;

/// <summary>
/// <c>helios demo</c>: the main job end to end on the embedded SQLite backend. Several agents work
/// in parallel, each on its own branch: they commit hundreds of scored variants, roll back every
/// attempt that scores clearly worse than their best, and the best branch is kept while the others
/// are deleted. Then they share a knowledge base of pattern vectors (<see cref="DemoMemory"/>), and a
/// simulation of a million agents checkpoints its state every frame (<see cref="DemoStateArrays"/>).
/// Prints what happened and the measured timings.
/// </summary>
internal static class DemoCommand
{
    private const int SeedDirectories = 20;
    private const int SeedFilesPerDirectory = 25;

    public static int Run(int agentCount, int variantsPerAgent, bool keep, TextWriter output)
    {
        if (agentCount < 1 || variantsPerAgent < 1)
        {
            throw new Core.Errors.HeliosException(Core.Errors.HeliosErrorCode.InvalidArgument, "--agents and --variants must be at least 1.");
        }

        var folder = Directory.CreateTempSubdirectory("helios-demo-");
        try
        {
            var dbPath = SqliteRepository.DatabasePath(folder.FullName);
            using var repo = SqliteRepository.Init(folder.FullName, new SqliteStorageOptions { Durability = Durability.Fast });
            output.WriteLine($"Helios demo: {agentCount} agents x {variantsPerAgent} variants, SQLite store in fast mode at {dbPath}");

            var seedClock = Stopwatch.StartNew();
            var main = repo.OpenHead();
            for (int d = 0; d < SeedDirectories; d++)
            {
                for (int f = 0; f < SeedFilesPerDirectory; f++)
                {
                    main.Write($"pkg{d:D2}/module{f:D2}.py", SourceFile(d, f, variant: 0));
                }
            }

            var seed = repo.Commit(main, "Seed project", new CommitOptions { Agent = "demo" }).EnsureCommitted();
            output.WriteLine($"  seed project: {SeedDirectories * SeedFilesPerDirectory} files in {SeedDirectories} directories, committed in {seedClock.Elapsed.TotalMilliseconds:F1} ms ({seed.ToShortString()})");

            var wall = Stopwatch.StartNew();
            var agents = Enumerable.Range(1, agentCount)
                .Select(i => Task.Run(() => RunAgent(repo, i, seed, variantsPerAgent)))
                .ToArray();
            Task.WaitAll(agents);
            wall.Stop();
            var results = agents.Select(t => t.Result).ToArray();
            foreach (var r in results)
            {
                output.WriteLine($"  {r.Branch}: {r.Commits} commits, {r.Rollbacks} rolled back, best score {r.BestScore:F3} at {r.BestCommit.ToShortString()}");
            }

            var winner = results.MaxBy(r => r.BestScore)!;
            var keepClock = Stopwatch.StartNew();
            repo.Reset(main, winner.BestCommit, ResetMode.Hard, "demo");
            foreach (var loser in results.Where(r => r != winner))
            {
                repo.DeleteBranch(loser.Branch, "demo");
            }

            keepClock.Stop();
            output.WriteLine($"  winner: {winner.Branch} (score {winner.BestScore:F3}); main fast-forwarded to {winner.BestCommit.ToShortString()}, {results.Length - 1} other branches deleted in {keepClock.Elapsed.TotalMilliseconds:F2} ms");

            // Agents whose best score beat the median share what they learned; the rest are thrown away.
            double medianScore = results.Select(r => r.BestScore).Order().ElementAt(results.Length / 2);
            DemoMemory.Run(repo, results.Length, a => results[a - 1].BestScore >= medianScore, output);
            DemoStateArrays.Run(repo, output);

            var (switchTimes, materializeTimes) = MeasureCheckouts(repo, results);
            var commitTimes = results.SelectMany(r => r.CommitMicros).ToArray();
            var branchTimes = results.Select(r => r.BranchMicros).ToArray();
            var rollbackTimes = results.SelectMany(r => r.RollbackMicros).ToArray();
            int totalCommits = commitTimes.Length;
            output.WriteLine();
            output.WriteLine("Timings (this run, this machine):");
            output.WriteLine($"  commits:   {totalCommits} in {wall.Elapsed.TotalSeconds:F2} s with {agentCount} agents in parallel = {totalCommits / wall.Elapsed.TotalSeconds:F0} commits/s");
            output.WriteLine($"  commit:    p50 {Percentile(commitTimes, 50):F0} us, p95 {Percentile(commitTimes, 95):F0} us, p99 {Percentile(commitTimes, 99):F0} us");
            output.WriteLine($"  branch:    p50 {Percentile(branchTimes, 50):F0} us to create a branch (one ref write with its op-log record)");
            output.WriteLine($"  rollback:  p50 {Percentile(rollbackTimes, 50):F0} us for reset --hard to the best commit ({rollbackTimes.Length} rollbacks)");
            output.WriteLine($"  checkout:  p50 {Percentile(switchTimes, 50):F0} us to switch branch; p50 {Percentile(materializeTimes, 50) / 1000:F1} ms to switch and read all {SeedDirectories * SeedFilesPerDirectory} files");
            output.WriteLine($"  store:     {repo.Objects.Store.Enumerate().Count()} objects; database {MiB(dbPath)} MiB plus {MiB(dbPath + "-wal")} MiB of write-ahead log not yet checkpointed; {repo.Operations().Count} operations in the log");
            if (keep)
            {
                output.WriteLine($"Kept the repository at {folder.FullName}.");
            }

            return 0;
        }
        finally
        {
            if (!keep)
            {
                folder.Delete(recursive: true);
            }
        }
    }

    private sealed record AgentResult(BranchName Branch, int Commits, int Rollbacks, double BestScore, ObjectId BestCommit,
        double BranchMicros, List<double> CommitMicros, List<double> RollbackMicros);

    private static AgentResult RunAgent(Repository repo, int agent, ObjectId seed, int variants)
    {
        var branch = BranchName.Parse($"agent-{agent}/experiment");
        var clock = Stopwatch.StartNew();
        repo.CreateBranch(branch, seed, $"agent-{agent}");
        double branchMicros = clock.Elapsed.TotalMicroseconds;

        var random = new Random(agent * 7919);
        var ws = repo.OpenWorkspace(branch);
        double bestScore = 0.5, score = 0.5;
        var bestCommit = seed;
        var commitMicros = new List<double>(variants);
        var rollbackMicros = new List<double>();
        for (int v = 1; v <= variants; v++)
        {
            score = Math.Clamp(score + (random.NextDouble() - 0.49) * 0.05, 0, 1);
            int d = random.Next(SeedDirectories), f = random.Next(SeedFilesPerDirectory);
            ws.Write($"pkg{d:D2}/module{f:D2}.py", SourceFile(d, f, v * 1000 + agent));
            var options = new CommitOptions
            {
                Agent = $"agent-{agent}",
                Metadata = new Dictionary<string, string> { ["agent"] = $"agent-{agent}", ["variant"] = v.ToString(), ["score"] = score.ToString("F4") },
            };
            clock.Restart();
            var id = repo.Commit(ws, $"agent-{agent}: variant {v}", options).EnsureCommitted();
            commitMicros.Add(clock.Elapsed.TotalMicroseconds);

            if (score > bestScore)
            {
                bestScore = score;
                bestCommit = id;
            }
            else if (score < bestScore - 0.1)
            {
                clock.Restart();
                repo.Reset(ws, bestCommit, ResetMode.Hard, $"agent-{agent}");
                rollbackMicros.Add(clock.Elapsed.TotalMicroseconds);
                score = bestScore;
            }
        }

        return new AgentResult(branch, variants, rollbackMicros.Count, bestScore, bestCommit, branchMicros, commitMicros, rollbackMicros);
    }

    private static (double[] Switch, double[] Materialize) MeasureCheckouts(Repository repo, IReadOnlyList<AgentResult> results)
    {
        var switchTimes = new List<double>();
        var materializeTimes = new List<double>();
        var names = results.Select(r => r.BestCommit.ToString()).Append("main").ToArray();
        for (int round = 0; round < 5; round++)
        {
            foreach (var name in names)
            {
                var clock = Stopwatch.StartNew();
                var ws = repo.Checkout(name, "demo");
                switchTimes.Add(clock.Elapsed.TotalMicroseconds);
                long bytes = ws.ListFiles().Sum(path => (long)ws.Read(path).Length);
                materializeTimes.Add(clock.Elapsed.TotalMicroseconds);
                GC.KeepAlive(bytes);
            }
        }

        return (switchTimes.ToArray(), materializeTimes.ToArray());
    }

    private static string SourceFile(int directory, int file, int variant) =>
        $"""
        # pkg{directory:D2}/module{file:D2}.py (variant {variant})
        import math


        def solve_{directory}_{file}(values):
            total = 0
            for i, v in enumerate(values):
                total += math.sin(v * {variant % 97 + 1}) * i
            return total / max(len(values), 1)


        def score(values):
            return abs(solve_{directory}_{file}(values) - {variant % 13}) < 0.5
        """;

    internal static double Percentile(double[] values, int percentile)
    {
        if (values.Length == 0) return 0;
        var sorted = values.Order().ToArray();
        return sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(percentile / 100.0 * sorted.Length) - 1)];
    }

    private static string MiB(string path) =>
        (File.Exists(path) ? new FileInfo(path).Length / 1024.0 / 1024.0 : 0).ToString("F1");
}
