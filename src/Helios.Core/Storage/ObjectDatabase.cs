using Helios.Core.Errors;
using Helios.Core.Objects;

namespace Helios.Core.Storage;

/// <summary>
/// Typed access to objects: decodes, checks the type, and keeps recently decoded objects in L0,
/// a bounded LRU of decoded objects (hits cost a dictionary lookup under a short lock).
/// Below it sit L1 (<c>CachingObjectStore</c>) and L2 (the backend, behind <see cref="VerifyingObjectStore"/>).
/// Thread-safe.
/// </summary>
public sealed partial class ObjectDatabase
{
    private readonly IObjectStore _store;
    private readonly LruCache<ObjectId, HeliosObject> _decoded;

    /// <summary>Files longer than this many bytes are stored chunked unless a repository says otherwise (64 KiB).</summary>
    public const long DefaultChunkingThreshold = 64 << 10;

    public ObjectDatabase(IObjectStore store, long decodedCacheBytes = 64L << 20, long chunkingThreshold = DefaultChunkingThreshold)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(chunkingThreshold);
        ChunkingThreshold = chunkingThreshold;
        _store = store;
        _decoded = new LruCache<ObjectId, HeliosObject>(decodedCacheBytes, o => o.ApproximateSize);
    }

    /// <summary>
    /// Content longer than this many bytes is stored as a chunked blob, shorter content as one blob
    /// (<see cref="Objects.Chunking.EncodedContent.Encode"/>). Part of a file's identity: see docs/object-format.md.
    /// </summary>
    public long ChunkingThreshold { get; }

    /// <summary>Encodes file content under this database's chunking threshold.</summary>
    public Objects.Chunking.EncodedContent EncodeContent(ReadOnlySpan<byte> content) =>
        Objects.Chunking.EncodedContent.Encode(content, ChunkingThreshold);

    /// <summary>The store beneath L0 (L1, then L2).</summary>
    public IObjectStore Store => _store;

    /// <summary>L0 hit and miss counts.</summary>
    public TierStatistics DecodedCacheStatistics => _decoded.Statistics;

    public bool Contains(ObjectId id) => _decoded.Contains(id) || _store.Contains(id);

    /// <summary>The decoded object, or null when it is not stored.</summary>
    public HeliosObject? TryRead(ObjectId id)
    {
        if (_decoded.TryGet(id, out var cached))
        {
            return cached;
        }

        var bytes = _store.TryGet(id);
        if (bytes is null)
        {
            return null;
        }

        var obj = ObjectCodec.Decode(id, bytes);
        _decoded.Add(id, obj);
        return obj;
    }

    /// <summary>The decoded object; throws not-found or, when it has another type, corruption.</summary>
    public T Read<T>(ObjectId id) where T : HeliosObject =>
        TryRead(id) switch
        {
            T typed => typed,
            null => throw new NotFoundException(id.ToString(), $"Object {id} is not in the repository."),
            var other => throw new HeliosException(HeliosErrorCode.InvalidArgument, $"Object {id} is a {other.Type.ToString().ToLowerInvariant()}, not a {typeof(T).Name.ToLowerInvariant()}."),
        };

    /// <summary>Encodes, hashes and stores one object, returning its id.</summary>
    public ObjectId Write(HeliosObject obj)
    {
        var (id, bytes) = ObjectCodec.EncodeWithId(obj);
        _store.PutMany([new EncodedObject(id, bytes)]);
        _decoded.Add(id, obj);
        return id;
    }

    /// <summary>Puts objects a ref transaction stored into L1 (when there is one), without storing them again.</summary>
    internal void AdmitStored(IReadOnlyList<EncodedObject> objects)
    {
        if (_store is CachingObjectStore l1)
        {
            l1.AdmitStored(objects);
        }
    }

    /// <summary>Puts a decoded object into L0 without storing it (the caller stored its bytes).</summary>
    internal void Remember(ObjectId id, HeliosObject obj) => _decoded.Add(id, obj);
}
