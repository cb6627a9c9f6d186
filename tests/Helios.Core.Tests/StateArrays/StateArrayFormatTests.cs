using FsCheck;
using FsCheck.Fluent;
using Helios.Core.Errors;
using Helios.Core.Objects;
using Helios.Core.StateArrays;

namespace Helios.Core.Tests.StateArrays;

public class StateArrayFormatTests
{
    private static readonly ObjectId A = new(Enumerable.Range(0, 32).Select(i => (byte)i).ToArray());
    private static readonly ObjectId B = new(Enumerable.Range(0, 32).Select(i => (byte)(0xff - i)).ToArray());

    // Golden values: changing the encoding must be a deliberate act that updates these and docs/object-format.md.
    [Fact]
    public void State_array_root_encoding_and_id_are_frozen()
    {
        var root = new StateArrayRoot("agents/v1", 64, 1500, 1024, [new StateArrayPageRef(A, B), new StateArrayPageRef(B, A)]);
        var bytes = ObjectCodec.Encode(root);
        Assert.Equal(
            "069001096167656e74732f763140dc0b800802" +
            "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f" + "fffefdfcfbfaf9f8f7f6f5f4f3f2f1f0efeeedecebeae9e8e7e6e5e4e3e2e1e0" +
            "fffefdfcfbfaf9f8f7f6f5f4f3f2f1f0efeeedecebeae9e8e7e6e5e4e3e2e1e0" + "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
            Convert.ToHexStringLower(bytes));
        Assert.Equal("217ea2731bb1631e87d4edf646459039a1e7a965017ba44342347f295d6aa2c4", ObjectId.Of(bytes).ToString());
        var decoded = (StateArrayRoot)ObjectCodec.Decode(ObjectId.Of(bytes), bytes);
        Assert.Equal(root.Pages, decoded.Pages);
        Assert.Equal(("agents/v1", 64, 1500L, 1024), (decoded.Schema, decoded.RecordSize, decoded.RecordCount, decoded.RecordsPerPage));
    }

    [Fact]
    public void A_raw_page_encoding_and_id_are_frozen()
    {
        // Eight bytes that LZ4 cannot shrink are stored raw: codec 0, raw length 8, the bytes.
        var (id, bytes) = StateArrayPage.Encode([1, 2, 3, 4, 5, 6, 7, 8], recordSize: 4);
        Assert.Equal("0a0a00080102030405060708", Convert.ToHexStringLower(bytes));
        Assert.Equal("68685160548013815ead62ea68bdf53871595d9a32f7e89f18f452e962378329", id.ToString());
    }

    [Fact]
    public void A_shuffled_lz4_page_decodes_to_its_frozen_bytes()
    {
        // Codec 2, raw length 8, element size 4, then an LZ4 block of one literal run of the shuffled
        // bytes 01 05 02 06 03 07 04 08 (token 0x80: eight literals, no match), which unshuffles to 01..08.
        var bytes = Convert.FromHexString("0a0c02080480" + "0105020603070408");
        var id = ObjectId.Of(bytes);
        var page = (StateArrayPage)ObjectCodec.Decode(id, bytes);
        Assert.Equal(StateArrayPageCodec.ShuffledLz4, page.Codec);
        Assert.Equal(new byte[] { 1, 2, 3, 4, 5, 6, 7, 8 }, page.Decode(id));
        var into = new byte[8];
        StateArrayPage.DecodeInto(id, bytes, into, ObjectId.Of(new byte[] { 1, 2, 3, 4, 5, 6, 7, 8 }));
        Assert.Equal(new byte[] { 1, 2, 3, 4, 5, 6, 7, 8 }, into);
    }

    [Theory]
    [InlineData("unknown codec", "0a03030100")]
    [InlineData("raw length 0", "0a020000")]
    [InlineData("raw length past the page limit", "0a060080808009ff")]
    [InlineData("raw page shorter than its length", "0a0300020a")]
    [InlineData("raw page longer than its length", "0a0500020a0b0c")]
    [InlineData("element size 1", "0a0402020180")]
    [InlineData("element size not dividing the length", "0a0402080380")]
    [InlineData("compressed page without data", "0a020108")]
    public void Malformed_page_headers_are_corruption(string why, string hex)
    {
        var bytes = Convert.FromHexString(hex);
        var e = Assert.Throws<CorruptObjectException>(() => ObjectCodec.Decode(ObjectId.Of(bytes), bytes));
        Assert.Equal(ObjectId.Of(bytes), e.Expected);
        Assert.False(string.IsNullOrEmpty(why));
    }

    [Fact]
    public void A_page_that_would_inflate_past_its_declared_length_is_corruption_without_a_larger_allocation()
    {
        // Declares 8 raw bytes but its LZ4 block holds 9 literals; decoding into the 8-byte page must stop.
        var bytes = Convert.FromHexString("0a0c0108" + "90" + "010203040506070809");
        var id = ObjectId.Of(bytes);
        var e = Assert.Throws<CorruptObjectException>(() => StateArrayPage.DecodeInto(id, bytes, new byte[8], default));
        Assert.Equal(id, e.Expected);
    }

    [Fact]
    public void A_page_whose_place_holds_another_length_is_corruption()
    {
        var (id, bytes) = StateArrayPage.Encode(new byte[64], recordSize: 8);
        var e = Assert.Throws<CorruptObjectException>(() => StateArrayPage.DecodeInto(id, bytes, new byte[128], ObjectId.Of(new byte[128])));
        Assert.Contains("declares 64 raw bytes", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_page_decoding_to_another_raw_hash_is_corruption_naming_it()
    {
        var (id, bytes) = StateArrayPage.Encode(new byte[64], recordSize: 8);
        var e = Assert.Throws<CorruptObjectException>(() => StateArrayPage.DecodeInto(id, bytes, new byte[64], ObjectId.Of([1])));
        Assert.Equal(id, e.Expected);
        Assert.Contains("raw hash", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_object_of_another_type_is_not_decoded_as_a_page()
    {
        var blob = ObjectCodec.EncodeBlob([1, 2]);
        Assert.Throws<CorruptObjectException>(() => StateArrayPage.DecodeInto(ObjectId.Of(blob), blob, new byte[2], default));
    }

    [Theory]
    [InlineData("empty schema", "0648" + "00" + "40" + "01" + "01" + "01")]
    [InlineData("record size 0", "0648" + "0161" + "00" + "01" + "01" + "01")]
    [InlineData("page count not matching the geometry", "0648" + "0161" + "40" + "03" + "02" + "01")]
    [InlineData("records per page 0", "0648" + "0161" + "40" + "03" + "00" + "01")]
    [InlineData("page larger than the limit", "0648" + "0161" + "808080" + "09" + "01" + "01" + "01")]
    public void Malformed_roots_are_corruption(string why, string prefixHex)
    {
        // Pad each with one page entry so only the named defect is wrong; the frame length is fixed up.
        var payload = Convert.FromHexString(prefixHex[4..]).Concat(new byte[64]).ToArray();
        var bytes = new byte[] { 6, (byte)payload.Length }.Concat(payload).ToArray();
        Assert.True(payload.Length < 128);
        var e = Assert.Throws<CorruptObjectException>(() => ObjectCodec.Decode(ObjectId.Of(bytes), bytes));
        Assert.False(string.IsNullOrEmpty(why));
        Assert.Equal(ObjectId.Of(bytes), e.Expected);
    }

    [Fact]
    public void A_root_with_trailing_bytes_is_corruption()
    {
        var bytes = ObjectCodec.Encode(new StateArrayRoot("a", 1, 1, 1, [new StateArrayPageRef(A, B)]));
        var longer = bytes.Concat(new byte[] { 0 }).ToArray();
        longer[1]++;
        Assert.Throws<CorruptObjectException>(() => ObjectCodec.Decode(ObjectId.Of(longer), longer));
    }

    [Fact]
    public void Building_a_root_with_a_page_count_not_matching_its_geometry_is_refused()
    {
        var e = Assert.Throws<HeliosException>(() => new StateArrayRoot("a", 8, 100, 10, [new StateArrayPageRef(A, B)]));
        Assert.Equal(HeliosErrorCode.InvalidArgument, e.Code);
        Assert.Throws<HeliosException>(() => new StateArrayRoot("bad\nname", 8, 0, 10, []));
    }

    [Fact]
    public void Root_encoding_round_trips()
    {
        var ids = Gen.ArrayOf(ArbMap.Default.GeneratorFor<byte>(), 32).Select(b => new ObjectId(b));
        var roots = from recordSize in Gen.Choose(1, 4096)
                     from perPage in Gen.Choose(1, 64)
                     from count in Gen.Choose(0, 300)
                     from pages in Gen.ArrayOf(from raw in ids from page in ids select new StateArrayPageRef(raw, page), (count + perPage - 1) / perPage)
                     select new StateArrayRoot("agents", recordSize, count, perPage, pages);
        Prop.ForAll(roots.ToArbitrary(), root =>
        {
            var bytes = ObjectCodec.Encode(root);
            var decoded = (StateArrayRoot)ObjectCodec.Decode(ObjectId.Of(bytes), bytes);
            return decoded.Pages.SequenceEqual(root.Pages) && ObjectCodec.Encode(decoded).AsSpan().SequenceEqual(bytes);
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Page_encoding_round_trips_for_any_bytes_and_record_size()
    {
        var cases = from recordSize in Gen.Choose(1, 100)
                     from records in Gen.Choose(1, 80)
                     from seed in Gen.Choose(0, int.MaxValue)
                     from runs in Gen.Elements(true, false)
                     select (recordSize, records, seed, runs);
        Prop.ForAll(cases.ToArbitrary(), c =>
        {
            var raw = new byte[c.recordSize * c.records];
            var rng = new Random(c.seed);
            for (int i = 0; i < raw.Length; i++)
            {
                // Runs make LZ4 and the shuffle pay off; noise makes pages fall back to raw.
                raw[i] = c.runs ? (byte)(i % c.recordSize < 3 ? rng.Next(4) : i % c.recordSize) : (byte)rng.Next(256);
            }

            var (id, bytes) = StateArrayPage.Encode(raw, c.recordSize);
            var decoded = new byte[raw.Length];
            StateArrayPage.DecodeInto(id, bytes, decoded, ObjectId.Of(raw));
            var page = (StateArrayPage)ObjectCodec.Decode(id, bytes);
            return decoded.AsSpan().SequenceEqual(raw) && ObjectCodec.Encode(page).AsSpan().SequenceEqual(bytes) && id == ObjectId.Of(bytes);
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Shuffle_is_the_byte_transpose_and_unshuffle_undoes_it()
    {
        var cases = from size in Gen.Choose(1, 70)
                     from n in Gen.Choose(1, 70)
                     select (size, n);
        Prop.ForAll(cases.ToArbitrary(), c =>
        {
            var source = new byte[c.size * c.n];
            new Random(c.size * 1000 + c.n).NextBytes(source);
            var shuffled = new byte[source.Length];
            ByteShuffle.Shuffle(source, shuffled, c.size);
            for (int i = 0; i < c.n; i++)
            {
                for (int j = 0; j < c.size; j++)
                {
                    if (shuffled[j * c.n + i] != source[i * c.size + j])
                    {
                        return false;
                    }
                }
            }

            var back = new byte[source.Length];
            ByteShuffle.Unshuffle(shuffled, back, c.size);
            return back.AsSpan().SequenceEqual(source);
        }).QuickCheckThrowOnFailure();
    }
}
