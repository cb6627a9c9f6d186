// One vector width of the BLAKE3 "hash many" kernel: whether the CPU has it, and the rotations and message transpose
// the generated kernel of this width (Blake3Kernel8.g.cs, from Blake3Kernel.cs.template) calls.
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Helios.Core.Hashing;

/// <summary>
/// The 8-lane width of the BLAKE3 kernel, one chunk (or parent block) per lane of <see cref="Vector256{T}"/>:
/// whether the CPU accelerates it, and what <see cref="Blake3Kernel8"/> calls. Message words: 4 x 4 transposes within 128-bit lanes (AVX2 unpacks), then <c>Permute2x128</c>; rotations: <c>vprord</c> with AVX-512VL, else byte shuffles for 16 and 8 (AVX2), else two shifts.
/// </summary>
internal static class Blake3Chunks8
{
    public const int Degree = 8;

    public static bool IsSupported => Vector256.IsHardwareAccelerated;

    /// <summary>What differs between widths: the rotations and the message transpose for <see cref="Vector256{T}"/>.</summary>
    internal static class Lanes
    {
        public static bool CanTranspose => Avx2.IsSupported && BitConverter.IsLittleEndian;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<uint> Rotr16(Vector256<uint> value) =>
            Avx512F.VL.IsSupported ? Avx512F.VL.RotateRight(value, 16) : Avx2.IsSupported ? Avx2.Shuffle(value.AsByte(), Vector256.Create((byte)2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13, 18, 19, 16, 17, 22, 23, 20, 21, 26, 27, 24, 25, 30, 31, 28, 29)).AsUInt32() : Shifts(value, 16);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<uint> Rotr12(Vector256<uint> value) =>
            Avx512F.VL.IsSupported ? Avx512F.VL.RotateRight(value, 12) : Shifts(value, 12);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<uint> Rotr8(Vector256<uint> value) =>
            Avx512F.VL.IsSupported ? Avx512F.VL.RotateRight(value, 8) : Avx2.IsSupported ? Avx2.Shuffle(value.AsByte(), Vector256.Create((byte)1, 2, 3, 0, 5, 6, 7, 4, 9, 10, 11, 8, 13, 14, 15, 12, 17, 18, 19, 16, 21, 22, 23, 20, 25, 26, 27, 24, 29, 30, 31, 28)).AsUInt32() : Shifts(value, 8);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<uint> Rotr7(Vector256<uint> value) =>
            Avx512F.VL.IsSupported ? Avx512F.VL.RotateRight(value, 7) : Shifts(value, 7);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector256<uint> Shifts(Vector256<uint> value, [ConstantExpected] byte count) =>
            Vector256.ShiftRightLogical(value, count) | Vector256.ShiftLeft(value, 32 - count);

        /// <summary>
        /// The 16 message words of one block of each chunk, word i of all chunks in m<i>i</i>: 32-byte loads
        /// (eight words of one chunk), 4 x 4 transposes within 128-bit lanes, then 128-bit lane permutes.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static unsafe void LoadTransposed(
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
    }
}
