using Helios.Core.Errors;
using Helios.Core.Objects;
using Helios.Core.Refs;

namespace Helios.Core.Repositories;

/// <summary>
/// Parses revisions as git does for the forms agents use: <c>BASE</c> then any number of
/// <c>~N</c>, <c>~</c>, <c>^N</c>, <c>^</c>. BASE is <c>HEAD</c> or <c>@</c>, a branch, a full ref
/// name, a 64-digit id, or a unique prefix of at least 4 hex digits (refs win over prefixes).
/// An annotated tag (a ref under <c>refs/tags/</c>, a short tag name, or a tag's id) is peeled to
/// the commit it leads to.
/// </summary>
internal sealed class RevisionResolver(Repository repository)
{
    // A 4-digit prefix matches about n / 65,536 of n objects; this covers tens of millions.
    private const int MaxPrefixCandidates = 4096;

    public ObjectId Resolve(string revision)
    {
        if (string.IsNullOrWhiteSpace(revision))
        {
            throw new HeliosException(HeliosErrorCode.InvalidArgument, "An empty revision names no commit.");
        }

        int suffixStart = revision.IndexOfAny(['~', '^']);
        string baseName = suffixStart < 0 ? revision : revision[..suffixStart];
        var steps = ParseSuffixes(revision, suffixStart < 0 ? revision.Length : suffixStart);
        var id = Peel(ResolveBase(baseName, revision), revision);
        foreach (var (op, n) in steps)
        {
            id = op == '~' ? Ancestor(id, n, revision) : Parent(id, n, revision);
        }

        return id;
    }

    /// <summary>Checks the whole suffix before any lookup, so a syntax error is reported as one.</summary>
    private static List<(char Op, int N)> ParseSuffixes(string revision, int i)
    {
        var steps = new List<(char, int)>();
        while (i < revision.Length)
        {
            char op = revision[i++];
            int start = i;
            while (i < revision.Length && char.IsAsciiDigit(revision[i])) i++;
            int n = 1;
            if (op is not ('~' or '^') || (i > start && !int.TryParse(revision.AsSpan(start, i - start), out n)))
            {
                throw Invalid(revision);
            }

            steps.Add((op, n));
        }

        return steps;
    }

    private ObjectId ResolveBase(string name, string revision)
    {
        if (name.Length == 0)
        {
            throw Invalid(revision);
        }

        if (name is "HEAD" or "@")
        {
            return repository.HeadCommit
                ?? throw new NotFoundException(revision, $"HEAD is on branch '{repository.CurrentBranch}', which has no commits yet.");
        }

        if (RefName.IsValid(name))
        {
            if (name.StartsWith("refs/", StringComparison.Ordinal) && repository.ResolveRef(RefName.Parse(name)) is { } byRef)
            {
                return byRef;
            }

            if (repository.ResolveRef(RefName.Parse(BranchName.RefPrefix + name)) is { } byBranch)
            {
                return byBranch;
            }

            if (repository.ResolveRef(RefName.Parse("refs/tags/" + name)) is { } byTag)
            {
                return byTag;
            }
        }

        if (ObjectId.IsHex(name))
        {
            if (name.Length == ObjectId.HexLength)
            {
                var full = ObjectId.Parse(name);
                return repository.Objects.Contains(full) ? full : Alias(name) ?? throw Unknown(revision);
            }

            if (name.Length >= ObjectId.MinPrefixLength && name.Length < ObjectId.HexLength)
            {
                // Blobs and trees share the id space; only commits count, so look past them.
                var matches = repository.Objects.Store.FindByPrefix(name.ToLowerInvariant(), MaxPrefixCandidates)
                    .Where(id => repository.Objects.TryRead(id) is Commit or Tag)
                    .Take(10)
                    .ToArray();
                return matches.Length switch
                {
                    1 => matches[0],
                    0 => Alias(name) ?? throw Unknown(revision),
                    _ => throw new HeliosException(HeliosErrorCode.Ambiguous,
                        $"Revision '{revision}' is ambiguous: it matches commits {string.Join(", ", matches.Select(m => m.ToShortString()))}; give more digits."),
                };
            }
        }

        throw Unknown(revision);
    }

    /// <summary>Follows annotated tags to the commit they lead to; a tag of a tree or blob names no commit.</summary>
    private ObjectId Peel(ObjectId id, string revision)
    {
        // Bounded, so a (corrupt) cycle of tags cannot loop forever.
        for (int depth = 0; depth < 64; depth++)
        {
            if (repository.Objects.TryRead(id) is not Tag tag)
            {
                return id;
            }

            if (tag.TargetType is not (ObjectType.Commit or ObjectType.Tag))
            {
                throw new HeliosException(HeliosErrorCode.InvalidArgument, $"Revision '{revision}' is tag '{tag.Name}' of a {tag.TargetType.ToString().ToLowerInvariant()}, not of a commit.");
            }

            id = tag.Target;
        }

        throw new HeliosException(HeliosErrorCode.InvalidArgument, $"Revision '{revision}' is a chain of more than 64 tags.");
    }

    /// <summary>An alias (an imported git id) the repository's options resolve, checked to be a stored commit.</summary>
    private ObjectId? Alias(string name) =>
        repository.Options.ResolveAlias?.Invoke(name) is { } id && repository.Objects.TryRead(id) is Commit or Tag ? id : null;

    private ObjectId Ancestor(ObjectId id, int generations, string revision)
    {
        for (int g = 0; g < generations; g++)
        {
            id = Parent(id, 1, revision);
        }

        return id;
    }

    private ObjectId Parent(ObjectId id, int n, string revision)
    {
        if (n == 0)
        {
            return id;
        }

        var parents = repository.ReadCommit(id).Parents;
        return n <= parents.Count
            ? parents[n - 1]
            : throw new NotFoundException(revision, $"Revision '{revision}' does not exist: commit {id.ToShortString()} has {parents.Count} parent(s), not {n}.");
    }

    private static HeliosException Invalid(string revision) =>
        new(HeliosErrorCode.InvalidArgument, $"'{revision}' is not a valid revision; use an id, a branch, HEAD, and ~N, ^ or ^N suffixes.");

    private static NotFoundException Unknown(string revision) =>
        new(revision, $"Unknown revision '{revision}': no branch, ref or commit id matches it.");
}
