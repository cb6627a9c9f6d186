using System.Buffers;
using Helios.Core.Errors;
using Helios.Core.Objects;
using Helios.Core.Storage;

namespace Helios.Storage.Sqlite;

/// <summary>
/// Objects in a SQLite table: <c>objects(rowid, id BLOB UNIQUE, codec, raw_length, delta_base, stored_at, data BLOB, delta_depth)</c>
/// (see docs/object-format.md, "Storage encoding"). A rowid table with a
/// separate index on the 32-byte id keeps large payloads out of the index b-tree, which measured
/// faster than WITHOUT ROWID for 4-20 KB objects. <see cref="PutMany"/> is one <c>BEGIN IMMEDIATE</c>
/// transaction (all or nothing; durable on return in <see cref="Durability.Durable"/> mode).
/// Thread-safe and safe across processes. Obtain it from <see cref="SqliteRepositoryStorage"/>.
/// </summary>
public sealed class SqliteObjectStore : IObjectStore, IObjectRewriter
{
    private const int EnumeratePage = 4096;
    private readonly SqliteDatabase _db;
    private int _disposed;

    internal SqliteObjectStore(SqliteDatabase db) => _db = db;

    /// <summary>Number of stored objects, pending inbox objects included. O(n): it counts the index.</summary>
    public long Count() => _db.Read(s => InSnapshot(s, () =>
    {
        using var statement = s.Statement("SELECT count(*) FROM objects");
        statement.Step();
        return statement.Int64(0) + PendingOnly(s).Count;
    }));

    /// <summary>One indexed lookup in the objects table; only on a miss, the inbox (see <see cref="ObjectInbox"/>).</summary>
    public bool Contains(ObjectId id) => _db.Read(s =>
        InTable(s, id) || InSnapshot(s, () => _db.Inbox.Contains(s, id) || InTable(s, id)));

    private static bool InTable(SqliteSession s, ObjectId id)
    {
        Span<byte> key = stackalloc byte[ObjectId.Size];
        id.CopyTo(key);
        using var statement = s.Statement("SELECT 1 FROM objects WHERE id = ?1");
        statement.Bind(1, key);
        return statement.Step();
    }

    /// <summary>
    /// The object's canonical bytes, decoded from its stored form. A plain row costs one lookup. A delta whose
    /// base is not cached opens a read transaction before reading the base (see <see cref="StoredObjectEncoding.Load"/>);
    /// should the chain then look broken, it is read again from the start within that one snapshot, so a
    /// concurrent gc that removed the object and its base together yields null, not a false corruption report.
    /// A miss looks in the inbox and then the table again, in one snapshot, so an object folded in between is found.
    /// </summary>
    public byte[]? TryGet(ObjectId id) => _db.Read(s =>
        FromTable(s, id) ?? InSnapshot(s, () => _db.Inbox.TryRead(s, id) ?? FromTable(s, id)));

    private byte[]? FromTable(SqliteSession s, ObjectId id)
    {
        bool ownSnapshot = !s.InTransaction;
        try
        {
            return StoredObjectEncoding.Load(_db, s, id, hops: 0);
        }
        catch (CorruptObjectException) when (ownSnapshot && s.InTransaction)
        {
            return StoredObjectEncoding.Load(_db, s, id, hops: 0);
        }
        finally
        {
            if (ownSnapshot && s.InTransaction)
            {
                s.Execute("COMMIT");
            }
        }
    }

    /// <summary>Runs <paramref name="body"/> in one read transaction on <paramref name="s"/>, so its statements see one snapshot.</summary>
    private static T InSnapshot<T>(SqliteSession s, Func<T> body)
    {
        s.Execute("BEGIN");
        try
        {
            return body();
        }
        finally
        {
            s.Execute("COMMIT");
        }
    }

    /// <summary>Pending inbox objects that the objects table does not also hold (a re-put of a stored object), in <paramref name="s"/>'s snapshot.</summary>
    private static List<ObjectInbox.Pending> PendingOnly(SqliteSession s)
    {
        var seen = new HashSet<ObjectId>();
        return ObjectInbox.List(s).Where(p => seen.Add(p.Id) && !InTable(s, p.Id)).ToList();
    }

    public void PutMany(IReadOnlyList<EncodedObject> objects)
    {
        if (objects.Count == 0)
        {
            return;
        }

        _db.Write(s =>
        {
            Insert(_db, s, objects);
            return (0, true);
        });
    }

    /// <summary>
    /// Stores objects within the caller's write transaction (also used by ref transactions that carry objects):
    /// a small write as one inbox row (<see cref="ObjectInbox"/>), anything else encoded into the objects table
    /// after folding what the inbox holds (so hints to pending objects still find their bases).
    /// </summary>
    internal static void Insert(SqliteDatabase db, SqliteSession s, IReadOnlyList<EncodedObject> objects)
    {
        if (objects.Count == 0)
        {
            return;
        }

        long now = db.Options.Clock.GetUtcNow().ToUnixTimeMilliseconds();
        if (db.Inbox.TryAppend(s, objects, now))
        {
            return;
        }

        db.Inbox.Fold(s);
        InsertEncoded(db, s, objects, now);
    }

    /// <summary>
    /// Encodes and inserts objects into the objects table within the caller's write transaction: an id already
    /// stored only has its stored_at moved forward to <paramref name="storedAt"/>; a new one is inserted with it.
    /// </summary>
    internal static void InsertEncoded(SqliteDatabase db, SqliteSession s, IEnumerable<EncodedObject> objects, long storedAt)
    {
        Span<byte> key = stackalloc byte[ObjectId.Size];
        Span<byte> baseKey = stackalloc byte[ObjectId.Size];
        foreach (var o in objects)
        {
            o.Id.CopyTo(key);
            using (var freshen = s.Statement("UPDATE objects SET stored_at = max(stored_at, ?2) WHERE id = ?1"))
            {
                freshen.Bind(1, key);
                freshen.Bind(2, storedAt);
                freshen.Step();
            }

            if (s.Changes != 0)
            {
                continue;
            }

            var encoded = StoredObjectEncoding.Encode(db, s, o, out byte[]? scratch);
            try
            {
                using var insert = s.Statement(
                    "INSERT INTO objects(id, codec, raw_length, delta_base, stored_at, data, delta_depth) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
                insert.Bind(1, key);
                insert.Bind(2, (long)encoded.Codec);
                insert.Bind(3, o.Bytes.Length);
                if (encoded.DeltaBase is { } deltaBase)
                {
                    deltaBase.CopyTo(baseKey);
                    insert.Bind(4, baseKey);
                }

                insert.Bind(5, storedAt);
                insert.Bind(6, encoded.Payload);
                insert.Bind(7, encoded.Depth);
                insert.Step();
            }
            finally
            {
                if (scratch is not null)
                {
                    ArrayPool<byte>.Shared.Return(scratch);
                }
            }

            // The writer's next version of this path will name this object as its base.
            if (o.Bytes.Length <= db.Options.MaxDeltaObjectBytes && db.Options.MaxDeltaDepth > 0 && db.Options.Compression != StorageCompression.None)
            {
                db.DeltaBases.Add(o.Id, o.Bytes.ToArray());
            }
        }
    }

    /// <summary>
    /// Folds every pending inbox row into the objects table now (one write transaction; see <see cref="ObjectInbox"/>).
    /// Writes do this on their own; call it to inspect or measure the store in its at-rest form.
    /// </summary>
    public void FoldInbox() => _db.Write(s =>
    {
        _db.Inbox.Fold(s);
        return (0, true);
    });

    public IEnumerable<ObjectId> Enumerate()
    {
        // Keyset pages over the id index: no transaction stays open between pages, so writers (and
        // checkpoints) are never held up; every id stored before the call and not deleted is listed once.
        // The inbox is listed first: an object folded while the pages run is then listed either way.
        var pending = _db.Read(s => ObjectInbox.List(s)).Select(p => p.Id).ToHashSet();
        byte[] after = [];
        while (true)
        {
            var page = _db.Read(s =>
            {
                using var statement = s.Statement("SELECT id FROM objects WHERE id > ?1 ORDER BY id LIMIT ?2");
                statement.Bind(1, after);
                statement.Bind(2, EnumeratePage);
                return ReadIds(statement);
            });
            foreach (var id in page)
            {
                pending.Remove(id);
                yield return id;
            }

            if (page.Count < EnumeratePage)
            {
                break;
            }

            after = page[^1].ToByteArray();
        }

        foreach (var id in pending)
        {
            yield return id;
        }
    }

    public IEnumerable<StoredObjectInfo> EnumerateStored()
    {
        // Keyset pages, as in Enumerate. length(data) reads only the record header, never the payload.
        // Pending inbox objects are kept raw until folded, and are reported so.
        // A re-put object reports the latest time it was stored, as a freshened row would.
        var pending = new Dictionary<ObjectId, StoredObjectInfo>();
        foreach (var p in _db.Read(s => ObjectInbox.List(s)))
        {
            pending[p.Id] = pending.TryGetValue(p.Id, out var first)
                ? first with { StoredAt = p.StoredAt > first.StoredAt ? p.StoredAt : first.StoredAt }
                : new StoredObjectInfo(p.Id, p.Length, p.Length, StoredCodec.None, null, p.StoredAt);
        }

        byte[] after = [];
        while (true)
        {
            var page = _db.Read(s =>
            {
                using var statement = s.Statement(
                    "SELECT id, codec, coalesce(raw_length, length(data)), length(data), delta_base, stored_at " +
                    "FROM objects WHERE id > ?1 ORDER BY id LIMIT ?2");
                statement.Bind(1, after);
                statement.Bind(2, EnumeratePage);
                var infos = new List<StoredObjectInfo>();
                while (statement.Step())
                {
                    var id = ReadId(statement, 0);
                    ObjectId? deltaBase = statement.IsNull(4) ? null : ReadId(statement, 4);
                    infos.Add(new StoredObjectInfo(id, statement.Int64(2), statement.Int64(3), (StoredCodec)statement.Int64(1),
                        deltaBase, DateTimeOffset.FromUnixTimeMilliseconds(statement.Int64(5))));
                }

                return infos;
            });
            foreach (var info in page)
            {
                yield return pending.Remove(info.Id, out var again) && again.StoredAt > info.StoredAt ? info with { StoredAt = again.StoredAt } : info;
            }

            if (page.Count < EnumeratePage)
            {
                break;
            }

            after = page[^1].Id.ToByteArray();
        }

        foreach (var info in pending.Values)
        {
            yield return info;
        }
    }

    public IReadOnlyList<ObjectId> FindDeltaDependents(ObjectId baseId) => _db.Read(s => Dependents(s, baseId));

    private static List<ObjectId> Dependents(SqliteSession s, ObjectId baseId)
    {
        Span<byte> key = stackalloc byte[ObjectId.Size];
        baseId.CopyTo(key);
        using var statement = s.Statement("SELECT id FROM objects WHERE delta_base = ?1");
        statement.Bind(1, key);
        return ReadIds(statement);
    }

    public IReadOnlyList<ObjectId> FindByPrefix(string hexPrefix, int limit)
    {
        if (limit <= 0 || !TryPrefixRange(hexPrefix, out var low, out var high))
        {
            return [];
        }

        return _db.Read(s => InSnapshot(s, () =>
        {
            List<ObjectId> found;
            if (high is null)
            {
                using var unbounded = s.Statement("SELECT id FROM objects WHERE id >= ?1 ORDER BY id LIMIT ?2");
                unbounded.Bind(1, low);
                unbounded.Bind(2, limit);
                found = ReadIds(unbounded);
            }
            else
            {
                using var statement = s.Statement("SELECT id FROM objects WHERE id >= ?1 AND id < ?3 ORDER BY id LIMIT ?2");
                statement.Bind(1, low);
                statement.Bind(2, limit);
                statement.Bind(3, high);
                found = ReadIds(statement);
            }

            var pending = ObjectInbox.List(s).Select(p => p.Id).Where(id => id.ToString().StartsWith(hexPrefix, StringComparison.OrdinalIgnoreCase));
            return found.Union(pending).Order().Take(limit).ToList();
        }));
    }

    public void Delete(IReadOnlyCollection<ObjectId> ids)
    {
        if (ids.Count == 0)
        {
            return;
        }

        _db.Write(s =>
        {
            _db.Inbox.Fold(s);
            KeepDependentsReadable(s, ids);
            Span<byte> key = stackalloc byte[ObjectId.Size];
            using var statement = s.Statement("DELETE FROM objects WHERE id = ?1");
            foreach (var id in ids)
            {
                id.CopyTo(key);
                statement.Bind(1, key);
                statement.Step();
                statement.Reset();
            }

            return (0, true);
        });
    }

    /// <summary>
    /// Rewrites every object that stays but is a delta against one of <paramref name="doomed"/> as a self-contained
    /// object (plain zstd or raw), so an unconditional delete never breaks a chain. O(dependents) decodes.
    /// </summary>
    private void KeepDependentsReadable(SqliteSession s, IReadOnlyCollection<ObjectId> doomed)
    {
        var set = doomed as IReadOnlySet<ObjectId> ?? doomed.ToHashSet();
        var orphans = new List<ObjectId>();
        foreach (var id in set)
        {
            orphans.AddRange(Dependents(s, id).Where(d => !set.Contains(d)));
        }

        var plain = _db.Options with { MaxDeltaDepth = 0 };
        foreach (var orphan in orphans)
        {
            byte[] raw = StoredObjectEncoding.Load(_db, s, orphan, hops: 0)
                ?? throw new CorruptObjectException(orphan, "it vanished while its delta base was being deleted.");
            var encoded = StoredObjectEncoding.Encode(_db, s, new EncodedObject(orphan, raw), out byte[]? scratch, plain);
            try
            {
                UpdateRow(s, orphan, raw.Length, encoded);
            }
            finally
            {
                if (scratch is not null)
                {
                    ArrayPool<byte>.Shared.Return(scratch);
                }
            }
        }
    }

    /// <summary>
    /// Replaces how a stored object is kept (its id, bytes and stored_at stay). The raw length is always written:
    /// a row from schema 1 has none, which is right only while its payload is the object itself.
    /// </summary>
    private static void UpdateRow(SqliteSession s, ObjectId id, int rawLength, StoredObjectEncoding.Encoded encoded)
    {
        Span<byte> key = stackalloc byte[ObjectId.Size];
        Span<byte> baseKey = stackalloc byte[ObjectId.Size];
        id.CopyTo(key);
        using var update = s.Statement(
            "UPDATE objects SET codec = ?2, raw_length = ?3, delta_base = ?4, delta_depth = ?5, data = ?6 WHERE id = ?1");
        update.Bind(1, key);
        update.Bind(2, (long)encoded.Codec);
        update.Bind(3, rawLength);
        if (encoded.DeltaBase is { } deltaBase)
        {
            deltaBase.CopyTo(baseKey);
            update.Bind(4, baseKey);
        }

        update.Bind(5, encoded.Depth);
        update.Bind(6, encoded.Payload);
        update.Step();
    }

    public IReadOnlyList<ObjectId> DeleteUnused(IReadOnlyCollection<ObjectId> ids, DateTimeOffset storedBefore)
    {
        if (ids.Count == 0)
        {
            return [];
        }

        long cutoff = storedBefore.ToUnixTimeMilliseconds();
        return _db.Write<IReadOnlyList<ObjectId>>(s =>
        {
            // Folded first, so pending objects are judged by their rows' stored_at like any other.
            _db.Inbox.Fold(s);
            var doomed = new HashSet<ObjectId>();
            Span<byte> key = stackalloc byte[ObjectId.Size];
            foreach (var id in ids)
            {
                id.CopyTo(key);
                using var statement = s.Statement("SELECT stored_at FROM objects WHERE id = ?1");
                statement.Bind(1, key);
                if (statement.Step() && statement.Int64(0) < cutoff)
                {
                    doomed.Add(id);
                }
            }

            DeltaRetention.SpareBasesOfSurvivors(doomed, baseId => Dependents(s, baseId));
            using var delete = s.Statement("DELETE FROM objects WHERE id = ?1");
            foreach (var id in doomed)
            {
                id.CopyTo(key);
                delete.Bind(1, key);
                delete.Step();
                delete.Reset();
            }

            return (doomed.ToArray(), true);
        });
    }

    /// <summary>
    /// <c>gc --aggressive</c>: re-encodes each stored object of <paramref name="objects"/> with the current settings,
    /// as a delta against its hint (or its present base) when that is smaller, and keeps the new form only when it
    /// is smaller than the stored one. An object that is the base of others only ever becomes self-contained: a
    /// delta under it would make their chains deeper than their rows record, and could close a cycle (an object no
    /// chain passes through cannot). One write transaction; stored_at is left as it was.
    /// </summary>
    public (long StoredBefore, long StoredAfter) Rewrite(IReadOnlyList<EncodedObject> objects)
    {
        if (objects.Count == 0)
        {
            return (0, 0);
        }

        var selfContained = _db.Options with { MaxDeltaDepth = 0 };
        return _db.Write(s =>
        {
            _db.Inbox.Fold(s);
            long before = 0, after = 0;
            Span<byte> key = stackalloc byte[ObjectId.Size];
            foreach (var o in objects)
            {
                o.Id.CopyTo(key);
                long stored;
                bool isBase;
                ObjectId? presentBase;
                using (var row = s.Statement(
                    "SELECT length(data), delta_base, EXISTS (SELECT 1 FROM objects d WHERE d.delta_base = ?1) FROM objects WHERE id = ?1"))
                {
                    row.Bind(1, key);
                    if (!row.Step())
                    {
                        continue;
                    }

                    stored = row.Int64(0);
                    presentBase = row.IsNull(1) ? null : StoredObjectEncoding.ReadId(row, 1);
                    isBase = row.Int64(2) != 0;
                }

                before += stored;
                var candidate = o with { DeltaBase = o.DeltaBase ?? presentBase };
                var encoded = StoredObjectEncoding.Encode(_db, s, candidate, out byte[]? scratch, isBase ? selfContained : null);
                try
                {
                    if (encoded.Payload.Length >= stored)
                    {
                        after += stored;
                        continue;
                    }

                    UpdateRow(s, o.Id, o.Bytes.Length, encoded);
                    after += encoded.Payload.Length;
                }
                finally
                {
                    if (scratch is not null)
                    {
                        ArrayPool<byte>.Shared.Return(scratch);
                    }
                }
            }

            return ((before, after), true);
        });
    }

    /// <summary>
    /// Returns the database's free pages (left by deleted objects) to the file system, so the file shrinks after
    /// gc; one write transaction, O(free pages). Stores created before schema 2 have no incremental auto-vacuum and
    /// keep their free pages for reuse (a full <c>VACUUM</c> would be needed). In WAL mode the file shrinks at the
    /// next checkpoint. Returns the number of pages released.
    /// </summary>
    public long ReclaimFreePages() => _db.Write(s =>
    {
        long before = FreePages(s);
        s.ExecuteScript("PRAGMA incremental_vacuum");
        return (before - FreePages(s), true);
    });

    private static long FreePages(SqliteSession s)
    {
        using var statement = s.Statement("PRAGMA freelist_count");
        statement.Step();
        return statement.Int64(0);
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _db.Release();
        }
    }

    /// <summary>
    /// The blob range holding every id whose hex starts with <paramref name="hexPrefix"/>: ids in
    /// [<paramref name="low"/>, <paramref name="high"/>), <paramref name="high"/> null meaning unbounded.
    /// An odd-length prefix fixes the high nibble of its last byte, so "abc" spans [ab c0, ab d0).
    /// SQLite compares blobs with memcmp and then by length, so a shorter bound sorts before every id it prefixes.
    /// </summary>
    internal static bool TryPrefixRange(string hexPrefix, out byte[] low, out byte[]? high)
    {
        low = [];
        high = null;
        if (hexPrefix.Length > ObjectId.HexLength || (hexPrefix.Length > 0 && !ObjectId.IsHex(hexPrefix)))
        {
            return false;
        }

        var nibbles = new byte[hexPrefix.Length];
        for (int i = 0; i < nibbles.Length; i++)
        {
            char c = hexPrefix[i];
            nibbles[i] = (byte)(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
        }

        low = Pack(nibbles);

        // high = prefix + 1 as a base-16 number of the same length; none if it is all 'f'.
        int last = nibbles.Length - 1;
        while (last >= 0 && nibbles[last] == 0xf)
        {
            nibbles[last--] = 0;
        }

        if (last >= 0)
        {
            nibbles[last]++;
            high = Pack(nibbles.AsSpan(0, last + 1));
        }

        return true;
    }

    private static byte[] Pack(ReadOnlySpan<byte> nibbles)
    {
        var bytes = new byte[(nibbles.Length + 1) / 2];
        for (int i = 0; i < nibbles.Length; i++)
        {
            bytes[i / 2] |= (byte)(i % 2 == 0 ? nibbles[i] << 4 : nibbles[i]);
        }

        return bytes;
    }

    private static List<ObjectId> ReadIds(SqliteStatement statement)
    {
        var ids = new List<ObjectId>();
        while (statement.Step())
        {
            ids.Add(ReadId(statement, 0));
        }

        return ids;
    }

    private static ObjectId ReadId(SqliteStatement statement, int column) => StoredObjectEncoding.ReadId(statement, column);
}
