using BenchmarkDotNet.Attributes;
using Helios.Benchmarks.Support;
using Helios.Core.Objects;
using Helios.Core.Refs;
using Helios.Core.Repositories;
using Helios.Core.Storage;

namespace Helios.Benchmarks;

/// <summary>
/// O(1) branching: forking a workspace (target at most 1 µs), creating a branch in memory (at most
/// 1 µs) and creating a branch durably on SQLite (at most 50 µs). Every created branch has a new
/// name; the in-memory repository is replaced every <see cref="NamesPerRepository"/> creations
/// (amortised well below 1 ns per creation) so its operation log stays bounded.
/// </summary>
[Config(typeof(BenchConfig))]
[BenchmarkCategory("Branch")]
public class BranchBenchmarks
{
    private const int NamesPerRepository = 1 << 16;

    private BenchRepository? _tree;
    private Workspace _workspace = null!;

    private Repository? _memory;
    private ObjectId _memoryHead;
    private BranchName[] _names = [];
    private int _nextName;

    private BenchRepository? _durable;
    private ObjectId _durableHead;
    private long _nextDurableName;

    [GlobalSetup(Target = nameof(Fork_workspace_of_10000_files))]
    public void CreateWorkspace() => (_tree, _workspace) = BenchRepository.CreateWithTree(Backend.InMemory, TreeLayout.TenThousandFiles);

    [GlobalSetup(Target = nameof(Create_branch_in_memory))]
    public void CreateMemoryRepository()
    {
        _names = Enumerable.Range(0, NamesPerRepository).Select(i => BranchName.Parse($"experiment/{i}")).ToArray();
        ReplaceMemoryRepository();
    }

    [GlobalSetup(Target = nameof(Create_branch_on_SQLite_durable))]
    public void CreateDurableRepository()
    {
        _durable = BenchRepository.Create(Backend.SqliteDurable);
        _durableHead = CommitOneFile(_durable.Repository);
    }

    [Benchmark]
    [BenchmarkCategory("Fork")]
    public Workspace Fork_workspace_of_10000_files() => _workspace.Fork();

    [Benchmark]
    [BenchmarkCategory("CreateBranch")]
    public OperationRecord Create_branch_in_memory()
    {
        if (_nextName == _names.Length)
        {
            ReplaceMemoryRepository();
        }

        return _memory!.CreateBranch(_names[_nextName++], _memoryHead);
    }

    [Benchmark]
    [BenchmarkCategory("CreateBranch")]
    public OperationRecord Create_branch_on_SQLite_durable() =>
        _durable!.Repository.CreateBranch(BranchName.Parse($"experiment/{_nextDurableName++}"), _durableHead);

    [GlobalCleanup]
    public void DeleteRepositories()
    {
        _tree?.Dispose();
        _memory?.Dispose();
        _durable?.Dispose();
        _tree = _durable = null;
        _memory = null;
    }

    private void ReplaceMemoryRepository()
    {
        _memory?.Dispose();
        _memory = Repository.CreateInMemory();
        _memoryHead = CommitOneFile(_memory);
        _nextName = 0;
    }

    private static ObjectId CommitOneFile(Repository repository)
    {
        var workspace = repository.OpenWorkspace(Repository.DefaultBranch);
        workspace.Write("README.md", "branch benchmark\n");
        return repository.Commit(workspace, "first").EnsureCommitted();
    }
}
