using System.Diagnostics;
using Helios.Core.Integrity;
using Helios.Core.Objects;
using Helios.Core.Refs;
using Helios.Core.Repositories;
using Helios.Core.Storage;

namespace Helios.Core.Statistics;

/// <summary>Percentiles of a set of durations (nearest rank); all zero with <see cref="Count"/> 0 when there are none.</summary>
public readonly record struct LatencySummary(int Count, TimeSpan P50, TimeSpan P95, TimeSpan P99)
{
    /// <summary>Summarises <paramref name="samples"/> (any order).</summary>
    public static LatencySummary Of(IEnumerable<TimeSpan> samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        var sorted = samples.OrderBy(s => s).ToArray();
        return sorted.Length == 0
            ? default
            : new LatencySummary(sorted.Length, Rank(sorted, 0.50), Rank(sorted, 0.95), Rank(sorted, 0.99));
    }

    private static TimeSpan Rank(TimeSpan[] sorted, double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
}

/// <summary>A cache tier's counts as seen by whoever measured them.</summary>
public readonly record struct TierCounts(long Hits, long Misses)
{
    /// <summary>Hits over lookups; null before the first lookup (no ratio to speak of).</summary>
    public double? HitRatio => Hits + Misses == 0 ? null : (double)Hits / (Hits + Misses);
}

/// <summary>
/// What <c>helios stats</c> reports, with the seed's names in the CLI. Sizes are bytes; ratios are plain numbers
/// (3.0 means 3:1). See docs/gc-and-stats.md for each field's exact meaning.
/// </summary>
public sealed record RepositoryStats
{
    /// <summary>Stored objects.</summary>
    public required long Objects { get; init; }

    /// <summary>Sum of the stored objects' canonical encodings (what they would take uncompressed, without deltas).</summary>
    public required long LogicalBytes { get; init; }

    /// <summary>Sum of the stored objects' payloads on disk (compressed, deltas).</summary>
    public required long StoredBytes { get; init; }

    /// <summary>Objects reachable from refs and the retained operation log; the rest await gc.</summary>
    public required long ReachableObjects { get; init; }

    /// <summary>
    /// Bytes every commit reachable from the roots would take as a full, unshared copy (its tree with every file
    /// and subtree, and its memory and state-array roots), summed over those commits.
    /// </summary>
    public required long SnapshotBytes { get; init; }

    /// <summary>Canonical bytes of the distinct objects those snapshots consist of.</summary>
    public required long UniqueSnapshotBytes { get; init; }

    /// <summary><see cref="SnapshotBytes"/> over <see cref="UniqueSnapshotBytes"/>: how much sharing between versions saves; 1 when nothing is shared.</summary>
    public double DedupRatio => UniqueSnapshotBytes == 0 ? 1 : (double)SnapshotBytes / UniqueSnapshotBytes;

    /// <summary><see cref="LogicalBytes"/> over <see cref="StoredBytes"/>: what zstd and deltas save at rest.</summary>
    public double CompressionRatio => StoredBytes == 0 ? 1 : (double)LogicalBytes / StoredBytes;

    /// <summary>The backend's files on disk, when it reports them.</summary>
    public StorageSpace? Disk { get; init; }

    /// <summary><see cref="StoredBytes"/> over the backend's file bytes: the share of the disk holding object payloads (the rest is indexes, refs, the log, free pages); null when unknown.</summary>
    public double? StorageUtilization => Disk is { FileBytes: > 0 } disk ? (double)StoredBytes / disk.FileBytes : null;

    /// <summary>Local branches (<c>refs/heads/*</c>).</summary>
    public required int Branches { get; init; }

    /// <summary>Experiment records (<c>experiments/*</c>), of which <see cref="ActiveExperiments"/> are active.</summary>
    public required int Experiments { get; init; }

    /// <summary>Experiments still active (neither collapsed nor discarded).</summary>
    public required int ActiveExperiments { get; init; }

    /// <summary>Records in the retained operation log.</summary>
    public required long Operations { get; init; }

    /// <summary>Commit operations (kinds <c>commit</c> and <c>merge</c>) the operation log records in the hour before the measurement.</summary>
    public required int CommitsLastHour { get; init; }

    /// <summary>Commit latency percentiles from the samples the caller supplied (<see cref="RepositoryStatsOptions.CommitLatencies"/>).</summary>
    public required LatencySummary CommitLatency { get; init; }

    /// <summary>Cache tier counts as supplied by the caller (L0 decoded, L1 compressed, L2 backend reads).</summary>
    public required IReadOnlyList<TierCounts> CacheTiers { get; init; }

    /// <summary>How long computing these figures took.</summary>
    public required TimeSpan Elapsed { get; init; }
}

/// <summary>What the caller measured elsewhere and hands in (Core keeps no history of its own between processes).</summary>
public sealed record RepositoryStatsOptions
{
    /// <summary>Durations of recent commits; the CLI keeps them in <c>.helios/metrics</c>.</summary>
    public IReadOnlyCollection<TimeSpan> CommitLatencies { get; init; } = [];

    /// <summary>L0, L1, L2 counts; null: this repository object's own <see cref="Repository.CacheStatistics"/>.</summary>
    public IReadOnlyList<TierCounts>? CacheTiers { get; init; }
}

/// <summary>
/// Computes <see cref="RepositoryStats"/>. Cost: one listing of stored objects, one read of the refs and the
/// operation log, and one walk of everything reachable that reads each commit, tree and file blob once (as gc's
/// mark does), with memoised sizes so each tree is summed once however many commits share it. Safe while others
/// write (figures are a consistent-enough snapshot, not a transaction).
/// </summary>
public static class RepositoryStatsCollector
{
    /// <summary>Measures <paramref name="repository"/>.</summary>
    public static RepositoryStats Collect(Repository repository, RepositoryStatsOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(repository);
        options ??= new RepositoryStatsOptions();
        long started = Stopwatch.GetTimestamp();
        var storage = repository.Storage;
        (storage as IStorageMaintenance)?.Settle();
        var refs = storage.Refs.List("");
        var operations = storage.Refs.ReadOperations();
        var stored = new Dictionary<ObjectId, StoredObjectInfo>();
        foreach (var info in storage.Objects.EnumerateStored())
        {
            stored[info.Id] = info;
        }

        var walk = new SizeWalk(storage.Objects, stored);
        foreach (var entry in refs)
        {
            if (entry.Target.Id is { } id)
            {
                walk.AddRoot(id);
            }
        }

        foreach (var record in operations)
        {
            foreach (var change in record.Changes)
            {
                if (change.Old?.Id is { } old)
                {
                    walk.AddRoot(old);
                }

                if (change.New?.Id is { } now)
                {
                    walk.AddRoot(now);
                }
            }
        }

        walk.Run();
        var hourAgo = repository.Options.Clock.GetUtcNow() - TimeSpan.FromHours(1);
        var experiments = new Experiments.Experiments(repository).List();
        var cache = options.CacheTiers ?? [Counts(repository.CacheStatistics.L0), Counts(repository.CacheStatistics.L1), Counts(repository.CacheStatistics.L2)];
        return new RepositoryStats
        {
            Objects = stored.Count,
            LogicalBytes = stored.Values.Sum(i => i.Length),
            StoredBytes = stored.Values.Sum(i => i.StoredLength),
            ReachableObjects = walk.Reached,
            SnapshotBytes = walk.SnapshotBytes,
            UniqueSnapshotBytes = walk.UniqueSnapshotBytes,
            Disk = (storage as IStorageMaintenance)?.MeasureSpace(),
            Branches = refs.Count(r => BranchName.FromRef(r.Name) is not null),
            Experiments = experiments.Count,
            ActiveExperiments = experiments.Count(e => e.Status == Experiments.ExperimentStatus.Active),
            Operations = operations.Count,
            CommitsLastHour = operations.Count(o => o.Info.Kind is "commit" or "merge" && o.Info.Time >= hourAgo),
            CommitLatency = LatencySummary.Of(options.CommitLatencies),
            CacheTiers = cache,
            Elapsed = Stopwatch.GetElapsedTime(started),
        };
    }

    private static TierCounts Counts(TierStatistics tier) => new(tier.Hits, tier.Misses);

    /// <summary>
    /// Reachability with sizes: each object's full size (its own length plus the full sizes of what it links to,
    /// parents excluded) is computed once, after its children, on an explicit stack.
    /// </summary>
    private sealed class SizeWalk(IObjectStore objects, Dictionary<ObjectId, StoredObjectInfo> stored)
    {
        private readonly Dictionary<ObjectId, long> _fullSize = [];
        private readonly Dictionary<ObjectId, ObjectLink[]> _links = [];
        private readonly HashSet<ObjectId> _seen = [];
        private readonly List<ObjectId> _commits = [];
        private readonly Stack<(ObjectId Id, bool Expanded)> _stack = new();

        public long Reached => _seen.Count;

        public long SnapshotBytes { get; private set; }

        public long UniqueSnapshotBytes { get; private set; }

        public void AddRoot(ObjectId id)
        {
            if (_seen.Add(id))
            {
                _stack.Push((id, false));
            }
        }

        public void Run()
        {
            while (_stack.TryPop(out var item))
            {
                if (item.Expanded)
                {
                    long size = Length(item.Id);
                    foreach (var link in _links[item.Id])
                    {
                        if (link.Kind != LinkKind.CommitParent)
                        {
                            size += _fullSize.GetValueOrDefault(link.Id, Length(link.Id));
                        }
                    }

                    _fullSize[item.Id] = size;
                    continue;
                }

                var links = Read(item.Id, out bool isCommit);
                if (isCommit)
                {
                    _commits.Add(item.Id);
                }

                _links[item.Id] = links;
                _stack.Push((item.Id, true));
                foreach (var link in links)
                {
                    if (_seen.Add(link.Id))
                    {
                        _stack.Push((link.Id, false));
                    }
                }
            }

            var unique = new HashSet<ObjectId>();
            foreach (var commit in _commits)
            {
                SnapshotBytes += _fullSize[commit] - Length(commit);
                foreach (var link in _links[commit])
                {
                    if (link.Kind != LinkKind.CommitParent)
                    {
                        Collect(link.Id, unique);
                    }
                }
            }

            UniqueSnapshotBytes = unique.Sum(Length);
        }

        private void Collect(ObjectId root, HashSet<ObjectId> unique)
        {
            var pending = new Stack<ObjectId>();
            pending.Push(root);
            while (pending.TryPop(out var id))
            {
                if (unique.Add(id) && _links.TryGetValue(id, out var links))
                {
                    foreach (var link in links)
                    {
                        pending.Push(link.Id);
                    }
                }
            }
        }

        private long Length(ObjectId id) => stored.TryGetValue(id, out var info) ? info.Length : 0;

        private ObjectLink[] Read(ObjectId id, out bool isCommit)
        {
            isCommit = false;
            try
            {
                // A store may refuse unreadable bytes (fsck reports them); stats counts what it can read.
                if (objects.TryGet(id) is not { Length: > 0 } bytes || ObjectLinks.IsLeaf((ObjectType)bytes[0]))
                {
                    return [];
                }

                var obj = ObjectCodec.Decode(id, bytes);
                isCommit = obj is Commit;
                return ObjectLinks.Of(obj).ToArray();
            }
            catch (Errors.CorruptObjectException)
            {
                return [];
            }
        }
    }
}
