using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text;

namespace Helios.Core.WorkingTrees;

/// <summary>How a compiled pattern is matched; the first four look only at the last path component.</summary>
internal enum IgnorePatternShape : byte
{
    /// <summary>The name equals <see cref="IgnorePattern.Text"/> ("node_modules").</summary>
    NameLiteral,

    /// <summary>The name ends with <see cref="IgnorePattern.Text"/> ("*.pyc"; "*" has an empty suffix).</summary>
    NameSuffix,

    /// <summary>The name starts with <see cref="IgnorePattern.Text"/> ("build*").</summary>
    NamePrefix,

    /// <summary>The name matches the glob <see cref="IgnorePattern.Text"/> ("*.py[co]").</summary>
    NameGlob,

    /// <summary>The path below the file's directory equals <see cref="IgnorePattern.Text"/> ("/build", "docs/api").</summary>
    PathLiteral,

    /// <summary>
    /// The path below the file's directory starts with <see cref="IgnorePattern.Prefix"/> and the
    /// rest matches the glob <see cref="IgnorePattern.Text"/> ("docs/**/*.tmp": prefix "docs/", glob "**/*.tmp").
    /// </summary>
    PathGlob,
}

/// <summary>
/// One precompiled line of an ignore file. git matches UTF-8 bytes: a <c>?</c> or a class matches
/// one byte, not one character, so where a glob holding either meets a non-ASCII path it is
/// matched in UTF-8 (<see cref="Utf8Glob"/>); everywhere else UTF-16 gives the same answer faster.
/// </summary>
internal readonly record struct IgnorePattern(IgnorePatternShape Shape, string Text, string Prefix, bool Negated, bool DirectoryOnly, byte[]? Utf8Glob)
{
    // Paths up to this many UTF-8 bytes are transcoded on the stack.
    private const int StackPathBytes = 1024;

    private static readonly SearchValues<char> GlobSpecials = SearchValues.Create("*?[\\");

    /// <summary>True when the pattern matches; <paramref name="name"/> is the last component of <paramref name="relative"/>.</summary>
    public bool Matches(ReadOnlySpan<char> name, ReadOnlySpan<char> relative) => Shape switch
    {
        IgnorePatternShape.NameLiteral => name.SequenceEqual(Text),
        IgnorePatternShape.NameSuffix => name.EndsWith(Text.AsSpan()),
        IgnorePatternShape.NamePrefix => name.StartsWith(Text.AsSpan()),
        IgnorePatternShape.NameGlob => GlobMatches(name),
        IgnorePatternShape.PathLiteral => relative.SequenceEqual(Text),
        _ => relative.StartsWith(Prefix.AsSpan()) && GlobMatches(relative[Prefix.Length..]),
    };

    /// <summary>The character every name this pattern matches ends with, or null when that varies.</summary>
    public char? LastCharacter => Shape switch
    {
        IgnorePatternShape.NameLiteral or IgnorePatternShape.PathLiteral => Text[^1],
        IgnorePatternShape.NameSuffix => Text.Length > 0 ? Text[^1] : null,
        IgnorePatternShape.NamePrefix => null,

        // A glob that ends in an ordinary character (escaped or not) ends every match with it;
        // one that ends inside an unterminated class matches nothing, so any answer is right.
        _ => Text[^1] is '*' or '?' or '[' or ']' or '\\' ? null : Text[^1],
    };

    /// <summary>The character every name this pattern matches starts with, or null when that varies or the pattern looks at the whole path.</summary>
    public char? FirstCharacter => Shape switch
    {
        IgnorePatternShape.NameLiteral or IgnorePatternShape.NamePrefix => Text[0],
        IgnorePatternShape.NameGlob => GlobSpecials.Contains(Text[0]) ? null : Text[0],
        _ => null,
    };

    private bool GlobMatches(ReadOnlySpan<char> text) =>
        Utf8Glob is null || Ascii.IsValid(text)
            ? Wildmatch<char>.IsMatch(Text, text)
            : MatchesUtf8(Utf8Glob, text);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static bool MatchesUtf8(byte[] glob, ReadOnlySpan<char> text)
    {
        int most = Encoding.UTF8.GetMaxByteCount(text.Length);
        byte[]? rented = null;
        Span<byte> buffer = most <= StackPathBytes ? stackalloc byte[StackPathBytes] : (rented = ArrayPool<byte>.Shared.Rent(most));
        try
        {
            int length = Encoding.UTF8.GetBytes(text, buffer);
            return Wildmatch<byte>.IsMatch(glob, buffer[..length]);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>The patterns of an ignore file in file order (gitignore(5) syntax, LF or CRLF lines).</summary>
    public static IgnorePattern[] ParseFile(string content)
    {
        var patterns = new List<IgnorePattern>();
        var rest = content.AsSpan();
        if (rest.StartsWith('\uFEFF'))
        {
            rest = rest[1..];
        }

        while (!rest.IsEmpty)
        {
            int newline = rest.IndexOf('\n');
            var line = newline < 0 ? rest : rest[..newline];
            rest = newline < 0 ? [] : rest[(newline + 1)..];
            if (line.EndsWith('\r'))
            {
                line = line[..^1];
            }

            if (TryParse(line) is { } pattern)
            {
                patterns.Add(pattern);
            }
        }

        return [.. patterns];
    }

    /// <summary>The compiled pattern of one line, or null for a blank line, a comment or a pattern that can match nothing.</summary>
    public static IgnorePattern? TryParse(ReadOnlySpan<char> line)
    {
        if (line.IsEmpty || line[0] == '#')
        {
            return null;
        }

        line = line[..LengthWithoutTrailingSpaces(line)];
        bool negated = line.StartsWith('!');
        if (negated)
        {
            line = line[1..];
        }

        bool directoryOnly = line.EndsWith('/');
        if (directoryOnly)
        {
            line = line[..^1];
        }

        if (line.IsEmpty)
        {
            return null;
        }

        if (!line.Contains('/'))
        {
            return Compile(NameShape(line, out var text), text, "", negated, directoryOnly);
        }

        // A '/' at the start or in the middle anchors the pattern to the file's directory.
        if (line[0] == '/')
        {
            line = line[1..];
            if (line.IsEmpty)
            {
                return null;
            }
        }

        int literal = LiteralLength(line);
        return literal == line.Length
            ? Compile(IgnorePatternShape.PathLiteral, line, "", negated, directoryOnly)
            : Compile(IgnorePatternShape.PathGlob, line[literal..], line[..literal], negated, directoryOnly);
    }

    private static IgnorePattern Compile(IgnorePatternShape shape, ReadOnlySpan<char> text, ReadOnlySpan<char> prefix, bool negated, bool directoryOnly)
    {
        bool byteSensitive = shape is IgnorePatternShape.NameGlob or IgnorePatternShape.PathGlob && text.ContainsAny('?', '[');
        return new(shape, text.ToString(), prefix.ToString(), negated, directoryOnly, byteSensitive ? Encoding.UTF8.GetBytes(text.ToString()) : null);
    }

    private static IgnorePatternShape NameShape(ReadOnlySpan<char> pattern, out ReadOnlySpan<char> text)
    {
        int literal = LiteralLength(pattern);
        if (literal == pattern.Length)
        {
            text = pattern;
            return IgnorePatternShape.NameLiteral;
        }

        if (pattern[0] == '*' && LiteralLength(pattern[1..]) == pattern.Length - 1)
        {
            text = pattern[1..];
            return IgnorePatternShape.NameSuffix;
        }

        if (literal == pattern.Length - 1 && pattern[^1] == '*')
        {
            text = pattern[..^1];
            return IgnorePatternShape.NamePrefix;
        }

        text = pattern;
        return IgnorePatternShape.NameGlob;
    }

    private static int LiteralLength(ReadOnlySpan<char> pattern)
    {
        int special = pattern.IndexOfAny(GlobSpecials);
        return special < 0 ? pattern.Length : special;
    }

    // Trailing spaces are dropped unless escaped with a backslash ("a\ " keeps one space).
    private static int LengthWithoutTrailingSpaces(ReadOnlySpan<char> line)
    {
        int firstTrailingSpace = -1;
        for (int i = 0; i < line.Length; i++)
        {
            if (line[i] == ' ')
            {
                if (firstTrailingSpace < 0) firstTrailingSpace = i;
                continue;
            }

            firstTrailingSpace = -1;
            if (line[i] == '\\' && ++i == line.Length)
            {
                // git leaves a line that ends in a lone backslash as it is.
                return line.Length;
            }
        }

        return firstTrailingSpace < 0 ? line.Length : firstTrailingSpace;
    }
}
