using BenchmarkDotNet.Running;

// `memory [--smoke]` runs the memory-footprint check, `breakdown [--smoke] [--hot] [--compression none|zstd]` times the steps of a
// commit, `collection-storage [--keys N]` measures what 100 collection edits add, `store-deltas [--versions N] [--depths 1,2,4,8,16]` measures storage encodings on a W1-like history, `agent-memory [--vectors N]` times issue 5's memory workflow on SQLite, `statearray-sim [options]` runs the state array simulation loop (docs/state-arrays.md), `merge ROOT REV` times library merges for bench/sidebyside/merge.sh,
// `chunk-dedup [--mib N] [--versions N] [--runs N] [--run-bytes N]` reports chunk-level dedup of a large binary,
// `swarm [--agents N] [--seconds S] [--processes] [--vectors N] [--fast] [--smoke]` runs the 15-agent memory swarm (`swarm-agent` is its child process); everything else goes to BenchmarkDotNet.
// Exit code 1 when any benchmark failed (BenchmarkDotNet itself reports failures only in its output).
if (args is ["memory", .. var rest])
{
    return Helios.Benchmarks.MemoryFootprint.Run(rest);
}

if (args is ["merge", .. var mergeArgs])
{
    return Helios.Benchmarks.MergeTiming.Run(mergeArgs);
}

if (args is ["statearray-sim", .. var simArgs])
{
    return Helios.Benchmarks.StateArraySimulation.Run(simArgs);
}

if (args is ["agent-memory", .. var agentMemoryArgs])
{
    return Helios.Benchmarks.AgentMemoryTiming.Run(agentMemoryArgs);
}

if (args is ["collection-storage", .. var storageArgs])
{
    return Helios.Benchmarks.CollectionStorage.Run(storageArgs);
}

if (args is ["store-deltas", .. var storeArgs])
{
    return Helios.Benchmarks.StoreDeltas.Run(storeArgs);
}

if (args is ["chunk-dedup", .. var dedupArgs])
{
    return Helios.Benchmarks.ChunkDedup.Run(dedupArgs);
}

if (args is ["swarm", .. var swarmArgs])
{
    return Helios.Benchmarks.MemorySwarm.Run(swarmArgs);
}

if (args is ["swarm-agent", .. var agentArgs])
{
    return Helios.Benchmarks.MemorySwarm.RunAgentProcess(agentArgs);
}

if (args is ["breakdown", .. var options])
{
    return Helios.Benchmarks.CommitBreakdown.Run(options);
}

var summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success || r.ResultStatistics is null)) ? 1 : 0;
