using Helios.Core.Errors;
using Helios.Core.Integrity;
using Helios.Core.Merging;
using Helios.Core.Objects;
using Helios.Core.Objects.Chunking;
using Helios.Core.Repositories;
using Helios.Core.Storage;
using Helios.Core.Storage.InMemory;
using Helios.Core.Tests.Objects.Chunking;

namespace Helios.Core.Tests.Repositories;

/// <summary>Large files stored as chunked blobs, through the repository's one content reader.</summary>
public sealed class ChunkedFileTests
{
    private static byte[] Large(string label, int length = 1 << 20) => FastCdcTests.Bytes(label, length);

    [Fact]
    public void A_file_above_the_threshold_is_committed_as_a_chunked_blob_and_reads_back_identical()
    {
        using var repo = Repository.CreateInMemory();
        var ws = repo.OpenHead();
        var content = Large("commit");
        ws.Write("big.bin", content);
        ws.Write("small.txt", "small");
        var commit = repo.Commit(ws, "large").EnsureCommitted();

        var tree = repo.Objects.Read<Tree>(repo.ReadCommit(commit).Tree);
        var big = tree.Find("big.bin")!.Value.Id;
        Assert.IsType<ChunkedBlob>(repo.Objects.TryRead(big));
        Assert.IsType<Blob>(repo.Objects.TryRead(tree.Find("small.txt")!.Value.Id));
        Assert.Equal(content, repo.Objects.ReadContent(big).ToArray());
        Assert.Equal(content.Length, repo.Objects.ContentLength(big));
        Assert.Equal(content, repo.Checkout(commit.ToString()).Read("big.bin").ToArray());

        using var stream = repo.Objects.OpenContent(big);
        using var copy = new MemoryStream();
        stream.CopyTo(copy, 5000);
        Assert.Equal(content, copy.ToArray());
    }

    [Fact]
    public void Reading_a_range_reads_only_the_chunks_it_overlaps()
    {
        var counting = new CountingObjectStore(new InMemoryObjectStore());
        var objects = new ObjectDatabase(counting, decodedCacheBytes: 1 << 20);
        var content = Large("range", 4 << 20);
        var encoded = objects.EncodeContent(content);
        counting.PutMany(encoded.Objects());
        var chunked = encoded.Chunked!;
        // A range straddling the boundary between chunks 10 and 11.
        long start = chunked.OffsetOf(11) - 100;

        counting.Statistics.Reset();
        var range = objects.ReadRange(encoded.Id, start, 200);

        Assert.Equal(content.AsSpan((int)start, 200).ToArray(), range);
        Assert.Equal(3, counting.Statistics.Lookups); // the listing and two chunks, of 250-odd
        Assert.Equal(content.AsSpan(content.Length - 10).ToArray(), objects.ReadRange(encoded.Id, content.Length - 10, 1000));
        Assert.Empty(objects.ReadRange(encoded.Id, content.Length, 10));
    }

    [Fact]
    public void A_workspace_reads_a_range_of_a_committed_or_unsaved_file()
    {
        using var repo = Repository.CreateInMemory();
        var ws = repo.OpenHead();
        var content = Large("workspace range");
        ws.Write("big.bin", content);
        Assert.Equal(content.AsSpan(100, 50).ToArray(), ws.TryReadRange("big.bin", 100, 50));
        var commit = repo.Commit(ws, "c").EnsureCommitted();
        var reopened = repo.Checkout(commit.ToString());
        Assert.Equal(content.AsSpan(700_000, 5000).ToArray(), reopened.TryReadRange("big.bin", 700_000, 5000));
        Assert.Empty(reopened.TryReadRange("big.bin", content.Length, 10)!);
        Assert.Null(reopened.TryReadRange("nothing", 0, 1));
    }

    [Fact]
    public void A_seek_on_a_content_stream_reads_only_the_chunk_it_lands_in()
    {
        var counting = new CountingObjectStore(new InMemoryObjectStore());
        var objects = new ObjectDatabase(counting, decodedCacheBytes: 1 << 20);
        var content = Large("seek", 2 << 20);
        var encoded = objects.EncodeContent(content);
        counting.PutMany(encoded.Objects());

        using var stream = objects.OpenContent(encoded.Id);
        counting.Statistics.Reset();
        stream.Seek(1_000_000, SeekOrigin.Begin);
        var buffer = new byte[10];
        stream.ReadExactly(buffer);
        Assert.Equal(content.AsSpan(1_000_000, 10).ToArray(), buffer);
        Assert.Equal(1, counting.Statistics.Lookups);
    }

    [Fact]
    public void A_commit_of_an_edited_large_file_stores_only_the_changed_chunks_with_hints_to_the_old_ones()
    {
        var storage = new RecordingStorage();
        using var repo = Repository.Init(storage);
        var ws = repo.OpenHead();
        var v1 = Large("edit", 2 << 20);
        ws.Write("data/big.bin", v1);
        ws.Write("data/other.txt", "x");
        var c1 = repo.Commit(ws, "v1").EnsureCommitted();
        var oldTree = repo.ReadCommit(c1).Tree;
        var oldDir = repo.Objects.Read<Tree>(oldTree).Find("data")!.Value.Id;
        var oldFile = repo.Objects.Read<Tree>(oldDir).Find("big.bin")!.Value.Id;

        var v2 = v1.ToArray();
        v2[1_000_000] ^= 1;
        ws.Write("data/big.bin", v2);
        storage.Written.Clear();
        repo.Commit(ws, "v2").EnsureCommitted();

        var written = storage.Written.Select(o => ObjectCodec.Decode(o.Id, o.Bytes)).ToList();
        // One new chunk, the new listing, two trees and the commit.
        Assert.Single(written.OfType<Blob>());
        var listing = Assert.Single(written.OfType<ChunkedBlob>());
        Assert.Equal(2, written.OfType<Tree>().Count());
        var newChunk = storage.Written.Single(o => ObjectCodec.Decode(o.Id, o.Bytes) is Blob);
        var oldListing = repo.Objects.Read<ChunkedBlob>(oldFile);
        Assert.Equal(oldListing.Chunks[oldListing.ChunkAt(1_000_000)].Id, newChunk.DeltaBase);
        Assert.Equal(oldFile, storage.Written.Single(o => ObjectCodec.Decode(o.Id, o.Bytes) is ChunkedBlob).DeltaBase);
        var trees = storage.Written.Where(o => ObjectCodec.Decode(o.Id, o.Bytes) is Tree).Select(o => o.DeltaBase).ToHashSet();
        Assert.Equal([oldTree, oldDir], trees);
        var newFile = storage.Written.Single(o => o.Bytes.Span[0] == (byte)ObjectType.ChunkedBlob).Id;
        Assert.Equal(v2, repo.Objects.ReadContent(newFile).ToArray());
        Assert.Equal(listing.Chunks.Count, oldListing.Chunks.Count);
    }

    [Fact]
    public void A_small_file_rewritten_passes_its_previous_blob_as_delta_base()
    {
        var storage = new RecordingStorage();
        using var repo = Repository.Init(storage);
        var ws = repo.OpenHead();
        ws.Write("a.txt", "one");
        var c1 = repo.Commit(ws, "v1").EnsureCommitted();
        var old = repo.Objects.Read<Tree>(repo.ReadCommit(c1).Tree).Find("a.txt")!.Value.Id;
        ws.Write("a.txt", "two");
        ws.Write("a.txt", "three");
        storage.Written.Clear();
        repo.Commit(ws, "v2").EnsureCommitted();
        var blob = storage.Written.Single(o => o.Bytes.Span[0] == (byte)ObjectType.Blob);
        Assert.Equal(old, blob.DeltaBase);
    }

    [Fact]
    public void A_merge_of_edits_in_different_places_of_a_large_text_file_is_clean()
    {
        using var repo = Repository.CreateInMemory();
        var lines = Enumerable.Range(0, 20_000).Select(i => $"line {i}\n").ToArray();
        var ws = repo.OpenHead();
        ws.Write("big.txt", string.Concat(lines));
        var baseCommit = repo.Commit(ws, "base").EnsureCommitted();
        repo.CreateBranch(Refs.BranchName.Parse("side"), baseCommit);
        var side = repo.OpenWorkspace(Refs.BranchName.Parse("side"));
        var sideLines = lines.ToArray();
        sideLines[19_000] = "side edit\n";
        side.Write("big.txt", string.Concat(sideLines));
        var sideCommit = repo.Commit(side, "side").EnsureCommitted();
        lines[10] = "main edit\n";
        ws.Write("big.txt", string.Concat(lines));
        repo.Commit(ws, "main").EnsureCommitted();

        var report = repo.Merge(ws, sideCommit);
        Assert.Empty(report.Conflicts);
        lines[19_000] = "side edit\n";
        Assert.Equal(string.Concat(lines), System.Text.Encoding.UTF8.GetString(ws.Read("big.txt").Span));
        Assert.True(repo.Objects.IsChunked(repo.Objects.Read<Tree>(ws.BaseTree).Find("big.txt")!.Value.Id));
    }

    [Fact]
    public void A_missing_chunk_is_corruption_naming_the_chunked_blob()
    {
        var storage = new InMemoryRepositoryStorage();
        using var repo = Repository.Init(storage);
        var ws = repo.OpenHead();
        ws.Write("big.bin", Large("missing"));
        var commit = repo.Commit(ws, "c").EnsureCommitted();
        var file = repo.Objects.Read<Tree>(repo.ReadCommit(commit).Tree).Find("big.bin")!.Value.Id;
        var chunk = repo.Objects.Read<ChunkedBlob>(file).Chunks[3].Id;
        storage.Objects.Delete([chunk]);

        var e = Assert.Throws<CorruptObjectException>(() => repo.Objects.ReadContent(file));
        Assert.Equal(file, e.Expected);
        Assert.Contains(chunk.ToString(), e.Message);
    }

    [Fact]
    public void Fsck_names_every_file_that_depends_on_a_corrupt_chunk()
    {
        var storage = new InMemoryRepositoryStorage();
        using var repo = Repository.Init(storage);
        var ws = repo.OpenHead();
        var v1 = Large("fsck", 1 << 20);
        ws.Write("a/big.bin", v1);
        var c1 = repo.Commit(ws, "v1").EnsureCommitted();
        // A second version shares every chunk but the last; a copy shares them all.
        var v2 = v1.Concat(new byte[] { 1, 2, 3 }).ToArray();
        ws.Write("a/big.bin", v2);
        ws.Write("b/copy.bin", v1);
        repo.Commit(ws, "v2").EnsureCommitted();
        var firstFile = repo.Objects.Read<ChunkedBlob>(repo.Objects.Read<Tree>(repo.Objects.Read<Tree>(repo.ReadCommit(c1).Tree).Find("a")!.Value.Id).Find("big.bin")!.Value.Id);
        var shared = firstFile.Chunks[0].Id;
        var bytes = storage.Objects.TryGet(shared)!;
        bytes[^1] ^= 0xff;
        storage.Objects.Delete([shared]);
        storage.Objects.PutMany([new EncodedObject(shared, bytes)]);

        var report = Fsck.Check(repo);
        var damaged = report.Problems.Where(p => p.Kind == FsckProblemKind.DamagedFile).ToList();
        Assert.Equal(2, damaged.Count); // both listings use the chunk
        Assert.All(damaged, p => Assert.Contains(shared.ToString(), p.Message));
        var all = string.Join("\n", damaged.Select(p => p.Message));
        Assert.Contains("'big.bin'", all);
        Assert.Contains("'copy.bin'", all);
        Assert.Contains(report.Problems, p => p.Kind == FsckProblemKind.HashMismatch && p.Id == shared);
    }

    [Fact]
    public void A_chunk_of_another_length_than_listed_is_corruption_and_fsck_names_the_file()
    {
        using var repo = Repository.CreateInMemory();
        var chunk = repo.Objects.Write(new Blob(new byte[100]));
        var listing = repo.Objects.Write(new ChunkedBlob([new ChunkRef(chunk, 100), new ChunkRef(chunk, 101)]));
        var ws = repo.OpenHead();
        ws.WriteStored("odd.bin", EntryKind.File, listing);
        repo.Commit(ws, "c").EnsureCommitted();

        var e = Assert.Throws<CorruptObjectException>(() => repo.Objects.ReadContent(listing));
        Assert.Equal(listing, e.Expected);
        var report = Fsck.Check(repo);
        Assert.Contains(report.Problems, p => p.Kind == FsckProblemKind.ChunkLengthMismatch && p.Id == listing);
        Assert.Contains(report.Problems, p => p.Kind == FsckProblemKind.DamagedFile && p.Id == listing && p.Message.Contains("'odd.bin'", StringComparison.Ordinal));
    }

    [Fact]
    public void Fsck_passes_a_repository_with_chunked_files()
    {
        using var repo = Repository.CreateInMemory();
        var ws = repo.OpenHead();
        ws.Write("big.bin", Large("clean"));
        repo.Commit(ws, "c").EnsureCommitted();
        var report = Fsck.Check(repo);
        Assert.True(report.IsClean, string.Join("\n", report.Problems));
    }

    [Fact]
    public void The_chunking_threshold_decides_which_files_are_chunked()
    {
        using var repo = Repository.CreateInMemory(new RepositoryOptions { ChunkingThreshold = 1 << 30 });
        var ws = repo.OpenHead();
        ws.Write("big.bin", Large("threshold"));
        var commit = repo.Commit(ws, "c").EnsureCommitted();
        Assert.False(repo.Objects.IsChunked(repo.Objects.Read<Tree>(repo.ReadCommit(commit).Tree).Find("big.bin")!.Value.Id));
    }

    [Fact]
    public void A_plain_and_a_chunked_blob_of_the_same_bytes_have_equal_content()
    {
        var objects = new ObjectDatabase(new InMemoryObjectStore());
        var content = Large("equal", 300_000);
        var plain = EncodedContent.Encode(content, chunkingThreshold: 1 << 30);
        var chunked = EncodedContent.Encode(content, chunkingThreshold: 0);
        var other = content.ToArray();
        other[^1] ^= 1;
        var changed = EncodedContent.Encode(other, chunkingThreshold: 1 << 30);
        objects.Store.PutMany([.. plain.Objects(), .. chunked.Objects(), .. changed.Objects()]);

        Assert.NotEqual(plain.Id, chunked.Id);
        Assert.True(objects.ContentEquals(plain.Id, chunked.Id));
        Assert.True(objects.ContentEquals(chunked.Id, plain.Id));
        Assert.False(objects.ContentEquals(changed.Id, chunked.Id));
        Assert.False(objects.ContentEquals(changed.Id, plain.Id));
    }

    /// <summary>In-memory storage that records every object a ref transaction carries.</summary>
    private sealed class RecordingStorage : IRepositoryStorage
    {
        private readonly InMemoryRepositoryStorage _inner = new();

        public RecordingStorage() => Refs = new RecordingRefs(_inner.Refs, Written);

        public List<EncodedObject> Written { get; } = [];

        public IObjectStore Objects => _inner.Objects;

        public IRefStore Refs { get; }

        public void Dispose() => _inner.Dispose();
    }

    private sealed class RecordingRefs(IRefStore inner, List<EncodedObject> written) : IRefStore
    {
        public RefTransactionResult Commit(RefTransaction transaction)
        {
            written.AddRange(transaction.Objects);
            return inner.Commit(transaction);
        }

        public Refs.RefTarget? Read(Refs.RefName name) => inner.Read(name);

        public IReadOnlyList<Core.Refs.RefEntry> List(string prefix) => inner.List(prefix);

        public IReadOnlyList<OperationRecord> ReadOperations(long? before, int limit) => inner.ReadOperations(before, limit);

        public OperationLogStart ReadOperationLogStart() => inner.ReadOperationLogStart();

        public long TrimOperations(DateTimeOffset before) => inner.TrimOperations(before);

        public void Dispose() => inner.Dispose();
    }
}
