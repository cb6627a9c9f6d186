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
/// Three-way merge of collections. Walks their diff (base → theirs) in key order and compares each
/// changed key with ours: a key only they changed takes their value; the same change on both sides is
/// taken once; different changes are conflicts, each handed to the resolver. The result is ours with
/// their changes and the resolutions applied, so the report lists what the merge changes in ours.
/// Cost, besides applying the edits: when their diff is small (at most <see cref="LookupLimit"/> keys),
/// each of its keys is looked up in ours, O(their changes × height) however far ours has moved from the
/// base; otherwise our diff (base → ours) is walked beside theirs, O(both diffs × height). A small child
/// merged into a busy parent is the common case in agent memory; there the walk read every node the
/// parent had changed since the child was derived, so each retry after losing a race cost more than the
/// last. Thread-safe; writes nothing.
/// </summary>
public static class CollectionMerge
{
    /// <summary>The size of their diff up to which ours is read by lookups instead of a walk.</summary>
    internal const int LookupLimit = 4096;

    internal static CollectionMergeResult Run(
        CollectionTree tree, ObjectId baseId, ObjectId oursId, ObjectId theirsId, Func<CollectionConflict, KeyResolution> resolver, int lookupLimit = LookupLimit)
    {
        var (b, o, t) = (tree.ReadHeader(baseId), tree.ReadHeader(oursId), tree.ReadHeader(theirsId));
        if (b.Dimension != o.Dimension || b.Dimension != t.Dimension)
        {
            throw new HeliosException(HeliosErrorCode.InvalidArgument,
                $"Cannot merge collections of different vector dimensions (base {b.Dimension}, ours {o.Dimension}, theirs {t.Dimension}).");
        }

        var theirChanges = new List<(byte[] Key, StoredValue? Old, StoredValue? New)>();
        foreach (var change in CollectionDiff.Changes(tree, b.Root, t.Root))
        {
            theirChanges.Add(change);
            if (theirChanges.Count > lookupLimit)
            {
                break;
            }
        }

        var compared = theirChanges.Count <= lookupLimit ? ByLookup(tree, o.Root, theirChanges) : ByWalk(tree, b.Root, o.Root, t.Root);
        var edits = new List<LevelEdit>();
        var report = new List<CollectionMergeEntry>();
        bool unresolved = false;
        foreach (var (key, baseValue, theirValue, ourValue) in compared)
        {
            if (SameValue(ourValue, baseValue))
            {
                edits.Add(EditTo(key, theirValue));
                report.Add(new CollectionMergeEntry(CollectionKey.ToString(key), theirValue is null ? CollectionMergeAction.Deleted : baseValue is null ? CollectionMergeAction.Added : CollectionMergeAction.Changed));
            }
            else if (!SameValue(ourValue, theirValue))
            {
                string name = CollectionKey.ToString(key);
                var resolution = resolver(new CollectionConflict(name, baseValue, ourValue, theirValue));
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
        }

        if (unresolved)
        {
            return new CollectionMergeResult(null, [], report);
        }

        var update = new CollectionBuilder(tree).Apply(oursId, o, edits);
        return new CollectionMergeResult(update.HeaderId, update.NewObjects, report);
    }

    /// <summary>Each of their changes with our value under its key, looked up in ours.</summary>
    private static IEnumerable<(byte[] Key, StoredValue? Base, StoredValue? Theirs, StoredValue? Ours)> ByLookup(
        CollectionTree tree, ObjectId oursRoot, List<(byte[] Key, StoredValue? Old, StoredValue? New)> theirChanges)
    {
        foreach (var (key, baseValue, theirValue) in theirChanges)
        {
            yield return (key, baseValue, theirValue, tree.TryGetStoredAt(oursRoot, key));
        }
    }

    /// <summary>Each of their changes with our value under its key, found by walking both diffs together (a key we left alone has the base's value).</summary>
    private static IEnumerable<(byte[] Key, StoredValue? Base, StoredValue? Theirs, StoredValue? Ours)> ByWalk(
        CollectionTree tree, ObjectId baseRoot, ObjectId oursRoot, ObjectId theirsRoot)
    {
        using var ours = CollectionDiff.Changes(tree, baseRoot, oursRoot).GetEnumerator();
        using var theirs = CollectionDiff.Changes(tree, baseRoot, theirsRoot).GetEnumerator();
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
            yield return (key, baseValue, theirValue, c == 0 ? ours.Current.New : baseValue);
            if (c == 0) hasOurs = ours.MoveNext();
            hasTheirs = theirs.MoveNext();
        }
    }

    private static LevelEdit EditTo(byte[] key, StoredValue? value) =>
        new(key, value is { } v ? new Slot(key, v, default, 1) : null);

    private static bool SameValue(StoredValue? a, StoredValue? b) =>
        a is { } x ? b is { } y && x == y : b is null;
}
