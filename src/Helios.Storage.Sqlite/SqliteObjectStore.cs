using System.Runtime.InteropServices;
using Helios.Core.Errors;
using Helios.Core.Objects;
using Helios.Core.Storage;
using Microsoft.Data.Sqlite;

namespace Helios.Storage.Sqlite;

/// <summary>
/// Objects in a SQLite table: <c>objects(rowid, id BLOB UNIQUE, data BLOB)</c>. A rowid table with a
/// separate index on the 32-byte id keeps large payloads out of the index b-tree, which measured
/// faster than WITHOUT ROWID for 4-20 KB objects. <see cref="PutMany"/> is one <c>BEGIN IMMEDIATE</c>
/// transaction (all or nothing; durable on return in <see cref="Durability.Durable"/> mode).
/// Thread-safe and safe across processes. Obtain it from <see cref="SqliteRepositoryStorage"/>.
/// </summary>
public sealed class SqliteObjectStore : IObjectStore
{
    private const int EnumeratePage = 4096;
    private readonly SqliteDatabase _db;
    private int _disposed;

    internal SqliteObjectStore(SqliteDatabase db) => _db = db;

    /// <summary>Number of stored objects. O(n): it counts the index.</summary>
    public long Count() => _db.Read(s => (long)s.Command("SELECT count(*) FROM objects").ExecuteScalar()!);

    public bool Contains(ObjectId id) => _db.Read(s =>
    {
        var command = s.Command("SELECT 1 FROM objects WHERE id = $id", ("$id", SqliteType.Blob));
        command.Parameters[0].Value = id.ToByteArray();
        return command.ExecuteScalar() is not null;
    });

    public byte[]? TryGet(ObjectId id) => _db.Read(s =>
    {
        var command = s.Command("SELECT data FROM objects WHERE id = $id", ("$id", SqliteType.Blob));
        command.Parameters[0].Value = id.ToByteArray();
        using var reader = command.ExecuteReader();
        return reader.Read() ? reader.GetFieldValue<byte[]>(0) : null;
    });

    public void PutMany(IReadOnlyList<EncodedObject> objects)
    {
        if (objects.Count == 0)
        {
            return;
        }

        _db.Write(s =>
        {
            Insert(s, objects);
            return (0, true);
        });
    }

    /// <summary>Inserts objects within the caller's write transaction (also used by ref transactions that carry objects).</summary>
    internal static void Insert(SqliteSession s, IReadOnlyList<EncodedObject> objects)
    {
        var command = s.Command(
            "INSERT OR IGNORE INTO objects(id, data) VALUES ($id, $data)",
            ("$id", SqliteType.Blob),
            ("$data", SqliteType.Blob));
        var idParameter = command.Parameters[0];
        var dataParameter = command.Parameters[1];
        for (int i = 0; i < objects.Count; i++)
        {
            idParameter.Value = objects[i].Id.ToByteArray();
            dataParameter.Value = AsArray(objects[i].Bytes);
            command.ExecuteNonQuery();
        }
    }

    public IEnumerable<ObjectId> Enumerate()
    {
        // Keyset pages over the id index: no transaction stays open between pages, so writers (and
        // checkpoints) are never held up; every id stored before the call and not deleted is listed once.
        byte[] after = [];
        while (true)
        {
            var page = _db.Read(s =>
            {
                var command = s.Command(
                    "SELECT id FROM objects WHERE id > $after ORDER BY id LIMIT $limit",
                    ("$after", SqliteType.Blob),
                    ("$limit", SqliteType.Integer));
                command.Parameters[0].Value = after;
                command.Parameters[1].Value = EnumeratePage;
                return ReadIds(command);
            });
            foreach (var id in page)
            {
                yield return id;
            }

            if (page.Count < EnumeratePage)
            {
                yield break;
            }

            after = page[^1].ToByteArray();
        }
    }

    public IReadOnlyList<ObjectId> FindByPrefix(string hexPrefix, int limit)
    {
        if (limit <= 0 || !TryPrefixRange(hexPrefix, out var low, out var high))
        {
            return [];
        }

        return _db.Read(s =>
        {
            SqliteCommand command;
            if (high is null)
            {
                command = s.Command(
                    "SELECT id FROM objects WHERE id >= $low ORDER BY id LIMIT $limit",
                    ("$low", SqliteType.Blob),
                    ("$limit", SqliteType.Integer));
            }
            else
            {
                command = s.Command(
                    "SELECT id FROM objects WHERE id >= $low AND id < $high ORDER BY id LIMIT $limit",
                    ("$low", SqliteType.Blob),
                    ("$limit", SqliteType.Integer),
                    ("$high", SqliteType.Blob));
                command.Parameters[2].Value = high;
            }

            command.Parameters[0].Value = low;
            command.Parameters[1].Value = limit;
            return ReadIds(command);
        });
    }

    public void Delete(IReadOnlyCollection<ObjectId> ids)
    {
        if (ids.Count == 0)
        {
            return;
        }

        _db.Write(s =>
        {
            var command = s.Command("DELETE FROM objects WHERE id = $id", ("$id", SqliteType.Blob));
            foreach (var id in ids)
            {
                command.Parameters[0].Value = id.ToByteArray();
                command.ExecuteNonQuery();
            }

            return (0, true);
        });
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

    private static List<ObjectId> ReadIds(SqliteCommand command)
    {
        var ids = new List<ObjectId>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            var bytes = reader.GetFieldValue<byte[]>(0);
            if (bytes.Length != ObjectId.Size)
            {
                throw new HeliosException(HeliosErrorCode.Corruption,
                    $"The objects table holds an id of {bytes.Length} bytes instead of {ObjectId.Size}; restore the store from a backup.");
            }

            ids.Add(new ObjectId(bytes));
        }

        return ids;
    }

    // The driver binds byte[] only; pass the caller's array when it is exactly the payload, else copy.
    private static byte[] AsArray(ReadOnlyMemory<byte> bytes) =>
        MemoryMarshal.TryGetArray(bytes, out var segment) && segment.Offset == 0 && segment.Count == segment.Array!.Length
            ? segment.Array
            : bytes.ToArray();
}
