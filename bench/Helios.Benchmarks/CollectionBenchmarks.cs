using BenchmarkDotNet.Attributes;
using Helios.Benchmarks.Support;
using Helios.Core.Collections;
using Helios.Core.Objects;

namespace Helios.Benchmarks;

/// <summary>
/// Collections at 1,000,000 keys of 384-float vectors with JSON metadata (override with
/// <c>HELIOS_BENCH_COLLECTION_KEYS</c>), in memory, built once per benchmark process. Targets: get
/// with a warm cache at most 5 µs; merge of 100 changed vectors at most 10 ms. Apply results are not
/// stored (as in a real commit, storing is the ref transaction's job), so every invocation edits the same base.
/// </summary>
[Config(typeof(BenchConfig))]
[BenchmarkCategory("Collections")]
public class CollectionBenchmarks
{
    private const int WarmKeys = 1024;

    private VectorCollection _collection = null!;
    private string[] _warmKeys = null!;
    private CollectionEdit[][] _single = null!;
    private CollectionEdit[][] _hundred = null!;
    private ObjectId _base;
    private ObjectId _hundredChanged;
    private ObjectId _oursMoved;
    private int _next;

    [GlobalSetup]
    public void Build()
    {
        _collection = VectorCollection.Build(VectorCollection.ConfiguredKeys);
        var tree = _collection.Tree;
        int keys = _collection.Keys;
        _base = _collection.Header;
        var random = new Random(11);
        _warmKeys = Enumerable.Range(0, WarmKeys).Select(_ => VectorCollection.KeyOf(random.Next(keys))).ToArray();
        foreach (var key in _warmKeys)
        {
            _ = tree.TryGet(_base, key);
        }

        _single = Enumerable.Range(0, 64).Select(v => new[] { VectorCollection.Put(random.Next(keys), v + 1) }).ToArray();
        _hundred = Enumerable.Range(0, 16).Select(v =>
            Enumerable.Range(0, 100).Select(_ => random.Next(keys)).Distinct().Select(i => VectorCollection.Put(i, v + 1)).ToArray()).ToArray();
        _hundredChanged = _collection.Changed(_base, 100, version: 1);
        // The parent moved on too: 10 other keys changed there while the child worked.
        _oursMoved = _collection.Changed(_base, 10, version: 2, offset: 7);
    }

    [Benchmark]
    public CollectionValue? Get_warm() => _collection.Tree.TryGet(_base, _warmKeys[_next++ & (WarmKeys - 1)]);

    [Benchmark]
    public CollectionUpdate Apply_1_edit() => _collection.Tree.Apply(_base, _single[_next++ & 63]);

    [Benchmark]
    public CollectionUpdate Apply_100_edits() => _collection.Tree.Apply(_base, _hundred[_next++ & 15]);

    [Benchmark]
    public int Diff_with_100_changes() => _collection.Tree.Diff(_base, _hundredChanged).Count();

    [Benchmark]
    public CollectionMergeResult Merge_100_changed_keys() =>
        _collection.Tree.Merge(_base, _oursMoved, _hundredChanged, _ => KeyResolution.Theirs);
}
