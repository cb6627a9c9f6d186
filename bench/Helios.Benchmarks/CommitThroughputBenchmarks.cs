using BenchmarkDotNet.Attributes;
using Helios.Benchmarks.Support;
using Helios.Core.Repositories;

namespace Helios.Benchmarks;

/// <summary>
/// Sustained single-thread commit throughput: consecutive edit-and-commit rounds (write a new
/// 10 KiB revision of one file, commit) on a 10,000-file tree; 5,000 rounds per invocation in
/// memory and on SQLite fast (target: at least 20,000 commits/s, a mean of at most 50 µs per round),
/// 500 on SQLite durable, where every commit waits for the disk. Unlike <see cref="CommitBenchmarks"/>
/// this includes the write and every GC the loop causes. Each iteration starts from a fresh
/// repository (built in the iteration setup, not measured), so memory and database size stay bounded.
/// </summary>
[Config(typeof(ThroughputConfig))]
[BenchmarkCategory("CommitThroughput")]
[InvocationCount(1)]
[MinWarmupCount(1)]
[MaxWarmupCount(3)]
[MinIterationCount(5)]
[MaxIterationCount(10)]
public class CommitThroughputBenchmarks
{
    private const int Commits = 5000;
    private const int DurableCommits = 500;

    private readonly TreeLayout _layout = TreeLayout.TenThousandFiles;
    private BenchRepository? _repository;
    private Workspace _workspace = null!;
    private byte[] _template = [];

    [GlobalSetup]
    public void CreateTemplate() => _template = SourceText.Generate(new Random(7), 10 * 1024);

    [IterationSetup(Target = nameof(InMemory_5000_consecutive_commits))]
    public void CreateInMemoryRepository() => CreateRepository(Backend.InMemory);

    [IterationSetup(Target = nameof(SqliteFast_5000_consecutive_commits))]
    public void CreateSqliteFastRepository() => CreateRepository(Backend.SqliteFast);

    [IterationSetup(Target = nameof(SqliteDurable_500_consecutive_commits))]
    public void CreateSqliteDurableRepository() => CreateRepository(Backend.SqliteDurable);

    [Benchmark(OperationsPerInvoke = Commits)]
    public void InMemory_5000_consecutive_commits() => CommitEdits(Commits);

    [Benchmark(OperationsPerInvoke = Commits)]
    public void SqliteFast_5000_consecutive_commits() => CommitEdits(Commits);

    [Benchmark(OperationsPerInvoke = DurableCommits)]
    public void SqliteDurable_500_consecutive_commits() => CommitEdits(DurableCommits);

    [GlobalCleanup]
    public void DeleteRepository()
    {
        _repository?.Dispose();
        _repository = null;
    }

    private void CreateRepository(Backend backend)
    {
        _repository?.Dispose();
        (_repository, _workspace) = BenchRepository.CreateWithTree(backend, _layout);
    }

    private void CommitEdits(int count)
    {
        var repository = _repository!.Repository;
        for (int i = 0; i < count; i++)
        {
            _workspace.Write(_layout.PathOf(i), SourceText.Revision(_template, i));
            repository.Commit(_workspace, "edit one file").EnsureCommitted();
        }
    }
}
