using Helios.Core.Objects;

namespace Helios.Core.Gc;

/// <summary>What one garbage collection does; the defaults collect unreachable objects older than an hour and expire nothing.</summary>
public sealed record GcOptions
{
    /// <summary>The default <see cref="GracePeriod"/>: one hour.</summary>
    public static readonly TimeSpan DefaultGracePeriod = TimeSpan.FromHours(1);

    /// <summary>
    /// Objects stored (or re-put) less than this long ago are kept, with everything reachable from them, so
    /// a writer that stored objects but has not moved its ref yet loses nothing. Zero is allowed only when no
    /// one else writes (tests, benchmarks).
    /// </summary>
    public TimeSpan GracePeriod { get; init; } = DefaultGracePeriod;

    /// <summary>
    /// When set (<c>gc --before</c>): first forget operation-log records older than this and discarded
    /// experiments whose discard is older than this, so what only they kept alive becomes garbage. Null keeps
    /// the whole log and every experiment record.
    /// </summary>
    public DateTimeOffset? ExpireBefore { get; init; }

    /// <summary>Report what would be expired and deleted (counts and bytes) without changing anything.</summary>
    public bool DryRun { get; init; }

    /// <summary>
    /// Also hand every kept object to the store's <see cref="Storage.IObjectRewriter"/> (when it has one) with a
    /// delta-base hint from history, to recompress and re-delta it, and rewrite the store compactly afterwards
    /// (<see cref="Storage.IStorageMaintenance.ReclaimSpace"/> with full set). O(store size).
    /// </summary>
    public bool Aggressive { get; init; }

    /// <summary>
    /// More roots, named by the caller: what lives outside refs but must survive (a worktree's staged blobs,
    /// the commit a merge in progress merges). Each is kept with everything reachable from it.
    /// </summary>
    public IReadOnlyCollection<ObjectId> ExtraRoots { get; init; } = [];

    /// <summary>Ids handed to one <see cref="Storage.IObjectStore.DeleteUnused"/> call: one short transaction each, so writers interleave.</summary>
    public int DeleteBatchSize { get; init; } = 2048;

    /// <summary>The agent recorded with the operations gc appends (expiring experiments).</summary>
    public string Agent { get; init; } = "";
}
