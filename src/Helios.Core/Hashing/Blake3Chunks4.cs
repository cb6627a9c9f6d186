// One vector width of the BLAKE3 "hash many" kernel: whether the CPU has it, and the rotations and message transpose
// the generated kernel of this width (Blake3Kernel4.g.cs, from Blake3Kernel.cs.template) calls.
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Helios.Core.Hashing;

/// <summary>
/// The 4-lane width of the BLAKE3 kernel, one chunk (or parent block) per lane of <see cref="Vector128{T}"/>:
/// whether the CPU accelerates it, and what <see cref="Blake3Kernel4"/> calls. Message words: 4 x 4 transposes with SSE2 unpacks; rotations: <c>vprord</c> with AVX-512VL, else byte shuffles for 16 and 8 (SSSE3), else two shifts.
/// </summary>
internal static class Blake3Chunks4
{
    public const int Degree = 4;

    public static bool IsSupported => Vector128.IsHardwareAccelerated;

    /// <summary>What differs between widths: the rotations and the message transpose for <see cref="Vector128{T}"/>.</summary>
    internal static class Lanes
    {
        public static bool CanTranspose => Sse2.IsSupported && BitConverter.IsLittleEndian;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<uint> Rotr16(Vector128<uint> value) =>
            Avx512F.VL.IsSupported ? Avx512F.VL.RotateRight(value, 16) : Ssse3.IsSupported ? Ssse3.Shuffle(value.AsByte(), Vector128.Create((byte)2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13)).AsUInt32() : Shifts(value, 16);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<uint> Rotr12(Vector128<uint> value) =>
            Avx512F.VL.IsSupported ? Avx512F.VL.RotateRight(value, 12) : Shifts(value, 12);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<uint> Rotr8(Vector128<uint> value) =>
            Avx512F.VL.IsSupported ? Avx512F.VL.RotateRight(value, 8) : Ssse3.IsSupported ? Ssse3.Shuffle(value.AsByte(), Vector128.Create((byte)1, 2, 3, 0, 5, 6, 7, 4, 9, 10, 11, 8, 13, 14, 15, 12)).AsUInt32() : Shifts(value, 8);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<uint> Rotr7(Vector128<uint> value) =>
            Avx512F.VL.IsSupported ? Avx512F.VL.RotateRight(value, 7) : Shifts(value, 7);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector128<uint> Shifts(Vector128<uint> value, [ConstantExpected] byte count) =>
            Vector128.ShiftRightLogical(value, count) | Vector128.ShiftLeft(value, 32 - count);

        /// <summary>
        /// The 16 message words of one block of each chunk, word i of all chunks in m<i>i</i>: 16-byte loads
        /// (four words of one chunk), then 4 x 4 transposes (32-bit and 64-bit unpacks).
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static unsafe void LoadTransposed(
            byte* block, int lanes, int stride,
            out Vector128<uint> m0, out Vector128<uint> m1, out Vector128<uint> m2, out Vector128<uint> m3,
            out Vector128<uint> m4, out Vector128<uint> m5, out Vector128<uint> m6, out Vector128<uint> m7,
            out Vector128<uint> m8, out Vector128<uint> m9, out Vector128<uint> m10, out Vector128<uint> m11,
            out Vector128<uint> m12, out Vector128<uint> m13, out Vector128<uint> m14, out Vector128<uint> m15)
        {
            // Row j: the block of chunk j (the last chunk again for unused lanes).
            var last = lanes - 1;
            var row0 = (uint*)block;
            var row1 = (uint*)(block + (Math.Min(1, last) * stride));
            var row2 = (uint*)(block + (Math.Min(2, last) * stride));
            var row3 = (uint*)(block + (Math.Min(3, last) * stride));
            Transpose4(Vector128.Load(row0), Vector128.Load(row1), Vector128.Load(row2), Vector128.Load(row3), out m0, out m1, out m2, out m3);
            Transpose4(Vector128.Load(row0 + 4), Vector128.Load(row1 + 4), Vector128.Load(row2 + 4), Vector128.Load(row3 + 4), out m4, out m5, out m6, out m7);
            Transpose4(Vector128.Load(row0 + 8), Vector128.Load(row1 + 8), Vector128.Load(row2 + 8), Vector128.Load(row3 + 8), out m8, out m9, out m10, out m11);
            Transpose4(Vector128.Load(row0 + 12), Vector128.Load(row1 + 12), Vector128.Load(row2 + 12), Vector128.Load(row3 + 12), out m12, out m13, out m14, out m15);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Transpose4(
            Vector128<uint> r0, Vector128<uint> r1, Vector128<uint> r2, Vector128<uint> r3,
            out Vector128<uint> w0, out Vector128<uint> w1, out Vector128<uint> w2, out Vector128<uint> w3)
        {
            var lo01 = Sse2.UnpackLow(r0, r1).AsUInt64();
            var hi01 = Sse2.UnpackHigh(r0, r1).AsUInt64();
            var lo23 = Sse2.UnpackLow(r2, r3).AsUInt64();
            var hi23 = Sse2.UnpackHigh(r2, r3).AsUInt64();
            w0 = Sse2.UnpackLow(lo01, lo23).AsUInt32();
            w1 = Sse2.UnpackHigh(lo01, lo23).AsUInt32();
            w2 = Sse2.UnpackLow(hi01, hi23).AsUInt32();
            w3 = Sse2.UnpackHigh(hi01, hi23).AsUInt32();
        }
    }
}
