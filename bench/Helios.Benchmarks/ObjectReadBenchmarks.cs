using BenchmarkDotNet.Attributes;
using Helios.Benchmarks.Support;
using Helios.Core.Objects;
using Helios.Core.Repositories;
using Helios.Core.Storage;

namespace Helios.Benchmarks;

/// <summary>
/// Reads through the repository's cache tiers: an L0 hit (a decoded object from
/// <see cref="ObjectDatabase.TryRead"/>; target at most 1 µs) and an L1 hit (a ~4 KiB object,
/// LZ4-compressed in <see cref="CachingObjectStore"/>, read with <see cref="IObjectStore.TryGet"/>
/// beneath L0; target at most 10 µs). For scale, an L2 read straight from SQLite of the same object.
/// </summary>
[Config(typeof(BenchConfig))]
[BenchmarkCategory("ObjectRead")]
public class ObjectReadBenchmarks
{
    private BenchRepository _repository = null!;
    private ObjectId _blob;
    private CachingObjectStore _l1 = null!;
    private BenchRepository _sqlite = null!;
    private IObjectStore _l2 = null!;
    private ObjectId _treeId;
    private byte[] _treeEncoding = [];

    [GlobalSetup]
    public void StoreObject()
    {
        var content = SourceText.Generate(new Random(3), 4096);
        _repository = BenchRepository.Create(Backend.InMemory);
        var objects = _repository.Repository.Objects;
        _blob = objects.Write(new Blob(content));
        _l1 = (CachingObjectStore)objects.Store;

        // Writes bypass L1; the first read misses and fills it.
        _l1.TryGet(_blob);
        if (!_l1.IsCached(_blob) || objects.TryRead(_blob) is not Blob)
        {
            throw new InvalidOperationException("The object should be in L0 and L1 now.");
        }

        _sqlite = BenchRepository.Create(Backend.SqliteFast);
        _sqlite.Repository.Objects.Write(new Blob(content));
        _l2 = _sqlite.Storage.Objects;

        // A directory of 100 files named as the side-by-side trees name them (f00.txt...).
        var entries = Enumerable.Range(0, 100).Select(i => new TreeEntry($"f{i:00}.txt", EntryKind.File, ObjectId.Of(BitConverter.GetBytes(i))));
        (_treeId, _treeEncoding) = ObjectCodec.EncodeWithId(new Tree(entries));
    }

    /// <summary>
    /// Strictly decoding a 100-entry tree (what every cold read of a directory costs above the
    /// storage read): each name is checked as UTF-8 and as a valid entry name.
    /// </summary>
    [Benchmark]
    [BenchmarkCategory("Decode")]
    public HeliosObject Decode_tree_of_100_entries() => ObjectCodec.Decode(_treeId, _treeEncoding);

    [Benchmark]
    [BenchmarkCategory("L0")]
    public HeliosObject? L0_hit_decoded_object() => _repository.Repository.Objects.TryRead(_blob);

    [Benchmark]
    [BenchmarkCategory("L1")]
    public byte[]? L1_hit_compressed_4KiB_object() => _l1.TryGet(_blob);

    [Benchmark]
    [BenchmarkCategory("L2")]
    public byte[]? L2_read_4KiB_object_from_SQLite() => _l2.TryGet(_blob);

    [GlobalCleanup]
    public void DeleteRepositories()
    {
        _repository.Dispose();
        _sqlite.Dispose();
    }
}
