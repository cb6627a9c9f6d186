using Helios.Core.Collections;
using Helios.Core.Errors;
using Helios.Core.Memory;
using Helios.Core.Objects;
using Helios.Core.Repositories;

namespace Helios.Core.Merging;

/// <summary>
/// Merges the collections and state arrays two commits record (<see cref="Commit.Roots"/>), name by
/// name against the merge base's: a root changed on one side only is taken from that side, as a
/// file would be, and a collection both sides changed is merged key by key with the merge's strategy.
/// Cost O(roots) plus, for such a collection, its merge (O(keys either side changed × log n)).
/// </summary>
internal static class RootMerge
{
    /// <summary>
    /// The roots the merge of <paramref name="child"/> into <paramref name="parent"/> records.
    /// Throws, before anything is written, when both sides changed one root and the strategy
    /// cannot settle it.
    /// </summary>
    public static IReadOnlyList<StateRoot> Merge(Repository repository, ObjectId parent, ObjectId child, IReadOnlyList<ObjectId> bases, MergeStrategy strategy)
    {
        var ours = repository.ReadCommit(parent).Roots;
        var theirs = repository.ReadCommit(child).Roots;
        if (ours.SequenceEqual(theirs))
        {
            return ours;
        }

        // With several bases (criss-cross) the first stands in for the virtual base: roots are
        // compared whole, so a root either side changed since it is still seen as changed.
        var ancestors = bases.Count > 0 ? repository.ReadCommit(bases[0]).Roots : [];
        var names = ours.Concat(theirs).Concat(ancestors).Select(r => r.Name).Distinct(StringComparer.Ordinal);
        var merged = new List<StateRoot>();
        foreach (var name in names)
        {
            var b = StateRoot.Find(ancestors, name);
            var o = StateRoot.Find(ours, name);
            var t = StateRoot.Find(theirs, name);
            var result = o == t || t == b ? o
                : o == b ? t
                : o is { Type: ObjectType.Collection } && t is { Type: ObjectType.Collection } && b is null or { Type: ObjectType.Collection }
                    ? MergeCollection(repository, name, b, o, t, parent, child, bases, strategy)
                    : Both(name, o, t, strategy);
            if (result is not null)
            {
                merged.Add(result);
            }
        }

        return merged;
    }

    /// <summary>A collection both sides changed: merged key by key, as <c>helios memory merge</c> does; its new objects are stored.</summary>
    private static StateRoot MergeCollection(Repository repository, string name, StateRoot? b, StateRoot ours, StateRoot theirs,
        ObjectId parent, ObjectId child, IReadOnlyList<ObjectId> bases, MergeStrategy strategy)
    {
        var tree = new CollectionTree(repository.Objects);
        var baseId = CollectionMergeRules.BaseOrEmpty(tree, b, tree.ReadHeader(ours.Id).Dimension);
        var result = tree.Merge(baseId, ours.Id, theirs.Id, conflict =>
            CollectionMergeRules.ByStrategy(strategy, repository, tree, name, conflict.Key, parent, child, bases.Count > 0 ? bases[0] : null)
            ?? KeyResolution.Unresolved);
        if (result.HeaderId is not { } merged)
        {
            var keys = result.Report.Where(e => e.Resolution == ConflictChoice.Unresolved).Select(e => e.Key).ToArray();
            throw new HeliosException(HeliosErrorCode.Conflict,
                $"Both sides changed {keys.Length} key(s) of collection '{name}' ({string.Join(", ", keys.Take(10))}{(keys.Length > 10 ? ", …" : "")}); merge with --strategy parent-wins, child-wins or newest-wins, or resolve them with 'helios memory merge'.");
        }

        repository.Objects.Store.PutMany(result.NewObjects);
        return new StateRoot(name, ObjectType.Collection, merged);
    }

    private static StateRoot? Both(string name, StateRoot? ours, StateRoot? theirs, MergeStrategy strategy) => strategy switch
    {
        MergeStrategy.ParentWins => ours,
        MergeStrategy.ChildWins => theirs,
        _ => throw new HeliosException(HeliosErrorCode.Conflict,
            $"Both sides changed '{name}' ({Describe(ours)} and {Describe(theirs)}); merge with --strategy ours or theirs to keep one side's."),
    };

    private static string Describe(StateRoot? root) => root is null
        ? "deleted"
        : root.Type == ObjectType.Collection ? $"collection {root.Id.ToShortString()}" : $"state array {root.Id.ToShortString()}";

}
