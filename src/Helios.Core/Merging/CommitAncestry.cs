using Helios.Core.Objects;
using Helios.Core.Storage;

namespace Helios.Core.Merging;

/// <summary>
/// Ancestry questions over the commit graph: merge bases and "is A an ancestor of B". Walks are
/// ordered by <see cref="Commit.Generation"/>, highest first, and stop as soon as no commit left
/// to visit can change the answer, so their cost grows with the commits since the divergence,
/// not with the length of the history. Thread-safe (each call keeps its own state).
/// </summary>
public static class CommitAncestry
{
    [Flags]
    private enum Paint : byte
    {
        None = 0,
        FromA = 1,
        FromB = 2,
        Stale = 4,
        Result = 8,
    }

    /// <summary>
    /// The best common ancestors of <paramref name="a"/> and <paramref name="b"/>: common ancestors
    /// none of which is an ancestor of another, newest (by committer time) first. Empty for
    /// unrelated histories; more than one for criss-cross histories.
    /// </summary>
    public static IReadOnlyList<ObjectId> MergeBases(ObjectDatabase objects, ObjectId a, ObjectId b)
    {
        if (a == b)
        {
            return [a];
        }

        var candidates = PaintDownToCommon(objects, a, b);
        if (candidates.Count > 1)
        {
            RemoveRedundant(objects, candidates);
        }

        return candidates
            .Select(id => (Id: id, Commit: objects.Read<Commit>(id)))
            .OrderByDescending(c => c.Commit.Committer.When)
            .ThenBy(c => c.Id)
            .Select(c => c.Id)
            .ToArray();
    }

    /// <summary>True when <paramref name="ancestor"/> is <paramref name="descendant"/> or one of its ancestors.</summary>
    public static bool IsAncestor(ObjectDatabase objects, ObjectId ancestor, ObjectId descendant)
    {
        if (ancestor == descendant)
        {
            return true;
        }

        long floor = objects.Read<Commit>(ancestor).Generation;
        var seen = new HashSet<ObjectId> { descendant };
        var pending = new Stack<ObjectId>();
        pending.Push(descendant);
        while (pending.TryPop(out var id))
        {
            foreach (var parent in objects.Read<Commit>(id).Parents)
            {
                if (parent == ancestor)
                {
                    return true;
                }

                // Anything at or below the ancestor's generation, other than the ancestor itself,
                // cannot have it as an ancestor.
                if (seen.Add(parent) && objects.Read<Commit>(parent).Generation > floor)
                {
                    pending.Push(parent);
                }
            }
        }

        return false;
    }

    /// <summary>
    /// Paints ancestors of <paramref name="a"/> and <paramref name="b"/>, highest generation first.
    /// A commit reached from both is a candidate, and everything below it is stale; the walk ends
    /// when only stale commits are left.
    /// </summary>
    private static List<ObjectId> PaintDownToCommon(ObjectDatabase objects, ObjectId a, ObjectId b)
    {
        var paint = new Dictionary<ObjectId, Paint>();
        // Entries carry their commit, so each is read once per visit.
        var queue = new PriorityQueue<(ObjectId Id, Commit Commit), long>();
        var results = new List<ObjectId>();
        void Enqueue(ObjectId id, Paint flags)
        {
            paint[id] = paint.GetValueOrDefault(id) | flags;
            var commit = objects.Read<Commit>(id);
            queue.Enqueue((id, commit), -commit.Generation);
        }

        Enqueue(a, Paint.FromA);
        Enqueue(b, Paint.FromB);
        while (HasLiveEntry(queue, paint))
        {
            var (id, commit) = queue.Dequeue();
            var flags = paint[id] & (Paint.FromA | Paint.FromB | Paint.Stale);
            if (flags == (Paint.FromA | Paint.FromB))
            {
                if ((paint[id] & Paint.Result) == 0)
                {
                    paint[id] |= Paint.Result;
                    results.Add(id);
                }

                flags |= Paint.Stale;
            }

            foreach (var parent in commit.Parents)
            {
                if ((paint.GetValueOrDefault(parent) & flags) != flags)
                {
                    Enqueue(parent, flags);
                }
            }
        }

        // A candidate painted stale afterwards was reached from below another candidate: redundant.
        results.RemoveAll(id => (paint[id] & Paint.Stale) != 0);
        return results;
    }

    private static bool HasLiveEntry(PriorityQueue<(ObjectId Id, Commit Commit), long> queue, Dictionary<ObjectId, Paint> paint)
    {
        foreach (var ((id, _), _) in queue.UnorderedItems)
        {
            if ((paint[id] & Paint.Stale) == 0)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Drops every candidate that is an ancestor of another (criss-cross leaves the rest).</summary>
    private static void RemoveRedundant(ObjectDatabase objects, List<ObjectId> candidates)
    {
        var redundant = new HashSet<ObjectId>();
        for (int i = 0; i < candidates.Count; i++)
        {
            for (int j = 0; j < candidates.Count; j++)
            {
                if (i != j && !redundant.Contains(candidates[j]) && IsAncestor(objects, candidates[i], candidates[j]))
                {
                    redundant.Add(candidates[i]);
                    break;
                }
            }
        }

        candidates.RemoveAll(redundant.Contains);
    }
}
