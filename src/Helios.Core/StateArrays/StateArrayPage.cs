using Helios.Core.Compression;
using Helios.Core.Errors;
using Helios.Core.Objects;
using Helios.Core.Serialization;

namespace Helios.Core.StateArrays;

/// <summary>How a <see cref="StateArrayPage"/> holds its bytes. Values are part of the object format.</summary>
public enum StateArrayPageCodec : byte
{
    /// <summary>The raw bytes, as they are (compression did not make them smaller).</summary>
    Raw = 0,

    /// <summary>One LZ4 block of the raw bytes.</summary>
    Lz4 = 1,

    /// <summary>One LZ4 block of the raw bytes after a byte shuffle by position within a record of <see cref="StateArrayPage.ElementSize"/> bytes.</summary>
    ShuffledLz4 = 2,
}

/// <summary>
/// One page of a state array checkpoint (object type 10): <c>codec:u8 raw-length:varint
/// [element-size:varint] data</c>, where the data runs to the end of the object. Pages are
/// compressed here rather than by the storage layer, which stores bytes as given. Decoding is strict
/// and bounded: the raw length is checked against the page the root expects before anything is
/// allocated, LZ4 never writes past it, and the decoded bytes must hash to the root's raw hash.
/// Immutable and thread-safe.
/// </summary>
public sealed class StateArrayPage : HeliosObject
{
    private StateArrayPage(StateArrayPageCodec codec, int rawLength, int elementSize, ReadOnlyMemory<byte> data)
    {
        Codec = codec;
        RawLength = rawLength;
        ElementSize = elementSize;
        Data = data;
    }

    public override ObjectType Type => ObjectType.StateArrayPage;

    public StateArrayPageCodec Codec { get; }

    /// <summary>Length of the page's raw bytes.</summary>
    public int RawLength { get; }

    /// <summary>The record size the bytes were shuffled by (<see cref="StateArrayPageCodec.ShuffledLz4"/> only; else 0).</summary>
    public int ElementSize { get; }

    /// <summary>The stored bytes: raw, or an LZ4 block.</summary>
    public ReadOnlyMemory<byte> Data { get; }

    internal override int ApproximateSize => 64 + Data.Length;

    /// <summary>The raw bytes, decoded into a new array of <see cref="RawLength"/> bytes; <paramref name="id"/> names the page in errors.</summary>
    public byte[] Decode(ObjectId id)
    {
        var raw = new byte[RawLength];
        try
        {
            DecodeData(id, Codec, ElementSize, Data.Span, raw);
        }
        catch (HeliosException e) when (e is not CorruptObjectException)
        {
            throw new CorruptObjectException(id, e.Message);
        }

        return raw;
    }

    internal static void Write(CanonicalWriter w, StateArrayPage page)
    {
        w.WriteByte((byte)page.Codec);
        w.WriteVarUInt((ulong)page.RawLength);
        if (page.Codec == StateArrayPageCodec.ShuffledLz4)
        {
            w.WriteVarUInt((ulong)page.ElementSize);
        }

        w.WriteRaw(page.Data.Span);
    }

    /// <summary>Parses the header of a page's payload (everything after the frame); the data is checked when decoded.</summary>
    internal static StateArrayPage Read(ReadOnlyMemory<byte> payload)
    {
        var r = new CanonicalReader(payload.Span);
        var (codec, rawLength, elementSize) = ReadHeader(ref r);
        return new StateArrayPage(codec, rawLength, elementSize, payload[(payload.Length - r.Remaining)..]);
    }

    private static (StateArrayPageCodec Codec, int RawLength, int ElementSize) ReadHeader(ref CanonicalReader r)
    {
        var codec = (StateArrayPageCodec)r.ReadByte();
        if (!Enum.IsDefined(codec))
        {
            throw new FormatException($"unknown page codec {(byte)codec}");
        }

        ulong rawLength = r.ReadVarUInt();
        if (rawLength is 0 or > StateArrayRoot.MaxPageBytes)
        {
            throw new FormatException($"page raw length {rawLength} is outside 1 to {StateArrayRoot.MaxPageBytes}");
        }

        int elementSize = 0;
        if (codec == StateArrayPageCodec.ShuffledLz4)
        {
            ulong size = r.ReadVarUInt();
            if (size < 2 || size > rawLength || rawLength % size != 0)
            {
                throw new FormatException($"shuffle element size {size} does not divide the page's {rawLength} bytes");
            }

            elementSize = (int)size;
        }

        if (codec == StateArrayPageCodec.Raw ? (ulong)r.Remaining != rawLength : r.Remaining == 0)
        {
            throw new FormatException($"a {codec} page of {rawLength} bytes cannot hold {r.Remaining} data bytes");
        }

        return (codec, (int)rawLength, elementSize);
    }

    /// <summary>
    /// Decodes the canonical encoding of a page (frame included) straight into <paramref name="destination"/>,
    /// which must be exactly the page's expected raw length, and checks the result hashes to
    /// <paramref name="expectedRawHash"/>. Every defect is a <see cref="CorruptObjectException"/> naming
    /// <paramref name="id"/>. Allocates nothing beyond a thread-local scratch page for shuffled pages.
    /// </summary>
    internal static void DecodeInto(ObjectId id, ReadOnlySpan<byte> encoded, Span<byte> destination, ObjectId expectedRawHash)
    {
        try
        {
            var r = new CanonicalReader(encoded);
            var type = (ObjectType)r.ReadByte();
            if (type != ObjectType.StateArrayPage)
            {
                throw new FormatException($"it is an object of type {(byte)type}, not a state array page");
            }

            if (r.ReadLength() != r.Remaining)
            {
                throw new FormatException("the payload length does not match the bytes that follow");
            }

            var (codec, rawLength, elementSize) = ReadHeader(ref r);
            if (rawLength != destination.Length)
            {
                throw new FormatException($"the page declares {rawLength} raw bytes but its place in the array holds {destination.Length}");
            }

            DecodeData(id, codec, elementSize, encoded[^r.Remaining..], destination);
        }
        catch (Exception e) when (e is FormatException or HeliosException and not CorruptObjectException)
        {
            throw new CorruptObjectException(id, e.Message + ".");
        }

        var actual = ObjectId.Of(destination);
        if (actual != expectedRawHash)
        {
            throw new CorruptObjectException(id, $"its {destination.Length} decoded bytes hash to {actual}, not to the raw hash {expectedRawHash} the checkpoint records.");
        }
    }

    /// <summary>
    /// For comparisons: checks that <paramref name="encoded"/> hashes to <paramref name="id"/> (so these are
    /// the bytes that were stored) and decompresses it into <paramref name="scratch"/> without undoing the
    /// shuffle. Returns the raw bytes, or the shuffled bytes with <paramref name="elementSize"/> set (0 for
    /// raw). Cheaper than <see cref="DecodeInto"/> by the unshuffle and the raw hash; a diff of two shuffled
    /// pages compares them as they are. Corruption names <paramref name="id"/>.
    /// </summary>
    internal static ReadOnlySpan<byte> DecodeForComparison(ObjectId id, ReadOnlySpan<byte> encoded, Span<byte> scratch, out int elementSize)
    {
        var actual = ObjectId.Of(encoded);
        if (actual != id)
        {
            throw new CorruptObjectException(id, "hash mismatch", actual);
        }

        try
        {
            var r = new CanonicalReader(encoded);
            if ((ObjectType)r.ReadByte() != ObjectType.StateArrayPage || r.ReadLength() != r.Remaining)
            {
                throw new FormatException("it is not a state array page");
            }

            var (codec, rawLength, size) = ReadHeader(ref r);
            if (rawLength != scratch.Length)
            {
                throw new FormatException($"the page declares {rawLength} raw bytes but its place in the array holds {scratch.Length}");
            }

            var data = encoded[^r.Remaining..];
            elementSize = size;
            if (codec == StateArrayPageCodec.Raw)
            {
                return data;
            }

            ExpectLength(id, Lz4.Decompress(data, scratch), rawLength);
            return scratch;
        }
        catch (Exception e) when (e is FormatException or HeliosException and not CorruptObjectException)
        {
            throw new CorruptObjectException(id, e.Message + ".");
        }
    }

    private static void DecodeData(ObjectId id, StateArrayPageCodec codec, int elementSize, ReadOnlySpan<byte> data, Span<byte> destination)
    {
        switch (codec)
        {
            case StateArrayPageCodec.Raw:
                data.CopyTo(destination);
                break;
            case StateArrayPageCodec.Lz4:
                ExpectLength(id, Lz4.Decompress(data, destination), destination.Length);
                break;
            default:
                var scratch = Scratch.Page(destination.Length);
                ExpectLength(id, Lz4.Decompress(data, scratch), destination.Length);
                ByteShuffle.Unshuffle(scratch, destination, elementSize);
                break;
        }
    }

    private static void ExpectLength(ObjectId id, int written, int expected)
    {
        if (written != expected)
        {
            throw new CorruptObjectException(id, $"its LZ4 block decodes to {written} bytes, not the {expected} it declares.");
        }
    }

    /// <summary>
    /// The canonical encoding and id of a page holding <paramref name="raw"/>: shuffled by
    /// <paramref name="recordSize"/> and LZ4-compressed when records are wider than a byte, plain LZ4
    /// otherwise, raw when compression does not make it smaller. Thread-safe (scratch is thread-local).
    /// </summary>
    internal static (ObjectId Id, byte[] Bytes) Encode(ReadOnlySpan<byte> raw, int recordSize)
    {
        bool shuffle = recordSize > 1 && raw.Length >= 2 * recordSize;
        var compressed = Scratch.Compressed(Lz4.MaxCompressedLength(raw.Length));
        int compressedLength;
        if (shuffle)
        {
            var shuffled = Scratch.Page(raw.Length);
            ByteShuffle.Shuffle(raw, shuffled, recordSize);
            compressedLength = Lz4.Compress(shuffled, compressed);
        }
        else
        {
            compressedLength = Lz4.Compress(raw, compressed);
        }

        var codec = compressedLength < raw.Length ? (shuffle ? StateArrayPageCodec.ShuffledLz4 : StateArrayPageCodec.Lz4) : StateArrayPageCodec.Raw;
        var data = codec == StateArrayPageCodec.Raw ? raw : compressed[..compressedLength];

        Span<byte> header = stackalloc byte[1 + 10 + 10];
        header[0] = (byte)codec;
        int headerLength = 1 + WriteVarUInt(header[1..], (ulong)raw.Length);
        if (codec == StateArrayPageCodec.ShuffledLz4)
        {
            headerLength += WriteVarUInt(header[headerLength..], (ulong)recordSize);
        }

        int payloadLength = headerLength + data.Length;
        Span<byte> frame = stackalloc byte[1 + 10];
        frame[0] = (byte)ObjectType.StateArrayPage;
        int frameLength = 1 + WriteVarUInt(frame[1..], (ulong)payloadLength);

        var bytes = GC.AllocateUninitializedArray<byte>(frameLength + payloadLength);
        frame[..frameLength].CopyTo(bytes);
        header[..headerLength].CopyTo(bytes.AsSpan(frameLength));
        data.CopyTo(bytes.AsSpan(frameLength + headerLength));
        return (ObjectId.Of(bytes), bytes);
    }

    private static int WriteVarUInt(Span<byte> destination, ulong value)
    {
        int n = 0;
        while (value >= 0x80)
        {
            destination[n++] = (byte)(value | 0x80);
            value >>= 7;
        }

        destination[n++] = (byte)value;
        return n;
    }

    /// <summary>Per-thread buffers, grown to the largest page seen, so encoding and decoding pages allocate nothing per call.</summary>
    private static class Scratch
    {
        [ThreadStatic] private static byte[]? t_page;
        [ThreadStatic] private static byte[]? t_compressed;

        public static Span<byte> Page(int length) => Get(ref t_page, length);

        public static Span<byte> Compressed(int length) => Get(ref t_compressed, length);

        private static Span<byte> Get(ref byte[]? buffer, int length)
        {
            if (buffer is null || buffer.Length < length)
            {
                buffer = GC.AllocateUninitializedArray<byte>(length);
            }

            return buffer.AsSpan(0, length);
        }
    }
}
