using Helios.Core.Objects;
using Helios.Core.Storage;

namespace Helios.Core.Repositories;

/// <summary>A file's kind and blob id as a tree records it.</summary>
public readonly record struct FileVersion(EntryKind Kind, ObjectId Id)
{
    // Written out: the generated members go through EqualityComparer<T>.Default, which every CLI
    // process would compile at start-up (ReadyToRun cannot precompile those instantiations).
    public bool Equals(FileVersion other) => Kind == other.Kind && Id == other.Id;

    public override int GetHashCode() => HashCode.Combine((int)Kind, Id.GetHashCode());
}

/// <summary>One path whose file differs between two trees: absent on one side is null.</summary>
// A class: lists and dictionaries of it then use code ReadyToRun compiled ahead of time, where a
// struct's instantiations would be compiled by every CLI process that diffs trees.
public sealed record FileChange(string Path, FileVersion? Old, FileVersion? New)
{
    /// <summary>git's status letter for the change: A, D, T (file and symlink swapped) or M.</summary>
    public char Letter => TreeDiff.Letter(Old, New);
}

/// <summary>
/// Walks trees by path. <see cref="Diff"/> skips every subtree whose id is equal on both sides, so
/// its cost grows with the changed paths (and the directories above them), not with the tree.
/// </summary>
public static class TreeDiff
{
    /// <summary>The id of the tree with no entries (what an unborn branch shows).</summary>
    public static ObjectId EmptyTree => DirectoryNode.EmptyTreeId;

    /// <summary>git's status letter from one version of a path to another: ' ' (same), A, D, T (file and symlink swapped) or M.</summary>
    public static char Letter(FileVersion? from, FileVersion? to) => (from, to) switch
    {
        (null, null) => ' ',
        (null, _) => 'A',
        (_, null) => 'D',
        ({ } a, { } b) when a == b => ' ',
        ({ } a, { } b) when (a.Kind == EntryKind.Symlink) != (b.Kind == EntryKind.Symlink) => 'T',
        _ => 'M',
    };

    /// <summary>Files that differ between two trees, in path order (directories as "name/").</summary>
    public static List<FileChange> Diff(ObjectDatabase objects, ObjectId oldTree, ObjectId newTree)
    {
        var changes = new List<FileChange>();
        DiffInto(objects, oldTree, newTree, "", changes);
        return changes;
    }

    /// <summary>Every file of a tree with its path. Reads every subtree once: O(tree).</summary>
    public static IEnumerable<(string Path, FileVersion File)> Files(ObjectDatabase objects, ObjectId tree)
    {
        var pending = new Stack<(ObjectId Tree, string Prefix)>();
        pending.Push((tree, ""));
        while (pending.TryPop(out var item))
        {
            var entries = Entries(objects, item.Tree);
            // Pushed in reverse so subtrees come out in entry order.
            for (int i = entries.Count - 1; i >= 0; i--)
            {
                if (entries[i].Kind == EntryKind.Tree)
                {
                    pending.Push((entries[i].Id, item.Prefix + entries[i].Name + "/"));
                }
            }

            foreach (var entry in entries)
            {
                if (entry.Kind != EntryKind.Tree)
                {
                    yield return (item.Prefix + entry.Name, new FileVersion(entry.Kind, entry.Id));
                }
            }
        }
    }

    private static void DiffInto(ObjectDatabase objects, ObjectId oldTree, ObjectId newTree, string prefix, List<FileChange> changes)
    {
        if (oldTree == newTree)
        {
            return;
        }

        var oldEntries = Entries(objects, oldTree);
        var newEntries = Entries(objects, newTree);
        int i = 0, j = 0;
        while (i < oldEntries.Count || j < newEntries.Count)
        {
            int order = i == oldEntries.Count ? 1
                : j == newEntries.Count ? -1
                : Utf8NameComparer.Instance.Compare(oldEntries[i].Name, newEntries[j].Name);
            if (order < 0)
            {
                Removed(objects, oldEntries[i++], prefix, changes);
            }
            else if (order > 0)
            {
                Added(objects, newEntries[j++], prefix, changes);
            }
            else
            {
                var (o, n) = (oldEntries[i++], newEntries[j++]);
                if (o.Kind == n.Kind && o.Id == n.Id)
                {
                    continue;
                }

                bool oldIsTree = o.Kind == EntryKind.Tree, newIsTree = n.Kind == EntryKind.Tree;
                if (oldIsTree && newIsTree)
                {
                    DiffInto(objects, o.Id, n.Id, prefix + o.Name + "/", changes);
                }
                else if (!oldIsTree && !newIsTree)
                {
                    changes.Add(new FileChange(prefix + o.Name, new FileVersion(o.Kind, o.Id), new FileVersion(n.Kind, n.Id)));
                }
                else
                {
                    Removed(objects, o, prefix, changes);
                    Added(objects, n, prefix, changes);
                }
            }
        }
    }

    // The empty tree is never stored (an unborn branch has no commit to hold it).
    private static IReadOnlyList<TreeEntry> Entries(ObjectDatabase objects, ObjectId tree) =>
        tree == EmptyTree ? [] : objects.Read<Tree>(tree).Entries;

    private static void Removed(ObjectDatabase objects, TreeEntry entry, string prefix, List<FileChange> changes)
    {
        if (entry.Kind != EntryKind.Tree)
        {
            changes.Add(new FileChange(prefix + entry.Name, new FileVersion(entry.Kind, entry.Id), null));
            return;
        }

        foreach (var (path, file) in Files(objects, entry.Id))
        {
            changes.Add(new FileChange(prefix + entry.Name + "/" + path, file, null));
        }
    }

    private static void Added(ObjectDatabase objects, TreeEntry entry, string prefix, List<FileChange> changes)
    {
        if (entry.Kind != EntryKind.Tree)
        {
            changes.Add(new FileChange(prefix + entry.Name, null, new FileVersion(entry.Kind, entry.Id)));
            return;
        }

        foreach (var (path, file) in Files(objects, entry.Id))
        {
            changes.Add(new FileChange(prefix + entry.Name + "/" + path, null, file));
        }
    }
}
