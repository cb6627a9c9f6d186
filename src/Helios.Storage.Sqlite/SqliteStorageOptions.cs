using Helios.Core.Compression;
using Helios.Core.Storage;

namespace Helios.Storage.Sqlite;

/// <summary>How new objects are kept at rest by the SQLite store.</summary>
public enum StorageCompression
{
    /// <summary>Raw canonical bytes (no deltas either).</summary>
    None,

    /// <summary>zstd, or a zstd delta against the hinted base when that is clearly smaller; raw when neither shrinks the object.</summary>
    Zstd,
}

/// <summary>How <see cref="SqliteRepositoryStorage.Open"/> opens a database file.</summary>
public sealed record SqliteStorageOptions
{
    /// <summary>The defaults: durable, 5 s busy timeout, read-write.</summary>
    public static SqliteStorageOptions Default { get; } = new();

    /// <summary>
    /// <see cref="Durability.Durable"/> runs with <c>synchronous=FULL</c> (the WAL is fsynced at every
    /// commit); <see cref="Durability.Fast"/> with <c>synchronous=NORMAL</c> (fsync only at checkpoints).
    /// </summary>
    public Durability Durability { get; init; } = Durability.Durable;

    /// <summary>How long a write waits for another connection or process to release the database before failing; honoured to the millisecond.</summary>
    public TimeSpan BusyTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Open without write access: every write fails with <see cref="Core.Errors.HeliosErrorCode.Storage"/>.</summary>
    public bool ReadOnly { get; init; }

    /// <summary>Bytes of the file mapped into memory for reads (<c>PRAGMA mmap_size</c>); 0 disables mmap.</summary>
    public long MmapSize { get; init; } = 256L * 1024 * 1024;

    /// <summary>WAL size in pages that triggers an automatic checkpoint (<c>PRAGMA wal_autocheckpoint</c>).</summary>
    public int WalAutoCheckpointPages { get; init; } = 8192;

    /// <summary>
    /// Page cache of the writing connection (<c>PRAGMA cache_size</c>), an upper bound that is filled
    /// only as large transactions need it; readers keep SQLite's default.
    /// </summary>
    public long WriterCacheBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>
    /// How new objects are kept at rest. Recorded per object, so changing it never rewrites what is stored:
    /// objects written before keep their codec and stay readable.
    /// </summary>
    public StorageCompression Compression { get; init; } = StorageCompression.Zstd;

    /// <summary>zstd level for new objects and deltas (see <see cref="Zstd.MinLevel"/>..<see cref="Zstd.MaxLevel"/>, not 0).</summary>
    public int ZstdLevel { get; init; } = Zstd.DefaultLevel;

    /// <summary>
    /// Longest chain of deltas a new object may end: reading an object at depth d decodes d bases first (unless cached).
    /// 0 turns deltas off. At most <see cref="MaxDeltaDepthLimit"/>. See docs/object-format.md for how the default was chosen.
    /// </summary>
    public int MaxDeltaDepth { get; init; } = DefaultMaxDeltaDepth;

    /// <summary>The default of <see cref="MaxDeltaDepth"/>.</summary>
    public const int DefaultMaxDeltaDepth = 16;

    /// <summary>The largest accepted <see cref="MaxDeltaDepth"/>.</summary>
    public const int MaxDeltaDepthLimit = StoredObjectEncoding.MaxChainHops;

    /// <summary>Objects (and bases) larger than this are never delta-encoded: zstd's window would not reach across them anyway.</summary>
    public int MaxDeltaObjectBytes { get; init; } = 4 * 1024 * 1024;

    /// <summary>Memory for decoded delta bases (shared by readers and writers of this database); 0 disables the cache.</summary>
    public long DeltaBaseCacheBytes { get; init; } = 32L * 1024 * 1024;

    /// <summary>
    /// Pending rows the object inbox may hold before the write that would add one more folds them into the objects
    /// table (see <c>ObjectInbox</c>); 0 turns the inbox off, so every write encodes its objects at once.
    /// </summary>
    public int InboxRows { get; init; } = DefaultInboxRows;

    /// <summary>The default of <see cref="InboxRows"/>.</summary>
    public const int DefaultInboxRows = 256;

    /// <summary>
    /// How long writes must pause before this process folds pending inbox rows in the background (a few rows per
    /// transaction, never while one of its own writes runs), so an agent that thinks between commits gets both the
    /// inbox's quick commits and a compact store. Null: pending rows are folded only by writes, gc and closing.
    /// </summary>
    public TimeSpan? InboxIdleFoldDelay { get; init; } = TimeSpan.FromMilliseconds(20);

    /// <summary>A write whose objects total more than this many bytes skips the inbox (a big write gains nothing from deferring its encoding).</summary>
    public const int InboxMaxWriteBytes = 256 * 1024;

    /// <summary>The clock that stamps <see cref="StoredObjectInfo.StoredAt"/> (and the time a v1 store was upgraded).</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;
}
