using System.Diagnostics;
using Helios.Core.Refs;
using Helios.Core.Repositories;
using Helios.Core.StateArrays;

namespace Helios.Cli.Commands;

/// <summary>
/// The state-array part of <c>helios demo</c> (seeds 000 and 002): a simulation of 1,000,000 agents
/// (64-byte records) that moves a slice of them each frame and checkpoints every frame as a commit on
/// branch <c>simulation</c>, then diffs the first and last frames and validates the live array.
/// </summary>
internal static class DemoStateArrays
{
    private const int Agents = 1_000_000;
    private const int Frames = 10;
    private const int MovedPerFrame = Agents / 100;

    /// <summary>One agent: 64 bytes of the kind a simulation keeps (position, velocity, health, counters, small enums).</summary>
    private struct AgentState
    {
        public float X, Y, Z, Vx, Vy, Vz, Health;
        public int Id, Steps, Target;
        public byte Kind, Mode, Team, Flags;
        public long Reserved1, Reserved2;
    }

    public static void Run(Repository repo, TextWriter output)
    {
        var branch = BranchName.Parse("simulation");
        repo.CreateBranch(branch, repo.HeadCommit!.Value, "demo");
        var registry = new StateArrayRegistry(repo.Objects.Store);
        var agents = registry.Create<AgentState>("agents", Agents);
        for (int i = 0; i < Agents; i++)
        {
            agents.Set(i, new AgentState { X = i % 1000, Y = i / 1000, Health = 100, Id = i, Kind = (byte)(i % 4), Team = (byte)(i % 8) });
        }

        var first = registry.CommitTo(repo, branch, "frame 0", "demo");
        var checkpoints = new List<double>();
        long raw = 0, stored = 0;
        int dirty = 0;
        for (int frame = 1; frame <= Frames; frame++)
        {
            // A moving crowd: the agents near one spot take a step each frame.
            int start = frame * MovedPerFrame % (Agents - MovedPerFrame);
            for (int i = start; i < start + MovedPerFrame; i++)
            {
                ref var a = ref agents.GetForWrite(i);
                a.Vx = 0.5f;
                a.X += a.Vx;
                a.Steps++;
            }

            var clock = Stopwatch.StartNew();
            var commit = registry.CommitTo(repo, branch, $"frame {frame}", "demo");
            checkpoints.Add(clock.Elapsed.TotalMilliseconds);
            var checkpoint = commit.Checkpoint.Arrays["agents"];
            raw += checkpoint.RawBytesStored;
            stored += checkpoint.StoredBytes;
            dirty += checkpoint.DirtyPages;
        }

        var diff = agents.Diff(first.Checkpoint.Arrays["agents"].Root, agents.LastCheckpoint!.Value);
        var validation = agents.Validate();
        output.WriteLine($"  simulation: {Agents:N0} agents x 64 bytes, {MovedPerFrame:N0} moved per frame, a checkpoint committed on '{branch}' every frame ({Frames} frames)");
        output.WriteLine($"  checkpoints: p50 {DemoCommand.Percentile([.. checkpoints], 50):F1} ms per frame (commit included), {dirty / Frames} dirty pages per frame, stored {stored / 1024:N0} KiB for {raw / 1024:N0} KiB of pages ({100.0 * stored / Math.Max(1, raw):F0}%)");
        output.WriteLine($"  diff frame 0 -> {Frames}: {diff.ChangedRecords:N0} agents changed in {diff.Ranges.Count} ranges; validate: {(validation.IsValid ? "valid" : $"{validation.Problems.Count} problems")} ({validation.PagesChecked} pages)");
    }
}
