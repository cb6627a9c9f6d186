using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Helios.Core.Objects;
using Helios.Core.Storage;

namespace Helios.Core.StateArrays;

/// <summary>
/// A <see cref="StateArray"/> of unmanaged structs: each record is the bytes of one
/// <typeparamref name="T"/> (<see cref="Unsafe.SizeOf{T}"/> bytes, host byte order, padding included,
/// created by <see cref="StateArray.Create{T}"/> or <see cref="StateArray.Load{T}"/>; give <typeparamref name="T"/> a fixed layout and zero its padding for stable hashes). The schema
/// label names the array and its record version; loading refuses a checkpoint whose label or record
/// size differs. Same contract as <see cref="StateArray"/>: one owner thread, O(1) per record access,
/// reads never allocate.
/// </summary>
public sealed class StateArray<T> : StateArray where T : unmanaged
{
    internal static StateArray<T> Wrap(IObjectStore store, StateArrayLayout layout, StateArrayOptions options, PageTable table) =>
        new(store, layout, options, table, shared: false);

    private StateArray(IObjectStore store, StateArrayLayout layout, StateArrayOptions options, PageTable table, bool shared)
        : base(store, layout, options, table, shared)
    {
    }

    /// <summary>Record <paramref name="index"/>, read in place. O(1), no allocation.</summary>
    public ref readonly T this[long index] => ref Unsafe.As<byte, T>(ref RecordReference(index));

    /// <summary>A copy of record <paramref name="index"/>.</summary>
    public T Get(long index) => Unsafe.As<byte, T>(ref RecordReference(index));

    /// <summary>Overwrites record <paramref name="index"/>; marks its page dirty. O(1).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Set(long index, in T value) => Unsafe.As<byte, T>(ref WritableRecord(index)) = value;

    /// <summary>Record <paramref name="index"/> for writing in place; marks its page dirty. Valid until the next checkpoint, fork, rollback, repair or collapse.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ref T GetForWrite(long index) => ref Unsafe.As<byte, T>(ref WritableRecord(index));

    /// <summary>Overwrites consecutive records from <paramref name="start"/>; marks every covered page dirty.</summary>
    public void Write(long start, ReadOnlySpan<T> values) => WriteRecords(start, MemoryMarshal.AsBytes(values));

    /// <summary>Copies consecutive records from <paramref name="start"/> into <paramref name="destination"/>.</summary>
    public void Read(long start, Span<T> destination) => ReadRecords(start, MemoryMarshal.AsBytes(destination));

    /// <summary>Records <paramref name="start"/> .. <paramref name="start"/> + <paramref name="count"/> - 1 as writable spans, one per page (each page marked dirty as handed out).</summary>
    public PageSegments<T> GetWritable(long start, long count)
    {
        _ = GetWritableSegments(start, count);
        return new PageSegments<T>(this, start, start + count);
    }

    /// <inheritdoc/>
    public override StateArray<T> Fork() => new(Store, Layout, Options, ShareTable(), shared: true);
}
