namespace Helios.Core.Hashing;

/// <summary>
/// One-shot BLAKE3 in its three modes (hash, keyed hash, derive key), with output of any length.
/// Thread-safe: no shared state.
/// </summary>
public static class Blake3
{
    /// <summary>Length of a BLAKE3 key and of its default output, in bytes.</summary>
    public const int KeyLength = 32;

    /// <summary>Writes BLAKE3(<paramref name="input"/>) into all of <paramref name="output"/> (any length: extendable output).</summary>
    public static void Hash(ReadOnlySpan<byte> input, Span<byte> output) => throw new NotImplementedException();

    /// <summary>Keyed hash (a MAC) with a 32-byte key.</summary>
    public static void KeyedHash(ReadOnlySpan<byte> key, ReadOnlySpan<byte> input, Span<byte> output) => throw new NotImplementedException();

    /// <summary>Derive-key mode: a context string and key material.</summary>
    public static void DeriveKey(string context, ReadOnlySpan<byte> keyMaterial, Span<byte> output) => throw new NotImplementedException();
}
