using Helios.Core.Collections;
using Helios.Core.Errors;
using Helios.Core.Serialization;

namespace Helios.Core.Objects;

/// <summary>
/// The canonical encoding (docs/object-format.md): a type tag byte, the payload length as a
/// minimal unsigned LEB128, then the payload. An object's id is BLAKE3 of these bytes.
/// Decoding is strict: every defect is a <see cref="CorruptObjectException"/> naming the id.
/// </summary>
public static class ObjectCodec
{
    [ThreadStatic] private static CanonicalWriter? t_payload;

    /// <summary>The canonical bytes of <paramref name="obj"/>.</summary>
    public static byte[] Encode(HeliosObject obj)
    {
        if (obj is Blob blob)
        {
            return EncodeBlob(blob.Content.Span);
        }

        var payload = t_payload ??= new CanonicalWriter(4096);
        payload.Reset();
        switch (obj)
        {
            case Tree tree:
                WriteTree(payload, tree);
                break;
            case Commit commit:
                WriteCommit(payload, commit);
                break;
            case Tag tag:
                WriteTag(payload, tag);
                break;
            case ChunkedBlob chunked:
                WriteChunkedBlob(payload, chunked);
                break;
            case CollectionHeader header:
                CollectionCodec.WriteHeader(payload, header);
                break;
            case CollectionNode node:
                CollectionCodec.WriteNode(payload, node);
                break;
            case Memory.MergeLogRecord record:
                Memory.MergeLogRecord.Write(payload, record);
                break;
            case StateArrays.StateArrayRoot root:
                StateArrays.StateArrayRoot.Write(payload, root);
                break;
            case StateArrays.StateArrayPage page:
                StateArrays.StateArrayPage.Write(payload, page);
                break;
            default:
                throw new ArgumentException($"No encoding for {obj.Type}.", nameof(obj));
        }

        return Frame(obj.Type, payload.WrittenSpan);
    }

    /// <summary>The canonical bytes of a blob, without building a <see cref="Blob"/> first.</summary>
    public static byte[] EncodeBlob(ReadOnlySpan<byte> content) => Frame(ObjectType.Blob, content);

    /// <summary>The payload of a canonical encoding (the bytes after the type tag and length), unchecked: for encodings this process made.</summary>
    internal static ReadOnlySpan<byte> PayloadOf(byte[] encoding)
    {
        int n = 1;
        while ((encoding[n] & 0x80) != 0)
        {
            n++;
        }

        return encoding.AsSpan(n + 1);
    }

    /// <summary>Encodes and hashes in one call.</summary>
    public static (ObjectId Id, byte[] Bytes) EncodeWithId(HeliosObject obj)
    {
        var bytes = Encode(obj);
        return (ObjectId.Of(bytes), bytes);
    }

    /// <summary>Decodes stored bytes; <paramref name="id"/> is used only to name the object in errors.</summary>
    public static HeliosObject Decode(ObjectId id, ReadOnlyMemory<byte> bytes)
    {
        try
        {
            var r = new CanonicalReader(bytes.Span);
            var type = (ObjectType)r.ReadByte();
            int length = r.ReadLength();
            if (r.Remaining != length)
            {
                throw new FormatException($"payload length {length} but {r.Remaining} bytes follow");
            }

            int payloadStart = bytes.Length - length;
            return type switch
            {
                ObjectType.Blob => new Blob(bytes[payloadStart..]),
                ObjectType.Tree => ReadTree(ref r),
                ObjectType.Commit => ReadCommit(ref r),
                ObjectType.Tag => ReadTag(ref r),
                ObjectType.ChunkedBlob => ReadChunkedBlob(ref r),
                ObjectType.Collection => CollectionCodec.ReadHeader(ref r),
                ObjectType.CollectionNode => CollectionCodec.ReadNode(ref r),
                ObjectType.MergeLogRecord => Memory.MergeLogRecord.Read(ref r),
                ObjectType.StateArray => StateArrays.StateArrayRoot.Read(ref r),
                ObjectType.StateArrayPage => StateArrays.StateArrayPage.Read(bytes[payloadStart..]),
                _ when Enum.IsDefined(type) => throw new FormatException($"type {type} has no decoder yet"),
                _ => throw new FormatException($"unknown type tag {(byte)type}"),
            };
        }
        catch (Exception e) when (e is FormatException or OverflowException or ArgumentException or HeliosException and not CorruptObjectException)
        {
            throw new CorruptObjectException(id, e.Message + ".");
        }
    }

    private static byte[] Frame(ObjectType type, ReadOnlySpan<byte> payload)
    {
        Span<byte> header = stackalloc byte[11];
        header[0] = (byte)type;
        int n = 1;
        ulong length = (ulong)payload.Length;
        while (length >= 0x80)
        {
            header[n++] = (byte)(length | 0x80);
            length >>= 7;
        }

        header[n++] = (byte)length;
        var bytes = GC.AllocateUninitializedArray<byte>(n + payload.Length);
        header[..n].CopyTo(bytes);
        payload.CopyTo(bytes.AsSpan(n));
        return bytes;
    }

    private static void WriteTree(CanonicalWriter w, Tree tree)
    {
        w.WriteVarUInt((ulong)tree.Entries.Count);
        foreach (var e in tree.Entries)
        {
            w.WriteByte((byte)e.Kind);
            w.WriteString(e.Name);
            w.WriteId(e.Id);
        }
    }

    private static Tree ReadTree(ref CanonicalReader r)
    {
        ulong count = r.ReadVarUInt();
        // Each entry takes at least 35 bytes, which bounds the count before allocating.
        if (count > (ulong)r.Remaining / 35)
        {
            throw new FormatException($"entry count {count} does not fit the payload");
        }

        var entries = new TreeEntry[count];
        ReadOnlySpan<byte> previousName = default;
        for (int i = 0; i < entries.Length; i++)
        {
            var kind = (EntryKind)r.ReadByte();
            if (!Enum.IsDefined(kind))
            {
                throw new FormatException($"entry {i} has unknown kind {(byte)kind}");
            }

            var nameBytes = r.ReadLengthPrefixed();
            if (i > 0 && previousName.SequenceCompareTo(nameBytes) >= 0)
            {
                throw new FormatException($"entry {i} is not sorted after the one before it (or repeats its name)");
            }

            previousName = nameBytes;
            string name = StrictUtf8.GetString(nameBytes);
            if (EntryName.Validate(name) is { } problem)
            {
                throw new FormatException($"entry '{EntryName.Escape(name)}' has an invalid name: {problem}");
            }

            entries[i] = new TreeEntry(name, kind, r.ReadId());
        }

        r.ExpectEnd();
        return Tree.FromSorted(entries);
    }

    private static void WriteCommit(CanonicalWriter w, Commit c)
    {
        w.WriteId(c.Tree);
        w.WriteVarUInt((ulong)c.Parents.Count);
        foreach (var p in c.Parents)
        {
            w.WriteId(p);
        }

        w.WriteVarUInt((ulong)c.Generation);
        WriteSignature(w, c.Author);
        WriteSignature(w, c.Committer);
        w.WriteLengthPrefixed(c.Message.Span);
        WriteMetadata(w, c.Metadata);
        w.WriteVarUInt((ulong)c.Roots.Count);
        foreach (var root in c.Roots)
        {
            w.WriteByte((byte)root.Type);
            w.WriteString(root.Name);
            w.WriteId(root.Id);
        }
    }

    private static Commit ReadCommit(ref CanonicalReader r)
    {
        var tree = r.ReadId();
        ulong parentCount = r.ReadVarUInt();
        if (parentCount > (ulong)r.Remaining / ObjectId.Size)
        {
            throw new FormatException($"parent count {parentCount} does not fit the payload");
        }

        var parents = new ObjectId[parentCount];
        for (int i = 0; i < parents.Length; i++)
        {
            parents[i] = r.ReadId();
        }

        ulong generation = r.ReadVarUInt();
        if (parentCount == 0 ? generation != 1 : generation is < 2 or > long.MaxValue)
        {
            throw new FormatException($"generation {generation} is impossible with {parentCount} parents");
        }

        var author = ReadSignature(ref r);
        var committer = ReadSignature(ref r);
        var message = r.ReadLengthPrefixed().ToArray();
        var metadata = ReadMetadata(ref r);
        var roots = ReadRoots(ref r);
        r.ExpectEnd();
        return new Commit(tree, parents, (long)generation, author, committer, message, metadata, roots);
    }

    private static StateRoot[] ReadRoots(ref CanonicalReader r)
    {
        ulong count = r.ReadVarUInt();
        // Each root takes at least 35 bytes (type, a one-byte name, its length, the id).
        if (count > (ulong)r.Remaining / 35)
        {
            throw new FormatException($"root count {count} does not fit the payload");
        }

        var roots = new StateRoot[count];
        for (int i = 0; i < roots.Length; i++)
        {
            var type = (ObjectType)r.ReadByte();
            if (StateRoot.ValidateType(type) is { } typeProblem)
            {
                throw new FormatException(typeProblem.TrimEnd('.'));
            }

            string name = r.ReadString();
            if (EntryName.Validate(name) is { } nameProblem)
            {
                throw new FormatException($"root name '{EntryName.Escape(name)}' is not valid: {nameProblem}");
            }

            if (i > 0 && Utf8NameComparer.Instance.Compare(roots[i - 1].Name, name) >= 0)
            {
                throw new FormatException($"root '{EntryName.Escape(name)}' is out of order or repeated");
            }

            roots[i] = new StateRoot(name, type, r.ReadId());
        }

        return roots;
    }

    private static void WriteChunkedBlob(CanonicalWriter w, ChunkedBlob blob)
    {
        w.WriteVarUInt((ulong)blob.Length);
        w.WriteVarUInt((ulong)blob.Chunks.Count);
        foreach (var chunk in blob.Chunks)
        {
            w.WriteVarUInt((ulong)chunk.Length);
            w.WriteId(chunk.Id);
        }
    }

    private static ChunkedBlob ReadChunkedBlob(ref CanonicalReader r)
    {
        ulong length = r.ReadVarUInt();
        if (length > long.MaxValue)
        {
            throw new FormatException($"total length {length} is out of range");
        }

        ulong count = r.ReadVarUInt();
        // Each chunk takes at least 33 bytes (a one-byte length and the id), which bounds the count before allocating.
        if (count > (ulong)r.Remaining / 33)
        {
            throw new FormatException($"chunk count {count} does not fit the payload");
        }

        var chunks = new ChunkRef[count];
        for (int i = 0; i < chunks.Length; i++)
        {
            ulong chunkLength = r.ReadVarUInt();
            if (chunkLength > int.MaxValue)
            {
                throw new FormatException($"chunk {i} has length {chunkLength}, more than a blob can hold");
            }

            chunks[i] = new ChunkRef(r.ReadId(), (int)chunkLength);
        }

        r.ExpectEnd();
        if (ChunkedBlob.Validate(chunks, (long)length) is { } problem)
        {
            throw new FormatException(problem);
        }

        return ChunkedBlob.FromValidated(chunks);
    }

    private static void WriteTag(CanonicalWriter w, Tag t)
    {
        w.WriteId(t.Target);
        w.WriteByte((byte)t.TargetType);
        w.WriteString(t.Name);
        if (t.Tagger is { } tagger)
        {
            w.WriteByte(1);
            WriteSignature(w, tagger);
        }
        else
        {
            w.WriteByte(0);
        }

        w.WriteLengthPrefixed(t.Message.Span);
        WriteMetadata(w, t.Metadata);
    }

    private static Tag ReadTag(ref CanonicalReader r)
    {
        var target = r.ReadId();
        var targetType = (ObjectType)r.ReadByte();
        if (Tag.ValidateTargetType(targetType) is { } typeProblem)
        {
            throw new FormatException(typeProblem.TrimEnd('.'));
        }

        string name = r.ReadString();
        if (Tag.ValidateName(name) is { } nameProblem)
        {
            throw new FormatException(nameProblem.TrimEnd('.'));
        }

        Signature? tagger = r.ReadByte() switch
        {
            0 => null,
            1 => ReadSignature(ref r),
            var flag => throw new FormatException($"tagger flag {flag} is neither 0 nor 1"),
        };
        var message = r.ReadLengthPrefixed().ToArray();
        var metadata = ReadMetadata(ref r);
        r.ExpectEnd();
        return new Tag(target, targetType, name, tagger, message, metadata);
    }

    private static void WriteMetadata(CanonicalWriter w, IReadOnlyDictionary<string, string> metadata)
    {
        w.WriteVarUInt((ulong)metadata.Count);
        foreach (var (key, value) in metadata)
        {
            w.WriteString(key);
            w.WriteString(value);
        }
    }

    private static Dictionary<string, string> ReadMetadata(ref CanonicalReader r)
    {
        ulong metadataCount = r.ReadVarUInt();
        var metadata = new Dictionary<string, string>();
        string? previousKey = null;
        for (ulong i = 0; i < metadataCount; i++)
        {
            string key = r.ReadString();
            if (previousKey is not null && Utf8NameComparer.Instance.Compare(previousKey, key) >= 0)
            {
                throw new FormatException($"metadata key '{EntryName.Escape(key)}' is out of order or repeated");
            }

            previousKey = key;
            metadata.Add(key, r.ReadString());
        }

        return metadata;
    }

    private static void WriteSignature(CanonicalWriter w, Signature s)
    {
        w.WriteString(s.Name);
        w.WriteString(s.Email);
        w.WriteInt64BigEndian(ToUnixMicroseconds(s.When));
        w.WriteInt16BigEndian((short)s.When.Offset.TotalMinutes);
    }

    private static Signature ReadSignature(ref CanonicalReader r)
    {
        string name = r.ReadString();
        string email = r.ReadString();
        long micros = r.ReadInt64BigEndian();
        short offsetMinutes = r.ReadInt16BigEndian();
        if (Math.Abs((int)offsetMinutes) > 14 * 60)
        {
            throw new FormatException($"time-zone offset {offsetMinutes} minutes is out of range");
        }

        var utc = DateTimeOffset.UnixEpoch.AddTicks(checked(micros * 10));
        return new Signature(name, email, utc.ToOffset(TimeSpan.FromMinutes(offsetMinutes)));
    }

    /// <summary>Times are kept to the microsecond; finer ticks are dropped by the encoding.</summary>
    public static long ToUnixMicroseconds(DateTimeOffset time) => (time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;

    private static readonly System.Text.UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
}
