using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Helios.Core.Errors;
using Helios.Core.Objects;

namespace Helios.Core.Collections;

/// <summary>What a collection value holds: opaque bytes, or a vector record.</summary>
public enum CollectionValueKind : byte
{
    /// <summary>Opaque bytes.</summary>
    Bytes = 0,

    /// <summary>float32 little-endian × the collection's dimension, then optional UTF-8 JSON metadata.</summary>
    Vector = 1,
}

/// <summary>
/// A value as callers put and get it: its kind and its whole payload. Immutable and thread-safe;
/// equality is kind plus payload bytes. A vector's float count is known only against a dimension,
/// so the vector accessors take the collection's dimension (<see cref="CollectionHeader.Dimension"/>).
/// </summary>
public sealed class CollectionValue : IEquatable<CollectionValue>
{
    // The float count a vector was built with; -1 when the value came from storage and only the
    // collection's dimension can say where the floats end.
    private readonly int _vectorLength;

    private CollectionValue(CollectionValueKind kind, ReadOnlyMemory<byte> payload, int vectorLength)
    {
        Kind = kind;
        Payload = payload;
        _vectorLength = vectorLength;
    }

    public CollectionValueKind Kind { get; }

    /// <summary>The bytes stored: the opaque value, or the floats followed by the metadata.</summary>
    public ReadOnlyMemory<byte> Payload { get; }

    /// <summary>An opaque value (the bytes are copied).</summary>
    public static CollectionValue FromBytes(ReadOnlySpan<byte> bytes) => new(CollectionValueKind.Bytes, bytes.ToArray(), -1);

    /// <summary>
    /// A vector record: the floats (little-endian) then, when given, the metadata as UTF-8.
    /// Invalid-argument when the metadata is not one valid JSON document.
    /// </summary>
    public static CollectionValue FromVector(ReadOnlySpan<float> vector, string? metadataJson = null)
    {
        byte[] metadata = [];
        if (metadataJson is not null)
        {
            metadata = Encoding.UTF8.GetBytes(metadataJson);
            if (!IsJson(metadata))
            {
                throw new HeliosException(HeliosErrorCode.InvalidArgument, "The vector's metadata is not valid JSON.");
            }
        }

        var payload = new byte[(vector.Length * sizeof(float)) + metadata.Length];
        MemoryMarshal.AsBytes(vector).CopyTo(payload);
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("Vector records are little-endian; this platform is not.");
        }

        metadata.CopyTo(payload.AsSpan(vector.Length * sizeof(float)));
        return new CollectionValue(CollectionValueKind.Vector, payload, vector.Length);
    }

    /// <summary>A value read back from storage: the payload is not copied.</summary>
    internal static CollectionValue FromStorage(CollectionValueKind kind, ReadOnlyMemory<byte> payload) => new(kind, payload, -1);

    /// <summary>The vector's floats, without copying; <paramref name="dimension"/> is the collection's.</summary>
    public ReadOnlySpan<float> VectorSpan(int dimension)
    {
        EnsureVector(dimension);
        return MemoryMarshal.Cast<byte, float>(Payload.Span[..(dimension * sizeof(float))]);
    }

    /// <summary>A copy of the vector's floats.</summary>
    public float[] GetVector(int dimension) => VectorSpan(dimension).ToArray();

    /// <summary>The vector's metadata JSON, or null when it has none.</summary>
    public string? GetMetadataJson(int dimension)
    {
        EnsureVector(dimension);
        var metadata = Payload.Span[(dimension * sizeof(float))..];
        return metadata.IsEmpty ? null : Encoding.UTF8.GetString(metadata);
    }

    /// <summary>
    /// Why this value cannot be stored in a collection of <paramref name="dimension"/>, or null when it can:
    /// a vector in a collection without vectors, a vector of another length, or metadata that is not JSON.
    /// </summary>
    internal string? ProblemFor(int dimension)
    {
        if (Kind == CollectionValueKind.Bytes) return null;
        if (dimension == 0) return "the collection holds no vectors (its dimension is 0)";
        if (_vectorLength >= 0 && _vectorLength != dimension) return $"the vector has {_vectorLength} floats but the collection's dimension is {dimension}";
        int floatBytes = dimension * sizeof(float);
        if (Payload.Length < floatBytes) return $"the vector record is {Payload.Length} bytes, shorter than {dimension} floats";
        var metadata = Payload.Span[floatBytes..];
        return metadata.IsEmpty || IsJson(metadata) ? null : "the vector's metadata is not valid JSON";
    }

    public bool Equals(CollectionValue? other) =>
        other is not null && Kind == other.Kind && Payload.Span.SequenceEqual(other.Payload.Span);

    public override bool Equals(object? obj) => Equals(obj as CollectionValue);

    public override int GetHashCode()
    {
        var h = new HashCode();
        h.Add(Kind);
        h.AddBytes(Payload.Span);
        return h.ToHashCode();
    }

    private void EnsureVector(int dimension)
    {
        if (Kind != CollectionValueKind.Vector || dimension <= 0 || Payload.Length < dimension * sizeof(float))
        {
            throw new HeliosException(HeliosErrorCode.InvalidArgument, $"The value is not a vector of {dimension} floats.");
        }
    }

    private static bool IsJson(ReadOnlySpan<byte> utf8)
    {
        try
        {
            var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
            // Reading to the end validates the whole document; a second top-level value is an error.
            while (reader.Read())
            {
            }

            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}

/// <summary>
/// How a leaf stores a value (the <c>kind</c> byte of a leaf entry): bit 0 is the value kind
/// (bytes or vector), bit 1 says the payload lives in a separate blob object instead of inline.
/// </summary>
public enum StoredValueKind : byte
{
    InlineBytes = 0,
    InlineVector = 1,
    BlobBytes = 2,
    BlobVector = 3,
}

/// <summary>
/// A value as a leaf entry records it: a payload of at most <see cref="MaxInlineBytes"/> bytes
/// inline, a larger one as the id of a <see cref="Objects.Blob"/> holding it (so leaves stay small
/// and unchanged values are shared). Equal stored values mean equal values: the choice between
/// inline and blob depends only on the payload's length.
/// </summary>
public readonly struct StoredValue : IEquatable<StoredValue>
{
    /// <summary>The largest payload kept inside a leaf.</summary>
    public const int MaxInlineBytes = 64;

    internal StoredValue(StoredValueKind kind, ReadOnlyMemory<byte> inline, ObjectId blob)
    {
        Kind = kind;
        Inline = inline;
        Blob = blob;
    }

    public StoredValueKind Kind { get; }

    /// <summary>Bytes or vector.</summary>
    public CollectionValueKind ValueKind => (CollectionValueKind)((byte)Kind & 1);

    /// <summary>True when the payload is in the leaf (<see cref="Inline"/>), false when it is in <see cref="Blob"/>.</summary>
    public bool IsInline => ((byte)Kind & 2) == 0;

    /// <summary>The payload when <see cref="IsInline"/>; empty otherwise.</summary>
    public ReadOnlyMemory<byte> Inline { get; }

    /// <summary>The blob holding the payload when not <see cref="IsInline"/>; default otherwise.</summary>
    public ObjectId Blob { get; }

    /// <summary>How <paramref name="value"/> is stored, with the blob to store when it does not fit inline.</summary>
    internal static StoredValue Of(CollectionValue value, out byte[]? blobEncoding)
    {
        if (value.Payload.Length <= MaxInlineBytes)
        {
            blobEncoding = null;
            return new StoredValue((StoredValueKind)value.Kind, value.Payload, default);
        }

        blobEncoding = ObjectCodec.EncodeBlob(value.Payload.Span);
        return new StoredValue((StoredValueKind)((byte)value.Kind | 2), default, ObjectId.Of(blobEncoding));
    }

    public bool Equals(StoredValue other) =>
        Kind == other.Kind && (IsInline ? Inline.Span.SequenceEqual(other.Inline.Span) : Blob == other.Blob);

    public override bool Equals(object? obj) => obj is StoredValue other && Equals(other);

    public override int GetHashCode() => IsInline ? HashCode.Combine(Kind, Inline.Length) : HashCode.Combine(Kind, Blob);

    public static bool operator ==(StoredValue left, StoredValue right) => left.Equals(right);

    public static bool operator !=(StoredValue left, StoredValue right) => !left.Equals(right);
}
