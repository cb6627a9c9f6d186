using System.Buffers;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Helios.Core.Errors;
using Helios.Core.Objects;
using Helios.Core.Storage;

namespace Helios.Core.StateArrays;

/// <summary>
/// A fixed-length array of fixed-size records kept in memory as pages, checkpointed incrementally
/// into an <see cref="IObjectStore"/>: this class is the raw variant (records are byte spans) and the
/// engine; <see cref="StateArray{T}"/> adds typed access for an unmanaged struct.
/// <para>
/// <b>Writes</b> go through methods that mark the record's page dirty (<see cref="GetRecordForWrite"/>,
/// <see cref="SetRecord"/>, <see cref="WriteRecords"/>, <see cref="GetWritableSegments"/>): O(1) per
/// record, no allocation except the first write to a page shared with a fork or a fresh zero page,
/// which copies that page once. A span or ref obtained for writing stays valid for writing only until
/// the next <see cref="Checkpoint"/>, <see cref="Fork"/>, <see cref="Rollback"/>, <see cref="Repair"/>
/// or <see cref="CollapseTo"/>; a write through it afterwards is not seen as a change (and
/// <see cref="Validate"/> reports it as in-memory corruption). Reads never allocate.
/// </para>
/// <para>
/// <b>Checkpoints</b> hash and store only dirty pages, then a new <see cref="StateArrayRoot"/>; all
/// objects go to the store in one <see cref="IObjectStore.PutMany"/> (or a caller's ref transaction via
/// <see cref="PrepareCheckpoint"/>), and the array's state changes only after they are stored, so a
/// failed checkpoint leaves the previous one current and the dirty pages dirty. Cost: O(dirty pages ×
/// page size) to hash and compress, O(pages) to write the root.
/// </para>
/// <para>
/// <b>Forks</b> are O(1): the fork and this array share the page table and every page until one of them
/// writes, which copies the table (O(pages) pointers, once) and then each page it writes (once).
/// </para>
/// <para>
/// <b>Thread-safety</b>: an array (and each of its forks) is owned by one thread at a time; concurrent
/// reads with no writer are safe. Forks may be used on different threads at once: they share only pages
/// neither of them writes. Checkpoints, loads, diffs and validations spread their page work over threads
/// internally.
/// </para>
/// </summary>
public class StateArray
{
    private readonly IObjectStore _store;
    private readonly StateArrayOptions _options;
    private PageTable _table;
    // True once the table may be seen by another array (after a fork or collapse): the first write clones it.
    private bool _tableShared;
    private bool _discarded;
    // Bumped by every change, so a prepared checkpoint can tell whether the array moved on since.
    private long _version;
    private long _checkpoints, _pagesStored, _rawBytesStored, _storedBytes;
    private TimeSpan _checkpointTime;

    internal StateArray(IObjectStore store, StateArrayLayout layout, StateArrayOptions options, PageTable table, bool shared)
    {
        _store = store;
        Layout = layout;
        _options = options;
        _table = table;
        _tableShared = shared;
    }

    internal StateArrayLayout Layout { get; }

    /// <summary>The store checkpoints are written to and read from.</summary>
    public IObjectStore Store => _store;

    /// <summary>The label checkpoints carry; loading and rollback refuse checkpoints with another label.</summary>
    public string Schema => Layout.Schema;

    /// <summary>Bytes per record.</summary>
    public int RecordSize => Layout.RecordSize;

    /// <summary>Number of records.</summary>
    public long Count => Layout.RecordCount;

    /// <summary>Whole records per page.</summary>
    public int RecordsPerPage => Layout.RecordsPerPage;

    /// <summary>Number of pages.</summary>
    public int PageCount => Layout.PageCount;

    /// <summary>The root of the last checkpoint made, loaded or rolled back to; null before the first.</summary>
    public ObjectId? LastCheckpoint => _table.Checkpoint is null ? null : _table.CheckpointId;

    /// <summary>Pages written since the last checkpoint (every page before the first). O(pages / 64).</summary>
    public int DirtyPageCount
    {
        get
        {
            int n = 0;
            foreach (ulong word in _table.Dirty)
            {
                n += System.Numerics.BitOperations.PopCount(word);
            }

            return n;
        }
    }

    /// <summary>Totals over this array's checkpoints.</summary>
    public StateArrayStatistics Statistics => new(_checkpoints, _pagesStored, _rawBytesStored, _storedBytes, _checkpointTime);

    /// <summary>A new raw array of <paramref name="count"/> zeroed records, all pages dirty (the first checkpoint stores them; identical pages are stored once).</summary>
    public static StateArray Create(IObjectStore store, string schema, int recordSize, long count, StateArrayOptions? options = null)
    {
        options ??= StateArrayOptions.Default;
        var layout = StateArrayLayout.For(schema, recordSize, count, options);
        return new StateArray(store, layout, options, PageTable.Fresh(layout), shared: false);
    }

    /// <summary>A new array of <paramref name="count"/> records of <typeparamref name="T"/>, all <c>default(T)</c>, all pages dirty.</summary>
    public static StateArray<T> Create<T>(IObjectStore store, string schema, long count, StateArrayOptions? options = null) where T : unmanaged
    {
        options ??= StateArrayOptions.Default;
        var layout = StateArrayLayout.For(schema, Unsafe.SizeOf<T>(), count, options);
        return StateArray<T>.Wrap(store, layout, options, PageTable.Fresh(layout));
    }

    /// <summary>Loads checkpoint <paramref name="root"/> as an array of <typeparamref name="T"/>; refuses one of another schema label or record size (see <see cref="Load(IObjectStore, ObjectId, string, int, StateArrayOptions?)"/>).</summary>
    public static StateArray<T> Load<T>(IObjectStore store, ObjectId root, string schema, StateArrayOptions? options = null) where T : unmanaged
    {
        options ??= StateArrayOptions.Default;
        var (layout, table) = LoadTable(store, root, schema, Unsafe.SizeOf<T>(), options);
        return StateArray<T>.Wrap(store, layout, options, table);
    }

    /// <summary>
    /// Loads a checkpoint. Refuses (<see cref="HeliosErrorCode.InvalidArgument"/>) a root with another
    /// schema label or record size than expected, and reports a missing or corrupt page as
    /// <see cref="HeliosErrorCode.Corruption"/> naming it. Cost: every page fetched and decoded.
    /// </summary>
    public static StateArray Load(IObjectStore store, ObjectId root, string schema, int recordSize, StateArrayOptions? options = null)
    {
        options ??= StateArrayOptions.Default;
        var (layout, table) = LoadTable(store, root, schema, recordSize, options);
        return new StateArray(store, layout, options, table, shared: false);
    }

    internal static (StateArrayLayout Layout, PageTable Table) LoadTable(IObjectStore store, ObjectId rootId, string schema, int recordSize, StateArrayOptions options)
    {
        var root = ReadRoot(store, rootId);
        if (root.Schema != schema)
        {
            throw new HeliosException(HeliosErrorCode.InvalidArgument, $"Checkpoint {rootId} belongs to the state array '{EntryName.Escape(root.Schema)}', not to '{EntryName.Escape(schema)}'.");
        }

        if (root.RecordSize != recordSize)
        {
            throw new HeliosException(HeliosErrorCode.InvalidArgument, $"Checkpoint {rootId} of '{EntryName.Escape(schema)}' holds records of {root.RecordSize} bytes, not {recordSize}: the record type changed.");
        }

        var layout = StateArrayLayout.Of(root);
        var pages = new byte[layout.PageCount][];
        var sharedBuffers = DecodePages(store, layout, root, rootId, Enumerable.Range(0, layout.PageCount).ToArray(), pages, options);
        var table = new PageTable(pages, new ulong[Words(layout.PageCount)], new ulong[Words(layout.PageCount)]) { Checkpoint = root, CheckpointId = rootId };
        for (int p = 0; p < pages.Length; p++)
        {
            if (!sharedBuffers.Contains(p))
            {
                table.Owned[p >> 6] |= 1UL << p;
            }
        }

        return (layout, table);
    }

    // ----- reads -----

    /// <summary>The bytes of record <paramref name="index"/>. O(1), no allocation.</summary>
    public ReadOnlySpan<byte> GetRecord(long index)
    {
        CheckIndex(index);
        int page = Layout.Locate(index, out int offset);
        return _table.Pages[page].AsSpan(offset, Layout.RecordSize);
    }

    /// <summary>Copies records from <paramref name="start"/> into <paramref name="destination"/> (a whole number of records).</summary>
    public void ReadRecords(long start, Span<byte> destination)
    {
        long count = RecordCountOf(destination.Length);
        CheckRange(start, count);
        long next = start;
        while (destination.Length > 0)
        {
            int page = Layout.Locate(next, out int offset);
            int bytes = Math.Min(destination.Length, Layout.BytesIn(page) - offset);
            _table.Pages[page].AsSpan(offset, bytes).CopyTo(destination);
            destination = destination[bytes..];
            next += bytes / Layout.RecordSize;
        }
    }

    internal ref byte RecordReference(long index)
    {
        CheckIndex(index);
        int page = Layout.Locate(index, out int offset);
        return ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_table.Pages[page]), offset);
    }

    // ----- writes -----

    /// <summary>The bytes of record <paramref name="index"/> for writing; marks its page dirty. O(1).</summary>
    public Span<byte> GetRecordForWrite(long index) => MemoryMarshal.CreateSpan(ref WritableRecord(index), Layout.RecordSize);

    /// <summary>Overwrites record <paramref name="index"/> with <paramref name="record"/> (exactly one record's bytes).</summary>
    public void SetRecord(long index, ReadOnlySpan<byte> record)
    {
        if (record.Length != Layout.RecordSize)
        {
            throw new ArgumentException($"A record of this array is {Layout.RecordSize} bytes, not {record.Length}.", nameof(record));
        }

        record.CopyTo(GetRecordForWrite(index));
    }

    /// <summary>Overwrites consecutive records from <paramref name="start"/>; marks every covered page dirty. O(bytes).</summary>
    public void WriteRecords(long start, ReadOnlySpan<byte> records)
    {
        foreach (var segment in GetWritableSegments(start, RecordCountOf(records.Length)))
        {
            records[..segment.Length].CopyTo(segment);
            records = records[segment.Length..];
        }
    }

    /// <summary>
    /// The records <paramref name="start"/> .. <paramref name="start"/> + <paramref name="count"/> - 1 as
    /// writable spans, one per page they cover, in order; each page is marked dirty as its span is handed out.
    /// </summary>
    public PageSegments<byte> GetWritableSegments(long start, long count)
    {
        CheckRange(start, count);
        return new PageSegments<byte>(this, start, start + count);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal ref byte WritableRecord(long index)
    {
        CheckIndex(index);
        int page = Layout.Locate(index, out int offset);
        var table = _table;
        ulong bit = 1UL << page;
        if (_tableShared || (table.Owned[page >> 6] & bit) == 0)
        {
            return ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(MakeWritable(page)), offset);
        }

        table.Dirty[page >> 6] |= bit;
        _version++;
        return ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(table.Pages[page]), offset);
    }

    /// <summary>Makes <paramref name="page"/> owned by this array (copying it if shared), marks it dirty and returns its buffer.</summary>
    internal byte[] MakeWritable(int page)
    {
        EnsureUsable();
        var table = OwnTable();
        ulong bit = 1UL << page;
        if ((table.Owned[page >> 6] & bit) == 0)
        {
            var copy = GC.AllocateUninitializedArray<byte>(Layout.BytesIn(page));
            table.Pages[page].CopyTo(copy, 0);
            table.Pages[page] = copy;
            table.Owned[page >> 6] |= bit;
        }

        table.Dirty[page >> 6] |= bit;
        _version++;
        return table.Pages[page];
    }

    private PageTable OwnTable()
    {
        if (_tableShared)
        {
            _table = _table.Clone();
            _tableShared = false;
        }

        return _table;
    }

    // ----- forks -----

    /// <summary>
    /// An independent copy of the current state (including the last checkpoint and which pages are
    /// dirty), in O(1): pages are shared copy-on-write until either array writes them.
    /// </summary>
    public virtual StateArray Fork()
    {
        EnsureUsable();
        _tableShared = true;
        _version++;
        return new StateArray(_store, Layout, _options, _table, shared: true);
    }

    internal PageTable ShareTable()
    {
        EnsureUsable();
        _tableShared = true;
        _version++;
        return _table;
    }

    internal StateArrayOptions Options => _options;

    /// <summary>
    /// Makes this array's state that of <paramref name="winner"/> (typically one of its forks after a
    /// best-of-N experiment), in O(1): the two share pages copy-on-write from then on. Forks that lost
    /// are simply dropped (or <see cref="Discard"/>ed). Refuses an array of another schema or geometry.
    /// </summary>
    public void CollapseTo(StateArray winner)
    {
        ArgumentNullException.ThrowIfNull(winner);
        EnsureUsable();
        winner.EnsureUsable();
        if (winner.Layout.Schema != Layout.Schema || !winner.Layout.SameGeometry(Layout))
        {
            throw new HeliosException(HeliosErrorCode.InvalidArgument, $"Cannot collapse the state array '{EntryName.Escape(Layout.Schema)}' to '{EntryName.Escape(winner.Layout.Schema)}': they differ in schema or geometry.");
        }

        if (ReferenceEquals(winner, this))
        {
            return;
        }

        _table = winner._table;
        _tableShared = true;
        winner._tableShared = true;
        _version++;
        winner._version++;
    }

    /// <summary>Drops this array's pages; any later use throws <see cref="HeliosErrorCode.InvalidState"/>. O(1).</summary>
    public void Discard()
    {
        _discarded = true;
        _table = PageTable.Empty;
        _tableShared = true;
        _version++;
    }

    // ----- checkpoints -----

    /// <summary>
    /// Hashes the dirty pages, stores those whose bytes changed (compressed) and a new root, in one
    /// <see cref="IObjectStore.PutMany"/>, and makes that root the last checkpoint. When the store fails
    /// the exception propagates and the array is unchanged (previous checkpoint current, pages dirty).
    /// </summary>
    public StateArrayCheckpoint Checkpoint()
    {
        var started = Stopwatch.GetTimestamp();
        var prepared = PrepareCheckpoint();
        if (prepared.Objects.Count > 0)
        {
            _store.PutMany(prepared.Objects);
        }

        return CompleteCheckpointCore(prepared, Stopwatch.GetElapsedTime(started));
    }

    /// <summary>
    /// Computes a checkpoint without storing it or changing the array: see <see cref="PreparedCheckpoint"/>.
    /// Dirty pages are hashed and compressed in parallel when there are many.
    /// </summary>
    public PreparedCheckpoint PrepareCheckpoint()
    {
        EnsureUsable();
        var started = Stopwatch.GetTimestamp();
        var table = _table;
        var previous = table.Checkpoint;
        var dirty = DirtyPages(table);
        if (previous is not null && dirty.Count == 0)
        {
            return new PreparedCheckpoint(this, _version, previous, table.CheckpointId, [],
                new StateArrayCheckpoint(table.CheckpointId, Stopwatch.GetElapsedTime(started), 0, 0, 0, 0));
        }

        // Pages that share one buffer (fresh zero pages, identical pages of a loaded checkpoint) are
        // hashed and encoded once.
        var work = new List<int>(dirty.Count);
        var firstWithBuffer = new Dictionary<byte[], int>(ReferenceEqualityComparer.Instance);
        var sameAs = new int[dirty.Count];
        for (int i = 0; i < dirty.Count; i++)
        {
            int p = dirty[i];
            bool owned = (table.Owned[p >> 6] & (1UL << p)) != 0;
            if (!owned && firstWithBuffer.TryGetValue(table.Pages[p], out int w))
            {
                sameAs[i] = w;
                continue;
            }

            sameAs[i] = work.Count;
            if (!owned)
            {
                firstWithBuffer[table.Pages[p]] = work.Count;
            }

            work.Add(p);
        }

        var encoded = new (StateArrayPageRef Ref, byte[]? Bytes)[work.Count];
        ForEachPage(work.Count, i =>
        {
            int p = work[i];
            var raw = table.Pages[p].AsSpan();
            var rawHash = ObjectId.Of(raw);
            if (previous is not null && previous.PageSpan[p].RawHash == rawHash)
            {
                encoded[i] = (previous.PageSpan[p], null);
                return;
            }

            var (id, bytes) = StateArrayPage.Encode(raw, Layout.RecordSize);
            encoded[i] = (new StateArrayPageRef(rawHash, id), bytes);
        });

        var refs = previous is null ? new StateArrayPageRef[Layout.PageCount] : previous.PageSpan.ToArray();
        for (int i = 0; i < dirty.Count; i++)
        {
            refs[dirty[i]] = encoded[sameAs[i]].Ref;
        }

        var objects = new List<EncodedObject>(work.Count + 1);
        var seen = new HashSet<ObjectId>();
        long rawBytes = 0, storedBytes = 0;
        for (int i = 0; i < encoded.Length; i++)
        {
            if (encoded[i].Bytes is { } bytes && seen.Add(encoded[i].Ref.Page))
            {
                objects.Add(new EncodedObject(encoded[i].Ref.Page, bytes));
                rawBytes += Layout.BytesIn(work[i]);
                storedBytes += bytes.Length;
            }
        }

        var root = StateArrayRoot.FromValidated(Layout, refs);
        var (rootId, rootBytes) = ObjectCodec.EncodeWithId(root);
        objects.Add(new EncodedObject(rootId, rootBytes));
        var metrics = new StateArrayCheckpoint(rootId, Stopwatch.GetElapsedTime(started), dirty.Count, objects.Count - 1, rawBytes, storedBytes);
        return new PreparedCheckpoint(this, _version, root, rootId, objects, metrics);
    }

    /// <summary>
    /// Makes a prepared checkpoint the last one and clears the dirty pages, once its objects are stored.
    /// Refuses (<see cref="HeliosErrorCode.InvalidState"/>) a checkpoint prepared by another array or
    /// before the array changed again.
    /// </summary>
    public StateArrayCheckpoint CompleteCheckpoint(PreparedCheckpoint prepared) => CompleteCheckpointCore(prepared, null);

    private StateArrayCheckpoint CompleteCheckpointCore(PreparedCheckpoint prepared, TimeSpan? elapsed)
    {
        ArgumentNullException.ThrowIfNull(prepared);
        EnsureUsable();
        if (!CanComplete(prepared))
        {
            throw new HeliosException(HeliosErrorCode.InvalidState, $"The checkpoint {prepared.RootId} of '{EntryName.Escape(Schema)}' was prepared by another array or before the array changed again; prepare it again.");
        }

        var metrics = elapsed is { } e ? prepared.Metrics with { Elapsed = e } : prepared.Metrics;
        if (prepared.Objects.Count == 0)
        {
            return metrics;
        }

        var table = OwnTable();
        table.Checkpoint = prepared.Root;
        table.CheckpointId = prepared.RootId;
        Array.Clear(table.Dirty);
        _version++;
        _checkpoints++;
        _pagesStored += metrics.PagesStored;
        _rawBytesStored += metrics.RawBytesStored;
        _storedBytes += metrics.StoredBytes;
        _checkpointTime += metrics.Elapsed;
        return metrics;
    }

    internal bool CanComplete(PreparedCheckpoint prepared) => !_discarded && ReferenceEquals(prepared.Array, this) && prepared.Version == _version;

    // ----- rollback -----

    /// <summary>
    /// Restores the state of checkpoint <paramref name="root"/> (of this array's schema and geometry),
    /// rewriting only pages that are dirty or whose raw hash differs; that checkpoint becomes the last
    /// one. Atomic: every page is fetched and verified before any is replaced. A clean page is trusted
    /// to match its hash (run <see cref="Validate"/> to check that).
    /// </summary>
    public StateArrayRollback Rollback(ObjectId root)
    {
        EnsureUsable();
        var target = ReadRoot(_store, root);
        Layout.EnsureMatches(target, root);
        var table = _table;
        var current = table.Checkpoint;
        var rewrite = new List<int>();
        for (int p = 0; p < Layout.PageCount; p++)
        {
            if (current is null || (table.Dirty[p >> 6] & (1UL << p)) != 0 || current.PageSpan[p].RawHash != target.PageSpan[p].RawHash)
            {
                rewrite.Add(p);
            }
        }

        var fresh = new byte[Layout.PageCount][];
        var sharedBuffers = DecodePages(_store, Layout, target, root, rewrite, fresh, _options);
        table = OwnTable();
        foreach (int p in rewrite)
        {
            table.Pages[p] = fresh[p];
            if (sharedBuffers.Contains(p))
            {
                table.Owned[p >> 6] &= ~(1UL << p);
            }
            else
            {
                table.Owned[p >> 6] |= 1UL << p;
            }
        }

        Array.Clear(table.Dirty);
        table.Checkpoint = target;
        table.CheckpointId = root;
        _version++;
        return new StateArrayRollback(root, rewrite.Count);
    }

    // ----- diff -----

    /// <summary>
    /// Records that differ between checkpoints <paramref name="from"/> and <paramref name="to"/> of this
    /// array: page hashes are compared first, then the bytes of differing pages, vectorised. Clean live
    /// pages stand in for stored pages with the same hash, so diffs against the last checkpoint decode
    /// only one side. Cost: O(pages) + O(differing pages × page size).
    /// </summary>
    public StateArrayDiff Diff(ObjectId from, ObjectId to)
    {
        EnsureUsable();
        var a = ReadRoot(_store, from);
        var b = ReadRoot(_store, to);
        Layout.EnsureMatches(a, from);
        Layout.EnsureMatches(b, to);
        var differing = new List<int>();
        for (int p = 0; p < Layout.PageCount; p++)
        {
            if (a.PageSpan[p].RawHash != b.PageSpan[p].RawHash)
            {
                differing.Add(p);
            }
        }

        return DiffPages(differing, p => (a.PageSpan[p], from), p => (b.PageSpan[p], to), live: false);
    }

    /// <summary>Records that differ between checkpoint <paramref name="from"/> and the live array.</summary>
    public StateArrayDiff DiffFrom(ObjectId from)
    {
        EnsureUsable();
        var a = ReadRoot(_store, from);
        Layout.EnsureMatches(a, from);
        var table = _table;
        var current = table.Checkpoint;
        var differing = new List<int>();
        for (int p = 0; p < Layout.PageCount; p++)
        {
            bool clean = current is not null && (table.Dirty[p >> 6] & (1UL << p)) == 0;
            if (!clean || current!.PageSpan[p].RawHash != a.PageSpan[p].RawHash)
            {
                differing.Add(p);
            }
        }

        return DiffPages(differing, p => (a.PageSpan[p], from), null, live: true);
    }

    /// <summary>
    /// Records that differ between two checkpoints of one array, reading pages from <paramref name="store"/>
    /// (no live array needed). Refuses checkpoints of different arrays or geometry.
    /// </summary>
    public static StateArrayDiff Diff(IObjectStore store, ObjectId from, ObjectId to, StateArrayOptions? options = null)
    {
        var a = ReadRoot(store, from);
        var b = ReadRoot(store, to);
        var layout = StateArrayLayout.Of(a);
        layout.EnsureMatches(b, to);
        var detached = new StateArray(store, layout, options ?? StateArrayOptions.Default, PageTable.Empty, shared: true);
        return detached.Diff(from, to);
    }

    private StateArrayDiff DiffPages(List<int> pages, Func<int, (StateArrayPageRef Ref, ObjectId Root)> left, Func<int, (StateArrayPageRef Ref, ObjectId Root)>? right, bool live)
    {
        var perPage = new List<RecordRange>[pages.Count];
        var table = _table;
        ForEachPage(pages.Count, () => new DiffScratch(Layout.PageBytes), (i, scratch) =>
        {
            int p = pages[i];
            int shuffledB = 0;
            var a = ReadPageForComparison(table, p, left(p), scratch.Left, out int shuffledA);
            var b = live ? table.Pages[p] : ReadPageForComparison(table, p, right!(p), scratch.Right, out shuffledB);
            var ranges = new List<RecordRange>();
            int size = Layout.RecordSize;
            long first = Layout.FirstRecordOf(p);
            if (shuffledA == size && shuffledB == size)
            {
                RecordRanges.AddShuffledDifferences(ranges, a, b, size, first, scratch.Accumulator);
            }
            else
            {
                // One side raw, the other shuffled (or shuffled by another size): bring both to raw.
                var rawA = shuffledA == 0 ? a : Unshuffle(a, shuffledA, scratch.UnshuffledLeft);
                var rawB = shuffledB == 0 ? b : Unshuffle(b, shuffledB, scratch.UnshuffledRight);
                RecordRanges.AddDifferences(ranges, rawA, rawB, size, first);
            }

            perPage[i] = ranges;
        }, scratch => scratch.Return());

        var all = new List<RecordRange>();
        foreach (var ranges in perPage)
        {
            foreach (var r in ranges)
            {
                if (all.Count > 0 && all[^1].End == r.Start)
                {
                    all[^1] = new RecordRange(all[^1].Start, all[^1].Count + r.Count);
                }
                else
                {
                    all.Add(r);
                }
            }
        }

        return new StateArrayDiff(all, pages.Count);
    }

    private static ReadOnlySpan<byte> Unshuffle(ReadOnlySpan<byte> shuffled, int elementSize, byte[] destination)
    {
        var raw = destination.AsSpan(0, shuffled.Length);
        ByteShuffle.Unshuffle(shuffled, raw, elementSize);
        return raw;
    }

    /// <summary>
    /// Page <paramref name="page"/> as <paramref name="source"/> records it, for comparison: the live buffer
    /// when it is clean and has that raw hash (raw, <paramref name="elementSize"/> 0), else the stored page,
    /// checked against its id and decompressed into <paramref name="scratch"/> but left shuffled
    /// (<paramref name="elementSize"/> the shuffle's element size, 0 for a raw or plain LZ4 page).
    /// </summary>
    private ReadOnlySpan<byte> ReadPageForComparison(PageTable table, int page, (StateArrayPageRef Ref, ObjectId Root) source, byte[] scratch, out int elementSize)
    {
        if (table.Checkpoint is { } current && page < table.Pages.Length && (table.Dirty[page >> 6] & (1UL << page)) == 0
            && current.PageSpan[page].RawHash == source.Ref.RawHash)
        {
            elementSize = 0;
            return table.Pages[page];
        }

        var bytes = _store.TryGet(source.Ref.Page)
            ?? throw new HeliosException(HeliosErrorCode.Corruption, $"Page {page} of state array checkpoint {source.Root} is missing: object {source.Ref.Page} is not in the store.");
        return StateArrayPage.DecodeForComparison(source.Ref.Page, bytes, scratch.AsSpan(0, Layout.BytesIn(page)), out elementSize);
    }

    /// <summary>
    /// Per-thread buffers of one diff, rented from the shared pool (a diff of a few pages would otherwise
    /// spend more on allocating them than on comparing): both sides' decompressed pages, unshuffled
    /// copies and the per-record accumulator.
    /// </summary>
    private sealed class DiffScratch(int pageBytes)
    {
        private byte[]? _unshuffledLeft, _unshuffledRight;

        public byte[] Left { get; } = ArrayPool<byte>.Shared.Rent(pageBytes);

        public byte[] Right { get; } = ArrayPool<byte>.Shared.Rent(pageBytes);

        public byte[] Accumulator { get; } = ArrayPool<byte>.Shared.Rent(pageBytes);

        public byte[] UnshuffledLeft => _unshuffledLeft ??= ArrayPool<byte>.Shared.Rent(pageBytes);

        public byte[] UnshuffledRight => _unshuffledRight ??= ArrayPool<byte>.Shared.Rent(pageBytes);

        public void Return()
        {
            ArrayPool<byte>.Shared.Return(Left);
            ArrayPool<byte>.Shared.Return(Right);
            ArrayPool<byte>.Shared.Return(Accumulator);
            if (_unshuffledLeft is not null)
            {
                ArrayPool<byte>.Shared.Return(_unshuffledLeft);
            }

            if (_unshuffledRight is not null)
            {
                ArrayPool<byte>.Shared.Return(_unshuffledRight);
            }
        }
    }

    // ----- validation and repair -----

    /// <summary>
    /// Checks the live array against its last checkpoint: every clean page must still hash to the raw
    /// hash recorded (in-memory corruption; the records affected are found by comparing with the stored
    /// page), and, when <paramref name="includeStorage"/>, every stored page must be present, hash to its
    /// id and decode to its raw hash (storage corruption; all its records are affected). Dirty pages are
    /// not checked (they are meant to differ). Returns problems as values; throws only for a missing root.
    /// Cost: one hash per clean page, plus one fetch and decode per distinct stored page.
    /// </summary>
    public StateArrayValidation Validate(bool includeStorage = true)
    {
        EnsureUsable();
        var table = _table;
        var checkpoint = table.Checkpoint;
        if (checkpoint is null)
        {
            return new StateArrayValidation([], 0);
        }

        var problems = new List<PageProblem>();
        var clean = new List<int>();
        for (int p = 0; p < Layout.PageCount; p++)
        {
            if ((table.Dirty[p >> 6] & (1UL << p)) == 0)
            {
                clean.Add(p);
            }
        }

        var memoryBad = new bool[clean.Count];
        ForEachPage(clean.Count, i =>
        {
            int p = clean[i];
            memoryBad[i] = ObjectId.Of(table.Pages[p]) != checkpoint.PageSpan[p].RawHash;
        });

        var storageProblems = includeStorage ? ValidateStorage(checkpoint, table.CheckpointId) : [];
        var storageBadIds = storageProblems.Select(p => p.PageId).ToHashSet();
        var scratch = new byte[Layout.PageBytes];
        for (int i = 0; i < clean.Count; i++)
        {
            if (!memoryBad[i])
            {
                continue;
            }

            int p = clean[i];
            var pageRef = checkpoint.PageSpan[p];
            IReadOnlyList<RecordRange> records = WholePage(p);
            if (!storageBadIds.Contains(pageRef.Page))
            {
                try
                {
                    var stored = scratch.AsSpan(0, Layout.BytesIn(p));
                    DecodeStoredPage(_store, pageRef, p, table.CheckpointId, stored);
                    var ranges = new List<RecordRange>();
                    RecordRanges.AddDifferences(ranges, table.Pages[p], stored, Layout.RecordSize, Layout.FirstRecordOf(p));
                    records = ranges;
                }
                catch (HeliosException e) when (e.Code == HeliosErrorCode.Corruption)
                {
                    // Storage was not checked (or changed since); the whole page is then in doubt.
                }
            }

            problems.Add(new PageProblem(p, PageProblemKind.MemoryCorrupt, pageRef.Page, records,
                $"Page {p} of state array '{EntryName.Escape(Schema)}' changed in memory without being written through the array: it no longer hashes to {pageRef.RawHash} as checkpoint {table.CheckpointId} records."));
        }

        problems.AddRange(storageProblems);
        problems.Sort((x, y) => x.Page != y.Page ? x.Page.CompareTo(y.Page) : x.Kind.CompareTo(y.Kind));
        return new StateArrayValidation(problems, clean.Count + (includeStorage ? Layout.PageCount : 0));
    }

    private List<PageProblem> ValidateStorage(StateArrayRoot checkpoint, ObjectId rootId)
    {
        var pagesById = new Dictionary<ObjectId, List<int>>();
        for (int p = 0; p < Layout.PageCount; p++)
        {
            var id = checkpoint.PageSpan[p].Page;
            if (!pagesById.TryGetValue(id, out var list))
            {
                pagesById[id] = list = [];
            }

            list.Add(p);
        }

        var distinct = pagesById.ToArray();
        var found = new (PageProblemKind Kind, string Message)?[distinct.Length];
        ForEachPage(distinct.Length, () => new byte[Layout.PageBytes], (i, scratch) =>
        {
            var (id, pages) = distinct[i];
            int p = pages[0];
            var bytes = _store.TryGet(id);
            if (bytes is null)
            {
                found[i] = (PageProblemKind.StorageMissing, $"Page object {id} of checkpoint {rootId} ('{EntryName.Escape(Schema)}', page {p}) is missing from the store.");
                return;
            }

            var actual = ObjectId.Of(bytes);
            if (actual != id)
            {
                found[i] = (PageProblemKind.StorageCorrupt, $"Page object {id} of checkpoint {rootId} ('{EntryName.Escape(Schema)}', page {p}) is corrupt: its bytes hash to {actual}.");
                return;
            }

            try
            {
                StateArrayPage.DecodeInto(id, bytes, scratch.AsSpan(0, Layout.BytesIn(p)), checkpoint.PageSpan[p].RawHash);
            }
            catch (CorruptObjectException e)
            {
                found[i] = (PageProblemKind.StorageCorrupt, $"{e.Message} (checkpoint {rootId}, '{EntryName.Escape(Schema)}', page {p})");
            }
        });

        var problems = new List<PageProblem>();
        for (int i = 0; i < distinct.Length; i++)
        {
            if (found[i] is { } problem)
            {
                foreach (int p in distinct[i].Value)
                {
                    problems.Add(new PageProblem(p, problem.Kind, distinct[i].Key, WholePage(p), problem.Message));
                }
            }
        }

        return problems;
    }

    /// <summary>
    /// Validates (memory and storage), then restores each in-memory-corrupt page from its stored copy
    /// and rewrites each missing or corrupt stored page from an intact clean live page (when it
    /// re-encodes to the same id). Reports what was repaired and what could not be (both copies bad).
    /// </summary>
    public StateArrayRepair Repair()
    {
        var validation = Validate(includeStorage: true);
        if (validation.IsValid)
        {
            return new StateArrayRepair([], []);
        }

        var table = _table;
        var checkpoint = table.Checkpoint!;
        var repaired = new List<PageProblem>();
        var unrepairable = new List<PageProblem>();
        var storageBad = validation.Problems.Where(p => p.Kind != PageProblemKind.MemoryCorrupt).Select(p => p.PageId).ToHashSet();
        var memoryBad = validation.Problems.Where(p => p.Kind == PageProblemKind.MemoryCorrupt).Select(p => p.Page).ToHashSet();

        // Stored pages first: a page object missing in storage may be rebuilt from any clean page holding it.
        var rewritten = new HashSet<ObjectId>();
        foreach (var problem in validation.Problems.Where(p => p.Kind != PageProblemKind.MemoryCorrupt))
        {
            if (rewritten.Contains(problem.PageId))
            {
                repaired.Add(problem);
                continue;
            }

            if (!memoryBad.Contains(problem.Page))
            {
                var (id, bytes) = StateArrayPage.Encode(table.Pages[problem.Page], Layout.RecordSize);
                if (id == problem.PageId)
                {
                    _store.PutMany([new EncodedObject(id, bytes)]);
                    rewritten.Add(id);
                    repaired.Add(problem);
                    continue;
                }
            }

            unrepairable.Add(problem);
        }

        foreach (var problem in validation.Problems.Where(p => p.Kind == PageProblemKind.MemoryCorrupt))
        {
            if (storageBad.Contains(problem.PageId) && !rewritten.Contains(problem.PageId))
            {
                unrepairable.Add(problem);
                continue;
            }

            var page = GC.AllocateUninitializedArray<byte>(Layout.BytesIn(problem.Page));
            DecodeStoredPage(_store, checkpoint.PageSpan[problem.Page], problem.Page, table.CheckpointId, page);
            table = OwnTable();
            table.Pages[problem.Page] = page;
            table.Owned[problem.Page >> 6] |= 1UL << problem.Page;
            _version++;
            repaired.Add(problem);
        }

        return new StateArrayRepair(repaired, unrepairable);
    }

    private RecordRange[] WholePage(int page) => [new RecordRange(Layout.FirstRecordOf(page), Layout.RecordsIn(page))];

    // ----- shared helpers -----

    /// <summary>Reads and strictly decodes a state array root, checking its bytes hash to <paramref name="id"/>.</summary>
    public static StateArrayRoot ReadRoot(IObjectStore store, ObjectId id)
    {
        var bytes = store.TryGet(id) ?? throw new NotFoundException(id.ToString(), $"State array checkpoint {id} is not in the store.");
        var actual = ObjectId.Of(bytes);
        if (actual != id)
        {
            throw new CorruptObjectException(id, "hash mismatch", actual);
        }

        return ObjectCodec.Decode(id, bytes) switch
        {
            StateArrayRoot root => root,
            var other => throw new HeliosException(HeliosErrorCode.InvalidArgument, $"Object {id} is a {other.Type.ToString().ToLowerInvariant()}, not a state array checkpoint."),
        };
    }

    private static void DecodeStoredPage(IObjectStore store, StateArrayPageRef pageRef, int page, ObjectId rootId, Span<byte> destination)
    {
        var bytes = store.TryGet(pageRef.Page)
            ?? throw new HeliosException(HeliosErrorCode.Corruption, $"Page {page} of state array checkpoint {rootId} is missing: object {pageRef.Page} is not in the store.");
        StateArrayPage.DecodeInto(pageRef.Page, bytes, destination, pageRef.RawHash);
    }

    /// <summary>Fetches and decodes <paramref name="pages"/> of <paramref name="root"/> into new buffers in <paramref name="into"/>; pages with one page id share a buffer (returned: the pages not owned alone).</summary>
    private static HashSet<int> DecodePages(IObjectStore store, StateArrayLayout layout, StateArrayRoot root, ObjectId rootId, IReadOnlyList<int> pages, byte[][] into, StateArrayOptions options)
    {
        var firstById = new Dictionary<ObjectId, int>();
        var unique = new List<int>();
        var shared = new HashSet<int>();
        foreach (int p in pages)
        {
            if (firstById.TryGetValue(root.PageSpan[p].Page, out int first))
            {
                shared.Add(first);
                shared.Add(p);
            }
            else
            {
                firstById[root.PageSpan[p].Page] = p;
                unique.Add(p);
            }
        }

        ForEachPage(unique.Count, options, i =>
        {
            int p = unique[i];
            var buffer = GC.AllocateUninitializedArray<byte>(layout.BytesIn(p));
            DecodeStoredPage(store, root.PageSpan[p], p, rootId, buffer);
            into[p] = buffer;
        });

        foreach (int p in pages)
        {
            into[p] ??= into[firstById[root.PageSpan[p].Page]];
        }

        return shared;
    }

    private void ForEachPage(int count, Action<int> body) => ForEachPage(count, _options, body);

    private static void ForEachPage(int count, StateArrayOptions options, Action<int> body)
    {
        if (count < options.ParallelPageThreshold || options.MaxDegreeOfParallelism == 1)
        {
            for (int i = 0; i < count; i++)
            {
                body(i);
            }

            return;
        }

        Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = options.MaxDegreeOfParallelism }, body);
    }

    private void ForEachPage<TLocal>(int count, Func<TLocal> init, Action<int, TLocal> body, Action<TLocal>? release = null)
    {
        if (count < _options.ParallelPageThreshold || _options.MaxDegreeOfParallelism == 1)
        {
            if (count == 0)
            {
                return;
            }

            var local = init();
            try
            {
                for (int i = 0; i < count; i++)
                {
                    body(i, local);
                }
            }
            finally
            {
                release?.Invoke(local);
            }

            return;
        }

        Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = _options.MaxDegreeOfParallelism }, init,
            (i, _, local) =>
            {
                body(i, local);
                return local;
            },
            local => release?.Invoke(local));
    }

    private static List<int> DirtyPages(PageTable table)
    {
        var dirty = new List<int>();
        for (int w = 0; w < table.Dirty.Length; w++)
        {
            ulong word = table.Dirty[w];
            while (word != 0)
            {
                dirty.Add((w << 6) + System.Numerics.BitOperations.TrailingZeroCount(word));
                word &= word - 1;
            }
        }

        return dirty;
    }

    private static int Words(int pages) => (pages + 63) >> 6;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void CheckIndex(long index)
    {
        if ((ulong)index >= (ulong)Layout.RecordCount)
        {
            ThrowIndex(index);
        }
    }

    private void ThrowIndex(long index)
    {
        EnsureUsable();
        throw new ArgumentOutOfRangeException(nameof(index), index, $"The state array '{Schema}' holds records 0 to {Count - 1}.");
    }

    private void CheckRange(long start, long count)
    {
        if (start < 0 || count < 0 || start > Layout.RecordCount - count)
        {
            throw new ArgumentOutOfRangeException(nameof(start), $"Records {start} to {start + count - 1} are outside the state array '{Schema}' of {Count} records.");
        }
    }

    private long RecordCountOf(int bytes)
    {
        if (bytes % Layout.RecordSize != 0)
        {
            throw new ArgumentException($"{bytes} bytes are not a whole number of {Layout.RecordSize}-byte records.");
        }

        return bytes / Layout.RecordSize;
    }

    private void EnsureUsable()
    {
        if (_discarded)
        {
            throw new HeliosException(HeliosErrorCode.InvalidState, $"The state array '{EntryName.Escape(Schema)}' was discarded.");
        }
    }

    /// <summary>
    /// The pages of an array: buffers (exactly <see cref="StateArrayLayout.BytesIn"/> long), which of
    /// them this table may write in place, which changed since the checkpoint, and the checkpoint.
    /// Once shared by two arrays a table is never written again; writers clone it first.
    /// </summary>
    internal sealed class PageTable(byte[][] pages, ulong[] owned, ulong[] dirty)
    {
        public static readonly PageTable Empty = new([], [], []);

        public byte[][] Pages { get; } = pages;

        public ulong[] Owned { get; } = owned;

        public ulong[] Dirty { get; } = dirty;

        public StateArrayRoot? Checkpoint { get; set; }

        public ObjectId CheckpointId { get; set; }

        /// <summary>Every page the zero page, every page dirty, nothing owned.</summary>
        public static PageTable Fresh(StateArrayLayout layout)
        {
            var pages = new byte[layout.PageCount][];
            for (int p = 0; p < pages.Length; p++)
            {
                pages[p] = layout.ZeroPage(p);
            }

            var dirty = new ulong[Words(layout.PageCount)];
            for (int p = 0; p < pages.Length; p++)
            {
                dirty[p >> 6] |= 1UL << p;
            }

            return new PageTable(pages, new ulong[dirty.Length], dirty);
        }

        /// <summary>A copy that owns no page (all are shared with this table). O(pages).</summary>
        public PageTable Clone() =>
            new((byte[][])Pages.Clone(), new ulong[Owned.Length], (ulong[])Dirty.Clone()) { Checkpoint = Checkpoint, CheckpointId = CheckpointId };
    }
}

/// <summary>
/// The writable spans covering a range of records, one per page, handed out in order; each page is
/// marked dirty (and copied, if shared) as its span is handed out. Use with <c>foreach</c>.
/// </summary>
public ref struct PageSegments<TElement> where TElement : unmanaged
{
    private readonly StateArray _array;
    private readonly long _end;
    private long _next;
    private Span<TElement> _current;

    internal PageSegments(StateArray array, long start, long end)
    {
        _array = array;
        _next = start;
        _end = end;
        _current = default;
    }

    public readonly Span<TElement> Current => _current;

    public readonly PageSegments<TElement> GetEnumerator() => this;

    public bool MoveNext()
    {
        if (_next >= _end)
        {
            return false;
        }

        var layout = _array.Layout;
        int page = layout.Locate(_next, out int offset);
        long records = Math.Min(_end - _next, layout.RecordsIn(page) - offset / layout.RecordSize);
        var bytes = _array.MakeWritable(page).AsSpan(offset, (int)records * layout.RecordSize);
        _current = MemoryMarshal.Cast<byte, TElement>(bytes);
        _next += records;
        return true;
    }
}
