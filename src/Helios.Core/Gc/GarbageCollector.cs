using System.Diagnostics;
using Helios.Core.Errors;
using Helios.Core.Integrity;
using Helios.Core.Objects;
using Helios.Core.Refs;
using Helios.Core.Repositories;
using Helios.Core.Storage;

namespace Helios.Core.Gc;

/// <summary>
/// Garbage collection: deletes stored objects that nothing needs any more.
/// <para>
/// Mark: everything reachable (through <see cref="ObjectLinks"/>: commits, trees, tags, collections, state
/// arrays, merge-log records, chunked blobs) from every ref in every namespace (branches, tags, HEADs,
/// <c>experiments/*</c>, <c>memory/branches/*</c>, <c>refs/memory/*</c>), from every ref value the retained
/// operation log records (so undo keeps working for every retained record), from
/// <see cref="GcOptions.ExtraRoots"/>, and from every object stored or re-put less than
/// <see cref="GcOptions.GracePeriod"/> ago. Sweep: the rest, in batches through
/// <see cref="IObjectStore.DeleteUnused"/>, which re-checks each object's age inside its transaction and never
/// deletes the delta base of an object that stays.
/// </para>
/// <para>
/// Safe while other threads and processes commit: refs and the log are read before the objects are listed,
/// so an object stored later is not a candidate at all; one stored earlier by a writer that has not moved its
/// ref yet is young, so kept with what it reaches; a writer that re-puts an old unreachable object (it
/// re-created the same content) freshens it, and the delete skips it. What the grace period cannot protect:
/// a writer holding an id for longer than the grace period without storing or referencing it (an in-process
/// handle that keeps an unreferenced checkpoint for hours), and a ref moved to an old unreachable commit by
/// id during the collection (as in git). Two collections at once are harmless but wasteful.
/// </para>
/// <para>
/// Cost: one listing of stored objects, one walk that reads each reachable commit, tree, tag, collection
/// node, state array root, merge-log record and file blob once (blobs to tell a chunked one apart; chunks and
/// state array pages are not read), one delete transaction per <see cref="GcOptions.DeleteBatchSize"/>
/// garbage objects. Memory: O(stored objects).
/// </para>
/// </summary>
public static class GarbageCollector
{
    private const int ProgressInterval = 1024;
    private const int OperationPage = 4096;

    /// <summary>Collects garbage in <paramref name="repository"/> and reports what it found and did.</summary>
    /// <exception cref="StorageException">The backend failed; whatever batches were deleted before stay deleted (they were garbage).</exception>
    public static GcReport Collect(Repository repository, GcOptions? options = null, IProgress<GcProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(repository);
        options ??= new GcOptions();
        if (options.GracePeriod < TimeSpan.Zero)
        {
            throw new HeliosException(HeliosErrorCode.InvalidArgument, $"The grace period must not be negative (got {options.GracePeriod}).");
        }

        if (options.DeleteBatchSize < 1)
        {
            throw new HeliosException(HeliosErrorCode.InvalidArgument, $"The delete batch size must be at least 1 (got {options.DeleteBatchSize}).");
        }

        long started = Stopwatch.GetTimestamp();
        var storage = repository.Storage;
        var maintenance = storage as IStorageMaintenance;
        // Settled first (also in a dry run: folding pending writes changes how objects are kept, never which exist),
        // so the figures below describe the at-rest store.
        maintenance?.Settle();
        var spaceBefore = maintenance?.MeasureSpace();
        var cutoff = repository.Options.Clock.GetUtcNow() - options.GracePeriod;

        // Expire first, so what only the forgotten records named is garbage in this same run.
        progress?.Report(new GcProgress(GcPhase.Expire, 0, null));
        IReadOnlyList<string> experiments = [];
        long operationsExpired = 0, keepOperationsFrom = 0;
        if (options.ExpireBefore is { } before)
        {
            var catalogue = new Experiments.Experiments(repository);
            if (options.DryRun)
            {
                // The records' values stay roots either way: a real run's expiry is itself a log record naming them.
                experiments = catalogue.ExpirableDiscarded(before).Select(e => e.Name.Value[Experiments.Experiments.RefPrefix.Length..]).ToArray();
                (operationsExpired, keepOperationsFrom) = CountExpirable(storage.Refs, before);
            }
            else
            {
                experiments = catalogue.ExpireDiscarded(before, options.Agent);
                operationsExpired = storage.Refs.TrimOperations(before);
            }
        }

        // Roots: refs and the log before the listing (see the class remarks for why this order is safe).
        var marker = new Marker(storage.Objects, progress, cancellationToken);
        foreach (var entry in storage.Refs.List(""))
        {
            if (entry.Target.Id is { } id)
            {
                marker.AddRoot(id);
            }
        }

        AddOperationRoots(storage.Refs, marker, keepOperationsFrom, cancellationToken);
        foreach (var id in options.ExtraRoots)
        {
            marker.AddRoot(id);
        }

        var stored = storage.Objects.EnumerateStored().ToList();
        marker.Mark();
        long reachable = marker.Count;
        foreach (var info in stored)
        {
            if (info.StoredAt >= cutoff)
            {
                marker.AddRoot(info.Id);
            }
        }

        marker.Mark();
        long keptYoung = marker.Count - reachable;

        // Candidates: unmarked and old. Unreachable delta bases of what stays are kept by the store; count them here.
        var candidates = new Dictionary<ObjectId, StoredObjectInfo>();
        foreach (var info in stored)
        {
            if (!marker.IsMarked(info.Id) && info.StoredAt < cutoff)
            {
                candidates[info.Id] = info;
            }
        }

        long keptAsBase = KeepDeltaBases(stored, candidates);
        long objectsBefore = stored.Count, storedBytesBefore = stored.Sum(i => i.StoredLength);
        IReadOnlyCollection<ObjectId> deleted = candidates.Keys;
        if (!options.DryRun)
        {
            deleted = Sweep(storage.Objects, candidates.Keys.ToList(), cutoff, options.DeleteBatchSize, progress, cancellationToken);
        }

        var byId = options.DryRun ? candidates : stored.ToDictionary(i => i.Id);
        long deletedStored = 0, deletedLogical = 0;
        foreach (var id in deleted)
        {
            if (byId.TryGetValue(id, out var info))
            {
                deletedStored += info.StoredLength;
                deletedLogical += info.Length;
            }
        }

        long rewritten = 0, rewriteBefore = 0, rewriteAfter = 0;
        if (options.Aggressive && !options.DryRun && storage.Objects is IObjectRewriter rewriter)
        {
            var deletedSet = deleted as HashSet<ObjectId> ?? deleted.ToHashSet();
            var heads = storage.Refs.List("").Select(e => e.Target.Id).OfType<ObjectId>();
            (rewritten, rewriteBefore, rewriteAfter) = Rewrite(storage.Objects, rewriter, stored.Where(i => !deletedSet.Contains(i.Id)).Select(i => i.Id).ToList(),
                DeltaHints.Compute(storage.Objects, heads, cancellationToken), progress, cancellationToken);
        }

        var spaceAfter = spaceBefore;
        if (!options.DryRun && maintenance is not null)
        {
            progress?.Report(new GcProgress(GcPhase.Reclaim, 0, null));
            spaceAfter = maintenance.ReclaimSpace(options.Aggressive);
        }

        return new GcReport
        {
            DryRun = options.DryRun,
            ObjectsBefore = objectsBefore,
            StoredBytesBefore = storedBytesBefore,
            Reachable = reachable,
            KeptYoung = keptYoung,
            KeptAsDeltaBase = keptAsBase,
            Deleted = deleted.Count,
            DeletedStoredBytes = deletedStored,
            DeletedLogicalBytes = deletedLogical,
            OperationsExpired = operationsExpired,
            Rewritten = rewritten,
            RewrittenStoredBytesBefore = rewriteBefore,
            RewrittenStoredBytesAfter = rewriteAfter,
            ExperimentsExpired = experiments,
            SpaceBefore = spaceBefore,
            SpaceAfter = spaceAfter,
            Elapsed = Stopwatch.GetElapsedTime(started),
        };
    }

    /// <summary>
    /// <c>--aggressive</c>: hands every kept object to the store's rewriter in batches of bounded bytes, each with
    /// the delta-base hint the history suggests (the same path's previous version), so the store recompresses
    /// with its current settings and re-deltas what the commit path never hinted (imports, older stores).
    /// </summary>
    private static (long Count, long Before, long After) Rewrite(IObjectStore objects, IObjectRewriter rewriter, List<ObjectId> kept,
        Dictionary<ObjectId, ObjectId> hints, IProgress<GcProgress>? progress, CancellationToken cancel)
    {
        const long BatchBytes = 32L << 20;
        long count = 0, before = 0, after = 0, bytes = 0;
        var batch = new List<EncodedObject>();
        void Flush()
        {
            if (batch.Count > 0)
            {
                var (b, a) = rewriter.Rewrite(batch);
                before += b;
                after += a;
                count += batch.Count;
                batch.Clear();
                bytes = 0;
                progress?.Report(new GcProgress(GcPhase.Rewrite, count, kept.Count));
            }
        }

        // Bases before their dependents (a hint's base rewritten first is already in its final form).
        foreach (var id in kept.OrderBy(id => hints.ContainsKey(id) ? 1 : 0))
        {
            cancel.ThrowIfCancellationRequested();
            if (objects.TryGet(id) is not { } encoded)
            {
                continue; // Deleted meanwhile by another gc.
            }

            batch.Add(new EncodedObject(id, encoded, hints.TryGetValue(id, out var hint) ? hint : null));
            bytes += encoded.Length;
            if (bytes >= BatchBytes)
            {
                Flush();
            }
        }

        Flush();
        return (count, before, after);
    }

    /// <summary>What <see cref="IRefStore.TrimOperations"/> would remove: the count and the first sequence it would keep.</summary>
    private static (long Count, long KeepFrom) CountExpirable(IRefStore refs, DateTimeOffset before)
    {
        var oldestFirst = refs.ReadOperations().Reverse().ToList();
        long count = 0;
        while (count < oldestFirst.Count - 1 && oldestFirst[(int)count].Info.Time < before)
        {
            count++;
        }

        return (count, count == 0 ? 0 : oldestFirst[(int)count].Sequence);
    }

    private static void AddOperationRoots(IRefStore refs, Marker marker, long keepFrom, CancellationToken cancel)
    {
        for (long? before = null; ;)
        {
            cancel.ThrowIfCancellationRequested();
            var page = refs.ReadOperations(before, OperationPage);
            foreach (var record in page)
            {
                if (record.Sequence < keepFrom)
                {
                    return;
                }

                foreach (var change in record.Changes)
                {
                    if (change.Old?.Id is { } old)
                    {
                        marker.AddRoot(old);
                    }

                    if (change.New?.Id is { } now)
                    {
                        marker.AddRoot(now);
                    }
                }
            }

            if (page.Count < OperationPage)
            {
                return;
            }

            before = page[^1].Sequence;
        }
    }

    /// <summary>
    /// Removes from <paramref name="candidates"/> every object a kept object's stored form depends on (its
    /// delta base, and that base's base...), as the store will refuse to delete those. Returns how many.
    /// </summary>
    private static long KeepDeltaBases(List<StoredObjectInfo> stored, Dictionary<ObjectId, StoredObjectInfo> candidates)
    {
        var pending = new Queue<ObjectId>();
        foreach (var info in stored)
        {
            if (info.DeltaBase is { } b && !candidates.ContainsKey(info.Id) && candidates.ContainsKey(b))
            {
                pending.Enqueue(b);
            }
        }

        long kept = 0;
        while (pending.TryDequeue(out var id))
        {
            if (candidates.Remove(id, out var info))
            {
                kept++;
                if (info.DeltaBase is { } next)
                {
                    pending.Enqueue(next);
                }
            }
        }

        return kept;
    }

    /// <summary>
    /// Deletes in batches. A delta base whose dependent sits in a later batch is refused the first time, so
    /// refused ids are offered again while a pass still deletes something (chains are short, so passes are few).
    /// </summary>
    private static List<ObjectId> Sweep(IObjectStore objects, List<ObjectId> candidates, DateTimeOffset cutoff, int batchSize,
        IProgress<GcProgress>? progress, CancellationToken cancel)
    {
        var deleted = new List<ObjectId>();
        var remaining = candidates;
        progress?.Report(new GcProgress(GcPhase.Sweep, 0, candidates.Count));
        while (remaining.Count > 0)
        {
            int before = deleted.Count;
            var done = new HashSet<ObjectId>();
            for (int i = 0; i < remaining.Count; i += batchSize)
            {
                cancel.ThrowIfCancellationRequested();
                var batch = remaining.GetRange(i, Math.Min(batchSize, remaining.Count - i));
                foreach (var id in objects.DeleteUnused(batch, cutoff))
                {
                    done.Add(id);
                    deleted.Add(id);
                }

                progress?.Report(new GcProgress(GcPhase.Sweep, deleted.Count, candidates.Count));
            }

            if (deleted.Count == before)
            {
                break;
            }

            remaining = remaining.Where(id => !done.Contains(id)).ToList();
        }

        return deleted;
    }

    /// <summary>The mark phase: a visited set and an explicit stack (depth costs heap, never call stack).</summary>
    private sealed class Marker(IObjectStore objects, IProgress<GcProgress>? progress, CancellationToken cancel)
    {
        private readonly HashSet<ObjectId> _marked = [];
        // Expected null: a root, whose type is whatever is stored.
        private readonly Stack<(ObjectId Id, ObjectType? Expected, bool MayBeChunked)> _stack = new();

        public long Count => _marked.Count;

        public bool IsMarked(ObjectId id) => _marked.Contains(id);

        /// <summary>A root of unknown type: it is read to learn what it links to.</summary>
        public void AddRoot(ObjectId id)
        {
            if (_marked.Add(id))
            {
                _stack.Push((id, null, false));
            }
        }

        public void Mark()
        {
            while (_stack.TryPop(out var item))
            {
                cancel.ThrowIfCancellationRequested();
                if (_marked.Count % ProgressInterval == 0)
                {
                    progress?.Report(new GcProgress(GcPhase.Mark, _marked.Count, null));
                }

                // Chunks and pages are leaves for certain. A file blob may be a chunked blob, which links to its chunks.
                if (item.Expected is { } leaf && ObjectLinks.IsLeaf(leaf) && !item.MayBeChunked)
                {
                    continue;
                }

                // Missing (fsck reports it; a concurrent gc may have taken an old leaf): nothing to follow.
                if (objects.TryGet(item.Id) is not { Length: > 0 } bytes)
                {
                    continue;
                }

                // An object that is not what its referrer says, or does not decode, has unknown links: sweeping now
                // could delete what it names, so stop before the sweep.
                var actual = (ObjectType)bytes[0];
                bool fits = item.Expected is not { } expected || actual == expected || (item.MayBeChunked && actual == ObjectType.ChunkedBlob);
                if (!fits)
                {
                    throw Corrupt($"object {item.Id} is stored as a {actual}, where a {item.Expected} is expected");
                }

                if (ObjectLinks.IsLeaf(actual))
                {
                    continue;
                }

                HeliosObject obj;
                try
                {
                    obj = ObjectCodec.Decode(item.Id, bytes);
                }
                catch (CorruptObjectException e)
                {
                    throw Corrupt(e.Message);
                }

                foreach (var link in ObjectLinks.Of(obj))
                {
                    if (_marked.Add(link.Id))
                    {
                        _stack.Push((link.Id, link.Expected, link.Kind is LinkKind.TreeEntry or LinkKind.CollectionValue));
                    }
                }
            }

            progress?.Report(new GcProgress(GcPhase.Mark, _marked.Count, null));
        }

        private static HeliosException Corrupt(string problem) =>
            new(HeliosErrorCode.Corruption, $"gc stopped before deleting anything: {problem.TrimEnd('.')}; run 'helios fsck' and repair the repository first.");
    }
}
