using Helios.Core.Errors;
using Helios.Core.Objects;
using Helios.Core.Storage;

namespace Helios.Core.Gc;

/// <summary>
/// Delta-base hints for objects already stored (<c>gc --aggressive</c>): for each file blob, the blob the same
/// path held in the commit before (first parents, oldest to newest), the candidate a commit path would have
/// hinted. Walks each commit once, descending only into subtrees that changed since its first parent, so the
/// cost is O(commits + changed paths) reads of trees.
/// </summary>
internal static class DeltaHints
{
    public static Dictionary<ObjectId, ObjectId> Compute(IObjectStore objects, IEnumerable<ObjectId> heads, CancellationToken cancel)
    {
        var hints = new Dictionary<ObjectId, ObjectId>();
        var done = new HashSet<ObjectId>();
        foreach (var head in heads)
        {
            // The new part of this head's first-parent chain, newest first, and the tree it continues from.
            var chain = new List<Commit>();
            ObjectId? previousTree = null;
            for (ObjectId? id = head; id is { } current;)
            {
                if (done.Contains(current))
                {
                    previousTree = Read(objects, current) is Commit known ? known.Tree : null;
                    break;
                }

                if (Read(objects, current) is not Commit commit)
                {
                    break;
                }

                done.Add(current);
                chain.Add(commit);
                id = commit.Parents.Count > 0 ? commit.Parents[0] : null;
            }

            for (int i = chain.Count - 1; i >= 0; i--)
            {
                cancel.ThrowIfCancellationRequested();
                Diff(objects, previousTree, chain[i].Tree, hints);
                previousTree = chain[i].Tree;
            }
        }

        return hints;
    }

    private static void Diff(IObjectStore objects, ObjectId? before, ObjectId after, Dictionary<ObjectId, ObjectId> hints)
    {
        var pending = new Stack<(ObjectId? Before, ObjectId After)>();
        pending.Push((before, after));
        while (pending.TryPop(out var pair))
        {
            if (pair.Before == pair.After || Read(objects, pair.After) is not Tree now)
            {
                continue;
            }

            var old = pair.Before is { } b && Read(objects, b) is Tree t ? t.Entries.ToDictionary(e => e.Name, StringComparer.Ordinal) : [];
            foreach (var entry in now.Entries)
            {
                old.TryGetValue(entry.Name, out var was);
                bool existed = was.Name is not null;
                if (entry.Kind == EntryKind.Tree)
                {
                    pending.Push((existed && was.Kind == EntryKind.Tree ? was.Id : null, entry.Id));
                }
                else if (entry.Kind != EntryKind.Gitlink && existed && was.Kind is not (EntryKind.Tree or EntryKind.Gitlink) && was.Id != entry.Id)
                {
                    hints.TryAdd(entry.Id, was.Id);
                }
            }
        }
    }

    private static HeliosObject? Read(IObjectStore objects, ObjectId id)
    {
        if (objects.TryGet(id) is not { Length: > 0 } bytes || (ObjectType)bytes[0] is not (ObjectType.Commit or ObjectType.Tree))
        {
            return null;
        }

        try
        {
            return ObjectCodec.Decode(id, bytes);
        }
        catch (CorruptObjectException)
        {
            return null;
        }
    }
}
