using System.Diagnostics;
using System.Globalization;
using Helios.Benchmarks.Support;
using Helios.Core.Repositories;
using Helios.Core.StateArrays;

namespace Helios.Benchmarks;

/// <summary>
/// The simulation loop of docs/state-arrays.md (run with <c>-- statearray-sim</c>): N agents in a
/// state array registry, a fraction of them updated per frame, a checkpoint every frame, and every
/// K-th frame's checkpoint recorded in a commit on <c>main</c>. Prints per-frame checkpoint time,
/// dirty pages and bytes, then a summary; finishes with a diff, a validation and a rollback to the
/// first frame. Options: <c>--agents N</c> (1,000,000), <c>--frames F</c> (60), <c>--fraction X</c>
/// (0.01), <c>--pattern contiguous|clustered|scattered</c> (clustered), <c>--commit-every K</c> (10),
/// <c>--backend inmemory|sqlitefast|sqlitedurable</c> (inmemory), <c>--page-size BYTES</c> (65536),
/// <c>--quiet</c> (summary only).
/// Timing figures from a loaded machine are indicative only.
/// </summary>
internal static class StateArraySimulation
{
    public static int Run(string[] args)
    {
        long agents = Option(args, "--agents", 1_000_000L);
        int frames = (int)Option(args, "--frames", 60L);
        double fraction = double.Parse(OptionText(args, "--fraction") ?? "0.01", CultureInfo.InvariantCulture);
        var pattern = Enum.Parse<UpdatePattern>(OptionText(args, "--pattern") ?? "clustered", ignoreCase: true);
        int commitEvery = (int)Option(args, "--commit-every", 10L);
        var backend = Enum.Parse<Backend>(OptionText(args, "--backend") ?? "inmemory", ignoreCase: true);
        int pageSize = (int)Option(args, "--page-size", StateArrayOptions.DefaultPageSize);
        bool quiet = args.Contains("--quiet");

        using var bench = BenchRepository.Create(backend);
        var repository = bench.Repository;
        var registry = new StateArrayRegistry(repository.Objects.Store);
        var world = registry.Create<SimAgent>("agents", agents, schema: "sim-agents/v1", new StateArrayOptions { PageSize = pageSize });
        SimulatedAgents.Fill(world);
        var rng = new Random(1);

        var started = Stopwatch.GetTimestamp();
        var first = registry.CommitTo(repository, Repository.DefaultBranch, "frame 0");
        var initial = first.Checkpoint.Arrays["agents"];
        Console.WriteLine($"{agents:N0} agents × 64 B ({agents * 64 / 1e6:N1} MB) in {world.PageCount:N0} pages of {world.RecordsPerPage} agents, backend {backend}.");
        Console.WriteLine($"Initial checkpoint + commit: {Stopwatch.GetElapsedTime(started).TotalMilliseconds:N1} ms, stored {initial.StoredBytes:N0} of {initial.RawBytesStored:N0} bytes ({initial.CompressionRatio:P1}).");
        Console.WriteLine($"Each frame: {fraction:P1} of agents updated ({pattern}), then a checkpoint; every {commitEvery}th frame recorded in a commit.");
        if (!quiet)
        {
            Console.WriteLine("frame  update ms  checkpoint ms  dirty pages  pages stored  raw bytes  stored bytes  commit");
        }

        var checkpointTimes = new List<double>();
        long totalRaw = 0, totalStored = 0;
        for (int frame = 1; frame <= frames; frame++)
        {
            var updateStarted = Stopwatch.GetTimestamp();
            foreach (long i in SimulatedAgents.Pick(agents, fraction, pattern, rng))
            {
                SimulatedAgents.Step(ref world.GetForWrite(i), rng);
            }

            double updateMs = Stopwatch.GetElapsedTime(updateStarted).TotalMilliseconds;
            StateArrayCheckpoint checkpoint;
            string commit = "";
            if (frame % commitEvery == 0)
            {
                var committed = registry.CommitTo(repository, Repository.DefaultBranch, $"frame {frame}");
                checkpoint = committed.Checkpoint.Arrays["agents"];
                commit = committed.Commit?.ToShortString() ?? "";
            }
            else
            {
                checkpoint = registry.Checkpoint().Arrays["agents"];
            }

            checkpointTimes.Add(checkpoint.Elapsed.TotalMilliseconds);
            totalRaw += checkpoint.RawBytesStored;
            totalStored += checkpoint.StoredBytes;
            if (!quiet)
            {
                Console.WriteLine($"{frame,5}  {updateMs,9:N2}  {checkpoint.Elapsed.TotalMilliseconds,13:N2}  {checkpoint.DirtyPages,11:N0}  {checkpoint.PagesStored,12:N0}  {checkpoint.RawBytesStored,9:N0}  {checkpoint.StoredBytes,12:N0}  {commit}");
            }
        }

        checkpointTimes.Sort();
        Console.WriteLine($"Checkpoints: median {checkpointTimes[checkpointTimes.Count / 2]:N2} ms, p95 {checkpointTimes[(int)(checkpointTimes.Count * 0.95)]:N2} ms, max {checkpointTimes[^1]:N2} ms; stored {totalStored:N0} of {totalRaw:N0} raw bytes ({(totalRaw == 0 ? 1 : (double)totalStored / totalRaw):P1}).");

        var firstRoot = first.Checkpoint.Roots["agents"];
        var timer = Stopwatch.StartNew();
        var diff = world.Diff(firstRoot, world.LastCheckpoint!.Value);
        Console.WriteLine($"Diff frame 0 → {frames}: {diff.ChangedRecords:N0} agents in {diff.Ranges.Count:N0} ranges, {diff.PagesCompared:N0} pages compared, {timer.Elapsed.TotalMilliseconds:N1} ms.");
        timer.Restart();
        var validation = world.Validate();
        Console.WriteLine($"Validate (memory and storage): {(validation.IsValid ? "valid" : $"{validation.Problems.Count} problems")}, {timer.Elapsed.TotalMilliseconds:N1} ms.");
        timer.Restart();
        var rollback = world.Rollback(firstRoot);
        Console.WriteLine($"Rollback to frame 0: {rollback.PagesRewritten:N0} pages rewritten, {timer.Elapsed.TotalMilliseconds:N1} ms.");
        timer.Restart();
        var fork = world.Fork();
        Console.WriteLine($"Fork: {timer.Elapsed.TotalMicroseconds:N1} µs (first call, includes JIT); fork has {fork.Count:N0} agents.");
        return validation.IsValid && diff.ChangedRecords > 0 ? 0 : 1;
    }

    private static long Option(string[] args, string name, long fallback) =>
        OptionText(args, name) is { } text ? long.Parse(text, CultureInfo.InvariantCulture) : fallback;

    private static string? OptionText(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
