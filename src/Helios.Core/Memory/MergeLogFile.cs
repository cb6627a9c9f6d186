using Helios.Core.Hashing;
using Helios.Core.Objects;
using Helios.Core.Serialization;

namespace Helios.Core.Memory;

/// <summary>
/// The standalone export of a merge log, for verification away from the repository with only the
/// public key (docs/object-format.md, "Merge-log export"):
/// <code>
/// file    = magic:"HELIOS-MERGE-LOG" version:u8(=1)  record*  trailer
/// record  = a record's canonical object encoding (starts with its type tag, 9), oldest first
/// trailer = 0x00  count:varint  head:id  signer:id  signature:64
/// </code>
/// The trailer's signature covers BLAKE3(magic ‖ version ‖ the trailer before the signature), so
/// cutting records off the end, or the trailer itself, is detected: the head id pins every record
/// through the hash chain, and the count pins where the chain must end.
/// </summary>
public static class MergeLogFile
{
    /// <summary>The 16 bytes every export starts with.</summary>
    public static ReadOnlySpan<byte> Magic => "HELIOS-MERGE-LOG"u8;

    /// <summary>The format version after the magic.</summary>
    public const byte Version = 1;

    /// <summary>Bytes of the magic and the version.</summary>
    public const int HeaderLength = 17;

    /// <summary>The byte that starts the trailer (never an object type tag).</summary>
    public const byte TrailerMarker = 0;

    /// <summary>
    /// Writes an export of <paramref name="records"/> (canonical encodings, oldest first, the last
    /// being <paramref name="head"/>; all zeros when empty) and a trailer signed by <paramref name="signer"/>.
    /// </summary>
    public static void Write(Stream destination, IEnumerable<ReadOnlyMemory<byte>> records, ObjectId head, IMergeLogSigner signer)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentNullException.ThrowIfNull(signer);
        destination.Write(Magic);
        destination.WriteByte(Version);
        long count = 0;
        foreach (var record in records)
        {
            destination.Write(record.Span);
            count++;
        }

        var trailer = UnsignedTrailer(count, head, signer.PublicKey.KeyId);
        Span<byte> hash = stackalloc byte[Blake3.OutputLength];
        TrailerHash(trailer, hash);
        destination.Write(trailer);
        destination.Write(signer.SignHash(hash));
        destination.Flush();
    }

    /// <summary>The trailer up to its signature.</summary>
    internal static byte[] UnsignedTrailer(long count, ObjectId head, ObjectId signer)
    {
        var w = new CanonicalWriter(80);
        w.WriteByte(TrailerMarker);
        w.WriteVarUInt((ulong)count);
        w.WriteId(head);
        w.WriteId(signer);
        return w.ToArray();
    }

    /// <summary>What the trailer's signature signs: BLAKE3 of the file header followed by <paramref name="unsignedTrailer"/>.</summary>
    internal static void TrailerHash(ReadOnlySpan<byte> unsignedTrailer, Span<byte> hash)
    {
        var hasher = new Blake3Hasher();
        hasher.Update(Magic);
        hasher.Update([Version]);
        hasher.Update(unsignedTrailer);
        hasher.Finalize(hash);
    }
}
