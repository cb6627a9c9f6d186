using Helios.Core.Errors;

namespace Helios.Core.StateArrays;

/// <summary>
/// Options for a state array. <see cref="PageSize"/> is a target in bytes: a page holds as many
/// whole records as fit (at least one), so a record never straddles two pages. Whole records keep
/// every record one contiguous span inside one buffer (so <c>ref T</c> access and
/// <see cref="MemoryExtensions.SequenceEqual{T}(ReadOnlySpan{T}, ReadOnlySpan{T})"/> work on it),
/// make a write dirty exactly one page, and let a diff map a differing byte to its record without
/// looking at the neighbouring page. The price is up to one record's worth of slack per page, none
/// when the record size divides the page size (64-byte records in 64 KiB pages).
/// </summary>
public sealed record StateArrayOptions
{
    /// <summary>The default target page size: 64 KiB.</summary>
    public const int DefaultPageSize = 64 * 1024;

    /// <summary>Target page size in bytes (1 to <see cref="StateArrayRoot.MaxPageBytes"/>).</summary>
    public int PageSize { get; init; } = DefaultPageSize;

    /// <summary>
    /// Checkpoints, loads and validations with at least this many pages to hash or encode spread them
    /// over threads. Below it one thread is faster than the hand-off.
    /// </summary>
    public int ParallelPageThreshold { get; init; } = 16;

    /// <summary>The most threads one operation uses; -1 for the runtime's default.</summary>
    public int MaxDegreeOfParallelism { get; init; } = -1;

    public static StateArrayOptions Default { get; } = new();
}

/// <summary>
/// The fixed geometry of an array, shared (immutable) by the array, its forks and its checkpoints:
/// schema label, record size, record count, records per page, and the mapping from a record index to
/// its page and offset.
/// </summary>
internal sealed class StateArrayLayout
{
    private readonly int _shift;
    private readonly long _mask;
    private byte[]? _zeroPage;
    private byte[]? _zeroLastPage;

    public StateArrayLayout(string schema, int recordSize, long recordCount, int recordsPerPage)
    {
        if (StateArrayRoot.ValidateSchema(schema) is { } schemaProblem)
        {
            throw new HeliosException(HeliosErrorCode.InvalidArgument, schemaProblem);
        }

        if (StateArrayRoot.ValidateGeometry(recordSize, recordCount, recordsPerPage, out long pageCount) is { } problem)
        {
            throw new HeliosException(HeliosErrorCode.InvalidArgument, problem);
        }

        Schema = schema;
        RecordSize = recordSize;
        RecordCount = recordCount;
        RecordsPerPage = recordsPerPage;
        PageCount = (int)pageCount;
        PageBytes = recordsPerPage * recordSize;
        LastPageBytes = pageCount == 0 ? 0 : (int)(recordCount - (pageCount - 1) * recordsPerPage) * recordSize;
        _shift = (recordsPerPage & (recordsPerPage - 1)) == 0 ? System.Numerics.BitOperations.Log2((uint)recordsPerPage) : -1;
        _mask = recordsPerPage - 1;
    }

    public static StateArrayLayout For(string schema, int recordSize, long recordCount, StateArrayOptions options)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.PageSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.PageSize, StateArrayRoot.MaxPageBytes);
        int recordsPerPage = recordSize < 1 ? 1 : Math.Max(1, options.PageSize / recordSize);
        return new StateArrayLayout(schema, recordSize, recordCount, recordsPerPage);
    }

    public static StateArrayLayout Of(StateArrayRoot root) => new(root.Schema, root.RecordSize, root.RecordCount, root.RecordsPerPage);

    public string Schema { get; }

    public int RecordSize { get; }

    public long RecordCount { get; }

    public int RecordsPerPage { get; }

    public int PageCount { get; }

    /// <summary>Bytes in every page but the last.</summary>
    public int PageBytes { get; }

    public int LastPageBytes { get; }

    public int BytesIn(int page) => page == PageCount - 1 ? LastPageBytes : PageBytes;

    public int RecordsIn(int page) => BytesIn(page) / RecordSize;

    public long FirstRecordOf(int page) => (long)page * RecordsPerPage;

    /// <summary>
    /// The shared zero buffer for <paramref name="page"/>: fresh pages all point at it (never written:
    /// writes copy a page they do not own). Allocated on first use, so layouts made only to read or diff
    /// checkpoints cost nothing. Not thread-safe (arrays are created on their owner's thread).
    /// </summary>
    public byte[] ZeroPage(int page) =>
        page == PageCount - 1 && LastPageBytes != PageBytes
            ? _zeroLastPage ??= new byte[LastPageBytes]
            : _zeroPage ??= new byte[PageBytes];

    /// <summary>The page holding record <paramref name="index"/> (already range-checked) and the record's byte offset in it.</summary>
    public int Locate(long index, out int offset)
    {
        if (_shift >= 0)
        {
            offset = (int)(index & _mask) * RecordSize;
            return (int)(index >> _shift);
        }

        long page = index / RecordsPerPage;
        offset = (int)(index - page * RecordsPerPage) * RecordSize;
        return (int)page;
    }

    public bool SameGeometry(StateArrayLayout other) =>
        RecordSize == other.RecordSize && RecordCount == other.RecordCount && RecordsPerPage == other.RecordsPerPage;

    /// <summary>Throws a clear error when <paramref name="root"/> is not a checkpoint of an array with this layout.</summary>
    public void EnsureMatches(StateArrayRoot root, Objects.ObjectId rootId)
    {
        if (root.Schema != Schema)
        {
            throw new HeliosException(HeliosErrorCode.InvalidArgument, $"Checkpoint {rootId} belongs to the state array '{EntryName(root.Schema)}', not to '{EntryName(Schema)}'.");
        }

        if (root.RecordSize != RecordSize)
        {
            throw new HeliosException(HeliosErrorCode.InvalidArgument, $"Checkpoint {rootId} of '{EntryName(Schema)}' holds records of {root.RecordSize} bytes, not {RecordSize}: the record type changed.");
        }

        if (root.RecordCount != RecordCount || root.RecordsPerPage != RecordsPerPage)
        {
            throw new HeliosException(HeliosErrorCode.InvalidArgument, $"Checkpoint {rootId} of '{EntryName(Schema)}' holds {root.RecordCount} records, {root.RecordsPerPage} per page; this array holds {RecordCount}, {RecordsPerPage} per page.");
        }
    }

    private static string EntryName(string s) => Objects.EntryName.Escape(s);
}
