using Helios.Core.Errors;
using Helios.Core.Objects;

namespace Helios.Core.Storage;

// File content, plain or chunked: the one reader every command goes through.
public sealed partial class ObjectDatabase
{
    /// <summary>
    /// The object holding file content (a <see cref="Blob"/> or a <see cref="ChunkedBlob"/>); throws
    /// not-found when absent and invalid-argument when <paramref name="id"/> names something else.
    /// </summary>
    private HeliosObject ReadContentObject(ObjectId id) =>
        TryRead(id) switch
        {
            Blob blob => blob,
            ChunkedBlob chunked => chunked,
            null => throw new NotFoundException(id.ToString(), $"Object {id} is not in the repository."),
            var other => throw new HeliosException(HeliosErrorCode.InvalidArgument, $"Object {id} is a {other.Type.ToString().ToLowerInvariant()}, not file content."),
        };

    /// <summary>True when <paramref name="id"/> is a chunked blob (reads its listing, a small object).</summary>
    public bool IsChunked(ObjectId id) => ReadContentObject(id) is ChunkedBlob;

    /// <summary>
    /// True when two content ids hold the same bytes. Equal ids do; two ids of the same representation
    /// (both blobs, or both chunked: boundaries never depend on settings) do not; a blob and a chunked
    /// blob, as commits under different chunking thresholds may record, are compared by length, then
    /// byte by byte a chunk at a time.
    /// </summary>
    public bool ContentEquals(ObjectId a, ObjectId b)
    {
        if (a == b)
        {
            return true;
        }

        var x = ReadContentObject(a);
        var y = ReadContentObject(b);
        if (x.Type == y.Type)
        {
            return false;
        }

        var (blob, chunked) = x is Blob bx ? (bx, (ChunkedBlob)y) : ((Blob)y, (ChunkedBlob)x);
        var chunkedId = x is Blob ? b : a;
        if (blob.Content.Length != chunked.Length)
        {
            return false;
        }

        for (int i = 0; i < chunked.Chunks.Count; i++)
        {
            var piece = blob.Content.Span.Slice((int)chunked.OffsetOf(i), chunked.Chunks[i].Length);
            if (!piece.SequenceEqual(ReadChunk(chunkedId, chunked.Chunks[i]).Span))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The content's length in bytes. Reads the blob, or only the listing of a chunked blob.</summary>
    public long ContentLength(ObjectId id) => ReadContentObject(id) switch
    {
        Blob blob => blob.Content.Length,
        var chunked => ((ChunkedBlob)chunked).Length,
    };

    /// <summary>
    /// The whole content of a blob or chunked blob, in memory. A chunked blob's chunks are read
    /// past the decoded cache (L0) and copied once into the result. Content over 2 GiB cannot be
    /// held in one buffer: use <see cref="OpenContent"/>.
    /// </summary>
    public ReadOnlyMemory<byte> ReadContent(ObjectId id)
    {
        var content = ReadContentObject(id);
        if (content is Blob blob)
        {
            return blob.Content;
        }

        var chunked = (ChunkedBlob)content;
        if (chunked.Length > Array.MaxLength)
        {
            throw new HeliosException(HeliosErrorCode.InvalidArgument, $"Object {id} holds {chunked.Length} bytes, too many for one buffer; read it as a stream.");
        }

        var bytes = GC.AllocateUninitializedArray<byte>((int)chunked.Length);
        for (int i = 0; i < chunked.Chunks.Count; i++)
        {
            ReadChunk(id, chunked.Chunks[i]).Span.CopyTo(bytes.AsSpan((int)chunked.OffsetOf(i)));
        }

        return bytes;
    }

    /// <summary>
    /// A read-only, seekable stream over the content that holds one chunk in memory at a time
    /// (a plain blob is read whole). Not thread-safe; each call returns an independent stream.
    /// </summary>
    public Stream OpenContent(ObjectId id) => ReadContentObject(id) switch
    {
        Blob blob => new ContentStream(this, id, null, blob.Content),
        var chunked => new ContentStream(this, id, (ChunkedBlob)chunked, default),
    };

    /// <summary>Writes the content to <paramref name="destination"/>, one chunk at a time.</summary>
    public void CopyContent(ObjectId id, Stream destination)
    {
        var content = ReadContentObject(id);
        if (content is Blob blob)
        {
            destination.Write(blob.Content.Span);
            return;
        }

        foreach (var chunk in ((ChunkedBlob)content).Chunks)
        {
            destination.Write(ReadChunk(id, chunk).Span);
        }
    }

    /// <summary>
    /// Up to <paramref name="length"/> bytes from <paramref name="offset"/> (fewer at the end of the
    /// content, none past it). Reads the listing and only the chunks that overlap the range.
    /// </summary>
    public byte[] ReadRange(ObjectId id, long offset, int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        var content = ReadContentObject(id);
        if (content is Blob blob)
        {
            return offset >= blob.Content.Length ? [] : blob.Content.Span.Slice((int)offset, (int)Math.Min(length, blob.Content.Length - offset)).ToArray();
        }

        var chunked = (ChunkedBlob)content;
        if (offset >= chunked.Length || length == 0)
        {
            return [];
        }

        var result = new byte[Math.Min(length, chunked.Length - offset)];
        int written = 0;
        for (int i = chunked.ChunkAt(offset); written < result.Length; i++)
        {
            var bytes = ReadChunk(id, chunked.Chunks[i]).Span;
            int start = (int)(offset + written - chunked.OffsetOf(i));
            int n = Math.Min(bytes.Length - start, result.Length - written);
            bytes.Slice(start, n).CopyTo(result.AsSpan(written));
            written += n;
        }

        return result;
    }

    /// <summary>
    /// One chunk's bytes, read from L1 and below, never through L0 (a large file would otherwise flush every tree from it), and
    /// checked to be a blob of the listed length: anything else is corruption of <paramref name="owner"/>.
    /// </summary>
    internal ReadOnlyMemory<byte> ReadChunk(ObjectId owner, ChunkRef chunk)
    {
        var bytes = _store.TryGet(chunk.Id)
            ?? throw new CorruptObjectException(owner, $"its chunk {chunk.Id} is missing from the repository.");
        var obj = ObjectCodec.Decode(chunk.Id, bytes);

        return obj switch
        {
            Blob blob when blob.Content.Length == chunk.Length => blob.Content,
            Blob blob => throw new CorruptObjectException(owner, $"its chunk {chunk.Id} holds {blob.Content.Length} bytes, not the {chunk.Length} it lists."),
            _ => throw new CorruptObjectException(owner, $"its chunk {chunk.Id} is a {obj.Type.ToString().ToLowerInvariant()}, not a blob."),
        };
    }

    /// <summary>A seekable read-only view of file content that keeps the current chunk only.</summary>
    private sealed class ContentStream(ObjectDatabase objects, ObjectId id, ChunkedBlob? chunked, ReadOnlyMemory<byte> whole) : Stream
    {
        private long _position;
        private int _chunkIndex = -1;
        private ReadOnlyMemory<byte> _chunk;

        public override bool CanRead => true;

        public override bool CanSeek => true;

        public override bool CanWrite => false;

        public override long Length => chunked?.Length ?? whole.Length;

        public override long Position
        {
            get => _position;
            set
            {
                ArgumentOutOfRangeException.ThrowIfNegative(value);
                _position = value;
            }
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (_position >= Length || buffer.IsEmpty)
            {
                return 0;
            }

            if (chunked is null)
            {
                int n = (int)Math.Min(buffer.Length, whole.Length - _position);
                whole.Span.Slice((int)_position, n).CopyTo(buffer);
                _position += n;
                return n;
            }

            int index = chunked.ChunkAt(_position);
            if (index != _chunkIndex)
            {
                _chunk = objects.ReadChunk(id, chunked.Chunks[index]);
                _chunkIndex = index;
            }

            int start = (int)(_position - chunked.OffsetOf(index));
            int count = Math.Min(buffer.Length, _chunk.Length - start);
            _chunk.Span.Slice(start, count).CopyTo(buffer);
            _position += count;
            return count;
        }

        public override long Seek(long offset, SeekOrigin origin) => Position = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            _ => Length + offset,
        };

        public override void Flush()
        {
        }

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
