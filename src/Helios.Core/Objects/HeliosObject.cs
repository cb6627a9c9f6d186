namespace Helios.Core.Objects;

/// <summary>An immutable, decoded object. Its id is the BLAKE3 of <see cref="ObjectCodec.Encode"/>.</summary>
public abstract class HeliosObject
{
    private protected HeliosObject() { }

    public abstract ObjectType Type { get; }

    /// <summary>Rough bytes held in memory, for size-bounded caches.</summary>
    internal abstract int ApproximateSize { get; }
}

/// <summary>File content: bytes, nothing else (the name and mode live in the tree).</summary>
public sealed class Blob(ReadOnlyMemory<byte> content) : HeliosObject
{
    public override ObjectType Type => ObjectType.Blob;

    public ReadOnlyMemory<byte> Content { get; } = content;

    internal override int ApproximateSize => 48 + Content.Length;
}

/// <summary>One name in a tree: what it is and the id of its content.</summary>
public readonly record struct TreeEntry(string Name, EntryKind Kind, ObjectId Id);

/// <summary>
/// A directory: entries with unique, valid names sorted by their UTF-8 bytes. Construction
/// validates and sorts, so every Tree in memory is canonical.
/// </summary>
public sealed class Tree : HeliosObject
{
    public static readonly Tree Empty = new([], sorted: true);

    private readonly TreeEntry[] _entries;

    /// <summary>Builds a tree from entries in any order; rejects invalid or duplicate names.</summary>
    public Tree(IEnumerable<TreeEntry> entries)
        : this(Sort(entries.ToArray()), sorted: true)
    {
    }

    private Tree(TreeEntry[] sortedEntries, bool sorted)
    {
        _ = sorted;
        _entries = sortedEntries;
    }

    /// <summary>Wraps entries already known to be valid and strictly sorted (the decoder and workspaces check this themselves).</summary>
    internal static Tree FromSorted(TreeEntry[] entries) => new(entries, sorted: true);

    public override ObjectType Type => ObjectType.Tree;

    public IReadOnlyList<TreeEntry> Entries => _entries;

    internal override int ApproximateSize => 32 + _entries.Length * 72;

    /// <summary>The entry named <paramref name="name"/>, by binary search; null when absent.</summary>
    public TreeEntry? Find(string name)
    {
        int lo = 0, hi = _entries.Length - 1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            int c = Utf8NameComparer.Instance.Compare(_entries[mid].Name, name);
            if (c == 0) return _entries[mid];
            if (c < 0) lo = mid + 1;
            else hi = mid - 1;
        }

        return null;
    }

    private static TreeEntry[] Sort(TreeEntry[] entries)
    {
        foreach (var e in entries)
        {
            EntryName.EnsureValid(e.Name);
            if (!Enum.IsDefined(e.Kind))
            {
                throw new Errors.HeliosException(Errors.HeliosErrorCode.InvalidArgument, $"Entry '{EntryName.Escape(e.Name)}' has unknown kind {(int)e.Kind}.");
            }
        }

        Array.Sort(entries, (a, b) => Utf8NameComparer.Instance.Compare(a.Name, b.Name));
        for (int i = 1; i < entries.Length; i++)
        {
            if (entries[i].Name == entries[i - 1].Name)
            {
                throw new Errors.HeliosException(Errors.HeliosErrorCode.InvalidArgument, $"A tree cannot hold two entries named '{EntryName.Escape(entries[i].Name)}'.");
            }
        }

        return entries;
    }
}

/// <summary>Who and when: a name, an email, and a time with its time-zone offset (kept exactly, for git round trips).</summary>
public sealed record Signature(string Name, string Email, DateTimeOffset When);

/// <summary>
/// A snapshot: the root tree, parents (first parent is the branch's previous head), the
/// generation number, author, committer, the message bytes exactly as given, and string metadata
/// (scores, agent ids).
/// </summary>
public sealed class Commit : HeliosObject
{
    /// <summary>Builds a commit; <paramref name="generation"/> must come from <see cref="GenerationAfter"/>.</summary>
    public Commit(
        ObjectId tree,
        IReadOnlyList<ObjectId> parents,
        long generation,
        Signature author,
        Signature committer,
        ReadOnlyMemory<byte> message,
        IReadOnlyDictionary<string, string>? metadata = null,
        IEnumerable<StateRoot>? roots = null)
    {
        if (parents.Count == 0 ? generation != 1 : generation < 2)
        {
            throw new Errors.HeliosException(Errors.HeliosErrorCode.InvalidArgument,
                $"Generation {generation} is impossible for a commit with {parents.Count} parents: a root commit has 1, any other at least 2.");
        }

        Tree = tree;
        Parents = parents.ToArray();
        Generation = generation;
        Author = author;
        Committer = committer;
        Message = message;
        Metadata = CommitMetadata.From(metadata, ValidateMetadataKey);
        Roots = StateRoot.Sort(roots);
    }

    public override ObjectType Type => ObjectType.Commit;

    public ObjectId Tree { get; }

    public IReadOnlyList<ObjectId> Parents { get; }

    /// <summary>
    /// 1 for a root commit, else 1 + the largest generation of its parents (the longest path to a
    /// root, counting both ends). Kept in the commit, as git's commit-graph keeps it beside: an ancestor
    /// always has a smaller generation, so a walk looking for ancestors of X can skip every commit
    /// whose generation is below X's.
    /// </summary>
    public long Generation { get; }

    /// <summary>The generation of a commit with these parents.</summary>
    public static long GenerationAfter(IEnumerable<Commit> parents)
    {
        long max = 0;
        foreach (var p in parents)
        {
            max = Math.Max(max, p.Generation);
        }

        return max + 1;
    }

    public Signature Author { get; }

    public Signature Committer { get; }

    /// <summary>The message bytes exactly as given (any encoding, trailing newline or not).</summary>
    public ReadOnlyMemory<byte> Message { get; }

    /// <summary>The message decoded as UTF-8 (invalid bytes become U+FFFD).</summary>
    public string MessageText => System.Text.Encoding.UTF8.GetString(Message.Span);

    /// <summary>The first line of the message, as <c>log --oneline</c> shows it.</summary>
    public string Subject
    {
        get
        {
            var text = MessageText;
            int nl = text.IndexOf('\n', StringComparison.Ordinal);
            return nl < 0 ? text : text[..nl];
        }
    }

    /// <summary>Metadata sorted by key (UTF-8 byte order).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>
    /// The memory collections and state arrays recorded beside the files, sorted by name (UTF-8 byte
    /// order), names unique. A commit that changes only a collection keeps its parent's tree; one
    /// that changes only files keeps its parent's roots.
    /// </summary>
    public IReadOnlyList<StateRoot> Roots { get; }

    /// <summary>The root named <paramref name="name"/>, or null.</summary>
    public StateRoot? FindRoot(string name) => StateRoot.Find(Roots, name);

    internal override int ApproximateSize => 256 + Message.Length + Parents.Count * 32 + Roots.Count * 80 + Metadata.Sum(kv => 2 * (kv.Key.Length + kv.Value.Length));

    internal static void ValidateMetadataKey(string key)
    {
        if (key.Length == 0 || key.Any(c => c < 0x20 || c == 0x7f || c == '='))
        {
            throw new Errors.HeliosException(Errors.HeliosErrorCode.InvalidArgument, $"Metadata key '{EntryName.Escape(key)}' is not valid: it must be non-empty, without '=' or control characters.");
        }
    }
}

/// <summary>
/// An annotated tag: a name, the object it names (usually a commit) with that object's type, an
/// optional tagger (git allows tags without one), the message bytes exactly as given, and string
/// metadata (as on commits; git import keeps tagger lines it cannot rebuild exactly there). A ref
/// under <c>refs/tags/</c> may name a tag; revisions peel it to the commit it leads to.
/// </summary>
public sealed class Tag : HeliosObject
{
    /// <summary>Builds a tag; rejects a target type other than blob, tree, commit or tag, and an empty or control-character name.</summary>
    public Tag(
        ObjectId target,
        ObjectType targetType,
        string name,
        Signature? tagger,
        ReadOnlyMemory<byte> message,
        IReadOnlyDictionary<string, string>? metadata = null)
    {
        if (ValidateTargetType(targetType) is { } typeProblem)
        {
            throw new Errors.HeliosException(Errors.HeliosErrorCode.InvalidArgument, typeProblem);
        }

        if (ValidateName(name) is { } nameProblem)
        {
            throw new Errors.HeliosException(Errors.HeliosErrorCode.InvalidArgument, nameProblem);
        }

        Target = target;
        TargetType = targetType;
        Name = name;
        Tagger = tagger;
        Message = message;
        Metadata = CommitMetadata.From(metadata, Commit.ValidateMetadataKey);
    }

    public override ObjectType Type => ObjectType.Tag;

    /// <summary>The object the tag names.</summary>
    public ObjectId Target { get; }

    /// <summary>The type of <see cref="Target"/>: blob, tree, commit or tag.</summary>
    public ObjectType TargetType { get; }

    /// <summary>The tag's own name (git's <c>tag</c> header), without <c>refs/tags/</c>.</summary>
    public string Name { get; }

    /// <summary>Who made the tag and when; null when git recorded no tagger.</summary>
    public Signature? Tagger { get; }

    /// <summary>The message bytes exactly as given.</summary>
    public ReadOnlyMemory<byte> Message { get; }

    /// <summary>Metadata sorted by key (UTF-8 byte order).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    internal override int ApproximateSize => 192 + 2 * Name.Length + Message.Length + Metadata.Sum(kv => 2 * (kv.Key.Length + kv.Value.Length));

    internal static string? ValidateTargetType(ObjectType type) =>
        type is ObjectType.Blob or ObjectType.Tree or ObjectType.Commit or ObjectType.Tag
            ? null
            : $"A tag cannot name an object of type {(byte)type}: only blobs, trees, commits and tags.";

    internal static string? ValidateName(string name) =>
        name.Length == 0 || name.Any(c => c < 0x20 || c == 0x7f)
            ? $"The tag name '{EntryName.Escape(name)}' is not valid: it must be non-empty, without control characters."
            : null;
}
