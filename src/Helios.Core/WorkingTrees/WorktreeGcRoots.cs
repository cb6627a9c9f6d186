using Helios.Core.Errors;
using Helios.Core.Objects;

namespace Helios.Core.WorkingTrees;

/// <summary>
/// What worktrees on disk need kept that no ref names: blobs staged with <c>add</c> (stored when staged,
/// committed later) and the commit a merge in progress is merging. Garbage collection takes them as extra
/// roots (<see cref="Gc.GcOptions.ExtraRoots"/>). Reads each worktree's index and merge state once;
/// a worktree whose files are unreadable is skipped (its objects still have the grace period).
/// </summary>
public static class WorktreeGcRoots
{
    /// <summary>The ids the main worktree of <paramref name="layout"/> and every linked worktree need.</summary>
    public static IReadOnlyCollection<ObjectId> Collect(WorktreeLayout layout)
    {
        ArgumentNullException.ThrowIfNull(layout);
        var ids = new HashSet<ObjectId>();
        var main = WorktreeLayout.Main(layout.MainRoot);
        Add(main, ids);
        foreach (var info in main.ListLinked())
        {
            Add(main.Linked(info), ids);
        }

        return ids;
    }

    private static void Add(WorktreeLayout worktree, HashSet<ObjectId> ids)
    {
        try
        {
            if (File.Exists(worktree.IndexFile))
            {
                var index = WorkingTreeIndex.Load(worktree.IndexFile);
                foreach (var entry in index.Entries.Values)
                {
                    if (entry.Staged is { } staged)
                    {
                        ids.Add(staged.Id);
                    }
                }
            }

            if (MergeState.Load(Path.Combine(worktree.MetadataDirectory, "MERGE_STATE")) is { } merge)
            {
                ids.Add(merge.Parent);
                ids.Add(merge.Child);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or HeliosException or FormatException)
        {
            // A worktree being rewritten or removed right now: its staged blobs are young, so the grace period covers them.
        }
    }
}
