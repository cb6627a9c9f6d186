using Helios.Core.Objects;

namespace Helios.Core.Storage;

/// <summary>The rule every store applies in <see cref="IObjectStore.DeleteUnused"/>: a delta base stays while a dependent stays.</summary>
public static class DeltaRetention
{
    /// <summary>
    /// Removes from <paramref name="doomed"/> every id that is the delta base of an object not in
    /// <paramref name="doomed"/>, repeating until stable (sparing an object spares its own base in turn).
    /// Asks <paramref name="dependentsOf"/> once per doomed id. O(doomed + their dependents) per round;
    /// rounds are bounded by the longest delta chain.
    /// </summary>
    public static void SpareBasesOfSurvivors(HashSet<ObjectId> doomed, Func<ObjectId, IEnumerable<ObjectId>> dependentsOf)
    {
        ArgumentNullException.ThrowIfNull(doomed);
        ArgumentNullException.ThrowIfNull(dependentsOf);
        var dependents = new Dictionary<ObjectId, ObjectId[]>();
        foreach (var id in doomed)
        {
            var list = dependentsOf(id).ToArray();
            if (list.Length > 0)
            {
                dependents[id] = list;
            }
        }

        bool changed = true;
        while (changed)
        {
            changed = false;
            foreach (var (id, list) in dependents)
            {
                if (doomed.Contains(id) && list.Any(d => !doomed.Contains(d)))
                {
                    doomed.Remove(id);
                    changed = true;
                }
            }
        }
    }
}
