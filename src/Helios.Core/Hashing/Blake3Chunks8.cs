// Blake3Chunks4, Blake3Chunks8 and Blake3Chunks16 are the same code at three vector widths: change all three together.
using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using static Helios.Core.Hashing.Blake3Compression;

namespace Helios.Core.Hashing;

/// <summary>
/// Hashes eight whole chunks at once, one chunk per lane of <see cref="Vector256{T}"/> (the
/// "hash many" layout of the reference implementation: state word i of all chunks in one
/// vector). Message words are loaded a block per chunk and transposed in registers (lane by lane
/// where that is not available); rotations by 16 and 8 are byte shuffles, or single rotate instructions with AVX-512.
/// </summary>
internal static class Blake3Chunks8
{
    public const int Degree = 8;

    public static bool IsSupported => Vector256.IsHardwareAccelerated;

    /// <summary>
    /// Hashes the <paramref name="lanes"/> (1..8) consecutive whole chunks at <paramref name="chunks"/> with
    /// counters <paramref name="chunkCounter"/>.. and writes their chaining values to <paramref name="cvs"/>
    /// (8 words each, chunk-major). Unused lanes repeat the last chunk (nothing past it is read). Also
    /// writes to <paramref name="lastChunkCv"/> (8 words) the last chunk's chaining value before its last
    /// block, so that the caller can keep that chunk open when it may be the root.
    /// </summary>
    public static void HashChunks(ref byte chunks, ref uint key, ulong chunkCounter, uint flags, int lanes, ref uint cvs, ref uint lastChunkCv) =>
        HashMany(ref chunks, ChunkLength / BlockLength, ChunkLength, ref key, chunkCounter, 1, flags, ChunkStart, ChunkEnd, lanes, ref cvs, ref lastChunkCv);

    /// <summary>
    /// Hashes <paramref name="lanes"/> (1..8) parent nodes whose 64-byte blocks (two child chaining values
    /// each, little-endian) lie one after another at <paramref name="blocks"/>, and writes their chaining
    /// values to <paramref name="cvs"/> (8 words each), which may be the same memory as the blocks.
    /// </summary>
    [SkipLocalsInit]
    public static void HashParents(ref byte blocks, ref uint key, uint flags, int lanes, ref uint cvs)
    {
        Blake3Words8 unused = default;
        HashMany(ref blocks, 1, BlockLength, ref key, 0, 0, flags | Parent, 0, 0, lanes, ref cvs, ref unused[0]);
    }

    /// <summary>
    /// The reference implementation's "hash many": <paramref name="lanes"/> inputs of <paramref name="blocks"/>
    /// blocks each, <paramref name="stride"/> bytes apart, counters <paramref name="counter"/> + lane *
    /// <paramref name="counterStep"/>, <paramref name="flagsStart"/> / <paramref name="flagsEnd"/> on each input's
    /// first / last block.
    /// </summary>
    /// <remarks>Compiled fully optimised at once: a short-lived process (a CLI hashing a file) would otherwise spend its time in unoptimised code.</remarks>
    [SkipLocalsInit]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void HashMany(
        ref byte inputs, int blocks, int stride, ref uint key, ulong counter, uint counterStep,
        uint flags, uint flagsStart, uint flagsEnd, int lanes, ref uint cvs, ref uint lastChunkCv)
    {
        var h0 = Vector256.Create(key);
        var h1 = Vector256.Create(Unsafe.Add(ref key, 1));
        var h2 = Vector256.Create(Unsafe.Add(ref key, 2));
        var h3 = Vector256.Create(Unsafe.Add(ref key, 3));
        var h4 = Vector256.Create(Unsafe.Add(ref key, 4));
        var h5 = Vector256.Create(Unsafe.Add(ref key, 5));
        var h6 = Vector256.Create(Unsafe.Add(ref key, 6));
        var h7 = Vector256.Create(Unsafe.Add(ref key, 7));
        var counterBase = Vector256.Create((uint)counter);
        var counterLow = counterBase + (Vector256<uint>.Indices * counterStep);

        // A lane whose low word wrapped around carries one into the high word (LessThan is all ones, i.e. -1).
        var counterHigh = Vector256.Create((uint)(counter >> 32)) - Vector256.LessThan(counterLow, counterBase);
        var blockLen = Vector256.Create((uint)BlockLength);

        fixed (byte* start = &inputs)
        {
            for (var b = 0; b < blocks; b++)
            {
                var block = start + (b * BlockLength);
                var blockFlags = flags | (b == 0 ? flagsStart : 0);
                if (b == blocks - 1)
                {
                    blockFlags |= flagsEnd;
                    lastChunkCv = h0.GetElement(lanes - 1);
                    Unsafe.Add(ref lastChunkCv, 1) = h1.GetElement(lanes - 1);
                    Unsafe.Add(ref lastChunkCv, 2) = h2.GetElement(lanes - 1);
                    Unsafe.Add(ref lastChunkCv, 3) = h3.GetElement(lanes - 1);
                    Unsafe.Add(ref lastChunkCv, 4) = h4.GetElement(lanes - 1);
                    Unsafe.Add(ref lastChunkCv, 5) = h5.GetElement(lanes - 1);
                    Unsafe.Add(ref lastChunkCv, 6) = h6.GetElement(lanes - 1);
                    Unsafe.Add(ref lastChunkCv, 7) = h7.GetElement(lanes - 1);
                }

            Vector256<uint> m0, m1, m2, m3, m4, m5, m6, m7, m8, m9, m10, m11, m12, m13, m14, m15;
            if (Avx2.IsSupported && BitConverter.IsLittleEndian)
            {
                LoadTransposed(block, lanes, stride, out m0, out m1, out m2, out m3, out m4, out m5, out m6, out m7, out m8, out m9, out m10, out m11, out m12, out m13, out m14, out m15);
            }
            else
            {
                m0 = Gather(block, 0, lanes, stride);
                m1 = Gather(block, 4, lanes, stride);
                m2 = Gather(block, 8, lanes, stride);
                m3 = Gather(block, 12, lanes, stride);
                m4 = Gather(block, 16, lanes, stride);
                m5 = Gather(block, 20, lanes, stride);
                m6 = Gather(block, 24, lanes, stride);
                m7 = Gather(block, 28, lanes, stride);
                m8 = Gather(block, 32, lanes, stride);
                m9 = Gather(block, 36, lanes, stride);
                m10 = Gather(block, 40, lanes, stride);
                m11 = Gather(block, 44, lanes, stride);
                m12 = Gather(block, 48, lanes, stride);
                m13 = Gather(block, 52, lanes, stride);
                m14 = Gather(block, 56, lanes, stride);
                m15 = Gather(block, 60, lanes, stride);
            }

                Vector256<uint> v0 = h0, v1 = h1, v2 = h2, v3 = h3, v4 = h4, v5 = h5, v6 = h6, v7 = h7;
                var v8 = Vector256.Create(Iv0);
                var v9 = Vector256.Create(Iv1);
                var v10 = Vector256.Create(Iv2);
                var v11 = Vector256.Create(Iv3);
                var v12 = counterLow;
                var v13 = counterHigh;
                var v14 = blockLen;
                var v15 = Vector256.Create(blockFlags);
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
        }

        // Word-major to chunk-major through a small buffer: eight vector stores, then scalar copies.
        var words = stackalloc uint[8 * Degree];
        h0.Store(words);
        h1.Store(words + Degree);
        h2.Store(words + (2 * Degree));
        h3.Store(words + (3 * Degree));
        h4.Store(words + (4 * Degree));
        h5.Store(words + (5 * Degree));
        h6.Store(words + (6 * Degree));
        h7.Store(words + (7 * Degree));
        for (var lane = 0; lane < lanes; lane++)
        {
            ref var cv = ref Unsafe.Add(ref cvs, lane * 8);
            for (var i = 0; i < 8; i++)
            {
                Unsafe.Add(ref cv, i) = words[(i * Degree) + lane];
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<uint> Rotr(Vector256<uint> value, [ConstantExpected] byte count)
    {
        if (Avx512F.VL.IsSupported)
        {
            return Avx512F.VL.RotateRight(value, count);
        }

        if (Avx2.IsSupported && count == 16)
        {
            return Avx2.Shuffle(value.AsByte(), Vector256.Create((byte)2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13, 18, 19, 16, 17, 22, 23, 20, 21, 26, 27, 24, 25, 30, 31, 28, 29)).AsUInt32();
        }

        if (Avx2.IsSupported && count == 8)
        {
            return Avx2.Shuffle(value.AsByte(), Vector256.Create((byte)1, 2, 3, 0, 5, 6, 7, 4, 9, 10, 11, 8, 13, 14, 15, 12, 17, 18, 19, 16, 21, 22, 23, 20, 25, 26, 27, 24, 29, 30, 31, 28)).AsUInt32();
        }

        return Vector256.ShiftRightLogical(value, count) | Vector256.ShiftLeft(value, 32 - count);
    }

    /// <summary>Word <paramref name="offset"/>/4 of the same block in each of the chunks, lane by lane (the portable fallback).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe Vector256<uint> Gather(byte* block, int offset, int lanes, int stride)
    {
        return Vector256.Create(
            Load(block, offset + (Math.Min(0, lanes - 1) * stride)),
            Load(block, offset + (Math.Min(1, lanes - 1) * stride)),
            Load(block, offset + (Math.Min(2, lanes - 1) * stride)),
            Load(block, offset + (Math.Min(3, lanes - 1) * stride)),
            Load(block, offset + (Math.Min(4, lanes - 1) * stride)),
            Load(block, offset + (Math.Min(5, lanes - 1) * stride)),
            Load(block, offset + (Math.Min(6, lanes - 1) * stride)),
            Load(block, offset + (Math.Min(7, lanes - 1) * stride)));
    }

    /// <summary>
    /// The 16 message words of one block of each chunk, word i of all chunks in m<i>i</i>: 32-byte loads
    /// (eight words of one chunk), 4 x 4 transposes within 128-bit lanes, then 128-bit lane permutes.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void LoadTransposed(
        byte* block, int lanes, int stride,
        out Vector256<uint> m0, out Vector256<uint> m1, out Vector256<uint> m2, out Vector256<uint> m3,
        out Vector256<uint> m4, out Vector256<uint> m5, out Vector256<uint> m6, out Vector256<uint> m7,
        out Vector256<uint> m8, out Vector256<uint> m9, out Vector256<uint> m10, out Vector256<uint> m11,
        out Vector256<uint> m12, out Vector256<uint> m13, out Vector256<uint> m14, out Vector256<uint> m15)
    {
        // Row j: the block of chunk j (the last chunk again for unused lanes).
        var last = lanes - 1;
        var row0 = (uint*)block;
        var row1 = (uint*)(block + (Math.Min(1, last) * stride));
        var row2 = (uint*)(block + (Math.Min(2, last) * stride));
        var row3 = (uint*)(block + (Math.Min(3, last) * stride));
        var row4 = (uint*)(block + (Math.Min(4, last) * stride));
        var row5 = (uint*)(block + (Math.Min(5, last) * stride));
        var row6 = (uint*)(block + (Math.Min(6, last) * stride));
        var row7 = (uint*)(block + (Math.Min(7, last) * stride));
        TransposeHalf(row0, row1, row2, row3, row4, row5, row6, row7, out m0, out m1, out m2, out m3, out m4, out m5, out m6, out m7);
        TransposeHalf(row0 + 8, row1 + 8, row2 + 8, row3 + 8, row4 + 8, row5 + 8, row6 + 8, row7 + 8, out m8, out m9, out m10, out m11, out m12, out m13, out m14, out m15);
    }

    /// <summary>Eight words (at the given row pointers) of each of the eight chunks, transposed.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void TransposeHalf(
        uint* row0, uint* row1, uint* row2, uint* row3, uint* row4, uint* row5, uint* row6, uint* row7,
        out Vector256<uint> m0, out Vector256<uint> m1, out Vector256<uint> m2, out Vector256<uint> m3,
        out Vector256<uint> m4, out Vector256<uint> m5, out Vector256<uint> m6, out Vector256<uint> m7)
    {
        // a_w: 128-bit lane k holds word 4k+w of rows 0..3; b_w the same for rows 4..7.
        Transpose4(Vector256.Load(row0), Vector256.Load(row1), Vector256.Load(row2), Vector256.Load(row3), out var a0, out var a1, out var a2, out var a3);
        Transpose4(Vector256.Load(row4), Vector256.Load(row5), Vector256.Load(row6), Vector256.Load(row7), out var b0, out var b1, out var b2, out var b3);
        m0 = Avx2.Permute2x128(a0, b0, 0x20);
        m1 = Avx2.Permute2x128(a1, b1, 0x20);
        m2 = Avx2.Permute2x128(a2, b2, 0x20);
        m3 = Avx2.Permute2x128(a3, b3, 0x20);
        m4 = Avx2.Permute2x128(a0, b0, 0x31);
        m5 = Avx2.Permute2x128(a1, b1, 0x31);
        m6 = Avx2.Permute2x128(a2, b2, 0x31);
        m7 = Avx2.Permute2x128(a3, b3, 0x31);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose4(
        Vector256<uint> r0, Vector256<uint> r1, Vector256<uint> r2, Vector256<uint> r3,
        out Vector256<uint> w0, out Vector256<uint> w1, out Vector256<uint> w2, out Vector256<uint> w3)
    {
        var lo01 = Avx2.UnpackLow(r0, r1).AsUInt64();
        var hi01 = Avx2.UnpackHigh(r0, r1).AsUInt64();
        var lo23 = Avx2.UnpackLow(r2, r3).AsUInt64();
        var hi23 = Avx2.UnpackHigh(r2, r3).AsUInt64();
        w0 = Avx2.UnpackLow(lo01, lo23).AsUInt32();
        w1 = Avx2.UnpackHigh(lo01, lo23).AsUInt32();
        w2 = Avx2.UnpackLow(hi01, hi23).AsUInt32();
        w3 = Avx2.UnpackHigh(hi01, hi23).AsUInt32();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe uint Load(byte* source, int offset)
    {
        var value = Unsafe.ReadUnaligned<uint>(source + offset);
        return BitConverter.IsLittleEndian ? value : BinaryPrimitives.ReverseEndianness(value);
    }
}
