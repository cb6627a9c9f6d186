using Helios.Core.Objects;
using Helios.Core.Storage;

namespace Helios.Core.StateArrays;

/// <summary>A run of consecutive record indices: <paramref name="Start"/> and <paramref name="Count"/> records from it.</summary>
public readonly record struct RecordRange(long Start, long Count)
{
    /// <summary>One past the last record.</summary>
    public long End => Start + Count;

    public override string ToString() => Count == 1 ? $"{Start}" : $"{Start}..{End - 1}";
}

/// <summary>
/// What one checkpoint did: its root, how long it took, how many pages were dirty, how many page
/// objects it produced and their raw and stored (compressed) sizes. A dirty page whose bytes hash
/// to what the previous checkpoint recorded (written back to the same values) is not stored again.
/// </summary>
public sealed record StateArrayCheckpoint(
    ObjectId Root,
    TimeSpan Elapsed,
    int DirtyPages,
    int PagesStored,
    long RawBytesStored,
    long StoredBytes)
{
    /// <summary>Stored bytes over raw bytes of the pages stored (1 when nothing was stored).</summary>
    public double CompressionRatio => RawBytesStored == 0 ? 1 : (double)StoredBytes / RawBytesStored;
}

/// <summary>
/// A checkpoint computed but not yet stored: the objects to store (new pages, then the root) and the
/// root's id. Store the objects (in <see cref="IObjectStore.PutMany"/> or a ref transaction's
/// <see cref="RefTransaction.Objects"/>), then call <see cref="StateArray.CompleteCheckpoint"/>;
/// until then the array's last checkpoint and dirty pages are unchanged, so dropping a prepared
/// checkpoint (a failed store, a lost ref race) loses nothing.
/// </summary>
public sealed class PreparedCheckpoint
{
    internal PreparedCheckpoint(StateArray array, long version, StateArrayRoot root, ObjectId rootId, IReadOnlyList<EncodedObject> objects, StateArrayCheckpoint metrics)
    {
        Array = array;
        Version = version;
        Root = root;
        RootId = rootId;
        Objects = objects;
        Metrics = metrics;
    }

    internal StateArray Array { get; }

    internal long Version { get; }

    internal StateArrayRoot Root { get; }

    /// <summary>The id of the new root.</summary>
    public ObjectId RootId { get; }

    /// <summary>New page objects, then the root (empty when nothing changed since the last checkpoint).</summary>
    public IReadOnlyList<EncodedObject> Objects { get; }

    /// <summary>Metrics of the preparation (the time excludes storing).</summary>
    public StateArrayCheckpoint Metrics { get; }
}

/// <summary>
/// Records that differ between two checkpoints, as sorted, non-overlapping, non-adjacent ranges,
/// with how many pages were compared byte by byte (those whose raw hashes differ).
/// </summary>
public sealed record StateArrayDiff(IReadOnlyList<RecordRange> Ranges, int PagesCompared)
{
    /// <summary>Total records in <see cref="Ranges"/>.</summary>
    public long ChangedRecords => Ranges.Sum(r => r.Count);

    public bool IsEmpty => Ranges.Count == 0;
}

/// <summary>What is wrong with a page.</summary>
public enum PageProblemKind
{
    /// <summary>The live page is clean (unwritten since the checkpoint) but its bytes no longer hash to the checkpoint's raw hash.</summary>
    MemoryCorrupt,

    /// <summary>The checkpoint's page object is missing from the store.</summary>
    StorageMissing,

    /// <summary>The stored page object does not hash to its id, does not decode, or decodes to bytes with another raw hash.</summary>
    StorageCorrupt,
}

/// <summary>One defective page: which, what is wrong, the records affected and a one-sentence explanation.</summary>
public sealed record PageProblem(int Page, PageProblemKind Kind, ObjectId PageId, IReadOnlyList<RecordRange> Records, string Message);

/// <summary>The outcome of <see cref="StateArray.Validate"/>: every defective page found (empty when valid).</summary>
public sealed record StateArrayValidation(IReadOnlyList<PageProblem> Problems, int PagesChecked)
{
    public bool IsValid => Problems.Count == 0;

    /// <summary>Every record affected by any problem, merged into sorted ranges.</summary>
    public IReadOnlyList<RecordRange> AffectedRecords => RecordRanges.Merge(Problems.SelectMany(p => p.Records));
}

/// <summary>
/// The outcome of <see cref="StateArray.Repair"/>: the problems fixed (live pages restored from the
/// store, stored pages rewritten from intact live pages) and those that could not be, because
/// neither copy of the page was intact.
/// </summary>
public sealed record StateArrayRepair(IReadOnlyList<PageProblem> Repaired, IReadOnlyList<PageProblem> Unrepairable)
{
    public bool FullyRepaired => Unrepairable.Count == 0;

    /// <summary>Every record restored, merged into sorted ranges.</summary>
    public IReadOnlyList<RecordRange> RepairedRecords => RecordRanges.Merge(Repaired.SelectMany(p => p.Records));
}

/// <summary>The outcome of <see cref="StateArray.Rollback"/>: the checkpoint now current and how many pages were rewritten.</summary>
public sealed record StateArrayRollback(ObjectId Root, int PagesRewritten);

/// <summary>Running totals of an array's checkpoints (not shared with forks).</summary>
public sealed record StateArrayStatistics(long Checkpoints, long PagesStored, long RawBytesStored, long StoredBytes, TimeSpan TotalTime);

internal static class RecordRanges
{
    /// <summary>Sorts and merges overlapping or adjacent ranges.</summary>
    public static IReadOnlyList<RecordRange> Merge(IEnumerable<RecordRange> ranges)
    {
        var sorted = ranges.OrderBy(r => r.Start).ToList();
        var merged = new List<RecordRange>(sorted.Count);
        foreach (var r in sorted)
        {
            if (merged.Count > 0 && merged[^1].End >= r.Start)
            {
                var last = merged[^1];
                merged[^1] = new RecordRange(last.Start, Math.Max(last.End, r.End) - last.Start);
            }
            else
            {
                merged.Add(r);
            }
        }

        return merged;
    }

    /// <summary>Appends one record, extending the last range when it is adjacent (records arrive in increasing order).</summary>
    public static void Add(List<RecordRange> ranges, long record)
    {
        if (ranges.Count > 0 && ranges[^1].End == record)
        {
            ranges[^1] = new RecordRange(ranges[^1].Start, ranges[^1].Count + 1);
        }
        else
        {
            ranges.Add(new RecordRange(record, 1));
        }
    }

    /// <summary>
    /// Appends the records that differ between two pages in shuffled form (all first bytes of the
    /// records, then all second bytes, ...): ORs the XOR of every plane into one byte per record,
    /// vectorised, then reports the records whose byte is not zero. One pass, whatever changed.
    /// </summary>
    public static void AddShuffledDifferences(List<RecordRange> ranges, ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, int recordSize, long firstRecord, Span<byte> accumulator)
    {
        int n = a.Length / recordSize;
        var acc = accumulator[..n];
        acc.Clear();
        int vectorEnd = n - n % System.Numerics.Vector<byte>.Count;
        for (int plane = 0; plane < recordSize; plane++)
        {
            var pa = a.Slice(plane * n, n);
            var pb = b.Slice(plane * n, n);
            int i = 0;
            for (; i < vectorEnd; i += System.Numerics.Vector<byte>.Count)
            {
                var x = new System.Numerics.Vector<byte>(pa[i..]) ^ new System.Numerics.Vector<byte>(pb[i..]);
                (new System.Numerics.Vector<byte>(acc[i..]) | x).CopyTo(acc[i..]);
            }

            for (; i < n; i++)
            {
                acc[i] |= (byte)(pa[i] ^ pb[i]);
            }
        }

        int record = 0;
        while (record < n)
        {
            int next = acc[record..].IndexOfAnyExcept((byte)0);
            if (next < 0)
            {
                break;
            }

            record += next;
            Add(ranges, firstRecord + record);
            record++;
        }
    }

    /// <summary>Appends the records that differ between two pages' bytes, using vectorised comparison to skip equal stretches.</summary>
    public static void AddDifferences(List<RecordRange> ranges, ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, int recordSize, long firstRecord)
    {
        int position = 0;
        while (position < a.Length)
        {
            // CommonPrefixLength compares a vector at a time, so long equal stretches cost little.
            int equal = a[position..].CommonPrefixLength(b[position..]);
            position += equal;
            if (position >= a.Length)
            {
                break;
            }

            int record = position / recordSize;
            Add(ranges, firstRecord + record);
            position = (record + 1) * recordSize;
        }
    }
}
