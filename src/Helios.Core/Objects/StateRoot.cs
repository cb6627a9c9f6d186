using Helios.Core.Errors;

namespace Helios.Core.Objects;

/// <summary>
/// A named root a commit records beside its files: a memory collection (<see cref="ObjectType.Collection"/>)
/// or a state array checkpoint (<see cref="ObjectType.StateArray"/>). Names follow the rules of tree
/// entry names, and one name belongs to one root whatever its type.
/// </summary>
public sealed record StateRoot
{
    public StateRoot(string name, ObjectType type, ObjectId id)
    {
        if (ValidateType(type) is { } typeProblem)
        {
            throw new HeliosException(HeliosErrorCode.InvalidArgument, typeProblem);
        }

        if (EntryName.Validate(name) is { } nameProblem)
        {
            throw new HeliosException(HeliosErrorCode.InvalidArgument, $"'{EntryName.Escape(name)}' is not a valid collection or state array name: {nameProblem}.");
        }

        Name = name;
        Type = type;
        Id = id;
    }

    public string Name { get; }

    public ObjectType Type { get; }

    public ObjectId Id { get; }

    /// <summary>The root named <paramref name="name"/> in <paramref name="roots"/>, or null.</summary>
    internal static StateRoot? Find(IReadOnlyList<StateRoot> roots, string name)
    {
        foreach (var root in roots)
        {
            if (root.Name == name) return root;
        }

        return null;
    }

    internal static string? ValidateType(ObjectType type) =>
        type is ObjectType.Collection or ObjectType.StateArray
            ? null
            : $"A commit root must be a collection or a state array, not an object of type {(byte)type}.";

    /// <summary>Roots sorted by name; rejects two roots with one name.</summary>
    internal static StateRoot[] Sort(IEnumerable<StateRoot>? roots)
    {
        if (roots is null) return [];
        var sorted = roots.ToArray();
        if (sorted.Length == 0) return sorted;
        Array.Sort(sorted, (a, b) => Utf8NameComparer.Instance.Compare(a.Name, b.Name));
        for (int i = 1; i < sorted.Length; i++)
        {
            if (sorted[i].Name == sorted[i - 1].Name)
            {
                throw new HeliosException(HeliosErrorCode.InvalidArgument, $"A commit cannot hold two roots named '{EntryName.Escape(sorted[i].Name)}'.");
            }
        }

        return sorted;
    }
}
