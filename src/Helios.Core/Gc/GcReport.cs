namespace Helios.Core.Gc;

/// <summary>What a garbage collection found and did (with <see cref="GcOptions.DryRun"/>: would do).</summary>
public sealed record GcReport
{
    /// <summary>True when nothing was changed.</summary>
    public required bool DryRun { get; init; }

    /// <summary>Objects stored when the sweep began.</summary>
    public required long ObjectsBefore { get; init; }

    /// <summary>Bytes those objects take in the store (compressed or as deltas).</summary>
    public required long StoredBytesBefore { get; init; }

    /// <summary>Objects reachable from the roots (refs, the retained operation log, extra roots).</summary>
    public required long Reachable { get; init; }

    /// <summary>Objects kept only because they, or an object reaching them, are younger than the grace period.</summary>
    public required long KeptYoung { get; init; }

    /// <summary>Unreachable objects kept because an object that stays is stored as a delta against them.</summary>
    public required long KeptAsDeltaBase { get; init; }

    /// <summary>Objects deleted (would be deleted).</summary>
    public required long Deleted { get; init; }

    /// <summary>Stored bytes of the deleted objects.</summary>
    public required long DeletedStoredBytes { get; init; }

    /// <summary>Canonical (uncompressed) bytes of the deleted objects.</summary>
    public required long DeletedLogicalBytes { get; init; }

    /// <summary>Operation-log records forgotten by <see cref="GcOptions.ExpireBefore"/>.</summary>
    public required long OperationsExpired { get; init; }

    /// <summary>Discarded experiments forgotten by <see cref="GcOptions.ExpireBefore"/>.</summary>
    public required IReadOnlyList<string> ExperimentsExpired { get; init; }

    /// <summary>Objects handed to the store's <see cref="Storage.IObjectRewriter"/> by <see cref="GcOptions.Aggressive"/>; 0 when the store cannot rewrite.</summary>
    public long Rewritten { get; init; }

    /// <summary>Stored bytes of the rewritten objects before the rewrite.</summary>
    public long RewrittenStoredBytesBefore { get; init; }

    /// <summary>Stored bytes of the rewritten objects after it.</summary>
    public long RewrittenStoredBytesAfter { get; init; }

    /// <summary>The backend's files before, when it reports them (<see cref="Storage.IStorageMaintenance"/>).</summary>
    public Storage.StorageSpace? SpaceBefore { get; init; }

    /// <summary>The backend's files after reclaiming space; equal to <see cref="SpaceBefore"/> in a dry run.</summary>
    public Storage.StorageSpace? SpaceAfter { get; init; }

    /// <summary>Wall time of the whole collection.</summary>
    public required TimeSpan Elapsed { get; init; }

    /// <summary>Objects stored after the sweep (before minus deleted).</summary>
    public long ObjectsAfter => ObjectsBefore - Deleted;

    /// <summary>Stored bytes after the sweep.</summary>
    public long StoredBytesAfter => StoredBytesBefore - DeletedStoredBytes;
}

/// <summary>The stage a collection is in, for progress display.</summary>
public enum GcPhase
{
    /// <summary>Expiring old operation records and discarded experiments.</summary>
    Expire,

    /// <summary>Walking from the roots; the total is not known in advance.</summary>
    Mark,

    /// <summary>Deleting unreachable objects; the total is known.</summary>
    Sweep,

    /// <summary>Recompressing and re-deltaing kept objects (<see cref="GcOptions.Aggressive"/>); the total is known.</summary>
    Rewrite,

    /// <summary>Giving freed space back to the file system.</summary>
    Reclaim,
}

/// <summary>How far a collection has got: objects done in the current phase, of <paramref name="Total"/> when known.</summary>
public readonly record struct GcProgress(GcPhase Phase, long Completed, long? Total);
