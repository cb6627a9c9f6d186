using Helios.Core.Errors;

namespace Helios.Core.Objects;

/// <summary>
/// The rules for one path component, applied whenever a tree is built, decoded, imported or
/// received, so no stored tree can make checkout write outside its root: no empty name, '.', '..',
/// '/', '\', NUL or other control characters, and nothing equal to '.helios' in any case.
/// </summary>
public static class EntryName
{
    /// <summary>The repository's own directory; never a tracked name.</summary>
    public const string MetadataDirectory = ".helios";

    /// <summary>Null when <paramref name="name"/> is a valid entry name, else the problem.</summary>
    public static string? Validate(string name)
    {
        if (name.Length == 0) return "the name is empty";
        if (name is "." or "..") return $"'{name}' is not allowed";
        if (name.Equals(MetadataDirectory, StringComparison.OrdinalIgnoreCase)) return $"'{name}' is reserved for the repository";
        foreach (char c in name)
        {
            if (c is '/' or '\\') return $"it contains '{c}'";
            if (c < 0x20 || c == 0x7f) return $"it contains the control character U+{(int)c:X4}";
        }

        for (int i = 0; i < name.Length; i++)
        {
            if (char.IsHighSurrogate(name[i]) && i + 1 < name.Length && char.IsLowSurrogate(name[i + 1])) i++;
            else if (char.IsSurrogate(name[i])) return "it is not valid Unicode";
        }

        return null;
    }

    /// <summary>Throws <see cref="HeliosErrorCode.InvalidArgument"/> naming the name when it is invalid.</summary>
    public static void EnsureValid(string name)
    {
        if (Validate(name) is { } problem)
        {
            throw new HeliosException(HeliosErrorCode.InvalidArgument, $"'{Escape(name)}' is not a valid file or directory name: {problem}.");
        }
    }

    /// <summary>Splits a '/'-separated relative path into validated components.</summary>
    public static string[] SplitPath(string path)
    {
        if (path.Length == 0)
        {
            throw new HeliosException(HeliosErrorCode.InvalidArgument, "An empty path names no file.");
        }

        var parts = path.Split('/');
        foreach (var part in parts)
        {
            if (Validate(part) is { } problem)
            {
                throw new HeliosException(HeliosErrorCode.InvalidArgument, $"Path '{Escape(path)}' is not valid: {problem}.");
            }
        }

        return parts;
    }

    /// <summary>Makes control characters visible in error messages.</summary>
    public static string Escape(string s)
    {
        var sb = new System.Text.StringBuilder(s.Length);
        foreach (char c in s)
        {
            sb.Append(c < 0x20 || c == 0x7f ? $"\\x{(int)c:x2}" : c.ToString());
        }

        return sb.ToString();
    }
}

/// <summary>
/// Orders names by their UTF-8 bytes, the order of entries in a canonical tree. Equals ordinal
/// UTF-16 order except where surrogate pairs meet characters U+E000..U+FFFF.
/// </summary>
public sealed class Utf8NameComparer : IComparer<string>
{
    public static readonly Utf8NameComparer Instance = new();

    public int Compare(string? x, string? y)
    {
        if (ReferenceEquals(x, y)) return 0;
        if (x is null) return -1;
        if (y is null) return 1;
        int n = Math.Min(x.Length, y.Length);
        for (int i = 0; i < n; i++)
        {
            char a = x[i], b = y[i];
            if (a == b) continue;
            // A surrogate (a code point above U+FFFF) sorts after every BMP character in UTF-8.
            bool sa = char.IsSurrogate(a), sb = char.IsSurrogate(b);
            if (sa != sb) return sa ? 1 : -1;
            return a < b ? -1 : 1;
        }

        return x.Length.CompareTo(y.Length);
    }
}
