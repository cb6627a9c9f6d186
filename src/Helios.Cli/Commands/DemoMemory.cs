using System.Diagnostics;
using Helios.Core.Memory;
using Helios.Core.Merging;
using Helios.Core.Refs;
using Helios.Core.Repositories;

namespace Helios.Cli.Commands;

/// <summary>
/// The agent-memory part of <c>helios demo</c> (seed 003): a shared knowledge base of pattern vectors
/// on main; each agent derives its own memory branch, learns patterns there, and is merged back when
/// its work scored well or discarded when it did not; every merge is a signed merge-log record.
/// </summary>
internal static class DemoMemory
{
    private const int Dimension = 64;
    private const int SeedPatterns = 2_000;
    private const int LearnedPerAgent = 25;

    /// <summary>Runs the memory round; <paramref name="winners"/> says which agents (1-based) merge back.</summary>
    public static void Run(Repository repo, int agentCount, Func<int, bool> winners, TextWriter output)
    {
        var memory = new AgentMemory(repo);
        var main = repo.CurrentBranch ?? Repository.DefaultBranch;
        var kb = memory.Open(main);
        var patterns = kb.CreateCollection("patterns", Dimension);
        for (int i = 0; i < SeedPatterns; i++)
        {
            patterns.PutVector($"seed/{i:D5}", Vector(i), $$"""{"source":"seed","n":{{i}}}""");
        }

        kb.Commit("Seed the knowledge base", "demo");
        output.WriteLine($"  knowledge base: {SeedPatterns} patterns of {Dimension} floats in collection 'patterns' on {main}");

        var derive = new List<double>();
        var merge = new List<double>();
        var discard = new List<double>();
        int merged = 0;
        for (int a = 1; a <= agentCount; a++)
        {
            var branch = BranchName.Parse($"memory/agent-{a}");
            var clock = Stopwatch.StartNew();
            memory.Derive(main, branch, $"agent-{a}");
            derive.Add(clock.Elapsed.TotalMicroseconds);
            var mine = memory.Open(branch);
            for (int p = 0; p < LearnedPerAgent; p++)
            {
                mine.Collection("patterns").PutVector($"agent-{a}/{p:D3}", Vector(100_000 * a + p), $$"""{"source":"agent-{{a}}"}""");
            }

            mine.Collection("patterns").PutVector("seed/00007", Vector(-a), $$"""{"source":"agent-{{a}}","revised":true}""");
            mine.Commit("learned patterns", $"agent-{a}");
            clock.Restart();
            if (winners(a))
            {
                memory.Merge(branch, new MemoryMergeOptions { Strategy = MergeStrategy.NewestWins, Agent = $"agent-{a}" });
                merge.Add(clock.Elapsed.TotalMicroseconds);
                merged++;
            }
            else
            {
                memory.Discard(branch, $"agent-{a}");
                discard.Add(clock.Elapsed.TotalMicroseconds);
            }
        }

        var result = memory.Open(main).Collection("patterns");
        var searchClock = Stopwatch.StartNew();
        var hits = result.Search(Vector(100_000 + 3), k: 3);
        double searchMs = searchClock.Elapsed.TotalMilliseconds;
        var verification = memory.VerifyLog();
        output.WriteLine($"  memory: {agentCount} agents derived memory branches; {merged} merged back (newest-wins), {agentCount - merged} discarded; 'patterns' now holds {result.Count} keys");
        output.WriteLine($"  search: top-3 for agent-1's pattern 3 = {string.Join(", ", hits.Select(h => $"{h.Key} ({h.Score:F3})"))} in {searchMs:F1} ms");
        output.WriteLine($"  merge log: {verification}");
        output.WriteLine($"  memory timings: derive p50 {DemoCommand.Percentile([.. derive], 50):F0} us, merge p50 {DemoCommand.Percentile([.. merge], 50):F0} us, discard p50 {DemoCommand.Percentile([.. discard], 50):F0} us");
    }

    private static float[] Vector(int seed)
    {
        var v = new float[Dimension];
        uint x = (uint)seed * 2654435761u + 1;
        for (int i = 0; i < v.Length; i++)
        {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            v[i] = (x & 0xFFFF) / 32768f - 1f;
        }

        return v;
    }
}
