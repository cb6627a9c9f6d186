using Helios.Core.Objects;
using Helios.Core.Refs;
using Helios.Core.Storage;

namespace Helios.Storage.Sqlite;

/// <summary>
/// Refs in <c>refs(name TEXT PRIMARY KEY, value TEXT)</c> and the operation log in
/// <c>oplog(seq INTEGER PRIMARY KEY, data BLOB)</c>. <see cref="Commit"/> runs in one
/// <c>BEGIN IMMEDIATE</c> transaction: it reads the last record, checks every expected value, writes
/// the refs and the new record, and commits; a conflict rolls back and changes nothing. Because the
/// immediate lock serialises writers across processes, sequence numbers have no gaps and the hash
/// chain never forks. Thread-safe and safe across processes. Obtain it from <see cref="SqliteRepositoryStorage"/>.
/// </summary>
public sealed class SqliteRefStore : IRefStore
{
    private readonly SqliteDatabase _db;
    private int _disposed;

    internal SqliteRefStore(SqliteDatabase db) => _db = db;

    public RefTarget? Read(RefName name) =>
        // Parsed outside Read<T>: an instantiation over a Core struct would be compiled at run time (not ReadyToRun).
        _db.Read(s => ReadRefText(s, name)) is { } value ? RefTarget.Parse(value) : null;

    public IReadOnlyList<RefEntry> List(string prefix) => _db.Read(s =>
    {
        // Names with a prefix form one contiguous run from the prefix on in SQLite's byte order.
        var entries = new List<RefEntry>();
        using (var statement = s.Statement("SELECT name, value FROM refs WHERE name >= ?1 ORDER BY name"))
        {
            statement.Bind(1, prefix);
            while (statement.Step())
            {
                string name = statement.Text(0)!;
                if (!name.StartsWith(prefix, StringComparison.Ordinal))
                {
                    break;
                }

                entries.Add(new RefEntry(RefName.Parse(name), RefTarget.Parse(statement.Text(1)!)));
            }
        }

        // SQLite orders UTF-8 bytes, .NET ordinal orders UTF-16 units; they differ above U+FFFF.
        entries.Sort((a, b) => string.CompareOrdinal(a.Name.Value, b.Name.Value));
        return entries;
    });

    public RefTransactionResult Commit(RefTransaction transaction) => _db.Write<RefTransactionResult>(s =>
    {
        var changes = new List<RefChange>(transaction.Updates.Count);
        foreach (var update in transaction.Updates)
        {
            var actual = ReadRef(s, update.Name);
            if (actual != update.Expected)
            {
                return (new RefTransactionResult.Conflict(update.Name, update.Expected, actual), false);
            }

            changes.Add(new RefChange(update.Name, actual, update.New));
        }

        SqliteObjectStore.Insert(_db, s, transaction.Objects);
        long sequence = 0;
        ObjectId previous = default;
        using (var last = s.Statement("SELECT seq, data FROM oplog ORDER BY seq DESC LIMIT 1"))
        {
            if (last.Step())
            {
                sequence = last.Int64(0);
                previous = ObjectId.Of(last.Blob(1));
            }
        }

        var record = OperationRecord.Create(sequence + 1, previous, transaction.Operation, changes);
        foreach (var update in transaction.Updates)
        {
            if (update.New is { } target)
            {
                using var upsert = s.Statement(
                    "INSERT INTO refs(name, value) VALUES (?1, ?2) ON CONFLICT(name) DO UPDATE SET value = excluded.value");
                upsert.Bind(1, update.Name.Value);
                upsert.Bind(2, target.ToString());
                upsert.Step();
            }
            else
            {
                using var delete = s.Statement("DELETE FROM refs WHERE name = ?1");
                delete.Bind(1, update.Name.Value);
                delete.Step();
            }
        }

        using (var append = s.Statement("INSERT INTO oplog(seq, data) VALUES (?1, ?2)"))
        {
            append.Bind(1, record.Sequence);
            append.Bind(2, record.Encoded);
            append.Step();
        }

        return (new RefTransactionResult.Committed(record), true);
    });

    public IReadOnlyList<OperationRecord> ReadOperations(long? before = null, int limit = int.MaxValue)
    {
        if (limit <= 0)
        {
            return [];
        }

        return _db.Read(s =>
        {
            var records = new List<OperationRecord>();
            using var statement = s.Statement("SELECT seq, data FROM oplog WHERE seq < ?1 ORDER BY seq DESC LIMIT ?2");
            statement.Bind(1, before ?? long.MaxValue);
            statement.Bind(2, limit);
            while (statement.Step())
            {
                records.Add(OperationRecord.Decode(statement.Int64(0), statement.Blob(1).ToArray()));
            }

            return records;
        });
    }

    public OperationLogStart ReadOperationLogStart() =>
        _db.Read(s => ReadStartText(s)) is { } text ? ParseStart(text) : OperationLogStart.Untrimmed;

    public long TrimOperations(DateTimeOffset before) => _db.Write(s =>
    {
        // Decoded oldest first, in the writer's transaction: no record can be appended meanwhile.
        long newest;
        using (var last = s.Statement("SELECT coalesce(max(seq), 0) FROM oplog"))
        {
            last.Step();
            newest = last.Int64(0);
        }

        OperationRecord? lastRemoved = null;
        using (var scan = s.Statement("SELECT seq, data FROM oplog WHERE seq < ?1 ORDER BY seq"))
        {
            scan.Bind(1, newest);
            while (scan.Step())
            {
                var record = OperationRecord.Decode(scan.Int64(0), scan.Blob(1).ToArray());
                if (record.Info.Time >= before)
                {
                    break;
                }

                lastRemoved = record;
            }
        }

        if (lastRemoved is null)
        {
            return (0L, false);
        }

        long removed;
        using (var count = s.Statement("SELECT count(*) FROM oplog WHERE seq <= ?1"))
        {
            count.Bind(1, lastRemoved.Sequence);
            count.Step();
            removed = count.Int64(0);
        }

        using (var delete = s.Statement("DELETE FROM oplog WHERE seq <= ?1"))
        {
            delete.Bind(1, lastRemoved.Sequence);
            delete.Step();
        }

        using (var start = s.Statement(
            "INSERT INTO helios_meta(key, value) VALUES ('" + StartKey + "', ?1) ON CONFLICT(key) DO UPDATE SET value = excluded.value"))
        {
            start.Bind(1, FormattableString.Invariant($"{lastRemoved.Sequence + 1} {lastRemoved.Hash}"));
            start.Step();
        }

        return (removed, true);
    });

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _db.Release();
        }
    }

    // A helios_meta row rather than a column: stores written before trimming existed need no migration.
    private const string StartKey = "oplog_start";

    private static string? ReadStartText(SqliteSession s)
    {
        using var statement = s.Statement("SELECT value FROM helios_meta WHERE key = '" + StartKey + "'");
        return statement.Step() ? statement.Text(0) : null;
    }

    private OperationLogStart ParseStart(string text)
    {
        var parts = text.Split(' ');
        return parts.Length == 2 && long.TryParse(parts[0], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long sequence)
            && sequence > 1 && ObjectId.TryParse(parts[1], out var previous)
            ? new OperationLogStart(sequence, previous)
            : throw new Core.Errors.HeliosException(Core.Errors.HeliosErrorCode.Corruption,
                $"The Helios store '{_db.Path}' records an unreadable start of its operation log ('{text}'); restore it from a backup.");
    }

    private static RefTarget? ReadRef(SqliteSession s, RefName name) =>
        ReadRefText(s, name) is { } value ? RefTarget.Parse(value) : null;

    private static string? ReadRefText(SqliteSession s, RefName name)
    {
        using var statement = s.Statement("SELECT value FROM refs WHERE name = ?1");
        statement.Bind(1, name.Value);
        return statement.Step() ? statement.Text(0) : null;
    }
}
