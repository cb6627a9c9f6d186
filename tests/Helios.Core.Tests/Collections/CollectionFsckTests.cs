using Helios.Core.Collections;
using Helios.Core.Integrity;
using Helios.Core.Memory;
using Helios.Core.Objects;
using Helios.Core.Repositories;
using Helios.Core.Storage.InMemory;

namespace Helios.Core.Tests.Collections;

public sealed class CollectionFsckTests : IDisposable
{
    private readonly InMemoryRepositoryStorage _storage = new();
    private readonly Repository _repo;
    private readonly ObjectId _header;

    public CollectionFsckTests()
    {
        _repo = Repository.Init(_storage);
        var files = _repo.OpenHead();
        files.Write("a.txt", "1");
        _repo.Commit(files, "files").EnsureCommitted();
        var memory = new AgentMemory(_repo);
        var branch = memory.Open(Repository.DefaultBranch);
        var kb = branch.CreateCollection("kb", 0);
        for (int i = 0; i < 2000; i++)
        {
            kb.Put($"k{i:D4}", new byte[i == 7 ? 100 : 4]);
        }

        var commit = branch.Commit("fill")!.Value;
        _header = _repo.ReadCommit(commit).Roots.Single().Id;
    }

    public void Dispose() => _repo.Dispose();

    [Fact]
    public void Fsck_walks_committed_collections_and_finds_nothing_wrong()
    {
        var report = Fsck.Check(_repo);
        Assert.Empty(report.Problems);
    }

    [Fact]
    public void Fsck_reports_a_missing_value_blob_naming_its_key()
    {
        var stored = new CollectionTree(_repo.Objects).TryGetStored(_header, "k0007")!.Value;
        Assert.False(stored.IsInline);
        _storage.Objects.Delete([stored.Blob]);

        var problem = Assert.Single(Fsck.Check(_repo).Problems);
        Assert.Equal(FsckProblemKind.MissingObject, problem.Kind);
        Assert.Contains("key 'k0007'", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Fsck_reports_a_missing_collection_node()
    {
        var tree = new CollectionTree(_repo.Objects);
        var (leaf, _) = tree.EnumerateLeaves(tree.ReadHeader(_header).Root).Skip(3).First();
        _storage.Objects.Delete([leaf]);

        var problem = Assert.Single(Fsck.Check(_repo).Problems);
        Assert.Equal(FsckProblemKind.MissingObject, problem.Kind);
        Assert.Equal(leaf, problem.Id);
    }
}
