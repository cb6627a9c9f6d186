using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace Helios.Core.StateArrays;

/// <summary>
/// Regroups the bytes of fixed-size records by their position within the record: all first bytes,
/// then all second bytes, and so on (a byte transpose of an n × size matrix). Agent records hold
/// fields that vary slowly from one agent to the next (an enum that is mostly the same, the high
/// bytes of small counters and of floats in one range), so after the transpose LZ4 sees long runs
/// it would never find with the fields interleaved.
/// <para>
/// Blocks of 16 records × 16 bytes are transposed in vector registers (SSE2 or Arm64 AdvSimd);
/// what is left, in blocks of 8 × 8 inside eight 64-bit words (three rounds of masked swaps), and
/// the last edges byte by byte. Thread-safe (no state).
/// </para>
/// </summary>
internal static class ByteShuffle
{
    /// <summary>Writes the transpose of <paramref name="source"/> (records of <paramref name="elementSize"/> bytes) to <paramref name="destination"/>.</summary>
    public static void Shuffle(ReadOnlySpan<byte> source, Span<byte> destination, int elementSize) =>
        Transpose(source, destination, source.Length / elementSize, elementSize, shuffle: true);

    /// <summary>Undoes <see cref="Shuffle"/>.</summary>
    public static void Unshuffle(ReadOnlySpan<byte> source, Span<byte> destination, int elementSize) =>
        Transpose(source, destination, source.Length / elementSize, elementSize, shuffle: false);

    // shuffle: source is n rows (records) of `size` bytes, destination is `size` rows (planes) of n bytes.
    // unshuffle: the other way round. Both are the same element mapping read in opposite directions.
    private static void Transpose(ReadOnlySpan<byte> source, Span<byte> destination, int n, int size, bool shuffle)
    {
        if (source.Length != n * size || destination.Length < source.Length)
        {
            throw new ArgumentException($"Cannot transpose {source.Length} bytes as records of {size} bytes into {destination.Length} bytes.");
        }

        ref byte src = ref MemoryMarshal.GetReference(source);
        ref byte dst = ref MemoryMarshal.GetReference(destination);
        int rows16 = 0, cols16 = 0;
        if (Sse2.IsSupported || AdvSimd.Arm64.IsSupported)
        {
            rows16 = n & ~15;
            cols16 = size & ~15;
            // Loop order keeps the writes to few streams: shuffling fills 16 planes at a time front to
            // back, unshuffling fills records front to back (the other order measured 3x slower).
            if (shuffle)
            {
                for (int j = 0; j < cols16; j += 16)
                {
                    for (int i = 0; i < rows16; i += 16)
                    {
                        Transpose16x16(ref src, ref dst, i, j, n, size, shuffle);
                    }
                }
            }
            else
            {
                for (int i = 0; i < rows16; i += 16)
                {
                    for (int j = 0; j < cols16; j += 16)
                    {
                        Transpose16x16(ref src, ref dst, i, j, n, size, shuffle);
                    }
                }
            }
        }

        // What the 16 × 16 blocks left: the columns to the right of them, then the rows below them.
        TransposeRectangle(ref src, ref dst, 0, n, cols16, size, n, size, shuffle);
        TransposeRectangle(ref src, ref dst, rows16, n, 0, cols16, n, size, shuffle);
    }

    /// <summary>Records [<paramref name="rowStart"/>, <paramref name="rowEnd"/>) × bytes [<paramref name="colStart"/>, <paramref name="colEnd"/>): 8 × 8 blocks in 64-bit words, the edges byte by byte.</summary>
    private static void TransposeRectangle(ref byte src, ref byte dst, int rowStart, int rowEnd, int colStart, int colEnd, int n, int size, bool shuffle)
    {
        int rows8 = rowStart + ((rowEnd - rowStart) & ~7);
        int cols8 = colStart + ((colEnd - colStart) & ~7);
        for (int i = rowStart; i < rows8; i += 8)
        {
            for (int j = colStart; j < cols8; j += 8)
            {
                Transpose8x8(ref src, ref dst, i, j, n, size, shuffle);
            }

            for (int k = i; k < i + 8; k++)
            {
                for (int j = cols8; j < colEnd; j++)
                {
                    Move(ref src, ref dst, k, j, n, size, shuffle);
                }
            }
        }

        for (int i = rows8; i < rowEnd; i++)
        {
            for (int j = colStart; j < colEnd; j++)
            {
                Move(ref src, ref dst, i, j, n, size, shuffle);
            }
        }
    }

    /// <summary>
    /// Transposes the 16 × 16 block at record <paramref name="i"/>, byte <paramref name="j"/> in 16
    /// vector registers: four rounds of byte interleaves (unpack / zip), each pairing the rows that
    /// differ in one bit of the row index, highest bit first. After the rounds vector c holds column c
    /// with row r at byte r.
    /// </summary>
    private static void Transpose16x16(ref byte src, ref byte dst, int i, int j, int n, int size, bool shuffle)
    {
        // Unrolled so the sixteen rows stay in registers; a loop over an array of vectors spills them.
        nint inStride = shuffle ? size : n, outStride = shuffle ? n : size;
        ref byte from = ref Unsafe.Add(ref src, shuffle ? i * size + j : j * n + i);
        ref byte to = ref Unsafe.Add(ref dst, shuffle ? j * n + i : i * size + j);
        var v0 = Vector128.LoadUnsafe(ref from, (nuint)(0 * inStride));
        var v1 = Vector128.LoadUnsafe(ref from, (nuint)(1 * inStride));
        var v2 = Vector128.LoadUnsafe(ref from, (nuint)(2 * inStride));
        var v3 = Vector128.LoadUnsafe(ref from, (nuint)(3 * inStride));
        var v4 = Vector128.LoadUnsafe(ref from, (nuint)(4 * inStride));
        var v5 = Vector128.LoadUnsafe(ref from, (nuint)(5 * inStride));
        var v6 = Vector128.LoadUnsafe(ref from, (nuint)(6 * inStride));
        var v7 = Vector128.LoadUnsafe(ref from, (nuint)(7 * inStride));
        var v8 = Vector128.LoadUnsafe(ref from, (nuint)(8 * inStride));
        var v9 = Vector128.LoadUnsafe(ref from, (nuint)(9 * inStride));
        var v10 = Vector128.LoadUnsafe(ref from, (nuint)(10 * inStride));
        var v11 = Vector128.LoadUnsafe(ref from, (nuint)(11 * inStride));
        var v12 = Vector128.LoadUnsafe(ref from, (nuint)(12 * inStride));
        var v13 = Vector128.LoadUnsafe(ref from, (nuint)(13 * inStride));
        var v14 = Vector128.LoadUnsafe(ref from, (nuint)(14 * inStride));
        var v15 = Vector128.LoadUnsafe(ref from, (nuint)(15 * inStride));
        (v0, v8) = (InterleaveLow(v0, v8), InterleaveHigh(v0, v8));
        (v1, v9) = (InterleaveLow(v1, v9), InterleaveHigh(v1, v9));
        (v2, v10) = (InterleaveLow(v2, v10), InterleaveHigh(v2, v10));
        (v3, v11) = (InterleaveLow(v3, v11), InterleaveHigh(v3, v11));
        (v4, v12) = (InterleaveLow(v4, v12), InterleaveHigh(v4, v12));
        (v5, v13) = (InterleaveLow(v5, v13), InterleaveHigh(v5, v13));
        (v6, v14) = (InterleaveLow(v6, v14), InterleaveHigh(v6, v14));
        (v7, v15) = (InterleaveLow(v7, v15), InterleaveHigh(v7, v15));
        (v0, v4) = (InterleaveLow(v0, v4), InterleaveHigh(v0, v4));
        (v1, v5) = (InterleaveLow(v1, v5), InterleaveHigh(v1, v5));
        (v2, v6) = (InterleaveLow(v2, v6), InterleaveHigh(v2, v6));
        (v3, v7) = (InterleaveLow(v3, v7), InterleaveHigh(v3, v7));
        (v8, v12) = (InterleaveLow(v8, v12), InterleaveHigh(v8, v12));
        (v9, v13) = (InterleaveLow(v9, v13), InterleaveHigh(v9, v13));
        (v10, v14) = (InterleaveLow(v10, v14), InterleaveHigh(v10, v14));
        (v11, v15) = (InterleaveLow(v11, v15), InterleaveHigh(v11, v15));
        (v0, v2) = (InterleaveLow(v0, v2), InterleaveHigh(v0, v2));
        (v1, v3) = (InterleaveLow(v1, v3), InterleaveHigh(v1, v3));
        (v4, v6) = (InterleaveLow(v4, v6), InterleaveHigh(v4, v6));
        (v5, v7) = (InterleaveLow(v5, v7), InterleaveHigh(v5, v7));
        (v8, v10) = (InterleaveLow(v8, v10), InterleaveHigh(v8, v10));
        (v9, v11) = (InterleaveLow(v9, v11), InterleaveHigh(v9, v11));
        (v12, v14) = (InterleaveLow(v12, v14), InterleaveHigh(v12, v14));
        (v13, v15) = (InterleaveLow(v13, v15), InterleaveHigh(v13, v15));
        (v0, v1) = (InterleaveLow(v0, v1), InterleaveHigh(v0, v1));
        (v2, v3) = (InterleaveLow(v2, v3), InterleaveHigh(v2, v3));
        (v4, v5) = (InterleaveLow(v4, v5), InterleaveHigh(v4, v5));
        (v6, v7) = (InterleaveLow(v6, v7), InterleaveHigh(v6, v7));
        (v8, v9) = (InterleaveLow(v8, v9), InterleaveHigh(v8, v9));
        (v10, v11) = (InterleaveLow(v10, v11), InterleaveHigh(v10, v11));
        (v12, v13) = (InterleaveLow(v12, v13), InterleaveHigh(v12, v13));
        (v14, v15) = (InterleaveLow(v14, v15), InterleaveHigh(v14, v15));
        v0.StoreUnsafe(ref to, (nuint)(0 * outStride));
        v1.StoreUnsafe(ref to, (nuint)(1 * outStride));
        v2.StoreUnsafe(ref to, (nuint)(2 * outStride));
        v3.StoreUnsafe(ref to, (nuint)(3 * outStride));
        v4.StoreUnsafe(ref to, (nuint)(4 * outStride));
        v5.StoreUnsafe(ref to, (nuint)(5 * outStride));
        v6.StoreUnsafe(ref to, (nuint)(6 * outStride));
        v7.StoreUnsafe(ref to, (nuint)(7 * outStride));
        v8.StoreUnsafe(ref to, (nuint)(8 * outStride));
        v9.StoreUnsafe(ref to, (nuint)(9 * outStride));
        v10.StoreUnsafe(ref to, (nuint)(10 * outStride));
        v11.StoreUnsafe(ref to, (nuint)(11 * outStride));
        v12.StoreUnsafe(ref to, (nuint)(12 * outStride));
        v13.StoreUnsafe(ref to, (nuint)(13 * outStride));
        v14.StoreUnsafe(ref to, (nuint)(14 * outStride));
        v15.StoreUnsafe(ref to, (nuint)(15 * outStride));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<byte> InterleaveLow(Vector128<byte> a, Vector128<byte> b) =>
        Sse2.IsSupported ? Sse2.UnpackLow(a, b) : AdvSimd.Arm64.ZipLow(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<byte> InterleaveHigh(Vector128<byte> a, Vector128<byte> b) =>
        Sse2.IsSupported ? Sse2.UnpackHigh(a, b) : AdvSimd.Arm64.ZipHigh(a, b);

    /// <summary>
    /// Transposes the 8 × 8 block at record <paramref name="i"/>, byte <paramref name="j"/> held as
    /// eight words (row k = word k, column c = byte c): swap the off-diagonal 4 × 4 blocks, then the
    /// 2 × 2 blocks inside each, then single bytes.
    /// </summary>
    private static void Transpose8x8(ref byte src, ref byte dst, int i, int j, int n, int size, bool shuffle)
    {
        ulong x0, x1, x2, x3, x4, x5, x6, x7;
        if (shuffle)
        {
            x0 = Load(ref src, i * size + j);
            x1 = Load(ref src, (i + 1) * size + j);
            x2 = Load(ref src, (i + 2) * size + j);
            x3 = Load(ref src, (i + 3) * size + j);
            x4 = Load(ref src, (i + 4) * size + j);
            x5 = Load(ref src, (i + 5) * size + j);
            x6 = Load(ref src, (i + 6) * size + j);
            x7 = Load(ref src, (i + 7) * size + j);
        }
        else
        {
            x0 = Load(ref src, j * n + i);
            x1 = Load(ref src, (j + 1) * n + i);
            x2 = Load(ref src, (j + 2) * n + i);
            x3 = Load(ref src, (j + 3) * n + i);
            x4 = Load(ref src, (j + 4) * n + i);
            x5 = Load(ref src, (j + 5) * n + i);
            x6 = Load(ref src, (j + 6) * n + i);
            x7 = Load(ref src, (j + 7) * n + i);
        }

        Swap(ref x0, ref x4, 0x00000000FFFFFFFFUL, 32);
        Swap(ref x1, ref x5, 0x00000000FFFFFFFFUL, 32);
        Swap(ref x2, ref x6, 0x00000000FFFFFFFFUL, 32);
        Swap(ref x3, ref x7, 0x00000000FFFFFFFFUL, 32);
        Swap(ref x0, ref x2, 0x0000FFFF0000FFFFUL, 16);
        Swap(ref x1, ref x3, 0x0000FFFF0000FFFFUL, 16);
        Swap(ref x4, ref x6, 0x0000FFFF0000FFFFUL, 16);
        Swap(ref x5, ref x7, 0x0000FFFF0000FFFFUL, 16);
        Swap(ref x0, ref x1, 0x00FF00FF00FF00FFUL, 8);
        Swap(ref x2, ref x3, 0x00FF00FF00FF00FFUL, 8);
        Swap(ref x4, ref x5, 0x00FF00FF00FF00FFUL, 8);
        Swap(ref x6, ref x7, 0x00FF00FF00FF00FFUL, 8);

        if (shuffle)
        {
            Store(ref dst, j * n + i, x0);
            Store(ref dst, (j + 1) * n + i, x1);
            Store(ref dst, (j + 2) * n + i, x2);
            Store(ref dst, (j + 3) * n + i, x3);
            Store(ref dst, (j + 4) * n + i, x4);
            Store(ref dst, (j + 5) * n + i, x5);
            Store(ref dst, (j + 6) * n + i, x6);
            Store(ref dst, (j + 7) * n + i, x7);
        }
        else
        {
            Store(ref dst, i * size + j, x0);
            Store(ref dst, (i + 1) * size + j, x1);
            Store(ref dst, (i + 2) * size + j, x2);
            Store(ref dst, (i + 3) * size + j, x3);
            Store(ref dst, (i + 4) * size + j, x4);
            Store(ref dst, (i + 5) * size + j, x5);
            Store(ref dst, (i + 6) * size + j, x6);
            Store(ref dst, (i + 7) * size + j, x7);
        }
    }

    /// <summary>Row a keeps its low parts and takes b's low parts shifted up; row b takes a's high parts shifted down and keeps its own high parts.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Swap(ref ulong a, ref ulong b, ulong lowMask, int shift)
    {
        ulong x = a, y = b;
        a = (x & lowMask) | ((y & lowMask) << shift);
        b = ((x >> shift) & lowMask) | (y & ~lowMask);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Load(ref byte source, int offset) => LittleEndian(Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref source, offset)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(ref byte destination, int offset, ulong value) => Unsafe.WriteUnaligned(ref Unsafe.Add(ref destination, offset), LittleEndian(value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Move(ref byte src, ref byte dst, int record, int position, int n, int size, bool shuffle)
    {
        if (shuffle)
        {
            Unsafe.Add(ref dst, position * n + record) = Unsafe.Add(ref src, record * size + position);
        }
        else
        {
            Unsafe.Add(ref dst, record * size + position) = Unsafe.Add(ref src, position * n + record);
        }
    }

    // The masks in Swap assume byte c of a word (in memory order) is bits 8c..8c+7, so words
    // are byte-swapped on the way in and out on a big-endian machine (a no-op on little-endian hardware).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong LittleEndian(ulong value) => BitConverter.IsLittleEndian ? value : BinaryPrimitives.ReverseEndianness(value);
}
