using System.Numerics;

namespace Helios.Core.WorkingTrees;

/// <summary>
/// The ignore rules in force at one point of a working-tree walk, with git's semantics
/// (gitignore(5)): blank lines and <c>#</c> comments; <c>\#</c>, <c>\!</c> and <c>\ </c> escapes;
/// unescaped trailing spaces trimmed; <c>!</c> re-includes; a trailing <c>/</c> matches directories
/// only; a <c>/</c> at the start or in the middle anchors a pattern to its file's directory,
/// otherwise it matches a name at any depth below it; <c>*</c>, <c>?</c> and <c>[...]</c> never
/// match <c>/</c>; <c>**</c> as a whole component crosses directories. The last matching pattern
/// wins, files added later after earlier ones.
/// </summary>
/// <remarks>
/// Immutable and thread-safe: one instance can be shared by every thread of a walk. Patterns are
/// compiled once in <see cref="With"/>; <see cref="IsIgnored"/> allocates nothing and costs
/// O(ignore files + patterns of the files that contain the path), but a table lookup per file
/// leaves only the few patterns whose fixed first or last character fits the path's name, and
/// the common shapes ("node_modules", "*.log", "tmp*") are one short comparison on that name.
/// Names are compared ordinally and case-sensitively (git's default <c>core.ignoreCase=false</c>);
/// a <c>?</c> or <c>[...]</c> matches one UTF-8 byte, as in git.
/// </remarks>
public sealed class IgnoreRules
{
    private readonly IgnoreFile[] _files;

    private IgnoreRules(IgnoreFile[] files) => _files = files;

    /// <summary>No rules: nothing is ignored.</summary>
    public static IgnoreRules None { get; } = new([]);

    /// <summary>
    /// Adds the patterns of one ignore file (.gitignore syntax, LF or CRLF lines, an optional
    /// leading byte-order mark) that lives in <paramref name="directory"/> (repository-relative,
    /// '/'-separated, no leading or trailing slash, "" for the root). Its patterns apply only to
    /// paths inside that directory and take precedence over those of files added earlier, so a
    /// walker adds a directory's file after its parent's. O(size of the file).
    /// </summary>
    /// <returns>A new instance (this one when the file holds no patterns); this one is unchanged.</returns>
    /// <exception cref="ArgumentException"><paramref name="directory"/> starts or ends with '/'.</exception>
    public IgnoreRules With(string directory, string fileContent)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(fileContent);
        if (directory.StartsWith('/') || directory.EndsWith('/'))
        {
            throw new ArgumentException($"An ignore file's directory is repository-relative with no leading or trailing '/', not '{directory}'.", nameof(directory));
        }

        var patterns = IgnorePattern.ParseFile(fileContent);
        return patterns.Length == 0 ? this : new IgnoreRules([.. _files, new IgnoreFile(directory, patterns)]);
    }

    /// <summary>
    /// True when <paramref name="path"/> (repository-relative, '/'-separated, no trailing slash)
    /// is ignored: the last pattern that matches it is not a negation. The caller guarantees that
    /// no parent directory of the path is ignored (a walker never descends into an ignored
    /// directory), so only the path itself is matched. Allocation-free.
    /// </summary>
    public bool IsIgnored(string path, bool isDirectory)
    {
        var full = path.AsSpan();
        var name = full[(full.LastIndexOf('/') + 1)..];
        if (name.IsEmpty)
        {
            return false;
        }

        char first = name[0];
        char last = name[^1];
        var files = _files;
        for (int f = files.Length - 1; f >= 0; f--)
        {
            var file = files[f];
            var directory = file.Directory;
            ReadOnlySpan<char> relative;
            if (directory.Length == 0)
            {
                relative = full;
            }
            else if (full.Length > directory.Length && full[directory.Length] == '/' && full.StartsWith(directory.AsSpan()))
            {
                relative = full[(directory.Length + 1)..];
            }
            else
            {
                continue;
            }

            if (file.LastMatch(name, relative, first, last, isDirectory) is { } negated)
            {
                return !negated;
            }
        }

        return false;
    }

    /// <summary>
    /// The patterns of one ignore file and, per block of 64 patterns, bit masks of the patterns
    /// that can match a name with a given first or last ASCII character (and of those that can
    /// match a file), so a lookup tests only the few patterns that could match.
    /// </summary>
    private sealed class IgnoreFile
    {
        private const int BlockSize = 64;
        private const int Ascii = 128;

        private readonly IgnorePattern[] _patterns;

        // [block * Ascii + character]; a name with a non-ASCII first or last character takes every pattern.
        private readonly ulong[] _byFirst;
        private readonly ulong[] _byLast;
        private readonly ulong[] _all;
        private readonly ulong[] _notDirectoryOnly;

        public IgnoreFile(string directory, IgnorePattern[] patterns)
        {
            Directory = directory;
            _patterns = patterns;
            int blocks = (patterns.Length + BlockSize - 1) / BlockSize;
            _byFirst = new ulong[blocks * Ascii];
            _byLast = new ulong[blocks * Ascii];
            _all = new ulong[blocks];
            _notDirectoryOnly = new ulong[blocks];
            for (int i = 0; i < patterns.Length; i++)
            {
                int block = i / BlockSize;
                ulong bit = 1UL << (i % BlockSize);
                _all[block] |= bit;
                if (!patterns[i].DirectoryOnly) _notDirectoryOnly[block] |= bit;
                Mark(_byFirst.AsSpan(block * Ascii, Ascii), patterns[i].FirstCharacter, bit);
                Mark(_byLast.AsSpan(block * Ascii, Ascii), patterns[i].LastCharacter, bit);
            }
        }

        public string Directory { get; }

        /// <summary>Whether the last pattern that matches is a negation; null when none matches.</summary>
        public bool? LastMatch(ReadOnlySpan<char> name, ReadOnlySpan<char> relative, char first, char last, bool isDirectory)
        {
            var patterns = _patterns;
            for (int block = _all.Length - 1; block >= 0; block--)
            {
                ulong candidates = isDirectory ? _all[block] : _notDirectoryOnly[block];
                if (first < Ascii) candidates &= _byFirst[(block * Ascii) + first];
                if (last < Ascii) candidates &= _byLast[(block * Ascii) + last];
                while (candidates != 0)
                {
                    int bit = 63 - BitOperations.LeadingZeroCount(candidates);
                    ref readonly var pattern = ref patterns[(block * BlockSize) + bit];
                    if (pattern.Matches(name, relative))
                    {
                        return pattern.Negated;
                    }

                    candidates &= ~(1UL << bit);
                }
            }

            return null;
        }

        private static void Mark(Span<ulong> byCharacter, char? required, ulong bit)
        {
            if (required is not { } c)
            {
                foreach (ref var mask in byCharacter)
                {
                    mask |= bit;
                }
            }
            else if (c < Ascii)
            {
                byCharacter[c] |= bit;
            }
        }
    }
}
