using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Helios.Core.Errors;
using Helios.Core.Hashing;

namespace Helios.Core.Objects;

/// <summary>
/// The 32-byte BLAKE3 hash of an object's canonical encoding. Printed as 64 lowercase hex digits.
/// A value type of four machine words so comparing and hashing ids costs a few instructions.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public readonly struct ObjectId : IEquatable<ObjectId>, IComparable<ObjectId>
{
    /// <summary>Length of an id in bytes.</summary>
    public const int Size = 32;

    /// <summary>Length of an id printed as hex.</summary>
    public const int HexLength = 64;

    /// <summary>Shortest hex prefix that may name an object.</summary>
    public const int MinPrefixLength = 4;

    // Big-endian words, so ordinal comparison of the words is ordinal comparison of the bytes.
    private readonly ulong _w0, _w1, _w2, _w3;

    public ObjectId(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Size)
        {
            throw new ArgumentException($"An object id is {Size} bytes, not {bytes.Length}.", nameof(bytes));
        }

        _w0 = BinaryPrimitives.ReadUInt64BigEndian(bytes);
        _w1 = BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]);
        _w2 = BinaryPrimitives.ReadUInt64BigEndian(bytes[16..]);
        _w3 = BinaryPrimitives.ReadUInt64BigEndian(bytes[24..]);
    }

    /// <summary>The id of the given canonical encoding: its BLAKE3 hash.</summary>
    public static ObjectId Of(ReadOnlySpan<byte> canonicalEncoding)
    {
        Span<byte> hash = stackalloc byte[Size];
        Blake3.Hash(canonicalEncoding, hash);
        return new ObjectId(hash);
    }

    /// <summary>Writes the 32 bytes of the id.</summary>
    public void CopyTo(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64BigEndian(destination, _w0);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], _w1);
        BinaryPrimitives.WriteUInt64BigEndian(destination[16..], _w2);
        BinaryPrimitives.WriteUInt64BigEndian(destination[24..], _w3);
    }

    public byte[] ToByteArray()
    {
        var bytes = new byte[Size];
        CopyTo(bytes);
        return bytes;
    }

    /// <summary>Parses exactly 64 hex digits (either case).</summary>
    public static ObjectId Parse(string hex) =>
        TryParse(hex, out var id)
            ? id
            : throw new HeliosException(HeliosErrorCode.InvalidArgument, $"'{hex}' is not a full object id (64 hex digits).");

    public static bool TryParse(ReadOnlySpan<char> hex, out ObjectId id)
    {
        id = default;
        if (hex.Length != HexLength)
        {
            return false;
        }

        Span<byte> bytes = stackalloc byte[Size];
        if (Convert.FromHexString(hex, bytes, out _, out int written) != System.Buffers.OperationStatus.Done || written != Size)
        {
            return false;
        }

        id = new ObjectId(bytes);
        return true;
    }

    /// <summary>True when <paramref name="s"/> is made only of hex digits.</summary>
    public static bool IsHex(ReadOnlySpan<char> s)
    {
        foreach (char c in s)
        {
            if (!char.IsAsciiHexDigit(c))
            {
                return false;
            }
        }

        return s.Length > 0;
    }

    /// <summary>True when the lowercase hex of this id starts with <paramref name="hexPrefix"/> (either case).</summary>
    public bool StartsWith(ReadOnlySpan<char> hexPrefix) =>
        ToString().AsSpan().StartsWith(hexPrefix, StringComparison.OrdinalIgnoreCase);

    public override string ToString()
    {
        Span<byte> bytes = stackalloc byte[Size];
        CopyTo(bytes);
        return Convert.ToHexStringLower(bytes);
    }

    /// <summary>The first <paramref name="length"/> hex digits, as printed by <c>log --oneline</c>.</summary>
    public string ToShortString(int length = 12) => ToString()[..length];

    public bool Equals(ObjectId other) =>
        _w0 == other._w0 && _w1 == other._w1 && _w2 == other._w2 && _w3 == other._w3;

    public override bool Equals(object? obj) => obj is ObjectId other && Equals(other);

    // The id is already a uniform hash; one word of it is a good hash code.
    public override int GetHashCode() => (int)_w1;

    public int CompareTo(ObjectId other)
    {
        int c = _w0.CompareTo(other._w0);
        if (c != 0) return c;
        c = _w1.CompareTo(other._w1);
        if (c != 0) return c;
        c = _w2.CompareTo(other._w2);
        return c != 0 ? c : _w3.CompareTo(other._w3);
    }

    public static bool operator ==(ObjectId left, ObjectId right) => left.Equals(right);
    public static bool operator !=(ObjectId left, ObjectId right) => !left.Equals(right);
    public static bool operator <(ObjectId left, ObjectId right) => left.CompareTo(right) < 0;
    public static bool operator >(ObjectId left, ObjectId right) => left.CompareTo(right) > 0;
    public static bool operator <=(ObjectId left, ObjectId right) => left.CompareTo(right) <= 0;
    public static bool operator >=(ObjectId left, ObjectId right) => left.CompareTo(right) >= 0;
}
