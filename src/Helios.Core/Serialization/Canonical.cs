using System.Buffers;
using System.Buffers.Binary;
using Helios.Core.Objects;

namespace Helios.Core.Serialization;

/// <summary>
/// Appends the primitives of the canonical encoding (see docs/object-format.md) to a growable buffer.
/// Not thread-safe; cheap to reuse through <see cref="Reset"/>.
/// </summary>
public sealed class CanonicalWriter
{
    private byte[] _buffer;
    private int _length;

    public CanonicalWriter(int capacity = 256) => _buffer = new byte[Math.Max(16, capacity)];

    public int Length => _length;

    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _length);

    public byte[] ToArray() => WrittenSpan.ToArray();

    public void Reset() => _length = 0;

    public void WriteByte(byte value) => Reserve(1)[0] = value;

    /// <summary>Unsigned LEB128, minimal length (decoders reject padded forms).</summary>
    public void WriteVarUInt(ulong value)
    {
        Span<byte> span = Reserve(10);
        int n = 0;
        while (value >= 0x80)
        {
            span[n++] = (byte)(value | 0x80);
            value >>= 7;
        }

        span[n++] = (byte)value;
        _length -= 10 - n;
    }

    public void WriteInt64BigEndian(long value) => BinaryPrimitives.WriteInt64BigEndian(Reserve(8), value);

    public void WriteInt16BigEndian(short value) => BinaryPrimitives.WriteInt16BigEndian(Reserve(2), value);

    public void WriteRaw(ReadOnlySpan<byte> bytes) => bytes.CopyTo(Reserve(bytes.Length));

    /// <summary>A varint length followed by the bytes.</summary>
    public void WriteLengthPrefixed(ReadOnlySpan<byte> bytes)
    {
        WriteVarUInt((ulong)bytes.Length);
        WriteRaw(bytes);
    }

    /// <summary>A varint length followed by the string's UTF-8 bytes, encoded straight into the buffer.</summary>
    public void WriteString(string value)
    {
        int count = System.Text.Encoding.UTF8.GetByteCount(value);
        WriteVarUInt((ulong)count);
        System.Text.Encoding.UTF8.GetBytes(value, Reserve(count));
    }

    public void WriteId(ObjectId id) => id.CopyTo(Reserve(ObjectId.Size));

    private Span<byte> Reserve(int count)
    {
        if (_length + count > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + count));
        }

        var span = _buffer.AsSpan(_length, count);
        _length += count;
        return span;
    }
}

/// <summary>
/// Reads canonical primitives strictly: any truncation, padded varint or overflow throws
/// <see cref="FormatException"/>, which callers turn into a corruption error naming the object.
/// </summary>
public ref struct CanonicalReader
{
    private readonly ReadOnlySpan<byte> _data;
    private int _position;

    public CanonicalReader(ReadOnlySpan<byte> data)
    {
        _data = data;
        _position = 0;
    }

    public readonly int Remaining => _data.Length - _position;

    public readonly bool AtEnd => _position == _data.Length;

    public byte ReadByte() => Take(1)[0];

    public ulong ReadVarUInt()
    {
        ulong result = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            byte b = ReadByte();
            if (shift == 63 && b > 1)
            {
                throw new FormatException("varint overflows 64 bits");
            }

            result |= (ulong)(b & 0x7f) << shift;
            if ((b & 0x80) == 0)
            {
                if (b == 0 && shift > 0)
                {
                    throw new FormatException("varint is not minimal");
                }

                return result;
            }
        }

        throw new FormatException("varint overflows 64 bits");
    }

    /// <summary>A varint that must fit the remaining bytes when used as a length.</summary>
    public int ReadLength()
    {
        ulong n = ReadVarUInt();
        if (n > (ulong)Remaining)
        {
            throw new FormatException($"length {n} runs past the end ({Remaining} bytes left)");
        }

        return (int)n;
    }

    public long ReadInt64BigEndian() => BinaryPrimitives.ReadInt64BigEndian(Take(8));

    public short ReadInt16BigEndian() => BinaryPrimitives.ReadInt16BigEndian(Take(2));

    public ReadOnlySpan<byte> ReadRaw(int count) => Take(count);

    public ReadOnlySpan<byte> ReadLengthPrefixed() => Take(ReadLength());

    public string ReadString()
    {
        try
        {
            return StrictUtf8.GetString(ReadLengthPrefixed());
        }
        catch (System.Text.DecoderFallbackException e)
        {
            throw new FormatException("string is not valid UTF-8", e);
        }
    }

    public ObjectId ReadId() => new(Take(ObjectId.Size));

    public readonly void ExpectEnd()
    {
        if (!AtEnd)
        {
            throw new FormatException($"{Remaining} trailing bytes");
        }
    }

    private ReadOnlySpan<byte> Take(int count)
    {
        if (count < 0 || count > Remaining)
        {
            throw new FormatException($"truncated: needed {count} bytes, {Remaining} left");
        }

        var span = _data.Slice(_position, count);
        _position += count;
        return span;
    }

    private static readonly System.Text.UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
}
