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
    public readonly ref struct Encoded(StoredCodec codec, ObjectId? deltaBase, ReadOnlySpan<byte> payload, int depth = 0)
    {
        public StoredCodec Codec { get; } = codec;

        public ObjectId? DeltaBase { get; } = deltaBase;

        /// <summary>Hops from this object to a self-contained one: 0 unless it is a delta.</summary>
        public int Depth { get; } = depth;

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
        int depth = 0;
        if (o.DeltaBase is { } hint && hint != o.Id && options.MaxDeltaDepth > 0 && raw.Length <= options.MaxDeltaObjectBytes
            && DeltaBaseBytes(db, s, hint, options) is { } chosen && chosen.Bytes.Length > 0)
        {
            delta = Zstd.Compress(raw, deltaBuffer, options.ZstdLevel, chosen.Bytes, checksum: true);
            deltaBase = chosen.Id;
            depth = chosen.Depth + 1;
            if (delta > 0 && (long)delta * ObviousDeltaRatio <= raw.Length)
            {
                return new Encoded(StoredCodec.ZstdDelta, deltaBase, deltaBuffer[..delta], depth);
            }
        }

        int plain = Zstd.Compress(raw, plainBuffer, options.ZstdLevel);
        // "Clearly smaller": a delta must save a quarter of the plain frame to be worth the extra read of its base.
        if (delta > 0 && (plain < 0 || (long)delta * 4 <= (long)plain * 3))
        {
            return new Encoded(StoredCodec.ZstdDelta, deltaBase, deltaBuffer[..delta], depth);
        }

        return plain > 0 ? new Encoded(StoredCodec.Zstd, null, plainBuffer[..plain]) : new Encoded(StoredCodec.None, null, raw);
    }

    /// <summary>
    /// The base a new delta uses, its canonical bytes and its depth, or null when there is none. Usually the hinted
    /// object (one indexed lookup: each row records its depth). When the hint already sits at the depth bound, the
    /// self-contained object at the root of its chain is used instead (a walk of at most the bound's hops, once per
    /// bound-many versions): a variant that differs from its predecessor about as much as from their common
    /// ancestor still becomes a short delta, and a drifting history falls back to a new self-contained object once
    /// the root is too far away to help.
    /// </summary>
    private static (ObjectId Id, byte[] Bytes, int Depth)? DeltaBaseBytes(SqliteDatabase db, SqliteSession s, ObjectId hint, SqliteStorageOptions options)
    {
        if (Row(s, hint) is not { } row || row.Length > options.MaxDeltaObjectBytes)
        {
            return null;
        }

        var chosen = hint;
        int depth = row.Depth;
        if (depth + 1 > options.MaxDeltaDepth)
        {
            for (int hops = 0; row.Base is { } next; hops++)
            {
                if (hops == MaxChainHops || Row(s, next) is not { } up)
                {
                    return null;
                }

                (chosen, row) = (next, up);
            }

            depth = 0;
        }

        byte[]? bytes = db.DeltaBases.TryGet(chosen, out var cached) ? cached : Load(db, s, chosen, hops: 0);
        return bytes is null ? null : (chosen, bytes, depth);
    }

    private static (long Length, int Depth, ObjectId? Base)? Row(SqliteSession s, ObjectId id)
    {
        Span<byte> key = stackalloc byte[ObjectId.Size];
        id.CopyTo(key);
        using var statement = s.Statement("SELECT coalesce(raw_length, length(data)), delta_depth, delta_base FROM objects WHERE id = ?1");
        statement.Bind(1, key);
        if (!statement.Step())
        {
            return null;
        }

        return (statement.Int64(0), (int)Math.Clamp(statement.Int64(1), 0, MaxChainHops), statement.IsNull(2) ? null : ReadId(statement, 2));
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
