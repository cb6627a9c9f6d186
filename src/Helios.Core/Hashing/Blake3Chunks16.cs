// One vector width of the BLAKE3 "hash many" kernel: whether the CPU has it, and the rotations and message transpose
// the generated kernel of this width (Blake3Kernel16.g.cs, from Blake3Kernel.cs.template) calls.
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Helios.Core.Hashing;

/// <summary>
/// The 16-lane width of the BLAKE3 kernel, one chunk (or parent block) per lane of <see cref="Vector512{T}"/>:
/// whether the CPU accelerates it, and what <see cref="Blake3Kernel16"/> calls. Message words: one 64-byte load per input and a 16 x 16 transpose (AVX-512 unpacks and <c>Shuffle4x128</c>); rotations: <c>vprord</c>.
/// </summary>
internal static class Blake3Chunks16
{
    public const int Degree = 16;

    public static bool IsSupported => Vector512.IsHardwareAccelerated;

    /// <summary>What differs between widths: the rotations and the message transpose for <see cref="Vector512{T}"/>.</summary>
    internal static class Lanes
    {
        public static bool CanTranspose => Avx512F.IsSupported && BitConverter.IsLittleEndian;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<uint> Rotr16(Vector512<uint> value) => Avx512F.IsSupported ? Avx512F.RotateRight(value, 16) : Shifts(value, 16);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<uint> Rotr12(Vector512<uint> value) => Avx512F.IsSupported ? Avx512F.RotateRight(value, 12) : Shifts(value, 12);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<uint> Rotr8(Vector512<uint> value) => Avx512F.IsSupported ? Avx512F.RotateRight(value, 8) : Shifts(value, 8);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<uint> Rotr7(Vector512<uint> value) => Avx512F.IsSupported ? Avx512F.RotateRight(value, 7) : Shifts(value, 7);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector512<uint> Shifts(Vector512<uint> value, [ConstantExpected] byte count) =>
            Vector512.ShiftRightLogical(value, count) | Vector512.ShiftLeft(value, 32 - count);

        /// <summary>
        /// The 16 message words of one block of each chunk, word i of all chunks in m<i>i</i>: one 64-byte
        /// load per chunk, then a 16 x 16 transpose (32-bit, 64-bit and two 128-bit shuffle steps).
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static unsafe void LoadTransposed(
            byte* block, int lanes, int stride,
            out Vector512<uint> m0, out Vector512<uint> m1, out Vector512<uint> m2, out Vector512<uint> m3,
            out Vector512<uint> m4, out Vector512<uint> m5, out Vector512<uint> m6, out Vector512<uint> m7,
            out Vector512<uint> m8, out Vector512<uint> m9, out Vector512<uint> m10, out Vector512<uint> m11,
            out Vector512<uint> m12, out Vector512<uint> m13, out Vector512<uint> m14, out Vector512<uint> m15)
        {
            // Rows: the block of chunk j (the last chunk again for unused lanes).
            var last = lanes - 1;
            var r0 = Vector512.Load((uint*)block);
            var r1 = Vector512.Load((uint*)(block + (Math.Min(1, last) * stride)));
            var r2 = Vector512.Load((uint*)(block + (Math.Min(2, last) * stride)));
            var r3 = Vector512.Load((uint*)(block + (Math.Min(3, last) * stride)));
            var r4 = Vector512.Load((uint*)(block + (Math.Min(4, last) * stride)));
            var r5 = Vector512.Load((uint*)(block + (Math.Min(5, last) * stride)));
            var r6 = Vector512.Load((uint*)(block + (Math.Min(6, last) * stride)));
            var r7 = Vector512.Load((uint*)(block + (Math.Min(7, last) * stride)));
            var r8 = Vector512.Load((uint*)(block + (Math.Min(8, last) * stride)));
            var r9 = Vector512.Load((uint*)(block + (Math.Min(9, last) * stride)));
            var r10 = Vector512.Load((uint*)(block + (Math.Min(10, last) * stride)));
            var r11 = Vector512.Load((uint*)(block + (Math.Min(11, last) * stride)));
            var r12 = Vector512.Load((uint*)(block + (Math.Min(12, last) * stride)));
            var r13 = Vector512.Load((uint*)(block + (Math.Min(13, last) * stride)));
            var r14 = Vector512.Load((uint*)(block + (Math.Min(14, last) * stride)));
            var r15 = Vector512.Load((uint*)(block + (Math.Min(15, last) * stride)));

            // Each group of four rows g, then word w = 0..3 of every 128-bit lane k: (rows 4g..4g+3 of word 4k+w).
            Transpose4(r0, r1, r2, r3, out var a0, out var a1, out var a2, out var a3);
            Transpose4(r4, r5, r6, r7, out var b0, out var b1, out var b2, out var b3);
            Transpose4(r8, r9, r10, r11, out var c0, out var c1, out var c2, out var c3);
            Transpose4(r12, r13, r14, r15, out var d0, out var d1, out var d2, out var d3);

            // Then the 4 x 4 transpose of 128-bit lanes across the groups: word 4k+w is lane k of a_w, b_w, c_w, d_w.
            TransposeLanes(a0, b0, c0, d0, out m0, out m4, out m8, out m12);
            TransposeLanes(a1, b1, c1, d1, out m1, out m5, out m9, out m13);
            TransposeLanes(a2, b2, c2, d2, out m2, out m6, out m10, out m14);
            TransposeLanes(a3, b3, c3, d3, out m3, out m7, out m11, out m15);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Transpose4(
            Vector512<uint> r0, Vector512<uint> r1, Vector512<uint> r2, Vector512<uint> r3,
            out Vector512<uint> w0, out Vector512<uint> w1, out Vector512<uint> w2, out Vector512<uint> w3)
        {
            var lo01 = Avx512F.UnpackLow(r0, r1).AsUInt64();
            var hi01 = Avx512F.UnpackHigh(r0, r1).AsUInt64();
            var lo23 = Avx512F.UnpackLow(r2, r3).AsUInt64();
            var hi23 = Avx512F.UnpackHigh(r2, r3).AsUInt64();
            w0 = Avx512F.UnpackLow(lo01, lo23).AsUInt32();
            w1 = Avx512F.UnpackHigh(lo01, lo23).AsUInt32();
            w2 = Avx512F.UnpackLow(hi01, hi23).AsUInt32();
            w3 = Avx512F.UnpackHigh(hi01, hi23).AsUInt32();
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void TransposeLanes(
            Vector512<uint> a, Vector512<uint> b, Vector512<uint> c, Vector512<uint> d,
            out Vector512<uint> k0, out Vector512<uint> k1, out Vector512<uint> k2, out Vector512<uint> k3)
        {
            var ab01 = Avx512F.Shuffle4x128(a, b, 0x44); // a0 a1 b0 b1
            var ab23 = Avx512F.Shuffle4x128(a, b, 0xEE); // a2 a3 b2 b3
            var cd01 = Avx512F.Shuffle4x128(c, d, 0x44);
            var cd23 = Avx512F.Shuffle4x128(c, d, 0xEE);
            k0 = Avx512F.Shuffle4x128(ab01, cd01, 0x88); // a0 b0 c0 d0
            k1 = Avx512F.Shuffle4x128(ab01, cd01, 0xDD); // a1 b1 c1 d1
            k2 = Avx512F.Shuffle4x128(ab23, cd23, 0x88);
            k3 = Avx512F.Shuffle4x128(ab23, cd23, 0xDD);
        }
    }
}
