using BenchmarkDotNet.Attributes;
using Helios.Benchmarks.Support;
using Helios.Core.Objects;
using Helios.Core.StateArrays;
using Helios.Core.Storage.InMemory;

namespace Helios.Benchmarks;

/// <summary>
/// Writes to a state array of 100,000 64-byte agents (target: at most 0.1 µs per agent). Each
/// invocation updates every agent once; the figure is per agent (OperationsPerInvoke).
/// </summary>
[Config(typeof(BenchConfig))]
[BenchmarkCategory("StateArrays")]
public class StateArrayUpdateBenchmarks
{
    private const int Agents = 100_000;
    private StateArray<SimAgent> _array = null!;
    private SimAgent _template;

    [GlobalSetup]
    public void Create()
    {
        _array = StateArray.Create<SimAgent>(new InMemoryObjectStore(), "agents", Agents);
        SimulatedAgents.Fill(_array);
        _array.Checkpoint();
        _template = _array[7];
    }

    [Benchmark(OperationsPerInvoke = Agents)]
    public void Update_in_place_per_agent()
    {
        for (long i = 0; i < Agents; i++)
        {
            ref var a = ref _array.GetForWrite(i);
            a.X += a.VelocityX * 0.016f;
            a.Z += a.VelocityZ * 0.016f;
            a.Steps++;
        }
    }

    [Benchmark(OperationsPerInvoke = Agents)]
    public void Set_whole_record_per_agent()
    {
        for (long i = 0; i < Agents; i++)
        {
            _template.Steps = (int)i;
            _array.Set(i, _template);
        }
    }
}

/// <summary>
/// 1,000,000 64-byte agents with 1% changed per frame, in three patterns (<see cref="UpdatePattern"/>):
/// a checkpoint (targets: at most 5 ms) and a diff of two consecutive checkpoints (at most 10 ms).
/// The checkpoint invocation includes writing the 10,000 changed agents (about 30 µs). Updates flip a
/// bit, so the stored pages repeat every four frames and the in-memory store stays bounded.
/// </summary>
[Config(typeof(BenchConfig))]
[BenchmarkCategory("StateArrays")]
public class StateArrayCheckpointBenchmarks
{
    private const int Agents = 1_000_000;
    private StateArray<SimAgent> _array = null!;
    private long[][] _picks = [];
    private int _frame;
    private ObjectId _before, _after;

    [Params(UpdatePattern.Contiguous, UpdatePattern.Clustered, UpdatePattern.Scattered)]
    public UpdatePattern Pattern { get; set; }

    [GlobalSetup]
    public void Create()
    {
        _array = StateArray.Create<SimAgent>(new InMemoryObjectStore(), "agents", Agents);
        SimulatedAgents.Fill(_array);
        _before = _array.Checkpoint().Root;
        var rng = new Random(7);
        _picks = [SimulatedAgents.Pick(Agents, 0.01, Pattern, rng), SimulatedAgents.Pick(Agents, 0.01, Pattern, rng)];
        Touch(_picks[0]);
        _after = _array.Checkpoint().Root;
        var diff = _array.Diff(_before, _after);
        Console.WriteLine($"// {Pattern}: {diff.ChangedRecords} agents changed on {diff.PagesCompared} of {_array.PageCount} pages");
    }

    [Benchmark]
    public StateArrayCheckpoint Checkpoint_1000000_agents_1pct_changed()
    {
        Touch(_picks[_frame++ & 1]);
        return _array.Checkpoint();
    }

    [Benchmark]
    public StateArrayDiff Diff_1000000_agents_1pct_changed() => StateArray.Diff(_array.Store, _before, _after);

    private void Touch(long[] agents)
    {
        foreach (long i in agents)
        {
            _array.GetForWrite(i).Flags ^= 1;
        }
    }
}

/// <summary>
/// Diff of two checkpoints of 10,000 agents with 1% scattered changes (target at most 0.5 ms), from
/// the store alone and against the live array; validation of 100,000 agents (target at most 4 ms),
/// of memory alone and with the stored pages; fork (target at most 1 µs whatever the size).
/// </summary>
[Config(typeof(BenchConfig))]
[BenchmarkCategory("StateArrays")]
public class StateArrayOperationBenchmarks
{
    private StateArray<SimAgent> _small = null!;
    private ObjectId _smallBefore, _smallAfter;
    private StateArray<SimAgent> _validated = null!;
    private StateArray<SimAgent> _million = null!;

    [GlobalSetup]
    public void Create()
    {
        _small = Make(10_000);
        _smallBefore = _small.LastCheckpoint!.Value;
        foreach (long i in SimulatedAgents.Pick(10_000, 0.01, UpdatePattern.Scattered, new Random(3)))
        {
            _small.GetForWrite(i).Steps++;
        }

        _smallAfter = _small.Checkpoint().Root;
        _validated = Make(100_000);
        _million = Make(1_000_000);
    }

    private static StateArray<SimAgent> Make(int agents)
    {
        var array = StateArray.Create<SimAgent>(new InMemoryObjectStore(), "agents", agents);
        SimulatedAgents.Fill(array);
        var checkpoint = array.Checkpoint();
        Console.WriteLine($"// {agents:N0} typical agents stored in {checkpoint.StoredBytes:N0} of {checkpoint.RawBytesStored:N0} bytes ({checkpoint.CompressionRatio:P1})");
        return array;
    }

    [Benchmark]
    public StateArrayDiff Diff_10000_agents_from_store() => StateArray.Diff(_small.Store, _smallBefore, _smallAfter);

    [Benchmark]
    public StateArrayDiff Diff_10000_agents_against_live_pages() => _small.Diff(_smallBefore, _smallAfter);

    [Benchmark]
    public StateArrayValidation Validate_100000_agents_in_memory() => _validated.Validate(includeStorage: false);

    [Benchmark]
    public StateArrayValidation Validate_100000_agents_with_storage() => _validated.Validate(includeStorage: true);

    [Benchmark]
    public StateArray<SimAgent> Fork_1000000_agents() => _million.Fork();

    [Benchmark]
    public StateArray<SimAgent> Fork_10000_agents() => _small.Fork();
}
