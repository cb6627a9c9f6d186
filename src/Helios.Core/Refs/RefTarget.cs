using Helios.Core.Errors;
using Helios.Core.Objects;

namespace Helios.Core.Refs;

/// <summary>
/// What a ref holds: an object id, or (for HEAD) the name of another ref it follows.
/// Stored as 64 hex digits or as <c>ref: NAME</c>, as git does.
/// </summary>
public readonly record struct RefTarget
{
    private const string SymbolicPrefix = "ref: ";

    private RefTarget(ObjectId? id, RefName? symbolic)
    {
        Id = id;
        Symbolic = symbolic;
    }

    /// <summary>The object the ref points at directly, or null for a symbolic ref.</summary>
    public ObjectId? Id { get; }

    /// <summary>The ref this one follows, or null for a direct ref.</summary>
    public RefName? Symbolic { get; }

    public static RefTarget To(ObjectId id) => new(id, null);

    public static RefTarget Follow(RefName name) => new(null, name);

    public static implicit operator RefTarget(ObjectId id) => To(id);

    public static RefTarget Parse(string text) =>
        text.StartsWith(SymbolicPrefix, StringComparison.Ordinal)
            ? Follow(RefName.Parse(text[SymbolicPrefix.Length..]))
            : ObjectId.TryParse(text, out var id)
                ? To(id)
                : throw new HeliosException(HeliosErrorCode.Corruption, $"Stored ref value '{text}' is neither an object id nor 'ref: NAME'.");

    public override string ToString() => Symbolic is { } name ? SymbolicPrefix + name.Value : Id!.Value.ToString();
}

/// <summary>A ref and its value, as listed by a ref store.</summary>
public readonly record struct RefEntry(RefName Name, RefTarget Target);
