using Helios.Core.Errors;
using Helios.Core.Objects;
using Helios.Core.Storage;

namespace Helios.Core.Collections;

/// <summary>How a conflicting key was (or was not) settled.</summary>
public enum ConflictChoice
{
    /// <summary>Keep our value (the collection merged into).</summary>
    Ours,

    /// <summary>Take their value (the collection merged in).</summary>
    Theirs,

    /// <summary>Delete the key.</summary>
    Delete,

    /// <summary>Put a value the resolver gave.</summary>
    Value,

    /// <summary>Left for someone to decide: the merge produces no collection.</summary>
    Unresolved,
}

/// <summary>A resolver's answer to a conflict; <see cref="Value"/> is set only for <see cref="ConflictChoice.Value"/>.</summary>
public sealed record KeyResolution
{
    private KeyResolution(ConflictChoice choice, CollectionValue? value)
    {
        Choice = choice;
        Value = value;
    }

    public ConflictChoice Choice { get; }

    public CollectionValue? Value { get; }

    public static KeyResolution Ours { get; } = new(ConflictChoice.Ours, null);

    public static KeyResolution Theirs { get; } = new(ConflictChoice.Theirs, null);

    public static KeyResolution Delete { get; } = new(ConflictChoice.Delete, null);

    public static KeyResolution Unresolved { get; } = new(ConflictChoice.Unresolved, null);

    public static KeyResolution Use(CollectionValue value) => new(ConflictChoice.Value, value ?? throw new ArgumentNullException(nameof(value)));
}

/// <summary>A key both sides changed differently since the base; a null value means absent (deleted or never there).</summary>
public sealed record CollectionConflict(string Key, StoredValue? Base, StoredValue? Ours, StoredValue? Theirs);

/// <summary>What a merge does to a key of ours.</summary>
public enum CollectionMergeAction
{
    /// <summary>Their new key is added.</summary>
    Added,

    /// <summary>Their new value replaces ours.</summary>
    Changed,

    /// <summary>Their deletion removes our key.</summary>
    Deleted,

    /// <summary>Both sides changed the key differently; see the resolution.</summary>
    Conflict,
}

/// <summary>One line of a merge report: the key, what happened to it, and for a conflict how it was resolved.</summary>
public sealed record CollectionMergeEntry(string Key, CollectionMergeAction Action, ConflictChoice? Resolution = null);

/// <summary>
/// The outcome of a merge: the merged collection and its new objects (not stored), and the report in
/// key order. When a conflict is unresolved there is no merged collection (<see cref="HeaderId"/> is
/// null, no objects) and the report says which keys are unresolved.
/// </summary>
public sealed record CollectionMergeResult(ObjectId? HeaderId, IReadOnlyList<EncodedObject> NewObjects, IReadOnlyList<CollectionMergeEntry> Report)
{
    public bool HasUnresolvedConflicts => HeaderId is null;
}

/// <summary>
/// Three-way merge of collections. Walks the two diffs (base → ours, base → theirs) together in key
/// order: a key changed on one side only takes that side's value; the same change on both sides is
/// taken once; different changes are conflicts, each handed to the resolver. The result is ours with
/// their changes and the resolutions applied, so the report lists what the merge changes in ours.
/// Cost: O(both diffs × height) reads plus applying the edits. Thread-safe; writes nothing.
/// </summary>
public static class CollectionMerge
{
    internal static CollectionMergeResult Run(CollectionTree tree, ObjectId baseId, ObjectId oursId, ObjectId theirsId, Func<CollectionConflict, KeyResolution> resolver)
    {
        var (b, o, t) = (tree.ReadHeader(baseId), tree.ReadHeader(oursId), tree.ReadHeader(theirsId));
        if (b.Dimension != o.Dimension || b.Dimension != t.Dimension)
        {
            throw new HeliosException(HeliosErrorCode.InvalidArgument,
                $"Cannot merge collections of different vector dimensions (base {b.Dimension}, ours {o.Dimension}, theirs {t.Dimension}).");
        }

        var edits = new List<LevelEdit>();
        var report = new List<CollectionMergeEntry>();
        bool unresolved = false;
        using var ours = CollectionDiff.Changes(tree, b.Root, o.Root).GetEnumerator();
        using var theirs = CollectionDiff.Changes(tree, b.Root, t.Root).GetEnumerator();
        bool hasOurs = ours.MoveNext(), hasTheirs = theirs.MoveNext();
        while (hasTheirs)
        {
            int c = hasOurs ? CollectionKey.Compare(ours.Current.Key, theirs.Current.Key) : 1;
            if (c < 0)
            {
                hasOurs = ours.MoveNext();
                continue;
            }

            var (key, baseValue, theirValue) = theirs.Current;
            if (c > 0)
            {
                edits.Add(EditTo(key, theirValue));
                report.Add(new CollectionMergeEntry(CollectionKey.ToString(key), theirValue is null ? CollectionMergeAction.Deleted : baseValue is null ? CollectionMergeAction.Added : CollectionMergeAction.Changed));
            }
            else if (!SameValue(ours.Current.New, theirValue))
            {
                string name = CollectionKey.ToString(key);
                var resolution = resolver(new CollectionConflict(name, baseValue, ours.Current.New, theirValue));
                switch (resolution.Choice)
                {
                    case ConflictChoice.Theirs:
                        edits.Add(EditTo(key, theirValue));
                        break;
                    case ConflictChoice.Delete:
                        edits.Add(new LevelEdit(key, null));
                        break;
                    case ConflictChoice.Value:
                        if (resolution.Value!.ProblemFor(o.Dimension) is { } problem)
                        {
                            throw new HeliosException(HeliosErrorCode.InvalidArgument, $"Cannot resolve the conflict on '{name}': {problem}.");
                        }

                        var stored = StoredValue.Of(resolution.Value, out var blob);
                        edits.Add(new LevelEdit(key, new Slot(key, stored, default, 1), blob));
                        break;
                    case ConflictChoice.Unresolved:
                        unresolved = true;
                        break;
                }

                report.Add(new CollectionMergeEntry(name, CollectionMergeAction.Conflict, resolution.Choice));
            }

            if (c == 0) hasOurs = ours.MoveNext();
            hasTheirs = theirs.MoveNext();
        }

        if (unresolved)
        {
            return new CollectionMergeResult(null, [], report);
        }

        var update = new CollectionBuilder(tree).Apply(oursId, o, edits);
        return new CollectionMergeResult(update.HeaderId, update.NewObjects, report);
    }

    private static LevelEdit EditTo(byte[] key, StoredValue? value) =>
        new(key, value is { } v ? new Slot(key, v, default, 1) : null);

    private static bool SameValue(StoredValue? a, StoredValue? b) =>
        a is { } x ? b is { } y && x == y : b is null;
}
