using Helios.Core.Collections;
using Helios.Core.Errors;
using Helios.Core.Objects;

namespace Helios.Core.Tests.Collections;

public class CollectionCodecTests
{
    private static readonly ObjectId SomeId = new(Enumerable.Range(0, 32).Select(i => (byte)i).ToArray());

    private static CollectionNode GoldenLeaf() => CollectionNode.Leaf(
        ["a"u8.ToArray(), "b"u8.ToArray(), "c"u8.ToArray(), "d"u8.ToArray()],
        [
            new StoredValue(StoredValueKind.InlineBytes, "hi"u8.ToArray(), default),
            new StoredValue(StoredValueKind.InlineVector, new byte[] { 0, 0, 0x80, 0x3f, 0, 0, 0x20, 0xc0 }, default),
            new StoredValue(StoredValueKind.BlobBytes, default, SomeId),
            new StoredValue(StoredValueKind.BlobVector, default, SomeId),
        ]);

    // Golden values: changing the encoding must be a deliberate act that updates these and docs/object-format.md.
    [Fact]
    public void Header_encoding_and_id_are_frozen()
    {
        var bytes = ObjectCodec.Encode(new CollectionHeader(384, 1_000_000, SomeId));
        Assert.Equal("05258003c0843d000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", Convert.ToHexStringLower(bytes));
        Assert.Equal("60c460fa3c17e6d9218546784933bbfe2270b9e5ce3fdbe4152c60e0189de5db", ObjectId.Of(bytes).ToString());
    }

    [Fact]
    public void Leaf_encoding_and_id_are_frozen()
    {
        var bytes = ObjectCodec.Encode(GoldenLeaf());
        Assert.Equal("085a0004016100026869016201080000803f000020c0016302000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f016403000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", Convert.ToHexStringLower(bytes));
        Assert.Equal("dd3599bb2b4e6e5279d92059bb9ece8d6e8d9b04a0abf042a4c17d5cf542c65e", ObjectId.Of(bytes).ToString());
    }

    [Fact]
    public void Internal_node_encoding_and_id_are_frozen()
    {
        var node = CollectionNode.Internal(1, ["a"u8.ToArray(), "m"u8.ToArray()], [SomeId, SomeId], [3, 200]);
        var bytes = ObjectCodec.Encode(node);
        Assert.Equal("084901020161000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f03016d000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1fc801", Convert.ToHexStringLower(bytes));
        Assert.Equal("0b68ac3b16d0d0e0e7e0c2516932b941a4b2c8f410b78a67d670a6f9d137a426", ObjectId.Of(bytes).ToString());
    }

    [Fact]
    public void The_empty_collection_is_frozen()
    {
        var empty = CollectionTree.Empty(0);
        Assert.Equal("08020000", Convert.ToHexStringLower(empty.NewObjects[0].Bytes.ToArray()));
        Assert.Equal("e37702fdac2658fe707f6fdbe808de56aa0e9be7164372b6f69cc054cd20261b", empty.NewObjects[0].Id.ToString());
        Assert.Equal("48096f9bc3bbce96523e3efab7febb99132765d4c000bf24904037bfdf4ed769", empty.HeaderId.ToString());
    }

    [Fact]
    public void The_chunk_boundary_hash_is_frozen()
    {
        // b3sum of the bytes 00 61 ("a" at level 0) and 01 61 (level 1): the first 8 bytes read little-endian.
        Assert.Equal(1047421392231986719UL, ChunkBoundary.Hash(0, "a"u8));
        Assert.Equal(1677238593524403272UL, ChunkBoundary.Hash(1, "a"u8));
    }

    [Fact]
    public void A_thousand_key_collection_has_a_frozen_id()
    {
        var kit = new CollectionTestKit();
        var model = CollectionTestKit.NewModel();
        for (int i = 0; i < 1000; i++) model[$"key-{i:D4}"] = CollectionValue.FromBytes(BitConverter.GetBytes(i));
        var header = kit.Build(model);
        Assert.Equal("c83569f42723397eed8ea7ad04edee45e8df5f1fd3194a8be1ef099a7a3e63eb", header.ToString());
        Assert.Equal(CollectionTestKit.ReferenceHeaderId(model), header);
        Assert.Equal(27, kit.Tree.EnumerateLeaves(kit.Tree.ReadHeader(header).Root).Count());
    }

    [Fact]
    public void Nodes_and_headers_round_trip()
    {
        foreach (HeliosObject obj in new HeliosObject[] { GoldenLeaf(), CollectionNode.Internal(3, ["k"u8.ToArray()], [SomeId], [long.MaxValue]), new CollectionHeader(0, 0, SomeId) })
        {
            var bytes = ObjectCodec.Encode(obj);
            Assert.Equal(bytes, ObjectCodec.Encode(ObjectCodec.Decode(SomeId, bytes)));
        }
    }

    [Theory]
    [InlineData("trailing byte", "0807000101610000ff")]
    [InlineData("unsorted keys", "080a00020162000001610000")]
    [InlineData("duplicate keys", "080a00020161000001610000")]
    [InlineData("unknown value kind", "08070001016104ffff")]
    [InlineData("empty key", "080a00010000056868686868")]
    [InlineData("key that is not UTF-8", "0806000101ff0000")]
    [InlineData("internal node without entries", "08020100")]
    [InlineData("internal entry with no keys beneath", "082501010161000000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("entry count larger than the payload", "0803000500")]
    [InlineData("header dimension above the limit", "0524818004000000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("header with trailing byte", "05230000000000000000000000000000000000000000000000000000000000000000000000")]
    public void Decoding_rejects_a_corrupt_collection_object(string what, string hex)
    {
        var e = Assert.Throws<CorruptObjectException>(() => ObjectCodec.Decode(SomeId, Convert.FromHexString(hex)));
        Assert.Equal(HeliosErrorCode.Corruption, e.Code);
        Assert.Contains(SomeId.ToString(), e.Message, StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(what));
    }

    [Fact]
    public void Decoding_rejects_an_inline_value_over_64_bytes()
    {
        byte[] bytes = [0x08, 0x47, 0x00, 0x01, 0x01, (byte)'a', 0x00, 0x41, .. new byte[65]];
        Assert.Throws<CorruptObjectException>(() => ObjectCodec.Decode(SomeId, bytes));
        bytes[1] = 0x46;
        bytes[7] = 0x40;
        Assert.IsType<CollectionNode>(ObjectCodec.Decode(SomeId, bytes.AsMemory(0, bytes.Length - 1)));
    }
}
