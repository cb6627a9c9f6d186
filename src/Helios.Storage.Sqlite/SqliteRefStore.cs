using Helios.Core.Objects;
using Helios.Core.Refs;
using Helios.Core.Storage;
using Microsoft.Data.Sqlite;

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
    private const string ReadRefSql = "SELECT value FROM refs WHERE name = $name";
    private readonly SqliteDatabase _db;
    private int _disposed;

    internal SqliteRefStore(SqliteDatabase db) => _db = db;

    public RefTarget? Read(RefName name) => _db.Read(s => ReadRef(s, name));

    public IReadOnlyList<RefEntry> List(string prefix) => _db.Read(s =>
    {
        // Names with a prefix form one contiguous run from the prefix on in SQLite's byte order.
        var command = s.Command("SELECT name, value FROM refs WHERE name >= $prefix ORDER BY name", ("$prefix", SqliteType.Text));
        command.Parameters[0].Value = prefix;
        var entries = new List<RefEntry>();
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                string name = reader.GetString(0);
                if (!name.StartsWith(prefix, StringComparison.Ordinal))
                {
                    break;
                }

                entries.Add(new RefEntry(RefName.Parse(name), RefTarget.Parse(reader.GetString(1))));
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

        SqliteObjectStore.Insert(s, transaction.Objects);
        var last = s.Command("SELECT seq, data FROM oplog ORDER BY seq DESC LIMIT 1");
        long sequence = 0;
        ObjectId previous = default;
        using (var reader = last.ExecuteReader())
        {
            if (reader.Read())
            {
                sequence = reader.GetInt64(0);
                previous = ObjectId.Of(reader.GetFieldValue<byte[]>(1));
            }
        }

        var record = OperationRecord.Create(sequence + 1, previous, transaction.Operation, changes);
        foreach (var update in transaction.Updates)
        {
            if (update.New is { } target)
            {
                var upsert = s.Command(
                    "INSERT INTO refs(name, value) VALUES ($name, $value) ON CONFLICT(name) DO UPDATE SET value = excluded.value",
                    ("$name", SqliteType.Text),
                    ("$value", SqliteType.Text));
                upsert.Parameters[0].Value = update.Name.Value;
                upsert.Parameters[1].Value = target.ToString();
                upsert.ExecuteNonQuery();
            }
            else
            {
                var delete = s.Command("DELETE FROM refs WHERE name = $name", ("$name", SqliteType.Text));
                delete.Parameters[0].Value = update.Name.Value;
                delete.ExecuteNonQuery();
            }
        }

        var append = s.Command("INSERT INTO oplog(seq, data) VALUES ($seq, $data)", ("$seq", SqliteType.Integer), ("$data", SqliteType.Blob));
        append.Parameters[0].Value = record.Sequence;
        append.Parameters[1].Value = record.Encoded;
        append.ExecuteNonQuery();
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
            var command = s.Command(
                "SELECT seq, data FROM oplog WHERE seq < $before ORDER BY seq DESC LIMIT $limit",
                ("$before", SqliteType.Integer),
                ("$limit", SqliteType.Integer));
            command.Parameters[0].Value = before ?? long.MaxValue;
            command.Parameters[1].Value = limit;
            var records = new List<OperationRecord>();
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                records.Add(OperationRecord.Decode(reader.GetInt64(0), reader.GetFieldValue<byte[]>(1)));
            }

            return records;
        });
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _db.Release();
        }
    }

    private static RefTarget? ReadRef(SqliteSession s, RefName name)
    {
        var command = s.Command(ReadRefSql, ("$name", SqliteType.Text));
        command.Parameters[0].Value = name.Value;
        return command.ExecuteScalar() is string value ? RefTarget.Parse(value) : null;
    }
}
