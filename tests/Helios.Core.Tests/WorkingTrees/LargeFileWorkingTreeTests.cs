using Helios.Core.Objects;
using Helios.Core.Repositories;
using Helios.Core.Storage.InMemory;
using Helios.Core.Tests.Objects.Chunking;
using Helios.Core.WorkingTrees;

namespace Helios.Core.Tests.WorkingTrees;

[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class LargeFileWorkingTreeTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("helios-largefile-").FullName;
    private readonly InMemoryRepositoryStorage _storage = new();
    private readonly Repository _repository;
    private readonly WorkingTree _tree;

    public LargeFileWorkingTreeTests()
    {
        Directory.CreateDirectory(Path.Combine(_root, ".helios"));
        _repository = Repository.Init(_storage);
        _tree = Open(_repository);
    }

    public void Dispose()
    {
        _repository.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    private WorkingTree Open(Repository repository) => new(repository, _root, Path.Combine(_root, ".helios", "index"), "test");

    private string PathOf(string name) => Path.Combine(_root, name);

    [Fact]
    public void A_large_file_edited_in_the_middle_commits_and_checks_out_both_versions_byte_identical()
    {
        var v1 = FastCdcTests.Bytes("worktree v1", 3 << 20);
        File.WriteAllBytes(PathOf("big.bin"), v1);
        var c1 = _tree.Commit("v1"u8.ToArray()).EnsureCommitted();
        var v2 = v1.ToArray();
        for (int i = 0; i < 100; i++)
        {
            v2[(3 << 19) + i] ^= 0x5a;
        }

        File.WriteAllBytes(PathOf("big.bin"), v2);
        Assert.Equal([" M big.bin"], _tree.Status().Entries.Select(e => e.Porcelain));
        var c2 = _tree.Commit("v2"u8.ToArray()).EnsureCommitted();
        Assert.Empty(_tree.Status().Entries);

        _tree.Checkout(c1.ToString());
        Assert.Equal(v1, File.ReadAllBytes(PathOf("big.bin")));
        Assert.Empty(_tree.Status().Entries);
        _tree.Checkout(c2.ToString());
        Assert.Equal(v2, File.ReadAllBytes(PathOf("big.bin")));
        var id = _repository.Objects.Read<Tree>(_repository.ReadCommit(c2).Tree).Find("big.bin")!.Value.Id;
        Assert.True(_repository.Objects.IsChunked(id));
    }

    [Fact]
    public void A_checkout_that_meets_a_missing_chunk_reports_corruption_and_leaves_no_partial_file()
    {
        File.WriteAllText(PathOf("a.txt"), "a");
        var first = _tree.Commit("small"u8.ToArray()).EnsureCommitted();
        File.WriteAllBytes(PathOf("big.bin"), FastCdcTests.Bytes("partial", 1 << 20));
        var second = _tree.Commit("large"u8.ToArray()).EnsureCommitted();
        _tree.Checkout(first.ToString());
        Assert.False(File.Exists(PathOf("big.bin")));
        var id = _repository.Objects.Read<Tree>(_repository.ReadCommit(second).Tree).Find("big.bin")!.Value.Id;
        _storage.Objects.Delete([_repository.Objects.Read<ChunkedBlob>(id).Chunks[^1].Id]);

        var e = Assert.Throws<Errors.CorruptObjectException>(() => _tree.Checkout(second.ToString()));
        Assert.Equal(id, e.Expected);
        Assert.Equal(["a.txt"], Directory.EnumerateFileSystemEntries(_root).Select(Path.GetFileName).Where(n => n != ".helios").Order());
    }

    [Fact]
    public void Staging_a_large_file_stores_its_chunks_and_the_commit_records_it()
    {
        var content = FastCdcTests.Bytes("staged", 1 << 20);
        File.WriteAllBytes(PathOf("big.bin"), content);
        _tree.Stage(["big.bin"]);
        var commit = _tree.Commit("staged"u8.ToArray()).EnsureCommitted();
        var id = _repository.Objects.Read<Tree>(_repository.ReadCommit(commit).Tree).Find("big.bin")!.Value.Id;
        Assert.Equal(content, _repository.Objects.ReadContent(id).ToArray());
    }

    [Theory]
    [InlineData(1L << 30)]
    [InlineData(1024L)]
    public void After_the_threshold_changes_an_unchanged_file_is_still_clean(long newThreshold)
    {
        // 200 KiB: chunked under the default threshold; under 1 GiB it would be one blob. And a
        // 10 KiB file: one blob under the default, chunked under 1 KiB.
        File.WriteAllBytes(PathOf("big.bin"), FastCdcTests.Bytes("identity", 200 << 10));
        File.WriteAllBytes(PathOf("small.bin"), FastCdcTests.Bytes("identity small", 10 << 10));
        _tree.Commit("c"u8.ToArray()).EnsureCommitted();
        File.Delete(Path.Combine(_root, ".helios", "index")); // no stat cache: every file is hashed again

        using var reopened = Repository.Open(_storage, new RepositoryOptions { ChunkingThreshold = newThreshold });
        var tree = Open(reopened);
        Assert.Empty(tree.Status().Entries);
        Assert.IsType<CommitResult.NothingToCommit>(tree.Commit("again"u8.ToArray()));

        // A real change is still seen, and committed under the new threshold.
        File.WriteAllBytes(PathOf("small.bin"), FastCdcTests.Bytes("identity small 2", 10 << 10));
        Assert.Equal([" M small.bin"], tree.Status().Entries.Select(e => e.Porcelain));
    }
}
