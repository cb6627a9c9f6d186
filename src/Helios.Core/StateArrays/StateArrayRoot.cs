using Helios.Core.Errors;
using Helios.Core.Objects;
using Helios.Core.Serialization;

namespace Helios.Core.StateArrays;

/// <summary>
/// One page of a checkpoint as the root records it: the BLAKE3 of the page's raw bytes (what the live
/// array is validated and diffed against without decompressing anything) and the id of the stored
/// <see cref="StateArrayPage"/> object holding those bytes.
/// </summary>
public readonly record struct StateArrayPageRef(ObjectId RawHash, ObjectId Page);

/// <summary>
/// A state array checkpoint (object type 6): the schema label, the geometry (record size, record
/// count, records per page) and one <see cref="StateArrayPageRef"/> per page, in page order.
/// Construction validates, so every instance in memory is canonical; decoding is strict
/// (docs/object-format.md). Immutable and thread-safe.
/// </summary>
public sealed class StateArrayRoot : HeliosObject
{
    /// <summary>The largest page, in bytes. It bounds every allocation a decoder makes for one page.</summary>
    public const int MaxPageBytes = 16 << 20;

    /// <summary>The longest schema label, in UTF-8 bytes.</summary>
    public const int MaxSchemaBytes = 255;

    private readonly StateArrayPageRef[] _pages;

    /// <summary>Builds a root; rejects an invalid schema label, impossible geometry or a page count that does not match it.</summary>
    public StateArrayRoot(string schema, int recordSize, long recordCount, int recordsPerPage, IEnumerable<StateArrayPageRef> pages)
        : this(schema, recordSize, recordCount, recordsPerPage, pages.ToArray(), validated: false)
    {
    }

    private StateArrayRoot(string schema, int recordSize, long recordCount, int recordsPerPage, StateArrayPageRef[] pages, bool validated)
    {
        if (!validated)
        {
            if (ValidateSchema(schema) is { } schemaProblem)
            {
                throw new HeliosException(HeliosErrorCode.InvalidArgument, schemaProblem);
            }

            if (ValidateGeometry(recordSize, recordCount, recordsPerPage, out long pageCount) is { } problem)
            {
                throw new HeliosException(HeliosErrorCode.InvalidArgument, problem);
            }

            if (pages.Length != pageCount)
            {
                throw new HeliosException(HeliosErrorCode.InvalidArgument, $"A state array of {recordCount} records with {recordsPerPage} records per page has {pageCount} pages, not {pages.Length}.");
            }
        }

        Schema = schema;
        RecordSize = recordSize;
        RecordCount = recordCount;
        RecordsPerPage = recordsPerPage;
        _pages = pages;
    }

    /// <summary>Wraps an array the caller built from a validated layout and will not change again.</summary>
    internal static StateArrayRoot FromValidated(StateArrayLayout layout, StateArrayPageRef[] pages) =>
        new(layout.Schema, layout.RecordSize, layout.RecordCount, layout.RecordsPerPage, pages, validated: true);

    public override ObjectType Type => ObjectType.StateArray;

    /// <summary>The label naming what the array holds (for example <c>agents/v2</c>); loading checks it so a checkpoint of another array is refused.</summary>
    public string Schema { get; }

    /// <summary>Bytes per record.</summary>
    public int RecordSize { get; }

    /// <summary>Number of records.</summary>
    public long RecordCount { get; }

    /// <summary>Whole records per page (records never straddle pages); the last page may hold fewer.</summary>
    public int RecordsPerPage { get; }

    /// <summary>The pages, in order.</summary>
    public IReadOnlyList<StateArrayPageRef> Pages => _pages;

    internal ReadOnlySpan<StateArrayPageRef> PageSpan => _pages;

    internal override int ApproximateSize => 128 + 2 * Schema.Length + _pages.Length * 64;

    /// <summary>Null when the label is a valid schema label, else why not.</summary>
    public static string? ValidateSchema(string schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        if (schema.Length == 0 || schema.Any(c => c < 0x20 || c == 0x7f) || System.Text.Encoding.UTF8.GetByteCount(schema) > MaxSchemaBytes)
        {
            return $"The state array schema label '{EntryName.Escape(schema)}' is not valid: it must be 1 to {MaxSchemaBytes} UTF-8 bytes without control characters.";
        }

        return null;
    }

    /// <summary>Null when the geometry is possible (and gives its page count), else why not.</summary>
    internal static string? ValidateGeometry(int recordSize, long recordCount, int recordsPerPage, out long pageCount)
    {
        pageCount = 0;
        if (recordSize < 1 || recordSize > MaxPageBytes)
        {
            return $"A state array record size must be 1 to {MaxPageBytes} bytes, not {recordSize}.";
        }

        if (recordsPerPage < 1 || (long)recordsPerPage * recordSize > MaxPageBytes)
        {
            return $"A state array page of {recordsPerPage} records of {recordSize} bytes does not fit 1 to {MaxPageBytes} bytes.";
        }

        if (recordCount < 0)
        {
            return $"A state array cannot hold {recordCount} records.";
        }

        pageCount = (recordCount + recordsPerPage - 1) / recordsPerPage;
        return pageCount > Array.MaxLength ? $"A state array of {recordCount} records needs {pageCount} pages, more than one root can list." : null;
    }

    internal static void Write(CanonicalWriter w, StateArrayRoot root)
    {
        w.WriteString(root.Schema);
        w.WriteVarUInt((ulong)root.RecordSize);
        w.WriteVarUInt((ulong)root.RecordCount);
        w.WriteVarUInt((ulong)root.RecordsPerPage);
        w.WriteVarUInt((ulong)root._pages.Length);
        foreach (var page in root._pages)
        {
            w.WriteId(page.RawHash);
            w.WriteId(page.Page);
        }
    }

    internal static StateArrayRoot Read(ref CanonicalReader r)
    {
        string schema = r.ReadString();
        if (ValidateSchema(schema) is { } schemaProblem)
        {
            throw new FormatException(schemaProblem.TrimEnd('.'));
        }

        ulong recordSize = r.ReadVarUInt();
        ulong recordCount = r.ReadVarUInt();
        ulong recordsPerPage = r.ReadVarUInt();
        if (recordSize > int.MaxValue || recordCount > long.MaxValue || recordsPerPage > int.MaxValue)
        {
            throw new FormatException($"geometry {recordSize} bytes × {recordCount} records, {recordsPerPage} per page is out of range");
        }

        if (ValidateGeometry((int)recordSize, (long)recordCount, (int)recordsPerPage, out long expectedPages) is { } problem)
        {
            throw new FormatException(problem.TrimEnd('.'));
        }

        ulong pageCount = r.ReadVarUInt();
        if (pageCount != (ulong)expectedPages)
        {
            throw new FormatException($"{pageCount} pages listed but the geometry needs {expectedPages}");
        }

        // Each page entry is two ids, which bounds the count before allocating.
        if (pageCount > (ulong)r.Remaining / (2 * ObjectId.Size))
        {
            throw new FormatException($"page count {pageCount} does not fit the payload");
        }

        var pages = new StateArrayPageRef[pageCount];
        for (int i = 0; i < pages.Length; i++)
        {
            pages[i] = new StateArrayPageRef(r.ReadId(), r.ReadId());
        }

        r.ExpectEnd();
        return new StateArrayRoot(schema, (int)recordSize, (long)recordCount, (int)recordsPerPage, pages, validated: true);
    }
}
