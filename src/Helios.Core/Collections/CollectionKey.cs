using System.Text;
using System.Text.Unicode;
using Helios.Core.Errors;

namespace Helios.Core.Collections;

/// <summary>
/// The rules for collection keys: non-empty, valid Unicode (strict UTF-8), at most
/// <see cref="MaxBytes"/> UTF-8 bytes. Keys are ordered by their UTF-8 bytes everywhere (nodes,
/// scans, diffs), so this type hands out and compares byte arrays. Thread-safe; no state.
/// </summary>
public static class CollectionKey
{
    /// <summary>The longest key, in UTF-8 bytes.</summary>
    public const int MaxBytes = 1024;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The key's UTF-8 bytes; invalid-argument when the key breaks a rule.</summary>
    public static byte[] ToUtf8(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.Length == 0)
        {
            throw new HeliosException(HeliosErrorCode.InvalidArgument, "A collection key cannot be empty.");
        }

        byte[] bytes;
        try
        {
            bytes = StrictUtf8.GetBytes(key);
        }
        catch (EncoderFallbackException)
        {
            throw new HeliosException(HeliosErrorCode.InvalidArgument, $"The collection key '{Printable(key)}' is not valid Unicode (it holds an unpaired surrogate).");
        }

        if (bytes.Length > MaxBytes)
        {
            throw new HeliosException(HeliosErrorCode.InvalidArgument, $"The collection key starting '{Printable(key[..Math.Min(key.Length, 40)])}' is {bytes.Length} UTF-8 bytes long; the limit is {MaxBytes}.");
        }

        return bytes;
    }

    /// <summary>Why stored key bytes are not a valid key, or null when they are (used by the strict decoder).</summary>
    internal static string? Validate(ReadOnlySpan<byte> utf8)
    {
        if (utf8.IsEmpty) return "a key is empty";
        if (utf8.Length > MaxBytes) return $"a key is {utf8.Length} bytes long (limit {MaxBytes})";
        return Utf8.IsValid(utf8) ? null : "a key is not valid UTF-8";
    }

    /// <summary>The key as a string (the bytes are known to be valid UTF-8).</summary>
    internal static string ToString(ReadOnlySpan<byte> utf8) => Encoding.UTF8.GetString(utf8);

    /// <summary>Byte-wise comparison: the order of keys in nodes.</summary>
    internal static int Compare(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b) => a.SequenceCompareTo(b);

    /// <summary>
    /// The smallest byte string greater than every string starting with <paramref name="prefix"/>,
    /// or null when there is none (the prefix is all 0xFF bytes). A scan by prefix is a range scan up to it.
    /// </summary>
    internal static byte[]? PrefixEnd(ReadOnlySpan<byte> prefix)
    {
        int n = prefix.Length;
        while (n > 0 && prefix[n - 1] == 0xFF) n--;
        if (n == 0) return null;
        var end = prefix[..n].ToArray();
        end[n - 1]++;
        return end;
    }

    private static string Printable(string s)
    {
        var b = new StringBuilder(s.Length);
        foreach (char c in s)
        {
            b.Append(char.IsControl(c) || char.IsSurrogate(c) ? $"\\u{(int)c:x4}" : c.ToString());
        }

        return b.ToString();
    }
}
