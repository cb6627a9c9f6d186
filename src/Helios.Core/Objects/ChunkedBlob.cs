namespace Helios.Core.Objects;

/// <summary>One piece of a chunked blob: an ordinary blob (type 1) and its length in bytes.</summary>
public readonly record struct ChunkRef(ObjectId Id, int Length);

/// <summary>
/// Large file content stored as an ordered list of chunks (object type 4). The file's bytes are
/// the chunks' bytes concatenated; chunk boundaries come from <see cref="Chunking.FastCdc"/>, so
/// versions of a file share every chunk away from their edits. Construction checks the invariants
/// the decoder enforces (at least one chunk, every length at least 1, the lengths sum to
/// <see cref="Length"/>). Immutable; offsets are precomputed, so finding the chunk holding a byte
/// is O(log chunks).
/// </summary>
public sealed class ChunkedBlob : HeliosObject
{
    private readonly ChunkRef[] _chunks;
    private readonly long[] _offsets;

    /// <summary>Builds the list; throws invalid-argument when it breaks the format's rules.</summary>
    public ChunkedBlob(IEnumerable<ChunkRef> chunks)
        : this(chunks.ToArray(), validate: true)
    {
    }

    private ChunkedBlob(ChunkRef[] chunks, bool validate)
    {
        if (validate && Validate(chunks, null) is { } problem)
        {
            throw new Errors.HeliosException(Errors.HeliosErrorCode.InvalidArgument, problem + ".");
        }

        _chunks = chunks;
        _offsets = new long[chunks.Length];
        long offset = 0;
        for (int i = 0; i < chunks.Length; i++)
        {
            _offsets[i] = offset;
            offset += chunks[i].Length;
        }

        Length = offset;
    }

    /// <summary>Wraps chunks the decoder has validated against its declared total.</summary>
    internal static ChunkedBlob FromValidated(ChunkRef[] chunks) => new(chunks, validate: false);

    public override ObjectType Type => ObjectType.ChunkedBlob;

    /// <summary>The chunks in file order.</summary>
    public IReadOnlyList<ChunkRef> Chunks => _chunks;

    /// <summary>The file's length in bytes (the sum of the chunk lengths).</summary>
    public long Length { get; }

    /// <summary>Where chunk <paramref name="index"/> starts in the file.</summary>
    public long OffsetOf(int index) => _offsets[index];

    /// <summary>The index of the chunk holding byte <paramref name="offset"/> (0 ≤ offset &lt; <see cref="Length"/>). O(log chunks).</summary>
    public int ChunkAt(long offset)
    {
        int i = Array.BinarySearch(_offsets, offset);
        return i >= 0 ? i : ~i - 1;
    }

    internal override int ApproximateSize => 64 + _chunks.Length * 48;

    /// <summary>Null when the chunk list is valid (against <paramref name="declaredLength"/> when given), else the problem.</summary>
    internal static string? Validate(ChunkRef[] chunks, long? declaredLength)
    {
        if (chunks.Length == 0)
        {
            return "a chunked blob needs at least one chunk";
        }

        long sum = 0;
        for (int i = 0; i < chunks.Length; i++)
        {
            if (chunks[i].Length < 1)
            {
                return $"chunk {i} has length {chunks[i].Length}; every chunk holds at least one byte";
            }

            sum += chunks[i].Length;
        }

        return declaredLength is { } declared && declared != sum
            ? $"the chunk lengths sum to {sum} bytes but the total length is {declared}"
            : null;
    }
}
