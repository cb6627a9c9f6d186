using System.Text;

namespace Helios.Benchmarks.Support;

/// <summary>
/// Deterministic, source-code-like ASCII text: lines of words from a small vocabulary, so it
/// compresses the way real text does (LZ4 roughly 2-3x) rather than like random bytes.
/// </summary>
internal static class SourceText
{
    private static readonly string[] Words =
    [
        "var", "return", "if", "else", "for", "foreach", "while", "new", "public", "private", "static",
        "void", "int", "string", "bool", "await", "async", "using", "namespace", "class", "record",
        "agent", "state", "commit", "branch", "tree", "blob", "score", "result", "value", "index",
        "count", "buffer", "offset", "length", "options", "context", "request", "response", "model",
        "=", "==", "+=", "=>", "(", ")", "{", "}", ";", ",", ".", "null", "true", "false", "0", "1", "42",
    ];

    /// <summary>Exactly <paramref name="length"/> bytes of text drawn from <paramref name="random"/>.</summary>
    public static byte[] Generate(Random random, int length)
    {
        var text = new StringBuilder(length + 64);
        while (text.Length < length)
        {
            text.Append(' ', random.Next(0, 4) * 4);
            int words = random.Next(3, 12);
            for (int i = 0; i < words; i++)
            {
                text.Append(Words[random.Next(Words.Length)]).Append(' ');
            }

            text.Append('\n');
        }

        return Encoding.ASCII.GetBytes(text.ToString(0, length));
    }

    /// <summary>
    /// A new revision of <paramref name="template"/>: a fresh array with <paramref name="revision"/>
    /// written as decimal digits over its first line, so every revision hashes differently.
    /// </summary>
    public static byte[] Revision(byte[] template, long revision)
    {
        var bytes = GC.AllocateUninitializedArray<byte>(template.Length);
        template.CopyTo(bytes, 0);
        "// revision "u8.CopyTo(bytes);
        revision.TryFormat(bytes.AsSpan(12, 20), out _, default, System.Globalization.CultureInfo.InvariantCulture);
        return bytes;
    }
}
