using System.Buffers;
using Helios.Core.Compression;
using Helios.Core.Errors;
using Helios.Core.Objects;
using Helios.Core.Storage;

namespace Helios.Storage.Sqlite;

/// <summary>
/// How an object's row is written and read back: the codec choice at write time (raw, zstd, or a zstd delta
/// against the hinted base with a bounded chain) and the checked decoding on read. Every call runs on the
/// caller's session, so a write sees the rows of its own transaction and a read sees one snapshot.
/// See docs/object-format.md, "Storage encoding".
/// </summary>
internal static class StoredObjectEncoding
{
    /// <summary>
    /// Hops a reader follows before calling a chain broken (a cycle cannot come from this code, but a damaged
    /// file could hold one). Writers never build chains deeper than <see cref="SqliteStorageOptions.MaxDeltaDepth"/>, which is at most this.
    /// </summary>
    public const int MaxChainHops = 16;

    /// <summary>Objects shorter than this are kept raw: a zstd frame's header and block headers cost about as much as they could save.</summary>
    private const int MinCompressLength = 32;

    /// <summary>A delta is kept without comparing it to plain zstd when it is this many times smaller than the object: plain zstd cannot plausibly win by enough to matter.</summary>
    private const int ObviousDeltaRatio = 16;

    /// <summary>The stored form of one object, ready to bind.</summary>
    public readonly ref struct Encoded(StoredCodec codec, ObjectId? deltaBase, ReadOnlySpan<byte> payload)
    {
        public StoredCodec Codec { get; } = codec;

        public ObjectId? DeltaBase { get; } = deltaBase;

        public ReadOnlySpan<byte> Payload { get; } = payload;
    }

    /// <summary>
    /// Chooses the stored form of <paramref name="o"/>: a zstd delta against its hinted base when the base is stored,
    /// not deeper than <see cref="SqliteStorageOptions.MaxDeltaDepth"/> allows, and the delta is clearly smaller
    /// than plain zstd; else plain zstd when it shrinks the object; else raw. <paramref name="scratch"/> is a pooled
    /// buffer the payload may live in; the caller returns it to the pool after binding.
    /// </summary>
    public static Encoded Encode(SqliteDatabase db, SqliteSession s, EncodedObject o, out byte[]? scratch, SqliteStorageOptions? options = null)
    {
        scratch = null;
        options ??= db.Options;
        var raw = o.Bytes.Span;
        if (options.Compression == StorageCompression.None || raw.Length < MinCompressLength)
        {
            return new Encoded(StoredCodec.None, null, raw);
        }

        // One buffer for both candidates: plain zstd in the first half, the delta in the second. Each is only
        // of interest when smaller than the object, so each gets raw.Length - 1 bytes and a frame that does not
        // fit is "no gain".
        int room = raw.Length - 1;
        scratch = ArrayPool<byte>.Shared.Rent(2 * room);
        var plainBuffer = scratch.AsSpan(0, room);
        var deltaBuffer = scratch.AsSpan(room, room);

        int delta = -1;
        ObjectId? deltaBase = null;
        if (o.DeltaBase is { } hint && hint != o.Id && options.MaxDeltaDepth > 0 && raw.Length <= options.MaxDeltaObjectBytes
            && DeltaBaseBytes(db, s, hint, options) is { } chosen && chosen.Bytes.Length > 0)
        {
            delta = Zstd.Compress(raw, deltaBuffer, options.ZstdLevel, chosen.Bytes, checksum: true);
            if (delta > 0 && (long)delta * ObviousDeltaRatio <= raw.Length)
            {
                return new Encoded(StoredCodec.ZstdDelta, chosen.Id, deltaBuffer[..delta]);
            }

            deltaBase = chosen.Id;
        }

        int plain = Zstd.Compress(raw, plainBuffer, options.ZstdLevel);
        // "Clearly smaller": a delta must save a quarter of the plain frame to be worth the extra read of its base.
        if (delta > 0 && (plain < 0 || (long)delta * 4 <= (long)plain * 3))
        {
            return new Encoded(StoredCodec.ZstdDelta, deltaBase, deltaBuffer[..delta]);
        }

        return plain > 0 ? new Encoded(StoredCodec.Zstd, null, plainBuffer[..plain]) : new Encoded(StoredCodec.None, null, raw);
    }

    /// <summary>
    /// The base a new delta uses and its canonical bytes, or null when there is none: the hinted object when it is
    /// stored, small enough, and shallow enough to take one more link; else, when the hint sits at the depth bound,
    /// the self-contained object at the root of its chain (a variant that differs from its predecessor about as much
    /// as from their common ancestor then still becomes a short delta, and a drifting history falls back to a new
    /// self-contained object once the root is too far away to help).
    /// </summary>
    private static (ObjectId Id, byte[] Bytes)? DeltaBaseBytes(SqliteDatabase db, SqliteSession s, ObjectId baseId, SqliteStorageOptions options)
    {
        Span<byte> key = stackalloc byte[ObjectId.Size];
        baseId.CopyTo(key);
        ObjectId? next;
        long length;
        using (var statement = s.Statement("SELECT raw_length, length(data), delta_base FROM objects WHERE id = ?1"))
        {
            statement.Bind(1, key);
            if (!statement.Step())
            {
                return null;
            }

            length = statement.IsNull(0) ? statement.Int64(1) : statement.Int64(0);
            next = statement.IsNull(2) ? null : ReadId(statement, 2);
        }

        if (length > options.MaxDeltaObjectBytes)
        {
            return null;
        }

        // The base's depth: hops from it to a self-contained object. A new link must stay within the bound.
        int depth = 0;
        var chosen = baseId;
        while (next is { } hop)
        {
            if (++depth > MaxChainHops)
            {
                return null;
            }

            if (depth >= options.MaxDeltaDepth)
            {
                chosen = hop;
            }

            next = DeltaBaseOf(s, hop);
        }

        return (chosen, db.DeltaBases.TryGet(chosen, out var cached) ? cached : Load(db, s, chosen, hops: 0) ?? []);
    }

    private static ObjectId? DeltaBaseOf(SqliteSession s, ObjectId id)
    {
        Span<byte> key = stackalloc byte[ObjectId.Size];
        id.CopyTo(key);
        using var statement = s.Statement("SELECT delta_base FROM objects WHERE id = ?1");
        statement.Bind(1, key);
        return statement.Step() && !statement.IsNull(0) ? ReadId(statement, 0) : null;
    }

    /// <summary>
    /// Reads and decodes <paramref name="id"/> on <paramref name="s"/>; null when absent. Every inconsistency of the
    /// row (unknown codec, a declared length its payload does not decode to, a frame that inflates past it, a missing
    /// or broken delta base, a chain too long) is a <see cref="CorruptObjectException"/> naming the object. Allocates
    /// the declared length at most, and never more than <see cref="Array.MaxLength"/>.
    /// </summary>
    public static byte[]? Load(SqliteDatabase db, SqliteSession s, ObjectId id, int hops)
    {
        Span<byte> key = stackalloc byte[ObjectId.Size];
        id.CopyTo(key);
        long codec;
        long rawLength;
        ObjectId? deltaBase;
        byte[] payload;
        using (var statement = s.Statement("SELECT codec, raw_length, delta_base, data FROM objects WHERE id = ?1"))
        {
            statement.Bind(1, key);
            if (!statement.Step())
            {
                return null;
            }

            codec = statement.Int64(0);
            var data = statement.Blob(3);
            rawLength = statement.IsNull(1) ? data.Length : statement.Int64(1);
            if (codec == (long)StoredCodec.None)
            {
                return rawLength == data.Length
                    ? data.ToArray()
                    : throw new CorruptObjectException(id, $"its row declares {rawLength} bytes but holds {data.Length} raw bytes.");
            }

            deltaBase = statement.IsNull(2) ? null : ReadId(statement, 2);
            // Copied before any recursion: reading the base reuses this statement, which would invalidate the span.
            payload = data.ToArray();
        }

        if (rawLength < 0 || rawLength > Array.MaxLength)
        {
            throw new CorruptObjectException(id, $"its row declares an impossible length of {rawLength} bytes.");
        }

        byte[]? baseBytes = null;
        switch ((StoredCodec)codec)
        {
            case StoredCodec.Zstd:
                break;
            case StoredCodec.ZstdDelta:
                baseBytes = LoadBase(db, s, id, deltaBase, hops);
                break;
            default:
                throw new CorruptObjectException(id, $"it is stored with codec {codec}, which this build does not know; upgrade Helios or restore the store.");
        }

        var result = rawLength == 0 ? [] : GC.AllocateUninitializedArray<byte>((int)rawLength);
        int written;
        try
        {
            written = Zstd.Decompress(payload, result, baseBytes);
        }
        catch (HeliosException e) when (e.Code == HeliosErrorCode.Corruption)
        {
            string cause = baseBytes is null ? "" : $" (its delta base {deltaBase} may be the corrupt one)";
            throw new CorruptObjectException(id, $"its stored {((StoredCodec)codec).ToString().ToLowerInvariant()} payload does not decode to the declared {rawLength} bytes{cause}: {e.Message}");
        }

        if (written != rawLength)
        {
            throw new CorruptObjectException(id, $"its row declares {rawLength} bytes but its payload decodes to {written}.");
        }

        // A delta read on its own is likely followed by its neighbours in history (a log, a checkout of each
        // version), whose base it may be: keep a copy, so walking a chain in either direction decodes each link once.
        if (baseBytes is not null && hops == 0 && result.Length <= db.Options.MaxDeltaObjectBytes)
        {
            db.DeltaBases.Add(id, (byte[])result.Clone());
        }

        return result;
    }

    private static byte[] LoadBase(SqliteDatabase db, SqliteSession s, ObjectId id, ObjectId? deltaBase, int hops)
    {
        if (deltaBase is not { } b)
        {
            throw new CorruptObjectException(id, "it is stored as a delta but its row names no delta base.");
        }

        if (db.DeltaBases.TryGet(b, out var cached))
        {
            return cached;
        }

        if (hops >= MaxChainHops)
        {
            throw new CorruptObjectException(id, $"its delta chain is longer than {MaxChainHops} links (the store is damaged).");
        }

        // Outside a transaction every statement sees the latest commit, so the base must be read in one snapshot
        // from here on; the caller re-reads the whole chain inside it if this row turns out stale.
        if (!s.InTransaction)
        {
            s.Execute("BEGIN");
        }

        byte[]? bytes;
        try
        {
            bytes = Load(db, s, b, hops + 1);
        }
        catch (CorruptObjectException e) when (e.Expected != id)
        {
            throw new CorruptObjectException(id, $"its delta base {b} is corrupt: {e.Message}");
        }

        if (bytes is null)
        {
            throw new CorruptObjectException(id, $"its delta base {b} is missing from the store.");
        }

        db.DeltaBases.Add(b, bytes);
        return bytes;
    }

    public static ObjectId ReadId(SqliteStatement statement, int column)
    {
        var bytes = statement.Blob(column);
        if (bytes.Length != ObjectId.Size)
        {
            throw new HeliosException(HeliosErrorCode.Corruption,
                $"The objects table holds an id of {bytes.Length} bytes instead of {ObjectId.Size}; restore the store from a backup.");
        }

        return new ObjectId(bytes);
    }
}
