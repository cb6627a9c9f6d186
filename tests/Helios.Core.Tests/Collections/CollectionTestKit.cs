using Helios.Core.Collections;
using Helios.Core.Objects;
using Helios.Core.Storage;
using Helios.Core.Storage.InMemory;

namespace Helios.Core.Tests.Collections;

/// <summary>An in-memory store with a collection tree over it, plus an independent reference builder and model helpers.</summary>
internal sealed class CollectionTestKit
{
    public CollectionTestKit(long decodedCacheBytes = 64L << 20)
    {
        Counting = new CountingObjectStore(Store);
        Tree = new CollectionTree(new ObjectDatabase(Counting, decodedCacheBytes));
    }

    public InMemoryObjectStore Store { get; } = new();

    public CountingObjectStore Counting { get; }

    public CollectionTree Tree { get; }

    /// <summary>A fresh tree over the same store with an empty decoded cache (for counting reads).</summary>
    public (CollectionTree Tree, CountingObjectStore Counter) ColdView()
    {
        var counter = new CountingObjectStore(Store);
        return (new CollectionTree(new ObjectDatabase(counter)), counter);
    }

    public ObjectId Save(CollectionUpdate update)
    {
        Store.PutMany(update.NewObjects);
        return update.HeaderId;
    }

    public ObjectId Empty(int dimension = 0) => Save(CollectionTree.Empty(dimension));

    public ObjectId Apply(ObjectId header, params IEnumerable<CollectionEdit> edits) => Save(Tree.Apply(header, edits));

    public ObjectId Build(IReadOnlyDictionary<string, CollectionValue> model, int dimension = 0) =>
        Apply(Empty(dimension), model.Select(kv => CollectionEdit.Put(kv.Key, kv.Value)));

    public SortedDictionary<string, CollectionValue> Contents(ObjectId header) =>
        new(Tree.Scan(header, null, null).ToDictionary(kv => kv.Key, kv => kv.Value), Utf8NameComparer.Instance);

    public static SortedDictionary<string, CollectionValue> NewModel() => new(Utf8NameComparer.Instance);

    public static CollectionValue Bytes(string text) => CollectionValue.FromBytes(System.Text.Encoding.UTF8.GetBytes(text));

    /// <summary>
    /// The header id a collection with exactly these contents must have, computed straight from the
    /// format's rules (chunk every level after each closing key, stop at the first level with one
    /// node), sharing no code with the incremental builder beyond the node encoding.
    /// </summary>
    public static ObjectId ReferenceHeaderId(IReadOnlyDictionary<string, CollectionValue> contents, int dimension = 0)
    {
        var sorted = contents.Select(kv => (Key: System.Text.Encoding.UTF8.GetBytes(kv.Key), kv.Value))
            .OrderBy(e => e.Key, Comparer<byte[]>.Create((a, b) => a.AsSpan().SequenceCompareTo(b))).ToList();
        var level = new List<(byte[] FirstKey, ObjectId Id, long Count)>();
        var keys = new List<byte[]>();
        var values = new List<StoredValue>();
        for (int i = 0; i < sorted.Count; i++)
        {
            keys.Add(sorted[i].Key);
            values.Add(StoredValue.Of(sorted[i].Value, out _));
            if (i == sorted.Count - 1 || ChunkBoundary.Closes(0, sorted[i].Key))
            {
                level.Add((keys[0], ObjectId.Of(ObjectCodec.Encode(CollectionNode.Leaf([.. keys], [.. values]))), keys.Count));
                keys.Clear();
                values.Clear();
            }
        }

        ObjectId root = ObjectId.Of(ObjectCodec.Encode(CollectionNode.EmptyLeaf));
        for (int height = 1; level.Count > 0; height++)
        {
            if (level.Count == 1)
            {
                root = level[0].Id;
                break;
            }

            var next = new List<(byte[] FirstKey, ObjectId Id, long Count)>();
            var run = new List<(byte[] FirstKey, ObjectId Id, long Count)>();
            for (int i = 0; i < level.Count; i++)
            {
                run.Add(level[i]);
                if (i == level.Count - 1 || ChunkBoundary.Closes(height, level[i].FirstKey))
                {
                    var node = CollectionNode.Internal(height, [.. run.Select(r => r.FirstKey)], [.. run.Select(r => r.Id)], [.. run.Select(r => r.Count)]);
                    next.Add((run[0].FirstKey, ObjectId.Of(ObjectCodec.Encode(node)), run.Sum(r => r.Count)));
                    run.Clear();
                }
            }

            level = next;
        }

        return ObjectId.Of(ObjectCodec.Encode(new CollectionHeader(dimension, contents.Count, root)));
    }
}
