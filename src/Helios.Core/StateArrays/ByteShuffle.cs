using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Helios.Core.StateArrays;

/// <summary>
/// Regroups the bytes of fixed-size records by their position within the record: all first bytes,
/// then all second bytes, and so on (a byte transpose of an n × size matrix). Agent records hold
/// fields that vary slowly from one agent to the next (an enum that is mostly the same, the high
/// bytes of small counters and of floats in one range), so after the transpose LZ4 sees long runs
/// it would never find with the fields interleaved.
/// <para>
/// Blocks of 8 records × 8 bytes are transposed inside eight 64-bit words (three rounds of masked
/// swaps), which keeps the cost near one load and one store per 8 bytes; edges are done byte by
/// byte. Thread-safe (no state).
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
        int blockRows = n & ~7;
        int blockCols = size & ~7;
        Span<ulong> w = stackalloc ulong[8];
        for (int i = 0; i < blockRows; i += 8)
        {
            for (int j = 0; j < blockCols; j += 8)
            {
                if (shuffle)
                {
                    for (int k = 0; k < 8; k++)
                    {
                        w[k] = LittleEndian(Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref src, (i + k) * size + j)));
                    }

                    Transpose8x8(w);
                    for (int k = 0; k < 8; k++)
                    {
                        Unsafe.WriteUnaligned(ref Unsafe.Add(ref dst, (j + k) * n + i), LittleEndian(w[k]));
                    }
                }
                else
                {
                    for (int k = 0; k < 8; k++)
                    {
                        w[k] = LittleEndian(Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref src, (j + k) * n + i)));
                    }

                    Transpose8x8(w);
                    for (int k = 0; k < 8; k++)
                    {
                        Unsafe.WriteUnaligned(ref Unsafe.Add(ref dst, (i + k) * size + j), LittleEndian(w[k]));
                    }
                }
            }
        }

        // Columns beyond the last whole block of 8, for the block rows.
        for (int i = 0; i < blockRows; i++)
        {
            for (int j = blockCols; j < size; j++)
            {
                Move(ref src, ref dst, i, j, n, size, shuffle);
            }
        }

        // Rows beyond the last whole block of 8, every column.
        for (int i = blockRows; i < n; i++)
        {
            for (int j = 0; j < size; j++)
            {
                Move(ref src, ref dst, i, j, n, size, shuffle);
            }
        }
    }

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

    // The masks in Transpose8x8 assume byte c of a word (in memory order) is bits 8c..8c+7, so words
    // are byte-swapped on the way in and out on a big-endian machine (a no-op on little-endian hardware).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong LittleEndian(ulong value) => BitConverter.IsLittleEndian ? value : BinaryPrimitives.ReverseEndianness(value);

    /// <summary>
    /// Transposes an 8 × 8 byte matrix held as eight words (row k = word k, column c = byte c):
    /// swap the off-diagonal 4 × 4 blocks, then the 2 × 2 blocks inside each, then single bytes.
    /// </summary>
    private static void Transpose8x8(Span<ulong> x)
    {
        for (int k = 0; k < 4; k++)
        {
            ulong a = x[k], b = x[k + 4];
            x[k] = (a & 0x00000000FFFFFFFFUL) | (b << 32);
            x[k + 4] = (a >> 32) | (b & 0xFFFFFFFF00000000UL);
        }

        const ulong m2 = 0x0000FFFF0000FFFFUL;
        for (int k = 0; k < 8; k += (k & 1) == 0 ? 1 : 3)
        {
            ulong a = x[k], b = x[k + 2];
            x[k] = (a & m2) | ((b & m2) << 16);
            x[k + 2] = ((a >> 16) & m2) | (b & ~m2);
        }

        const ulong m1 = 0x00FF00FF00FF00FFUL;
        for (int k = 0; k < 8; k += 2)
        {
            ulong a = x[k], b = x[k + 1];
            x[k] = (a & m1) | ((b & m1) << 8);
            x[k + 1] = ((a >> 8) & m1) | (b & ~m1);
        }
    }
}
