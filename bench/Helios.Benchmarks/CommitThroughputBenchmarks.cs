using BenchmarkDotNet.Attributes;
using Helios.Benchmarks.Support;
using Helios.Core.Repositories;

namespace Helios.Benchmarks;

/// <summary>
/// Sustained single-thread commit throughput: <see cref="Commits"/> consecutive edit-and-commit
/// rounds (write a new 10 KiB revision of one file, commit) on a 10,000-file tree (target: at least
/// 20,000 commits/s, i.e. a mean of at most 50 µs per round). Unlike <see cref="CommitBenchmarks"/>
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
    /// <summary>Commits per measured invocation.</summary>
    public const int Commits = 5000;

    private readonly TreeLayout _layout = TreeLayout.TenThousandFiles;
    private BenchRepository? _repository;
    private Workspace _workspace = null!;
    private byte[] _template = [];

    [Params(Backend.InMemory, Backend.SqliteFast, Backend.SqliteDurable)]
    public Backend Backend { get; set; }

    [GlobalSetup]
    public void CreateTemplate() => _template = SourceText.Generate(new Random(7), 10 * 1024);

    [IterationSetup]
    public void CreateRepository()
    {
        _repository?.Dispose();
        (_repository, _workspace) = BenchRepository.CreateWithTree(Backend, _layout);
    }

    [Benchmark(OperationsPerInvoke = Commits)]
    public void Commit_5000_consecutive_edits()
    {
        var repository = _repository!.Repository;
        for (int i = 0; i < Commits; i++)
        {
            _workspace.Write(_layout.PathOf(i), SourceText.Revision(_template, i));
            repository.Commit(_workspace, "edit one file").EnsureCommitted();
        }
    }

    [GlobalCleanup]
    public void DeleteRepository()
    {
        _repository?.Dispose();
        _repository = null;
    }
}
