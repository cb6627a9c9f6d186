using Helios.Core.Collections;
using Helios.Core.Merging;
using Helios.Core.Objects;
using Helios.Core.Repositories;

namespace Helios.Core.Memory;

/// <summary>
/// What memory merges and file merges share when both sides changed one collection: the base to
/// merge against, and how a strategy settles a key both sides changed.
/// </summary>
internal static class CollectionMergeRules
{
    /// <summary>The base version: the merge base's collection, or (created on both sides) an empty one, stored now because the merge reads it.</summary>
    public static ObjectId BaseOrEmpty(CollectionTree tree, StateRoot? atBase, int dimension)
    {
        if (atBase is not null)
        {
            return atBase.Id;
        }

        var empty = CollectionTree.Empty(dimension);
        tree.Objects.Store.PutMany(empty.NewObjects);
        return empty.HeaderId;
    }

    /// <summary>The side <paramref name="strategy"/> keeps for a conflicting key; null for manual (the caller decides).</summary>
    public static KeyResolution? ByStrategy(MergeStrategy strategy, Repository repository, CollectionTree tree, string collection, string key,
        ObjectId parentHead, ObjectId childHead, ObjectId? mergeBase) => strategy switch
    {
        MergeStrategy.ParentWins => KeyResolution.Ours,
        MergeStrategy.ChildWins => KeyResolution.Theirs,
        MergeStrategy.NewestWins when mergeBase is { } b =>
            ChildIsNewer(repository, tree, collection, key, parentHead, childHead, b) ? KeyResolution.Theirs : KeyResolution.Ours,
        _ => null,
    };

    /// <summary>
    /// newest-wins for one key: true when the child's last change to it is at least as new as the
    /// parent's (commit times, following first parents back to the merge base; ties go to the child).
    /// Cost: two lookups per commit walked.
    /// </summary>
    public static bool ChildIsNewer(Repository repository, CollectionTree tree, string collection, string key, ObjectId parentHead, ObjectId childHead, ObjectId mergeBase) =>
        LastChange(repository, tree, collection, key, childHead, mergeBase) >= LastChange(repository, tree, collection, key, parentHead, mergeBase);

    private static DateTimeOffset LastChange(Repository repository, CollectionTree tree, string collection, string key, ObjectId head, ObjectId mergeBase)
    {
        long stopAt = repository.ReadCommit(mergeBase).Generation;
        var id = head;
        var commit = repository.ReadCommit(id);
        var value = ValueAt(tree, commit, collection, key);
        while (id != mergeBase && commit.Generation > stopAt)
        {
            // Follow a parent that already had the value: for a merge commit that is the side the
            // value came from, so the time found is when it was written, not when it was merged.
            var from = commit.Parents.FirstOrDefault(p => Equals(ValueAt(tree, repository.ReadCommit(p), collection, key), value));
            if (from == default)
            {
                break; // This commit wrote the value.
            }

            id = from;
            commit = repository.ReadCommit(from);
        }

        return commit.Committer.When;
    }

    private static StoredValue? ValueAt(CollectionTree tree, Commit commit, string collection, string key) =>
        commit.FindRoot(collection) is { Type: ObjectType.Collection } root ? tree.TryGetStored(root.Id, key) : null;
}
