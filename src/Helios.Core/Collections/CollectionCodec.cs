using Helios.Core.Objects;
using Helios.Core.Serialization;

namespace Helios.Core.Collections;

/// <summary>
/// Payload encodings of <see cref="CollectionHeader"/> (type 5) and <see cref="CollectionNode"/>
/// (type 8), as written in docs/object-format.md. Readers throw <see cref="FormatException"/>, which
/// <see cref="ObjectCodec.Decode"/> reports as corruption naming the object.
/// </summary>
internal static class CollectionCodec
{
    public static void WriteHeader(CanonicalWriter w, CollectionHeader header)
    {
        w.WriteVarUInt((ulong)header.Dimension);
        w.WriteVarUInt((ulong)header.Count);
        w.WriteId(header.Root);
    }

    public static CollectionHeader ReadHeader(ref CanonicalReader r)
    {
        ulong dimension = r.ReadVarUInt();
        if (dimension > CollectionHeader.MaxDimension)
        {
            throw new FormatException($"vector dimension {dimension} is above {CollectionHeader.MaxDimension}");
        }

        ulong count = r.ReadVarUInt();
        if (count > long.MaxValue)
        {
            throw new FormatException($"key count {count} is out of range");
        }

        var root = r.ReadId();
        r.ExpectEnd();
        return new CollectionHeader((int)dimension, (long)count, root);
    }

    public static void WriteNode(CanonicalWriter w, CollectionNode node)
    {
        w.WriteByte((byte)node.Level);
        w.WriteVarUInt((ulong)node.Count);
        for (int i = 0; i < node.Count; i++)
        {
            w.WriteLengthPrefixed(node.KeyBytes(i));
            if (node.IsLeaf)
            {
                var value = node.Value(i);
                w.WriteByte((byte)value.Kind);
                if (value.IsInline)
                {
                    w.WriteLengthPrefixed(value.Inline.Span);
                }
                else
                {
                    w.WriteId(value.Blob);
                }
            }
            else
            {
                w.WriteId(node.Child(i));
                w.WriteVarUInt((ulong)node.SubtreeCount(i));
            }
        }
    }

    public static CollectionNode ReadNode(ref CanonicalReader r)
    {
        int level = r.ReadByte();
        ulong count = r.ReadVarUInt();
        // A leaf entry takes at least 4 bytes and an internal one 35, which bounds the count before allocating.
        if (count > (ulong)r.Remaining / (level == 0 ? 4UL : 35UL))
        {
            throw new FormatException($"entry count {count} does not fit the payload");
        }

        if (level > 0 && count == 0)
        {
            throw new FormatException($"internal node at level {level} has no entries");
        }

        var keys = new byte[count][];
        var values = level == 0 ? new StoredValue[count] : null;
        var children = level == 0 ? null : new ObjectId[count];
        var counts = level == 0 ? null : new long[count];
        for (int i = 0; i < keys.Length; i++)
        {
            var key = r.ReadLengthPrefixed();
            if (CollectionKey.Validate(key) is { } problem)
            {
                throw new FormatException($"entry {i}: {problem}");
            }

            if (i > 0 && CollectionKey.Compare(keys[i - 1], key) >= 0)
            {
                throw new FormatException($"entry {i} is not sorted after the one before it (or repeats its key)");
            }

            keys[i] = key.ToArray();
            if (values is not null)
            {
                values[i] = ReadValue(ref r, i);
            }
            else
            {
                children![i] = r.ReadId();
                ulong subtree = r.ReadVarUInt();
                if (subtree is 0 or > long.MaxValue)
                {
                    throw new FormatException($"entry {i} claims {subtree} keys beneath it");
                }

                counts![i] = (long)subtree;
            }
        }

        r.ExpectEnd();
        return values is not null ? CollectionNode.Leaf(keys, values) : CollectionNode.Internal(level, keys, children!, counts!);
    }

    private static StoredValue ReadValue(ref CanonicalReader r, int index)
    {
        var kind = (StoredValueKind)r.ReadByte();
        switch (kind)
        {
            case StoredValueKind.InlineBytes or StoredValueKind.InlineVector:
                var payload = r.ReadLengthPrefixed();
                if (payload.Length > StoredValue.MaxInlineBytes)
                {
                    throw new FormatException($"entry {index} holds {payload.Length} bytes inline (at most {StoredValue.MaxInlineBytes})");
                }

                return new StoredValue(kind, payload.ToArray(), default);
            case StoredValueKind.BlobBytes or StoredValueKind.BlobVector:
                return new StoredValue(kind, default, r.ReadId());
            default:
                throw new FormatException($"entry {index} has unknown value kind {(byte)kind}");
        }
    }
}
