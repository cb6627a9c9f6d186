using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using Helios.Core.Errors;
using Helios.Core.Objects;
using Helios.Core.Storage;

namespace Helios.Storage.Sqlite;

/// <summary>
/// The write-optimised front of the objects table. A write whose new objects are small in total stores them as one
/// row of <c>inbox(seq INTEGER PRIMARY KEY, stored_at, entries BLOB, data BLOB)</c>: the objects raw and
/// concatenated in <c>data</c>, their ids, lengths and delta hints in <c>entries</c>. That costs a commit a few
/// sequential pages instead of, per object, an insert into the id index, a codec choice and a compression (the
/// median commit of one 10 KiB file fell from 198–364 to 86–92 µs; docs/benchmarks.md, stage G).
/// <para>
/// The rows are <em>folded</em> into <c>objects</c> (encoded exactly as a direct write would be, in seq order, then
/// deleted): in the background once this process's writes pause (<see cref="SqliteStorageOptions.InboxIdleFoldDelay"/>,
/// a few rows per transaction); inside the write that finds <see cref="SqliteStorageOptions.InboxRows"/> rows pending
/// (so back-to-back writers pay for encoding after all, in batches); before
/// any write that does not use the inbox, before deletes and rewrites; and when a read-write store closes. So what
/// stays at rest is the compact form, and a fold that fails rolls back with the write that started it.
/// Being rows of the same database, inbox objects share every guarantee of the transaction that stores them.
/// </para>
/// <para>
/// Readers find inbox objects through an in-process index (id → row, offset, length) caught up from the table when
/// the objects table misses, in the same read snapshot. Seqs are never reused (the last folded one is kept in
/// <c>helios_meta</c>), so what the index learns stays true: a row either still holds those bytes or is gone.
/// </para>
/// </summary>
internal sealed class ObjectInbox : IDisposable
{
    /// <summary>One entry: id (32 bytes), length (u32 little-endian), has-hint flag (1 byte), hint id (32 bytes, zero without one).</summary>
    internal const int EntrySize = ObjectId.Size + 4 + 1 + ObjectId.Size;

    private const string FoldedThroughKey = "inbox_folded_through";

    /// <summary>Rows one background fold transaction takes: a few milliseconds, so a write arriving meanwhile barely waits.</summary>
    private const int IdleFoldRows = 16;

    private readonly SqliteDatabase _db;
    private readonly Timer? _idleFold;
    private readonly Lock _indexLock = new();
    private readonly Dictionary<ObjectId, Location> _index = [];
    private long _seenThrough; // guarded by _indexLock, like _index

    public ObjectInbox(SqliteDatabase db)
    {
        _db = db;
        if (db.Options is { ReadOnly: false, InboxRows: > 0, InboxIdleFoldDelay: not null })
        {
            _idleFold = new Timer(_ => FoldWhileIdle(), null, Timeout.Infinite, Timeout.Infinite);
        }
    }

    /// <summary>Where an inbox object's bytes are: row <paramref name="Seq"/>, <paramref name="Length"/> bytes from <paramref name="Offset"/> of its data.</summary>
    private readonly record struct Location(long Seq, int Offset, int Length);

    /// <summary>One pending object as listed by <see cref="List"/>.</summary>
    public readonly record struct Pending(ObjectId Id, int Length, DateTimeOffset StoredAt);

    /// <summary>
    /// Stores <paramref name="objects"/> as one new row, inside the caller's write transaction, when the inbox is on and
    /// they total at most <see cref="SqliteStorageOptions.InboxMaxWriteBytes"/>; first folds the pending rows when they
    /// already number <see cref="SqliteStorageOptions.InboxRows"/>. False (nothing done) when they belong in the objects table.
    /// </summary>
    public bool TryAppend(SqliteSession s, IReadOnlyList<EncodedObject> objects, long now)
    {
        long total = 0;
        foreach (var o in objects)
        {
            total += o.Bytes.Length;
        }

        if (_db.Options.InboxRows <= 0 || total > SqliteStorageOptions.InboxMaxWriteBytes)
        {
            return false;
        }

        int dataLength = (int)total;
        long last, foldedThrough;
        using (var position = s.Statement(
            "SELECT (SELECT max(seq) FROM inbox), (SELECT CAST(value AS INTEGER) FROM helios_meta WHERE key = '" + FoldedThroughKey + "')"))
        {
            position.Step();
            foldedThrough = position.IsNull(1) ? 0 : position.Int64(1);
            last = position.IsNull(0) ? foldedThrough : position.Int64(0);
        }

        if (last - foldedThrough >= _db.Options.InboxRows)
        {
            Fold(s);
        }

        var entries = new byte[objects.Count * EntrySize];
        // Pooled: binding copies the bytes (SQLITE_TRANSIENT), so the buffer is free again once bound.
        var data = ArrayPool<byte>.Shared.Rent(dataLength);
        int at = 0;
        for (int i = 0; i < objects.Count; i++)
        {
            var o = objects[i];
            var entry = entries.AsSpan(i * EntrySize, EntrySize);
            o.Id.CopyTo(entry);
            BinaryPrimitives.WriteUInt32LittleEndian(entry[ObjectId.Size..], (uint)o.Bytes.Length);
            if (o.DeltaBase is { } hint)
            {
                entry[ObjectId.Size + 4] = 1;
                hint.CopyTo(entry[(ObjectId.Size + 5)..]);
            }

            o.Bytes.Span.CopyTo(data.AsSpan(at));
            at += o.Bytes.Length;
        }

        using var insert = s.Statement("INSERT INTO inbox(seq, stored_at, entries, data) VALUES (?1, ?2, ?3, ?4)");
        insert.Bind(1, last + 1);
        insert.Bind(2, now);
        insert.Bind(3, entries);
        try
        {
            insert.Bind(4, data.AsSpan(0, dataLength));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(data);
        }

        insert.Step();

        // Each append restarts the wait for writes to pause. Should this write roll back, the timer only finds
        // fewer rows to fold; should it fire while the write still runs, it finds the lock taken and comes back.
        if (_db.Options.InboxIdleFoldDelay is { } delay)
        {
            ArmIdleFold(delay);
        }

        return true;
    }

    /// <summary>Stops background folding (before the database closes; a fold already running finishes first or finds it closed).</summary>
    public void Dispose() => _idleFold?.Dispose();

    /// <summary>
    /// The timer's work once writes have paused: folds the oldest rows, a batch per transaction, and comes back
    /// almost at once while rows remain; any write of this process in between restarts the wait.
    /// </summary>
    private void FoldWhileIdle()
    {
        bool more = false;
        try
        {
            bool ran = _db.TryWrite(s => more = Fold(s, IdleFoldRows));
            more |= !ran; // one of this process's writes holds the lock: come back shortly
        }
        catch (Exception)
        {
            // Best effort on a pool thread, where an exception would end the process: the rows stay pending and the
            // next write that needs them folded does it synchronously, reporting any error to its caller.
            return;
        }

        if (more)
        {
            ArmIdleFold(TimeSpan.FromMilliseconds(1));
        }
    }

    private void ArmIdleFold(TimeSpan due)
    {
        try
        {
            _idleFold?.Change(due, Timeout.InfiniteTimeSpan);
        }
        catch (ObjectDisposedException)
        {
            // The store is closing, and closing folds what is left.
        }
    }

    /// <summary>
    /// Moves the oldest <paramref name="maxRows"/> pending rows (all by default) into the objects table, inside the
    /// caller's write transaction: each row's objects are encoded and inserted as a direct write would (delta hints
    /// included, stored_at the row's), in seq order so a file's versions become deltas of one another; then the rows
    /// are deleted. Returns whether rows may remain. No-op when the inbox is empty.
    /// </summary>
    public bool Fold(SqliteSession s, int maxRows = int.MaxValue)
    {
        var rows = new List<(long Seq, long StoredAt, byte[] Entries, byte[] Data)>();
        using (var select = s.Statement("SELECT seq, stored_at, entries, data FROM inbox ORDER BY seq LIMIT ?1"))
        {
            select.Bind(1, maxRows);
            while (select.Step())
            {
                rows.Add((select.Int64(0), select.Int64(1), select.Blob(2).ToArray(), select.Blob(3).ToArray()));
            }
        }

        if (rows.Count == 0)
        {
            return false;
        }

        foreach (var row in rows)
        {
            SqliteObjectStore.InsertEncoded(_db, s, Objects(row.Seq, row.Entries, row.Data), row.StoredAt);
        }

        long through = rows[^1].Seq;
        using (var delete = s.Statement("DELETE FROM inbox WHERE seq <= ?1"))
        {
            delete.Bind(1, through);
            delete.Step();
        }

        using var mark = s.Statement(
            "INSERT INTO helios_meta(key, value) VALUES ('" + FoldedThroughKey + "', ?1) ON CONFLICT(key) DO UPDATE SET value = excluded.value");
        mark.Bind(1, through.ToString(CultureInfo.InvariantCulture));
        mark.Step();
        return rows.Count == maxRows;
    }

    /// <summary>Whether any row is pending (one indexed probe).</summary>
    public static bool HasPending(SqliteSession s)
    {
        using var probe = s.Statement("SELECT 1 FROM inbox LIMIT 1");
        return probe.Step();
    }

    /// <summary>
    /// The bytes of <paramref name="id"/> if a pending row holds it, as seen by <paramref name="s"/>'s snapshot after
    /// catching the index up; null when no row does (never stored, or already folded into the objects table).
    /// Call within one read transaction together with the objects-table lookup it backs up.
    /// </summary>
    public byte[]? TryRead(SqliteSession s, ObjectId id)
    {
        if (Locate(s, id) is not { } location)
        {
            return null;
        }

        using var select = s.Statement("SELECT data FROM inbox WHERE seq = ?1");
        select.Bind(1, location.Seq);
        if (!select.Step())
        {
            return null;
        }

        var data = select.Blob(0);
        if ((long)location.Offset + location.Length > data.Length)
        {
            throw new CorruptObjectException(id,
                $"its inbox row {location.Seq} holds {data.Length} bytes, too few for the {location.Length} bytes at offset {location.Offset} its entries declare.");
        }

        return data.Slice(location.Offset, location.Length).ToArray();
    }

    /// <summary>Whether a pending row holds <paramref name="id"/> in <paramref name="s"/>'s snapshot (see <see cref="TryRead"/>).</summary>
    public bool Contains(SqliteSession s, ObjectId id)
    {
        if (Locate(s, id) is not { } location)
        {
            return false;
        }

        using var probe = s.Statement("SELECT 1 FROM inbox WHERE seq = ?1");
        probe.Bind(1, location.Seq);
        return probe.Step();
    }

    /// <summary>Every object pending in <paramref name="s"/>'s snapshot, read from the table itself (at most <see cref="SqliteStorageOptions.InboxRows"/> rows).</summary>
    public static List<Pending> List(SqliteSession s)
    {
        var pending = new List<Pending>();
        using var select = s.Statement("SELECT seq, stored_at, entries FROM inbox ORDER BY seq");
        while (select.Step())
        {
            long seq = select.Int64(0);
            var storedAt = DateTimeOffset.FromUnixTimeMilliseconds(select.Int64(1));
            foreach (var (id, _, length, _) in Entries(seq, select.Blob(2)))
            {
                pending.Add(new Pending(id, length, storedAt));
            }
        }

        return pending;
    }

    private Location? Locate(SqliteSession s, ObjectId id)
    {
        lock (_indexLock)
        {
            CatchUp(s);
            return _index.TryGetValue(id, out var location) ? location : null;
        }
    }

    /// <summary>Adds the rows written since the index last looked, and forgets rows folded since (seqs below the lowest pending one).</summary>
    private void CatchUp(SqliteSession s)
    {
        using (var lowest = s.Statement("SELECT min(seq) FROM inbox"))
        {
            lowest.Step();
            long min = lowest.IsNull(0) ? long.MaxValue : lowest.Int64(0);
            if (_index.Count > 0)
            {
                foreach (var (id, location) in _index)
                {
                    if (location.Seq < min)
                    {
                        _index.Remove(id);
                    }
                }
            }
        }

        using var select = s.Statement("SELECT seq, entries FROM inbox WHERE seq > ?1 ORDER BY seq");
        select.Bind(1, _seenThrough);
        while (select.Step())
        {
            long seq = select.Int64(0);
            foreach (var (id, offset, length, _) in Entries(seq, select.Blob(1)))
            {
                // The first row to hold an id wins, as the first put of an id does in the objects table.
                _index.TryAdd(id, new Location(seq, offset, length));
            }

            _seenThrough = seq;
        }
    }

    private static List<EncodedObject> Objects(long seq, byte[] entries, byte[] data)
    {
        var objects = new List<EncodedObject>();
        int end = 0;
        foreach (var (id, offset, length, hint) in Entries(seq, entries))
        {
            end = offset + length;
            if (end > data.Length)
            {
                throw new CorruptObjectException(id, $"its inbox row {seq} holds {data.Length} bytes, too few for the entries it lists.");
            }

            objects.Add(new EncodedObject(id, data.AsMemory(offset, length), hint));
        }

        if (end != data.Length)
        {
            throw new HeliosException(HeliosErrorCode.Corruption,
                $"Inbox row {seq} of the store holds {data.Length} bytes but its entries account for {end}; restore the store from a backup.");
        }

        return objects;
    }

    /// <summary>Decodes a row's entries, checking their shape; offsets are where each object starts in the row's data.</summary>
    private static List<(ObjectId Id, int Offset, int Length, ObjectId? Hint)> Entries(long seq, ReadOnlySpan<byte> entries)
    {
        if (entries.Length % EntrySize != 0)
        {
            throw new HeliosException(HeliosErrorCode.Corruption,
                $"Inbox row {seq} of the store has {entries.Length} bytes of entries, not a multiple of {EntrySize}; restore the store from a backup.");
        }

        var list = new List<(ObjectId, int, int, ObjectId?)>(entries.Length / EntrySize);
        long offset = 0;
        for (int at = 0; at < entries.Length; at += EntrySize)
        {
            var entry = entries.Slice(at, EntrySize);
            var id = new ObjectId(entry[..ObjectId.Size]);
            uint length = BinaryPrimitives.ReadUInt32LittleEndian(entry[ObjectId.Size..]);
            if (offset + length > Array.MaxLength)
            {
                throw new CorruptObjectException(id, $"its inbox row {seq} declares an impossible {offset + length} bytes of objects.");
            }

            ObjectId? hint = entry[ObjectId.Size + 4] switch
            {
                0 => null,
                1 => new ObjectId(entry[(ObjectId.Size + 5)..]),
                var flag => throw new CorruptObjectException(id, $"its inbox row {seq} has an unknown hint flag {flag}."),
            };
            list.Add((id, (int)offset, (int)length, hint));
            offset += length;
        }

        return list;
    }
}
