using Helios.Core.Errors;
using Helios.Core.Objects;
using Helios.Core.Objects.Chunking;
using Helios.Core.Storage;
using Helios.Core.Storage.InMemory;

namespace Helios.Core.Tests.Objects.Chunking;

public class ChunkedBlobTests
{
    private static readonly ObjectId A = new(Enumerable.Range(0, 32).Select(i => (byte)i).ToArray());
    private static readonly ObjectId B = new(Enumerable.Range(0, 32).Select(i => (byte)(0xff - i)).ToArray());

    private static string Hex(ObjectId id) => id.ToString();

    [Fact]
    public void Chunked_blob_encoding_and_id_are_frozen()
    {
        var blob = new ChunkedBlob([new ChunkRef(A, 16384), new ChunkRef(B, 300)]);
        var bytes = ObjectCodec.Encode(blob);
        Assert.Equal("0449" + "ac8201" + "02" + "808001" + Hex(A) + "ac02" + Hex(B), Convert.ToHexStringLower(bytes));
        Assert.Equal("1753e1fcfcaa96d727b8d12b748a3addec64f88d2428f92fe8029a21374c9986", ObjectId.Of(bytes).ToString());
        var decoded = (ChunkedBlob)ObjectCodec.Decode(ObjectId.Of(bytes), bytes);
        Assert.Equal(blob.Chunks, decoded.Chunks);
        Assert.Equal(16684, decoded.Length);
    }

    [Theory]
    [InlineData("0402" + "00" + "00", "at least one chunk")]
    [InlineData("0423" + "05" + "01" + "04" + "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", "sum to 4 bytes but the total length is 5")]
    [InlineData("0423" + "00" + "01" + "00" + "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", "chunk 0 has length 0")]
    [InlineData("0424" + "04" + "01" + "04" + "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f" + "00", "trailing")]
    [InlineData("0403" + "04" + "05" + "04", "does not fit")]
    public void Decoding_rejects_a_malformed_chunk_list_as_corruption(string hex, string problem)
    {
        var bytes = Convert.FromHexString(hex);
        var e = Assert.Throws<CorruptObjectException>(() => ObjectCodec.Decode(A, bytes));
        Assert.Contains(problem, e.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(A, e.Expected);
    }

    [Fact]
    public void Building_an_invalid_chunk_list_is_refused()
    {
        Assert.Equal(HeliosErrorCode.InvalidArgument, Assert.Throws<HeliosException>(() => new ChunkedBlob([])).Code);
        Assert.Equal(HeliosErrorCode.InvalidArgument, Assert.Throws<HeliosException>(() => new ChunkedBlob([new ChunkRef(A, 0)])).Code);
    }

    [Fact]
    public void Content_above_the_threshold_is_chunked_and_at_or_below_it_is_one_blob()
    {
        var content = FastCdcTests.Bytes("threshold", 100_000);
        var plain = EncodedContent.Encode(content, chunkingThreshold: content.Length);
        var chunked = EncodedContent.Encode(content, chunkingThreshold: content.Length - 1);
        Assert.Null(plain.Chunked);
        Assert.Equal(ObjectId.Of(ObjectCodec.EncodeBlob(content)), plain.Id);
        Assert.NotNull(chunked.Chunked);
        Assert.Equal(content.Length, chunked.Chunked!.Length);
        Assert.Equal(chunked.Id, plain.AlternateId(content));
        Assert.Equal(plain.Id, chunked.AlternateId(content));
        Assert.Equal(content, chunked.ToContent());
        Assert.Equal(content, plain.ToContent());
    }

    [Fact]
    public void Equal_content_gets_equal_ids_and_chunks_are_blobs()
    {
        var content = FastCdcTests.Bytes("same", 300_000);
        var first = EncodedContent.Encode(content, 65536);
        var second = EncodedContent.Encode(content.ToArray(), 65536);
        Assert.Equal(first.Id, second.Id);
        var objects = first.Objects();
        Assert.Equal(first.Id, objects[^1].Id);
        Assert.All(objects.SkipLast(1), o => Assert.IsType<Blob>(ObjectCodec.Decode(o.Id, o.Bytes)));
        Assert.All(objects, o => Assert.Equal(o.Id, ObjectId.Of(o.Bytes.Span)));
    }

    [Fact]
    public void A_new_chunk_names_the_old_chunk_at_the_same_place_as_its_delta_base()
    {
        var objects = new ObjectDatabase(new InMemoryObjectStore());
        var v1 = FastCdcTests.Bytes("hints", 1 << 20);
        var encoded1 = objects.EncodeContent(v1);
        objects.Store.PutMany(encoded1.Objects());
        var v2 = v1.ToArray();
        v2[500_000] ^= 0xff;
        var encoded2 = objects.EncodeContent(v2);
        var written = encoded2.Objects(objects, encoded1.Id);

        // Only the edited chunk is new; it and the listing carry hints to their old versions.
        Assert.Equal(2, written.Count);
        var oldChunks = encoded1.Chunked!;
        var newChunk = written[0];
        Assert.Equal(oldChunks.Chunks[oldChunks.ChunkAt(500_000)].Id, newChunk.DeltaBase);
        Assert.Equal(encoded1.Id, written[1].DeltaBase);
    }

    [Fact]
    public void After_an_insertion_hints_follow_the_shift()
    {
        var old = new ChunkedBlob([new ChunkRef(A, 10), new ChunkRef(B, 10), new ChunkRef(Id(3), 10)]);
        // 5 bytes inserted in front: the first chunk changed, the second is shared, the third changed.
        var current = new ChunkedBlob([new ChunkRef(Id(4), 15), new ChunkRef(B, 10), new ChunkRef(Id(5), 10)]);
        var hints = EncodedContent.ChunkDeltaBases(old, current);
        Assert.Equal([A, null, Id(3)], hints);
    }

    private static ObjectId Id(byte b) => new(Enumerable.Repeat(b, 32).ToArray());
}
