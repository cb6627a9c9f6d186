using Helios.Core.Collections;
using Helios.Core.Errors;
using Helios.Core.Objects;

namespace Helios.Core.Tests.Collections;

public class CollectionTreeTests
{
    private readonly CollectionTestKit _kit = new();

    private CollectionTree Tree => _kit.Tree;

    private ObjectId Numbered(int count, int dimension = 0, string prefix = "key-") =>
        _kit.Apply(_kit.Empty(dimension), Enumerable.Range(0, count).Select(i => CollectionEdit.PutBytes($"{prefix}{i:D6}", BitConverter.GetBytes(i))));

    [Fact]
    public void Put_then_get_returns_the_value_and_missing_keys_return_null()
    {
        var header = _kit.Apply(_kit.Empty(), CollectionEdit.PutBytes("b", "two"u8), CollectionEdit.PutBytes("a", "one"u8));
        Assert.Equal("one"u8.ToArray(), Tree.TryGet(header, "a")!.Payload.ToArray());
        Assert.Equal("two"u8.ToArray(), Tree.TryGet(header, "b")!.Payload.ToArray());
        Assert.Null(Tree.TryGet(header, "c"));
        Assert.Null(Tree.TryGet(header, "0"));
        Assert.Equal(2, Tree.Count(header));
    }

    [Fact]
    public void Delete_removes_a_key_and_deleting_a_missing_key_changes_nothing()
    {
        var header = Numbered(100);
        var deleted = _kit.Apply(header, CollectionEdit.Delete("key-000050"));
        Assert.Null(Tree.TryGet(deleted, "key-000050"));
        Assert.Equal(99, Tree.Count(deleted));
        var update = Tree.Apply(deleted, [CollectionEdit.Delete("key-000050"), CollectionEdit.Delete("nope")]);
        Assert.True(update.Unchanged);
        Assert.Equal(deleted, update.HeaderId);
    }

    [Fact]
    public void Putting_the_same_value_again_changes_nothing()
    {
        var header = Numbered(500);
        var update = Tree.Apply(header, [CollectionEdit.PutBytes("key-000007", BitConverter.GetBytes(7))]);
        Assert.True(update.Unchanged);
        Assert.Equal(header, update.HeaderId);
    }

    [Fact]
    public void A_large_collection_has_several_levels_and_every_key_is_found()
    {
        var header = Numbered(5000);
        var root = Tree.ReadHeader(header).Root;
        Assert.True(_kit.Tree.Objects.Read<CollectionNode>(root).Level >= 2);
        for (int i = 0; i < 5000; i += 7)
        {
            Assert.Equal(i, BitConverter.ToInt32(Tree.TryGet(header, $"key-{i:D6}")!.Payload.Span));
        }

        Assert.Equal(5000, Tree.Count(header));
        Assert.Equal(5000, Tree.EnumerateLeaves(root).Sum(l => l.Leaf.Count));
    }

    [Fact]
    public void Leaves_are_enumerated_in_key_order_with_their_ids()
    {
        var header = Numbered(3000);
        var keys = new List<string>();
        foreach (var (id, leaf) in Tree.EnumerateLeaves(Tree.ReadHeader(header).Root))
        {
            Assert.Equal(id, ObjectId.Of(ObjectCodec.Encode(leaf)));
            for (int i = 0; i < leaf.Count; i++) keys.Add(leaf.Key(i));
        }

        Assert.Equal(Enumerable.Range(0, 3000).Select(i => $"key-{i:D6}"), keys);
    }

    [Fact]
    public void Rank_counts_the_keys_before_a_key()
    {
        var header = Numbered(3000);
        Assert.Equal(0, Tree.Rank(header, "a"));
        Assert.Equal(1234, Tree.Rank(header, "key-001234"));
        Assert.Equal(1235, Tree.Rank(header, "key-001234x"));
        Assert.Equal(3000, Tree.Rank(header, "z"));
    }

    [Fact]
    public void Scan_by_prefix_returns_exactly_the_keys_with_that_prefix_in_order()
    {
        var header = _kit.Apply(Numbered(2000), CollectionEdit.PutBytes("key-0012", "short"u8), CollectionEdit.PutBytes("key-0013", "after"u8));
        var keys = Tree.Scan(header, "key-0012").Select(kv => kv.Key).ToList();
        Assert.Equal(["key-0012", .. Enumerable.Range(1200, 100).Select(i => $"key-{i:D6}")], keys);
        Assert.Empty(Tree.Scan(header, "nope"));
        Assert.Equal(2002, Tree.Scan(header, "").Count());
    }

    [Fact]
    public void Scan_by_range_includes_the_start_and_excludes_the_end()
    {
        var header = Numbered(2000);
        var keys = Tree.Scan(header, "key-000990", "key-001010").Select(kv => kv.Key).ToList();
        Assert.Equal(Enumerable.Range(990, 20).Select(i => $"key-{i:D6}"), keys);
        Assert.Equal(10, Tree.Scan(header, null, "key-000010").Count());
        Assert.Equal(5, Tree.Scan(header, "key-001995", null).Count());
    }

    [Fact]
    public void Prefix_scan_orders_keys_by_utf8_bytes()
    {
        string[] keys = ["p\uFF21", "p\U0001F600", "pb", "p\u00e9", "q"];
        var header = _kit.Apply(_kit.Empty(), keys.Select(k => CollectionEdit.PutBytes(k, [1])));
        Assert.Equal(["pb", "p\u00e9", "p\uFF21", "p\U0001F600"], Tree.Scan(header, "p").Select(kv => kv.Key));
    }

    [Fact]
    public void Values_over_64_bytes_are_stored_as_blobs_and_small_ones_inline()
    {
        var big = new byte[65];
        big[64] = 9;
        var header = _kit.Apply(_kit.Empty(), CollectionEdit.PutBytes("big", big), CollectionEdit.PutBytes("small", new byte[64]));
        var bigStored = Tree.TryGetStored(header, "big")!.Value;
        Assert.False(bigStored.IsInline);
        Assert.Equal(big, Tree.Objects.Read<Blob>(bigStored.Blob).Content.ToArray());
        Assert.True(Tree.TryGetStored(header, "small")!.Value.IsInline);
        Assert.Equal(big, Tree.TryGet(header, "big")!.Payload.ToArray());
    }

    [Fact]
    public void Apply_writes_nothing_and_returns_the_objects_to_store()
    {
        var empty = _kit.Empty(4);
        int before = _kit.Store.Count;
        var update = Tree.Apply(empty, [CollectionEdit.PutVector("v", [1, 2, 3, 4], """{"tag":"x"}""")]);
        Assert.Equal(before, _kit.Store.Count);
        Assert.Contains(update.NewObjects, o => o.Id == update.HeaderId);
        Assert.All(update.NewObjects, o => Assert.Equal(o.Id, ObjectId.Of(o.Bytes.Span)));
        Assert.Throws<NotFoundException>(() => Tree.TryGet(update.HeaderId, "v"));
        _kit.Save(update);
        Assert.NotNull(Tree.TryGet(update.HeaderId, "v"));
    }

    [Fact]
    public void Vectors_round_trip_with_and_without_metadata()
    {
        float[] vector = [1.5f, -2f, float.Epsilon, 1e30f];
        var header = _kit.Apply(_kit.Empty(4), CollectionEdit.PutVector("with", vector, """{"source":"agent-7","score":0.9}"""), CollectionEdit.PutVector("without", vector));
        var with = Tree.TryGet(header, "with")!;
        Assert.Equal(CollectionValueKind.Vector, with.Kind);
        Assert.Equal(vector, with.GetVector(4));
        Assert.Equal("""{"source":"agent-7","score":0.9}""", with.GetMetadataJson(4));
        Assert.Null(Tree.TryGet(header, "without")!.GetMetadataJson(4));
        Assert.Equal(vector, Tree.TryGet(header, "without")!.VectorSpan(4).ToArray());
    }

    [Theory]
    [InlineData(3)]
    [InlineData(5)]
    public void A_vector_of_the_wrong_dimension_is_rejected_and_nothing_is_built(int length)
    {
        var header = _kit.Empty(4);
        var e = Assert.Throws<HeliosException>(() => Tree.Apply(header, [CollectionEdit.PutBytes("ok", [1]), CollectionEdit.PutVector("bad", new float[length])]));
        Assert.Equal(HeliosErrorCode.InvalidArgument, e.Code);
        Assert.Contains("'bad'", e.Message, StringComparison.Ordinal);
        Assert.Contains("dimension is 4", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_collection_of_dimension_zero_rejects_vectors_but_takes_bytes()
    {
        var header = _kit.Empty(0);
        var e = Assert.Throws<HeliosException>(() => Tree.Apply(header, [CollectionEdit.PutVector("v", [1f])]));
        Assert.Equal(HeliosErrorCode.InvalidArgument, e.Code);
        Assert.False(Tree.Apply(header, [CollectionEdit.PutBytes("b", [1])]).Unchanged);
    }

    [Theory]
    [InlineData("")]
    [InlineData("{")]
    [InlineData("{} {}")]
    [InlineData("nope")]
    public void Vector_metadata_that_is_not_json_is_rejected(string metadata)
    {
        var e = Assert.Throws<HeliosException>(() => CollectionValue.FromVector([1f], metadata));
        Assert.Equal(HeliosErrorCode.InvalidArgument, e.Code);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("lone surrogate", "not valid Unicode")]
    [InlineData(null, "limit is 1024")]
    public void Bad_keys_are_rejected_with_one_clear_sentence(string? key, string expected)
    {
        // Built here: theory data would turn a lone surrogate into U+FFFD on its way to the test.
        key = key switch { null => new string('k', 1025), "lone surrogate" => "\ud800x", _ => key };
        var header = _kit.Empty();
        var e = Assert.Throws<HeliosException>(() => Tree.Apply(header, [CollectionEdit.PutBytes(key, [1])]));
        Assert.Equal(HeliosErrorCode.InvalidArgument, e.Code);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.EndsWith(".", e.Message, StringComparison.Ordinal);
        Assert.Throws<HeliosException>(() => Tree.TryGet(header, key));
    }

    [Fact]
    public void A_key_of_exactly_1024_utf8_bytes_is_accepted()
    {
        string key = new('\u00e9', 512);
        var header = _kit.Apply(_kit.Empty(), CollectionEdit.PutBytes(key, [1]));
        Assert.NotNull(Tree.TryGet(header, key));
    }

    [Fact]
    public void Editing_one_key_twice_in_a_batch_is_rejected()
    {
        var e = Assert.Throws<HeliosException>(() => Tree.Apply(_kit.Empty(), [CollectionEdit.PutBytes("a", [1]), CollectionEdit.Delete("a")]));
        Assert.Equal(HeliosErrorCode.InvalidArgument, e.Code);
    }

    [Fact]
    public void Deleting_every_key_gives_the_empty_collection()
    {
        var header = Numbered(3000);
        var emptied = _kit.Apply(header, Enumerable.Range(0, 3000).Select(i => CollectionEdit.Delete($"key-{i:D6}")));
        Assert.Equal(_kit.Empty(), emptied);
    }

    [Fact]
    public void One_edit_to_a_large_collection_creates_one_node_per_level_plus_the_header()
    {
        var header = Numbered(20_000);
        int height = Tree.Objects.Read<CollectionNode>(Tree.ReadHeader(header).Root).Level + 1;
        var update = Tree.Apply(header, [CollectionEdit.PutBytes("key-010000", "changed"u8)]);
        // A changed value keeps every key, so every boundary stays: exactly the path to the root is new.
        Assert.Equal(height + 1, update.NewObjects.Count);
    }

    [Fact]
    public void Diff_of_two_large_versions_with_few_changes_reads_only_a_handful_of_nodes()
    {
        var a = Numbered(20_000);
        var b = _kit.Apply(a, CollectionEdit.PutBytes("key-000100", "x"u8), CollectionEdit.Delete("key-015000"), CollectionEdit.PutBytes("key-015000a", "y"u8));
        var (cold, counter) = _kit.ColdView();
        var changes = cold.Diff(a, b).ToList();
        Assert.Equal(["key-000100", "key-015000", "key-015000a"], changes.Select(c => c.Key));
        Assert.Null(changes[1].New);
        Assert.Null(changes[2].Old);
        long reads = counter.Statistics.Hits + counter.Statistics.Misses;
        int height = cold.Objects.Read<CollectionNode>(cold.ReadHeader(a).Root).Level + 1;
        // Two headers plus, per change site, about one path per side (two leaves when a boundary moves).
        Assert.InRange(reads, 4, 2 + (2 * 2 * (height + 1)));
        Assert.True(reads < 20_000 / 32, $"{reads} reads");
    }

    [Fact]
    public void Diff_lists_additions_deletions_and_changes_in_key_order()
    {
        var a = _kit.Apply(_kit.Empty(), CollectionEdit.PutBytes("a", [1]), CollectionEdit.PutBytes("b", [2]), CollectionEdit.PutBytes("c", [3]));
        var b = _kit.Apply(a, CollectionEdit.Delete("a"), CollectionEdit.PutBytes("b", [9]), CollectionEdit.PutBytes("d", [4]));
        var changes = Tree.Diff(a, b).ToList();
        Assert.Equal(["a", "b", "d"], changes.Select(c => c.Key));
        Assert.Equal((byte[])[1], changes[0].Old!.Value.Inline.ToArray());
        Assert.Null(changes[0].New);
        Assert.Equal((byte[])[9], changes[1].New!.Value.Inline.ToArray());
        Assert.Null(changes[2].Old);
        Assert.Empty(Tree.Diff(b, b));
    }
}
