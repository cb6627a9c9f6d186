using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using static Helios.Core.Hashing.Blake3Compression;

namespace Helios.Core.Hashing;

/// <summary>
/// Hashes four whole chunks at once, one chunk per lane of <see cref="Vector128{T}"/> (the
/// "hash many" layout of the reference implementation: state word i of the four chunks in one
/// vector). Message words are gathered lane by lane; a wider or shuffle-based load is the next
/// step when this gets vectorised properly.
/// </summary>
internal static class Blake3Chunks4
{
    public const int Degree = 4;

    public static bool IsSupported => Vector128.IsHardwareAccelerated;

    /// <summary>Hashes the four consecutive chunks at <paramref name="chunks"/> (4 KiB) with counters
    /// <paramref name="chunkCounter"/>..+3 and writes their chaining values to <paramref name="cvs"/> (32 words, chunk-major).</summary>
    [SkipLocalsInit]
    public static void HashFourChunks(ref byte chunks, ref uint key, ulong chunkCounter, uint flags, ref uint cvs)
    {
        var h0 = Vector128.Create(key);
        var h1 = Vector128.Create(Unsafe.Add(ref key, 1));
        var h2 = Vector128.Create(Unsafe.Add(ref key, 2));
        var h3 = Vector128.Create(Unsafe.Add(ref key, 3));
        var h4 = Vector128.Create(Unsafe.Add(ref key, 4));
        var h5 = Vector128.Create(Unsafe.Add(ref key, 5));
        var h6 = Vector128.Create(Unsafe.Add(ref key, 6));
        var h7 = Vector128.Create(Unsafe.Add(ref key, 7));
        var counterLow = Vector128.Create((uint)chunkCounter, (uint)(chunkCounter + 1), (uint)(chunkCounter + 2), (uint)(chunkCounter + 3));
        var counterHigh = Vector128.Create((uint)(chunkCounter >> 32), (uint)((chunkCounter + 1) >> 32), (uint)((chunkCounter + 2) >> 32), (uint)((chunkCounter + 3) >> 32));
        var blockLen = Vector128.Create((uint)BlockLength);

        for (var b = 0; b < ChunkLength / BlockLength; b++)
        {
            ref var block = ref Unsafe.Add(ref chunks, b * BlockLength);
            var blockFlags = flags | (b == 0 ? ChunkStart : 0) | (b == (ChunkLength / BlockLength) - 1 ? ChunkEnd : 0);
            var m0 = Gather(ref block, 0);
            var m1 = Gather(ref block, 4);
            var m2 = Gather(ref block, 8);
            var m3 = Gather(ref block, 12);
            var m4 = Gather(ref block, 16);
            var m5 = Gather(ref block, 20);
            var m6 = Gather(ref block, 24);
            var m7 = Gather(ref block, 28);
            var m8 = Gather(ref block, 32);
            var m9 = Gather(ref block, 36);
            var m10 = Gather(ref block, 40);
            var m11 = Gather(ref block, 44);
            var m12 = Gather(ref block, 48);
            var m13 = Gather(ref block, 52);
            var m14 = Gather(ref block, 56);
            var m15 = Gather(ref block, 60);
            Vector128<uint> v0 = h0, v1 = h1, v2 = h2, v3 = h3, v4 = h4, v5 = h5, v6 = h6, v7 = h7;
            var v8 = Vector128.Create(Iv0);
            var v9 = Vector128.Create(Iv1);
            var v10 = Vector128.Create(Iv2);
            var v11 = Vector128.Create(Iv3);
            var v12 = counterLow;
            var v13 = counterHigh;
            var v14 = blockLen;
            var v15 = Vector128.Create(blockFlags);
            v0 += v4 + m0; v12 = Rotr(v12 ^ v0, 16); v8 += v12; v4 = Rotr(v4 ^ v8, 12);
            v0 += v4 + m1; v12 = Rotr(v12 ^ v0, 8); v8 += v12; v4 = Rotr(v4 ^ v8, 7);
            v1 += v5 + m2; v13 = Rotr(v13 ^ v1, 16); v9 += v13; v5 = Rotr(v5 ^ v9, 12);
            v1 += v5 + m3; v13 = Rotr(v13 ^ v1, 8); v9 += v13; v5 = Rotr(v5 ^ v9, 7);
            v2 += v6 + m4; v14 = Rotr(v14 ^ v2, 16); v10 += v14; v6 = Rotr(v6 ^ v10, 12);
            v2 += v6 + m5; v14 = Rotr(v14 ^ v2, 8); v10 += v14; v6 = Rotr(v6 ^ v10, 7);
            v3 += v7 + m6; v15 = Rotr(v15 ^ v3, 16); v11 += v15; v7 = Rotr(v7 ^ v11, 12);
            v3 += v7 + m7; v15 = Rotr(v15 ^ v3, 8); v11 += v15; v7 = Rotr(v7 ^ v11, 7);
            v0 += v5 + m8; v15 = Rotr(v15 ^ v0, 16); v10 += v15; v5 = Rotr(v5 ^ v10, 12);
            v0 += v5 + m9; v15 = Rotr(v15 ^ v0, 8); v10 += v15; v5 = Rotr(v5 ^ v10, 7);
            v1 += v6 + m10; v12 = Rotr(v12 ^ v1, 16); v11 += v12; v6 = Rotr(v6 ^ v11, 12);
            v1 += v6 + m11; v12 = Rotr(v12 ^ v1, 8); v11 += v12; v6 = Rotr(v6 ^ v11, 7);
            v2 += v7 + m12; v13 = Rotr(v13 ^ v2, 16); v8 += v13; v7 = Rotr(v7 ^ v8, 12);
            v2 += v7 + m13; v13 = Rotr(v13 ^ v2, 8); v8 += v13; v7 = Rotr(v7 ^ v8, 7);
            v3 += v4 + m14; v14 = Rotr(v14 ^ v3, 16); v9 += v14; v4 = Rotr(v4 ^ v9, 12);
            v3 += v4 + m15; v14 = Rotr(v14 ^ v3, 8); v9 += v14; v4 = Rotr(v4 ^ v9, 7);
            v0 += v4 + m2; v12 = Rotr(v12 ^ v0, 16); v8 += v12; v4 = Rotr(v4 ^ v8, 12);
            v0 += v4 + m6; v12 = Rotr(v12 ^ v0, 8); v8 += v12; v4 = Rotr(v4 ^ v8, 7);
            v1 += v5 + m3; v13 = Rotr(v13 ^ v1, 16); v9 += v13; v5 = Rotr(v5 ^ v9, 12);
            v1 += v5 + m10; v13 = Rotr(v13 ^ v1, 8); v9 += v13; v5 = Rotr(v5 ^ v9, 7);
            v2 += v6 + m7; v14 = Rotr(v14 ^ v2, 16); v10 += v14; v6 = Rotr(v6 ^ v10, 12);
            v2 += v6 + m0; v14 = Rotr(v14 ^ v2, 8); v10 += v14; v6 = Rotr(v6 ^ v10, 7);
            v3 += v7 + m4; v15 = Rotr(v15 ^ v3, 16); v11 += v15; v7 = Rotr(v7 ^ v11, 12);
            v3 += v7 + m13; v15 = Rotr(v15 ^ v3, 8); v11 += v15; v7 = Rotr(v7 ^ v11, 7);
            v0 += v5 + m1; v15 = Rotr(v15 ^ v0, 16); v10 += v15; v5 = Rotr(v5 ^ v10, 12);
            v0 += v5 + m11; v15 = Rotr(v15 ^ v0, 8); v10 += v15; v5 = Rotr(v5 ^ v10, 7);
            v1 += v6 + m12; v12 = Rotr(v12 ^ v1, 16); v11 += v12; v6 = Rotr(v6 ^ v11, 12);
            v1 += v6 + m5; v12 = Rotr(v12 ^ v1, 8); v11 += v12; v6 = Rotr(v6 ^ v11, 7);
            v2 += v7 + m9; v13 = Rotr(v13 ^ v2, 16); v8 += v13; v7 = Rotr(v7 ^ v8, 12);
            v2 += v7 + m14; v13 = Rotr(v13 ^ v2, 8); v8 += v13; v7 = Rotr(v7 ^ v8, 7);
            v3 += v4 + m15; v14 = Rotr(v14 ^ v3, 16); v9 += v14; v4 = Rotr(v4 ^ v9, 12);
            v3 += v4 + m8; v14 = Rotr(v14 ^ v3, 8); v9 += v14; v4 = Rotr(v4 ^ v9, 7);
            v0 += v4 + m3; v12 = Rotr(v12 ^ v0, 16); v8 += v12; v4 = Rotr(v4 ^ v8, 12);
            v0 += v4 + m4; v12 = Rotr(v12 ^ v0, 8); v8 += v12; v4 = Rotr(v4 ^ v8, 7);
            v1 += v5 + m10; v13 = Rotr(v13 ^ v1, 16); v9 += v13; v5 = Rotr(v5 ^ v9, 12);
            v1 += v5 + m12; v13 = Rotr(v13 ^ v1, 8); v9 += v13; v5 = Rotr(v5 ^ v9, 7);
            v2 += v6 + m13; v14 = Rotr(v14 ^ v2, 16); v10 += v14; v6 = Rotr(v6 ^ v10, 12);
            v2 += v6 + m2; v14 = Rotr(v14 ^ v2, 8); v10 += v14; v6 = Rotr(v6 ^ v10, 7);
            v3 += v7 + m7; v15 = Rotr(v15 ^ v3, 16); v11 += v15; v7 = Rotr(v7 ^ v11, 12);
            v3 += v7 + m14; v15 = Rotr(v15 ^ v3, 8); v11 += v15; v7 = Rotr(v7 ^ v11, 7);
            v0 += v5 + m6; v15 = Rotr(v15 ^ v0, 16); v10 += v15; v5 = Rotr(v5 ^ v10, 12);
            v0 += v5 + m5; v15 = Rotr(v15 ^ v0, 8); v10 += v15; v5 = Rotr(v5 ^ v10, 7);
            v1 += v6 + m9; v12 = Rotr(v12 ^ v1, 16); v11 += v12; v6 = Rotr(v6 ^ v11, 12);
            v1 += v6 + m0; v12 = Rotr(v12 ^ v1, 8); v11 += v12; v6 = Rotr(v6 ^ v11, 7);
            v2 += v7 + m11; v13 = Rotr(v13 ^ v2, 16); v8 += v13; v7 = Rotr(v7 ^ v8, 12);
            v2 += v7 + m15; v13 = Rotr(v13 ^ v2, 8); v8 += v13; v7 = Rotr(v7 ^ v8, 7);
            v3 += v4 + m8; v14 = Rotr(v14 ^ v3, 16); v9 += v14; v4 = Rotr(v4 ^ v9, 12);
            v3 += v4 + m1; v14 = Rotr(v14 ^ v3, 8); v9 += v14; v4 = Rotr(v4 ^ v9, 7);
            v0 += v4 + m10; v12 = Rotr(v12 ^ v0, 16); v8 += v12; v4 = Rotr(v4 ^ v8, 12);
            v0 += v4 + m7; v12 = Rotr(v12 ^ v0, 8); v8 += v12; v4 = Rotr(v4 ^ v8, 7);
            v1 += v5 + m12; v13 = Rotr(v13 ^ v1, 16); v9 += v13; v5 = Rotr(v5 ^ v9, 12);
            v1 += v5 + m9; v13 = Rotr(v13 ^ v1, 8); v9 += v13; v5 = Rotr(v5 ^ v9, 7);
            v2 += v6 + m14; v14 = Rotr(v14 ^ v2, 16); v10 += v14; v6 = Rotr(v6 ^ v10, 12);
            v2 += v6 + m3; v14 = Rotr(v14 ^ v2, 8); v10 += v14; v6 = Rotr(v6 ^ v10, 7);
            v3 += v7 + m13; v15 = Rotr(v15 ^ v3, 16); v11 += v15; v7 = Rotr(v7 ^ v11, 12);
            v3 += v7 + m15; v15 = Rotr(v15 ^ v3, 8); v11 += v15; v7 = Rotr(v7 ^ v11, 7);
            v0 += v5 + m4; v15 = Rotr(v15 ^ v0, 16); v10 += v15; v5 = Rotr(v5 ^ v10, 12);
            v0 += v5 + m0; v15 = Rotr(v15 ^ v0, 8); v10 += v15; v5 = Rotr(v5 ^ v10, 7);
            v1 += v6 + m11; v12 = Rotr(v12 ^ v1, 16); v11 += v12; v6 = Rotr(v6 ^ v11, 12);
            v1 += v6 + m2; v12 = Rotr(v12 ^ v1, 8); v11 += v12; v6 = Rotr(v6 ^ v11, 7);
            v2 += v7 + m5; v13 = Rotr(v13 ^ v2, 16); v8 += v13; v7 = Rotr(v7 ^ v8, 12);
            v2 += v7 + m8; v13 = Rotr(v13 ^ v2, 8); v8 += v13; v7 = Rotr(v7 ^ v8, 7);
            v3 += v4 + m1; v14 = Rotr(v14 ^ v3, 16); v9 += v14; v4 = Rotr(v4 ^ v9, 12);
            v3 += v4 + m6; v14 = Rotr(v14 ^ v3, 8); v9 += v14; v4 = Rotr(v4 ^ v9, 7);
            v0 += v4 + m12; v12 = Rotr(v12 ^ v0, 16); v8 += v12; v4 = Rotr(v4 ^ v8, 12);
            v0 += v4 + m13; v12 = Rotr(v12 ^ v0, 8); v8 += v12; v4 = Rotr(v4 ^ v8, 7);
            v1 += v5 + m9; v13 = Rotr(v13 ^ v1, 16); v9 += v13; v5 = Rotr(v5 ^ v9, 12);
            v1 += v5 + m11; v13 = Rotr(v13 ^ v1, 8); v9 += v13; v5 = Rotr(v5 ^ v9, 7);
            v2 += v6 + m15; v14 = Rotr(v14 ^ v2, 16); v10 += v14; v6 = Rotr(v6 ^ v10, 12);
            v2 += v6 + m10; v14 = Rotr(v14 ^ v2, 8); v10 += v14; v6 = Rotr(v6 ^ v10, 7);
            v3 += v7 + m14; v15 = Rotr(v15 ^ v3, 16); v11 += v15; v7 = Rotr(v7 ^ v11, 12);
            v3 += v7 + m8; v15 = Rotr(v15 ^ v3, 8); v11 += v15; v7 = Rotr(v7 ^ v11, 7);
            v0 += v5 + m7; v15 = Rotr(v15 ^ v0, 16); v10 += v15; v5 = Rotr(v5 ^ v10, 12);
            v0 += v5 + m2; v15 = Rotr(v15 ^ v0, 8); v10 += v15; v5 = Rotr(v5 ^ v10, 7);
            v1 += v6 + m5; v12 = Rotr(v12 ^ v1, 16); v11 += v12; v6 = Rotr(v6 ^ v11, 12);
            v1 += v6 + m3; v12 = Rotr(v12 ^ v1, 8); v11 += v12; v6 = Rotr(v6 ^ v11, 7);
            v2 += v7 + m0; v13 = Rotr(v13 ^ v2, 16); v8 += v13; v7 = Rotr(v7 ^ v8, 12);
            v2 += v7 + m1; v13 = Rotr(v13 ^ v2, 8); v8 += v13; v7 = Rotr(v7 ^ v8, 7);
            v3 += v4 + m6; v14 = Rotr(v14 ^ v3, 16); v9 += v14; v4 = Rotr(v4 ^ v9, 12);
            v3 += v4 + m4; v14 = Rotr(v14 ^ v3, 8); v9 += v14; v4 = Rotr(v4 ^ v9, 7);
            v0 += v4 + m9; v12 = Rotr(v12 ^ v0, 16); v8 += v12; v4 = Rotr(v4 ^ v8, 12);
            v0 += v4 + m14; v12 = Rotr(v12 ^ v0, 8); v8 += v12; v4 = Rotr(v4 ^ v8, 7);
            v1 += v5 + m11; v13 = Rotr(v13 ^ v1, 16); v9 += v13; v5 = Rotr(v5 ^ v9, 12);
            v1 += v5 + m5; v13 = Rotr(v13 ^ v1, 8); v9 += v13; v5 = Rotr(v5 ^ v9, 7);
            v2 += v6 + m8; v14 = Rotr(v14 ^ v2, 16); v10 += v14; v6 = Rotr(v6 ^ v10, 12);
            v2 += v6 + m12; v14 = Rotr(v14 ^ v2, 8); v10 += v14; v6 = Rotr(v6 ^ v10, 7);
            v3 += v7 + m15; v15 = Rotr(v15 ^ v3, 16); v11 += v15; v7 = Rotr(v7 ^ v11, 12);
            v3 += v7 + m1; v15 = Rotr(v15 ^ v3, 8); v11 += v15; v7 = Rotr(v7 ^ v11, 7);
            v0 += v5 + m13; v15 = Rotr(v15 ^ v0, 16); v10 += v15; v5 = Rotr(v5 ^ v10, 12);
            v0 += v5 + m3; v15 = Rotr(v15 ^ v0, 8); v10 += v15; v5 = Rotr(v5 ^ v10, 7);
            v1 += v6 + m0; v12 = Rotr(v12 ^ v1, 16); v11 += v12; v6 = Rotr(v6 ^ v11, 12);
            v1 += v6 + m10; v12 = Rotr(v12 ^ v1, 8); v11 += v12; v6 = Rotr(v6 ^ v11, 7);
            v2 += v7 + m2; v13 = Rotr(v13 ^ v2, 16); v8 += v13; v7 = Rotr(v7 ^ v8, 12);
            v2 += v7 + m6; v13 = Rotr(v13 ^ v2, 8); v8 += v13; v7 = Rotr(v7 ^ v8, 7);
            v3 += v4 + m4; v14 = Rotr(v14 ^ v3, 16); v9 += v14; v4 = Rotr(v4 ^ v9, 12);
            v3 += v4 + m7; v14 = Rotr(v14 ^ v3, 8); v9 += v14; v4 = Rotr(v4 ^ v9, 7);
            v0 += v4 + m11; v12 = Rotr(v12 ^ v0, 16); v8 += v12; v4 = Rotr(v4 ^ v8, 12);
            v0 += v4 + m15; v12 = Rotr(v12 ^ v0, 8); v8 += v12; v4 = Rotr(v4 ^ v8, 7);
            v1 += v5 + m5; v13 = Rotr(v13 ^ v1, 16); v9 += v13; v5 = Rotr(v5 ^ v9, 12);
            v1 += v5 + m0; v13 = Rotr(v13 ^ v1, 8); v9 += v13; v5 = Rotr(v5 ^ v9, 7);
            v2 += v6 + m1; v14 = Rotr(v14 ^ v2, 16); v10 += v14; v6 = Rotr(v6 ^ v10, 12);
            v2 += v6 + m9; v14 = Rotr(v14 ^ v2, 8); v10 += v14; v6 = Rotr(v6 ^ v10, 7);
            v3 += v7 + m8; v15 = Rotr(v15 ^ v3, 16); v11 += v15; v7 = Rotr(v7 ^ v11, 12);
            v3 += v7 + m6; v15 = Rotr(v15 ^ v3, 8); v11 += v15; v7 = Rotr(v7 ^ v11, 7);
            v0 += v5 + m14; v15 = Rotr(v15 ^ v0, 16); v10 += v15; v5 = Rotr(v5 ^ v10, 12);
            v0 += v5 + m10; v15 = Rotr(v15 ^ v0, 8); v10 += v15; v5 = Rotr(v5 ^ v10, 7);
            v1 += v6 + m2; v12 = Rotr(v12 ^ v1, 16); v11 += v12; v6 = Rotr(v6 ^ v11, 12);
            v1 += v6 + m12; v12 = Rotr(v12 ^ v1, 8); v11 += v12; v6 = Rotr(v6 ^ v11, 7);
            v2 += v7 + m3; v13 = Rotr(v13 ^ v2, 16); v8 += v13; v7 = Rotr(v7 ^ v8, 12);
            v2 += v7 + m4; v13 = Rotr(v13 ^ v2, 8); v8 += v13; v7 = Rotr(v7 ^ v8, 7);
            v3 += v4 + m7; v14 = Rotr(v14 ^ v3, 16); v9 += v14; v4 = Rotr(v4 ^ v9, 12);
            v3 += v4 + m13; v14 = Rotr(v14 ^ v3, 8); v9 += v14; v4 = Rotr(v4 ^ v9, 7);
            h0 = v0 ^ v8;
            h1 = v1 ^ v9;
            h2 = v2 ^ v10;
            h3 = v3 ^ v11;
            h4 = v4 ^ v12;
            h5 = v5 ^ v13;
            h6 = v6 ^ v14;
            h7 = v7 ^ v15;
        }

        for (var lane = 0; lane < Degree; lane++)
        {
            ref var cv = ref Unsafe.Add(ref cvs, lane * 8);
            cv = h0.GetElement(lane);
            Unsafe.Add(ref cv, 1) = h1.GetElement(lane);
            Unsafe.Add(ref cv, 2) = h2.GetElement(lane);
            Unsafe.Add(ref cv, 3) = h3.GetElement(lane);
            Unsafe.Add(ref cv, 4) = h4.GetElement(lane);
            Unsafe.Add(ref cv, 5) = h5.GetElement(lane);
            Unsafe.Add(ref cv, 6) = h6.GetElement(lane);
            Unsafe.Add(ref cv, 7) = h7.GetElement(lane);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<uint> Rotr(Vector128<uint> value, int count) =>
        Vector128.ShiftRightLogical(value, count) | Vector128.ShiftLeft(value, 32 - count);

    /// <summary>Word <paramref name="offset"/>/4 of the same block in each of the four chunks.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<uint> Gather(ref byte block, int offset) => Vector128.Create(
        Load(ref block, offset),
        Load(ref block, offset + ChunkLength),
        Load(ref block, offset + (2 * ChunkLength)),
        Load(ref block, offset + (3 * ChunkLength)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Load(ref byte source, int offset)
    {
        var value = Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref source, offset));
        return BitConverter.IsLittleEndian ? value : BinaryPrimitives.ReverseEndianness(value);
    }
}
