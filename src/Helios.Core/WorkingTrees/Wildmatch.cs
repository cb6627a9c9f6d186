using System.Numerics;

namespace Helios.Core.WorkingTrees;

/// <summary>
/// Glob matching with the semantics of git's wildmatch in pathname mode: <c>*</c>, <c>?</c> and
/// <c>[...]</c> never match '/'; <c>**</c> matches across '/' only when it stands alone between
/// slashes (or at either end of the pattern), and <c>**/</c> also matches no directory at all.
/// Generic over the code unit: git matches UTF-8 bytes, which UTF-16 code units reproduce except
/// where <c>?</c> or a class meets a non-ASCII character (see <see cref="IgnorePattern"/>).
/// Allocation-free; the recursion depth is bounded by the number of stars in the pattern.
/// </summary>
internal static class Wildmatch<T>
    where T : unmanaged, IBinaryInteger<T>
{
    private enum Outcome
    {
        Match,
        NoMatch,

        // The text ran out: no longer match for an earlier star can help either.
        AbortAll,

        // A single star met a '/': only an enclosing '**' can still make the pattern match.
        AbortToDoubleStar,
    }

    /// <summary>True when <paramref name="pattern"/> matches the whole of <paramref name="text"/>.</summary>
    public static bool IsMatch(ReadOnlySpan<T> pattern, ReadOnlySpan<T> text) =>
        Match(pattern, 0, text, 0) == Outcome.Match;

    private static T C(char c) => T.CreateTruncating(c);

    private static bool IsSpecial(T c) => c == C('*') || c == C('?') || c == C('[') || c == C('\\');

    private static Outcome Match(ReadOnlySpan<T> p, int pi, ReadOnlySpan<T> t, int ti)
    {
        for (; pi < p.Length; pi++, ti++)
        {
            T pc = p[pi];
            if (pc == C('*'))
            {
                return MatchStar(p, pi, t, ti);
            }

            if (ti == t.Length)
            {
                return Outcome.AbortAll;
            }

            if (pc == C('\\'))
            {
                // The next unit is literal; a trailing backslash matches nothing.
                if (++pi == p.Length || t[ti] != p[pi]) return Outcome.NoMatch;
            }
            else if (pc == C('?'))
            {
                if (t[ti] == C('/')) return Outcome.NoMatch;
            }
            else if (pc == C('['))
            {
                var inClass = MatchClass(p, ref pi, t[ti]);
                if (inClass != Outcome.Match) return inClass;
            }
            else if (t[ti] != pc)
            {
                return Outcome.NoMatch;
            }
        }

        return ti == t.Length ? Outcome.Match : Outcome.NoMatch;
    }

    private static Outcome MatchStar(ReadOnlySpan<T> p, int pi, ReadOnlySpan<T> t, int ti)
    {
        T slash = C('/');
        int first = pi;
        while (++pi < p.Length && p[pi] == C('*'))
        {
        }

        bool crossesSlashes = false;
        if (pi - first > 1)
        {
            // Only a '**' that is a whole path component crosses directories; "a**b" is "a*b".
            // The start of the pattern counts as a boundary, so a glob that follows a stripped
            // literal prefix ("foo**/bar" checked as "**/bar" after "foo") crosses them too, as in git.
            bool boundaryBefore = first == 0 || p[first - 1] == slash;
            bool boundaryAfter = pi == p.Length || p[pi] == slash || (p[pi] == C('\\') && pi + 1 < p.Length && p[pi + 1] == slash);
            if (boundaryBefore && boundaryAfter)
            {
                if (pi < p.Length && p[pi] == slash && Match(p, pi + 1, t, ti) == Outcome.Match)
                {
                    return Outcome.Match;
                }

                crossesSlashes = true;
            }
        }

        if (pi == p.Length)
        {
            return crossesSlashes || !t[ti..].Contains(slash) ? Outcome.Match : Outcome.AbortToDoubleStar;
        }

        if (!crossesSlashes && p[pi] == slash)
        {
            // A single star before a '/' consumes exactly the rest of the current component.
            int next = t[ti..].IndexOf(slash);
            return next < 0 ? Outcome.AbortAll : Match(p, pi, t, ti + next);
        }

        T literal = p[pi];
        bool literalFollows = !IsSpecial(literal);
        for (; ti < t.Length; ti++)
        {
            if (literalFollows)
            {
                // Skip straight to the next place the literal after the star can start.
                while (ti < t.Length && t[ti] != literal && (crossesSlashes || t[ti] != slash))
                {
                    ti++;
                }

                if (ti == t.Length || t[ti] != literal)
                {
                    return Outcome.NoMatch;
                }
            }

            var rest = Match(p, pi, t, ti);
            if (rest != Outcome.NoMatch)
            {
                if (!crossesSlashes || rest != Outcome.AbortToDoubleStar)
                {
                    return rest;
                }
            }
            else if (!crossesSlashes && t[ti] == slash)
            {
                return Outcome.AbortToDoubleStar;
            }
        }

        return Outcome.AbortAll;
    }

    // pi is at '['; on a match it is left at the closing ']'. An unterminated class matches nothing.
    private static Outcome MatchClass(ReadOnlySpan<T> p, ref int pi, T c)
    {
        bool negated = false;
        if (++pi < p.Length && (p[pi] == C('!') || p[pi] == C('^')))
        {
            negated = true;
            pi++;
        }

        bool matched = false;

        // Zero means "no range can start here", as in git.
        T previous = T.Zero;

        // The first member is taken literally even when it is ']'.
        while (true)
        {
            if (pi >= p.Length)
            {
                return Outcome.AbortAll;
            }

            T member = p[pi];
            if (member == C('\\'))
            {
                if (++pi == p.Length) return Outcome.AbortAll;
                member = p[pi];
                matched |= c == member;
            }
            else if (member == C('-') && previous != T.Zero && pi + 1 < p.Length && p[pi + 1] != C(']'))
            {
                T last = p[++pi];
                if (last == C('\\'))
                {
                    if (++pi == p.Length) return Outcome.AbortAll;
                    last = p[pi];
                }

                matched |= c >= previous && c <= last;

                // A range's end cannot start another range ("[a-c-e]" is a-c, '-' and 'e').
                member = T.Zero;
            }
            else if (member == C('[') && pi + 1 < p.Length && p[pi + 1] == C(':'))
            {
                int nameStart = pi + 2;
                int close = p[nameStart..].IndexOf(C(']'));
                if (close < 0) return Outcome.AbortAll;
                close += nameStart;
                if (close > nameStart && p[close - 1] == C(':'))
                {
                    if (InNamedClass(p[nameStart..(close - 1)], int.CreateTruncating(c)) is not { } inNamed) return Outcome.AbortAll;
                    matched |= inNamed;
                    pi = close;
                    member = T.Zero;
                }
                else
                {
                    // Not "[:name:]": the '[' is an ordinary member and scanning resumes after it.
                    matched |= c == member;
                }
            }
            else
            {
                matched |= c == member;
            }

            previous = member;
            if (++pi < p.Length && p[pi] == C(']'))
            {
                break;
            }
        }

        return matched != negated && c != C('/') ? Outcome.Match : Outcome.NoMatch;
    }

    // Null for an unknown class name, which makes the whole pattern match nothing (as in git).
    private static bool? InNamedClass(ReadOnlySpan<T> name, int c)
    {
        if (name.Length > 6)
        {
            return null;
        }

        Span<char> chars = stackalloc char[name.Length];
        for (int i = 0; i < name.Length; i++)
        {
            chars[i] = (char)int.CreateTruncating(name[i]);
        }

        return chars switch
        {
            "alnum" => char.IsAsciiLetterOrDigit((char)c),
            "alpha" => char.IsAsciiLetter((char)c),
            "blank" => c is ' ' or '\t',
            "cntrl" => c is < 0x20 or 0x7f,
            "digit" => char.IsAsciiDigit((char)c),
            "graph" => c is > ' ' and < 0x7f,
            "lower" => char.IsAsciiLetterLower((char)c),
            "print" => c is >= ' ' and < 0x7f,
            "punct" => c is > ' ' and < 0x7f && !char.IsAsciiLetterOrDigit((char)c),
            "space" => c is ' ' or '\t' or '\n' or '\r',
            "upper" => char.IsAsciiLetterUpper((char)c),
            "xdigit" => char.IsAsciiHexDigit((char)c),
            _ => null,
        };
    }
}
