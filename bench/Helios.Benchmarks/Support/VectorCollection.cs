using Helios.Core.Collections;
using Helios.Core.Objects;
using Helios.Core.Storage;
using Helios.Core.Storage.InMemory;

namespace Helios.Benchmarks.Support;

/// <summary>
/// A collection of deterministic 384-dimension vectors with small JSON metadata under keys
/// <c>pattern-NNNNNNN</c>, built in an in-memory store by batched applies (ascending keys, so each
/// batch appends). Size: <c>HELIOS_BENCH_COLLECTION_KEYS</c> (default 1,000,000; the smoke run sets it small).
/// </summary>
internal sealed class VectorCollection
{
    public const int Dimension = 384;

    private const int BatchSize = 50_000;

    private VectorCollection(InMemoryObjectStore store, CollectionTree tree, ObjectId header, int keys)
    {
        Store = store;
        Tree = tree;
        Header = header;
        Keys = keys;
    }

    public InMemoryObjectStore Store { get; }

    public CollectionTree Tree { get; }

    public ObjectId Header { get; }

    public int Keys { get; }

    public static int ConfiguredKeys =>
        int.TryParse(Environment.GetEnvironmentVariable("HELIOS_BENCH_COLLECTION_KEYS"), out int n) && n > 0 ? n : 1_000_000;

    public static VectorCollection Build(int keys, long decodedCacheBytes = 512L << 20)
    {
        var store = new InMemoryObjectStore();
        var tree = new CollectionTree(new ObjectDatabase(store, decodedCacheBytes));
        var empty = CollectionTree.Empty(Dimension);
        store.PutMany(empty.NewObjects);
        var header = empty.HeaderId;
        for (int start = 0; start < keys; start += BatchSize)
        {
            int end = Math.Min(keys, start + BatchSize);
            var update = tree.Apply(header, Enumerable.Range(start, end - start).Select(i => Put(i, 0)));
            store.PutMany(update.NewObjects);
            header = update.HeaderId;
        }

        return new VectorCollection(store, tree, header, keys);
    }

    public static string KeyOf(int i) => $"pattern-{i:D7}";

    /// <summary>The vector for key <paramref name="i"/> in its <paramref name="version"/>-th revision.</summary>
    public static CollectionEdit Put(int i, int version) => CollectionEdit.PutVector(KeyOf(i), Vector(i, version), $$"""{"id":{{i}},"v":{{version}}}""");

    /// <summary>Cheap deterministic floats in [-1, 1): an xorshift stream seeded by key and version.</summary>
    public static float[] Vector(int i, int version)
    {
        var v = new float[Dimension];
        ulong x = ((ulong)(uint)i << 32) ^ (uint)version ^ 0x9E3779B97F4A7C15UL;
        for (int d = 0; d < v.Length; d++)
        {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            v[d] = ((int)(x >> 40) / (float)(1 << 23)) - 1f;
        }

        return v;
    }

    /// <summary>Stores an update and returns its header.</summary>
    public ObjectId Save(CollectionUpdate update)
    {
        Store.PutMany(update.NewObjects);
        return update.HeaderId;
    }

    /// <summary>A version with <paramref name="count"/> vectors changed at spread-out keys (revision <paramref name="version"/>).</summary>
    public ObjectId Changed(ObjectId from, int count, int version, int offset = 0)
    {
        var edits = Enumerable.Range(0, count).Select(j => Put((int)((((long)j * Keys / count) + offset) % Keys), version));
        return Save(Tree.Apply(from, edits));
    }
}
