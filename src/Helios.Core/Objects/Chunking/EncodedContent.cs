using Helios.Core.Storage;

namespace Helios.Core.Objects.Chunking;

/// <summary>
/// File content encoded for storage: its id and every object it needs. Content of at most the
/// repository's chunking threshold is one blob; longer content is its chunks (blobs) plus the
/// chunked blob listing them. Immutable; built by <see cref="Encode"/>.
/// </summary>
public sealed class EncodedContent
{
    // Parallel hashing pays for its scheduling only on larger files.
    private const int ParallelBytes = 1 << 20;

    private readonly byte[]? _blob;
    private readonly byte[][]? _chunkEncodings;
    private readonly byte[]? _listEncoding;

    private EncodedContent(ObjectId id, long length, byte[] blob)
    {
        Id = id;
        Length = length;
        _blob = blob;
    }

    private EncodedContent(ObjectId id, ChunkedBlob chunked, byte[][] chunkEncodings, byte[] listEncoding)
    {
        Id = id;
        Length = chunked.Length;
        Chunked = chunked;
        _chunkEncodings = chunkEncodings;
        _listEncoding = listEncoding;
    }

    /// <summary>The content's id: a blob's, or a chunked blob's.</summary>
    public ObjectId Id { get; }

    /// <summary>The content's length in bytes.</summary>
    public long Length { get; }

    /// <summary>The chunk list when the content is chunked, else null.</summary>
    public ChunkedBlob? Chunked { get; }

    /// <summary>
    /// Encodes <paramref name="content"/>: chunked when it is longer than <paramref name="chunkingThreshold"/>
    /// bytes, else one blob. The same content and threshold always give the same id.
    /// Cost: one pass to find boundaries, one copy and one hash of the content (chunks hashed on all cores for large content).
    /// </summary>
    public static EncodedContent Encode(ReadOnlySpan<byte> content, long chunkingThreshold)
    {
        if (content.Length <= chunkingThreshold)
        {
            var blob = ObjectCodec.EncodeBlob(content);
            return new EncodedContent(ObjectId.Of(blob), content.Length, blob);
        }

        var lengths = FastCdc.Split(content);
        var encodings = new byte[lengths.Count][];
        var chunks = new ChunkRef[lengths.Count];
        int offset = 0;
        for (int i = 0; i < lengths.Count; i++)
        {
            encodings[i] = ObjectCodec.EncodeBlob(content.Slice(offset, lengths[i]));
            offset += lengths[i];
        }

        void Hash(int i) => chunks[i] = new ChunkRef(ObjectId.Of(encodings[i]), lengths[i]);
        if (content.Length >= ParallelBytes && Environment.ProcessorCount > 1)
        {
            Parallel.For(0, encodings.Length, Hash);
        }
        else
        {
            for (int i = 0; i < encodings.Length; i++)
            {
                Hash(i);
            }
        }

        var chunked = new ChunkedBlob(chunks);
        var (id, list) = ObjectCodec.EncodeWithId(chunked);
        return new EncodedContent(id, chunked, encodings, list);
    }

    /// <summary>
    /// The id the same content would have under the other representation (chunked when this is a
    /// blob, a blob when this is chunked): what a threshold change makes of it. Costs one more hash
    /// (and a chunking pass) of <paramref name="content"/>, which must be the content encoded here.
    /// </summary>
    public ObjectId AlternateId(ReadOnlySpan<byte> content) =>
        Chunked is null
            ? (content.Length == 0 ? Id : Encode(content, chunkingThreshold: -1).Id)
            : ObjectId.Of(ObjectCodec.EncodeBlob(content));

    /// <summary>The content's bytes, reassembled (a copy).</summary>
    public byte[] ToContent()
    {
        if (_blob is not null)
        {
            return ObjectCodec.PayloadOf(_blob).ToArray();
        }

        var content = GC.AllocateUninitializedArray<byte>(checked((int)Length));
        int offset = 0;
        foreach (var encoding in _chunkEncodings!)
        {
            var payload = ObjectCodec.PayloadOf(encoding);
            payload.CopyTo(content.AsSpan(offset));
            offset += payload.Length;
        }

        return content;
    }

    /// <summary>
    /// The objects to store, each chunk once, the listing last; chunks the previous version holds
    /// are left out (they are stored already, and writing megabytes again would cost the commit). <paramref name="previous"/> is the
    /// id of the version this content replaces (same path, older commit), or null: it becomes each
    /// object's <see cref="EncodedObject.DeltaBase"/> hint — the old blob for a blob, the old listing
    /// for the listing, and for a new chunk the old chunk at the same place in the file (shifted by
    /// insertions and deletions before it, as the chunks both versions share show). Only the old
    /// listing is read (a small object), never old content.
    /// </summary>
    public List<EncodedObject> Objects(ObjectDatabase? objects = null, ObjectId? previous = null)
    {
        if (_blob is not null)
        {
            return [new EncodedObject(Id, _blob, previous == Id ? null : previous)];
        }

        var old = previous is { } p && p != Id && objects is not null ? objects.TryRead(p) as ChunkedBlob : null;
        var hints = old is null ? null : ChunkDeltaBases(old, Chunked!);
        var result = new List<EncodedObject>(_chunkEncodings!.Length + 1);
        var seen = new HashSet<ObjectId>();
        if (old is not null)
        {
            seen.UnionWith(old.Chunks.Select(c => c.Id));
        }

        for (int i = 0; i < _chunkEncodings.Length; i++)
        {
            var id = Chunked!.Chunks[i].Id;
            if (seen.Add(id))
            {
                result.Add(new EncodedObject(id, _chunkEncodings[i], hints?[i]));
            }
        }

        result.Add(new EncodedObject(Id, _listEncoding!, old is null ? null : previous));
        return result;
    }

    /// <summary>
    /// For each chunk of <paramref name="current"/> that <paramref name="old"/> lacks, the old chunk
    /// covering the same byte once the shift of the nearest shared chunk before it is applied; null
    /// for chunks the old version already holds.
    /// </summary>
    internal static ObjectId?[] ChunkDeltaBases(ChunkedBlob old, ChunkedBlob current)
    {
        var oldOffsets = new Dictionary<ObjectId, long>();
        for (int i = 0; i < old.Chunks.Count; i++)
        {
            oldOffsets.TryAdd(old.Chunks[i].Id, old.OffsetOf(i));
        }

        var bases = new ObjectId?[current.Chunks.Count];
        long shift = 0;
        for (int i = 0; i < current.Chunks.Count; i++)
        {
            long offset = current.OffsetOf(i);
            if (oldOffsets.TryGetValue(current.Chunks[i].Id, out long oldOffset))
            {
                shift = oldOffset - offset;
                continue;
            }

            long wanted = Math.Clamp(offset + shift, 0, old.Length - 1);
            bases[i] = old.Chunks[old.ChunkAt(wanted)].Id;
        }

        return bases;
    }
}
