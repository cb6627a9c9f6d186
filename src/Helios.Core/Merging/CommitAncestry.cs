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
            candidates.Sort((x, y) => y.Commit.Committer.When.CompareTo(x.Commit.Committer.When) is var c and not 0 ? c : x.Id.CompareTo(y.Id));
        }

        var bases = new ObjectId[candidates.Count];
        for (int i = 0; i < bases.Length; i++)
        {
            bases[i] = candidates[i].Id;
        }

        return bases;
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

    /// <summary>A commit met by a walk, with the paint it has received.</summary>
    // A class, not a struct or tuple: collections of reference types use code ReadyToRun has
    // compiled already, where value-type instantiations would be compiled by every CLI process.
    private sealed class Visit(ObjectId id, Commit commit)
    {
        public ObjectId Id { get; } = id;

        public Commit Commit { get; } = commit;

        public Paint Paint { get; set; }
    }

    /// <summary>
    /// Paints ancestors of <paramref name="a"/> and <paramref name="b"/>, highest generation first.
    /// A commit reached from both is a candidate, and everything below it is stale; the walk ends
    /// when only stale commits are left.
    /// </summary>
    private static List<Visit> PaintDownToCommon(ObjectDatabase objects, ObjectId a, ObjectId b)
    {
        var visits = new Dictionary<ObjectId, Visit>();
        // The frontier is as wide as the history has parallel lines (a few): a list scanned for the
        // highest generation beats a heap here.
        var queue = new List<Visit>();
        var results = new List<Visit>();
        void Enqueue(ObjectId id, Paint flags)
        {
            if (!visits.TryGetValue(id, out var visit))
            {
                visit = new Visit(id, objects.Read<Commit>(id));
                visits.Add(id, visit);
            }

            visit.Paint |= flags;
            queue.Add(visit);
        }

        Enqueue(a, Paint.FromA);
        Enqueue(b, Paint.FromB);
        while (HasLiveEntry(queue))
        {
            var visit = PopHighest(queue);
            var flags = visit.Paint & (Paint.FromA | Paint.FromB | Paint.Stale);
            if (flags == (Paint.FromA | Paint.FromB))
            {
                if ((visit.Paint & Paint.Result) == 0)
                {
                    visit.Paint |= Paint.Result;
                    results.Add(visit);
                }

                flags |= Paint.Stale;
            }

            foreach (var parent in visit.Commit.Parents)
            {
                if (!visits.TryGetValue(parent, out var known) || (known.Paint & flags) != flags)
                {
                    Enqueue(parent, flags);
                }
            }
        }

        // A candidate painted stale afterwards was reached from below another candidate: redundant.
        results.RemoveAll(v => (v.Paint & Paint.Stale) != 0);
        return results;
    }

    private static Visit PopHighest(List<Visit> queue)
    {
        int best = 0;
        for (int i = 1; i < queue.Count; i++)
        {
            if (queue[i].Commit.Generation > queue[best].Commit.Generation)
            {
                best = i;
            }
        }

        var visit = queue[best];
        queue[best] = queue[^1];
        queue.RemoveAt(queue.Count - 1);
        return visit;
    }

    private static bool HasLiveEntry(List<Visit> queue)
    {
        foreach (var visit in queue)
        {
            if ((visit.Paint & Paint.Stale) == 0)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Drops every candidate that is an ancestor of another (criss-cross leaves the rest).</summary>
    private static void RemoveRedundant(ObjectDatabase objects, List<Visit> candidates)
    {
        var redundant = new HashSet<Visit>();
        for (int i = 0; i < candidates.Count; i++)
        {
            for (int j = 0; j < candidates.Count; j++)
            {
                if (i != j && !redundant.Contains(candidates[j]) && IsAncestor(objects, candidates[i].Id, candidates[j].Id))
                {
                    redundant.Add(candidates[i]);
                    break;
                }
            }
        }

        candidates.RemoveAll(redundant.Contains);
    }
}
