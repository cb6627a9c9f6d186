using System.Text;

namespace Helios.Core.Merging;

/// <summary>
/// git's C-style path quoting (quote.c, <c>core.quotePath</c> at its default true): a path with a
/// control character, DEL, <c>"</c>, <c>\</c> or any byte of 0x80 and above is written between
/// double quotes with <c>\a \b \t \n \v \f \r \" \\</c> escapes and three-digit octal for the
/// rest; any other path (spaces included) is written as is.
/// </summary>
internal static class GitQuote
{
    /// <summary>The path's UTF-8 bytes, quoted when git would quote them.</summary>
    public static byte[] Path(string path) => Two("", path);

    /// <summary>
    /// git's quote_two: <paramref name="prefix"/> and <paramref name="path"/> as one name, quoted as a
    /// whole when either part needs it (so <c>a/</c> moves inside the quotes).
    /// </summary>
    public static byte[] Two(string prefix, string path)
    {
        var raw = Encoding.UTF8.GetBytes(prefix + path);
        if (!raw.AsSpan().ContainsAny(NeedsQuote))
        {
            return raw;
        }

        var quoted = new List<byte>(raw.Length + 8) { (byte)'"' };
        foreach (byte c in raw)
        {
            char escape = c switch
            {
                0x07 => 'a',
                0x08 => 'b',
                0x09 => 't',
                0x0A => 'n',
                0x0B => 'v',
                0x0C => 'f',
                0x0D => 'r',
                (byte)'"' => '"',
                (byte)'\\' => '\\',
                _ => '\0',
            };
            if (escape != '\0')
            {
                quoted.Add((byte)'\\');
                quoted.Add((byte)escape);
            }
            else if (c < 0x20 || c >= 0x7F)
            {
                quoted.Add((byte)'\\');
                quoted.Add((byte)('0' + (c >> 6)));
                quoted.Add((byte)('0' + ((c >> 3) & 7)));
                quoted.Add((byte)('0' + (c & 7)));
            }
            else
            {
                quoted.Add(c);
            }
        }

        quoted.Add((byte)'"');
        return [.. quoted];
    }

    private static readonly System.Buffers.SearchValues<byte> NeedsQuote = System.Buffers.SearchValues.Create(
        [.. Enumerable.Range(0, 0x20).Select(i => (byte)i), (byte)'"', (byte)'\\', .. Enumerable.Range(0x7F, 0x81).Select(i => (byte)i)]);
}
