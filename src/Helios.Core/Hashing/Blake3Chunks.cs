// The BLAKE3 "hash many" kernel, written once for all vector widths: Blake3Chunks4, Blake3Chunks8 and
// Blake3Chunks16 hold only what differs (the vector type, rotations and the message transpose).
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using static Helios.Core.Hashing.Blake3Compression;

namespace Helios.Core.Hashing;

/// <summary>
/// The operations of one vector width (<typeparamref name="TVec"/>: <c>Vector128/256/512&lt;uint&gt;</c>) that
/// <see cref="Blake3Chunks{TLanes, TVec}"/> needs. Implemented by small structs whose members are aggressively
/// inlined: the kernel is specialised for each struct type argument, so no call or interface dispatch remains.
/// </summary>
/// <typeparam name="TVec">The vector of <see cref="Degree"/> 32-bit words.</typeparam>
internal interface IBlake3Lanes<TVec>
    where TVec : unmanaged
{
    /// <summary>Gets the number of lanes (words) in <typeparamref name="TVec"/>.</summary>
    static abstract int Degree { get; }

    /// <summary>Gets a value indicating whether <see cref="LoadTransposed"/> may be used (else words are gathered lane by lane).</summary>
    static abstract bool CanTranspose { get; }

    /// <summary>Gets 0, 1, 2, ... in the lanes.</summary>
    static abstract TVec Indices { get; }

    static abstract TVec Broadcast(uint value);

    static abstract TVec Add(TVec left, TVec right);

    static abstract TVec Subtract(TVec left, TVec right);

    static abstract TVec Xor(TVec left, TVec right);

    static abstract TVec LessThan(TVec left, TVec right);

    static abstract TVec Rotr16(TVec value);

    static abstract TVec Rotr12(TVec value);

    static abstract TVec Rotr8(TVec value);

    static abstract TVec Rotr7(TVec value);

    static abstract uint GetElement(TVec value, int lane);

    static abstract unsafe TVec Load(uint* source);

    static abstract unsafe void Store(TVec value, uint* destination);

    /// <summary>
    /// The 16 message words of one block of each input (inputs <paramref name="stride"/> bytes apart, the last
    /// one again for unused lanes), word i of all inputs in m<i>i</i>. Only called when <see cref="CanTranspose"/>.
    /// </summary>
    static abstract unsafe void LoadTransposed(
        byte* block, int lanes, int stride,
        out TVec m0, out TVec m1, out TVec m2, out TVec m3, out TVec m4, out TVec m5, out TVec m6, out TVec m7,
        out TVec m8, out TVec m9, out TVec m10, out TVec m11, out TVec m12, out TVec m13, out TVec m14, out TVec m15);
}

/// <summary>
/// Hashes up to <c>TLanes.Degree</c> whole chunks (or parent blocks) at once, one per lane of
/// <typeparamref name="TVec"/> (the "hash many" layout of the reference implementation: state word i of all
/// inputs in one vector). Message words are loaded a block per input and transposed in registers where
/// <typeparamref name="TLanes"/> can (lane by lane elsewhere).
/// </summary>
/// <typeparam name="TLanes">The operations of one vector width.</typeparam>
/// <typeparam name="TVec">The vector type.</typeparam>
internal static class Blake3Chunks<TLanes, TVec>
    where TLanes : struct, IBlake3Lanes<TVec>
    where TVec : unmanaged
{
    /// <summary>
    /// Hashes the <paramref name="lanes"/> (1..Degree) consecutive whole chunks at <paramref name="chunks"/> with
    /// counters <paramref name="chunkCounter"/>.. and writes their chaining values to <paramref name="cvs"/>
    /// (8 words each, chunk-major). Unused lanes repeat the last chunk (nothing past it is read). Also
    /// writes to <paramref name="lastChunkCv"/> (8 words) the last chunk's chaining value before its last
    /// block, so that the caller can keep that chunk open when it may be the root.
    /// </summary>
    public static void HashChunks(ref byte chunks, ref uint key, ulong chunkCounter, uint flags, int lanes, ref uint cvs, ref uint lastChunkCv) =>
        HashMany(ref chunks, ChunkLength / BlockLength, ChunkLength, ref key, chunkCounter, 1, flags, ChunkStart, ChunkEnd, lanes, ref cvs, ref lastChunkCv);

    /// <summary>
    /// Hashes <paramref name="lanes"/> (1..Degree) parent nodes whose 64-byte blocks (two child chaining values
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
    /// <paramref name="counterStep"/> (0 or 1), <paramref name="flagsStart"/> / <paramref name="flagsEnd"/> on each input's
    /// first / last block.
    /// </summary>
    /// <remarks>Compiled fully optimised at once: a short-lived process (a CLI hashing a file) would otherwise spend its time in unoptimised code.</remarks>
    [SkipLocalsInit]
    private static unsafe void HashMany(
        ref byte inputs, int blocks, int stride, ref uint key, ulong counter, uint counterStep,
        uint flags, uint flagsStart, uint flagsEnd, int lanes, ref uint cvs, ref uint lastChunkCv)
    {
        var h0 = TLanes.Broadcast(key);
        var h1 = TLanes.Broadcast(Unsafe.Add(ref key, 1));
        var h2 = TLanes.Broadcast(Unsafe.Add(ref key, 2));
        var h3 = TLanes.Broadcast(Unsafe.Add(ref key, 3));
        var h4 = TLanes.Broadcast(Unsafe.Add(ref key, 4));
        var h5 = TLanes.Broadcast(Unsafe.Add(ref key, 5));
        var h6 = TLanes.Broadcast(Unsafe.Add(ref key, 6));
        var h7 = TLanes.Broadcast(Unsafe.Add(ref key, 7));
        var counterBase = TLanes.Broadcast((uint)counter);
        var counterLow = counterStep == 0 ? counterBase : TLanes.Add(counterBase, TLanes.Indices);

        // A lane whose low word wrapped around carries one into the high word (LessThan is all ones, i.e. -1).
        var counterHigh = TLanes.Subtract(TLanes.Broadcast((uint)(counter >> 32)), TLanes.LessThan(counterLow, counterBase));
        var blockLen = TLanes.Broadcast((uint)BlockLength);

        // Words of the lane-by-lane message gather, then of the word-major to chunk-major output.
        var words = stackalloc uint[16 * TLanes.Degree];
        fixed (byte* start = &inputs)
        {
            for (var b = 0; b < blocks; b++)
            {
                var block = start + (b * BlockLength);
                var blockFlags = flags | (b == 0 ? flagsStart : 0);
                if (b == blocks - 1)
                {
                    blockFlags |= flagsEnd;
                    lastChunkCv = TLanes.GetElement(h0, lanes - 1);
                    Unsafe.Add(ref lastChunkCv, 1) = TLanes.GetElement(h1, lanes - 1);
                    Unsafe.Add(ref lastChunkCv, 2) = TLanes.GetElement(h2, lanes - 1);
                    Unsafe.Add(ref lastChunkCv, 3) = TLanes.GetElement(h3, lanes - 1);
                    Unsafe.Add(ref lastChunkCv, 4) = TLanes.GetElement(h4, lanes - 1);
                    Unsafe.Add(ref lastChunkCv, 5) = TLanes.GetElement(h5, lanes - 1);
                    Unsafe.Add(ref lastChunkCv, 6) = TLanes.GetElement(h6, lanes - 1);
                    Unsafe.Add(ref lastChunkCv, 7) = TLanes.GetElement(h7, lanes - 1);
                }

                TVec m0, m1, m2, m3, m4, m5, m6, m7, m8, m9, m10, m11, m12, m13, m14, m15;
                if (TLanes.CanTranspose)
                {
                    TLanes.LoadTransposed(block, lanes, stride, out m0, out m1, out m2, out m3, out m4, out m5, out m6, out m7, out m8, out m9, out m10, out m11, out m12, out m13, out m14, out m15);
                }
                else
                {
                    Gather(block, lanes, stride, words);
                    m0 = TLanes.Load(words);
                    m1 = TLanes.Load(words + TLanes.Degree);
                    m2 = TLanes.Load(words + (2 * TLanes.Degree));
                    m3 = TLanes.Load(words + (3 * TLanes.Degree));
                    m4 = TLanes.Load(words + (4 * TLanes.Degree));
                    m5 = TLanes.Load(words + (5 * TLanes.Degree));
                    m6 = TLanes.Load(words + (6 * TLanes.Degree));
                    m7 = TLanes.Load(words + (7 * TLanes.Degree));
                    m8 = TLanes.Load(words + (8 * TLanes.Degree));
                    m9 = TLanes.Load(words + (9 * TLanes.Degree));
                    m10 = TLanes.Load(words + (10 * TLanes.Degree));
                    m11 = TLanes.Load(words + (11 * TLanes.Degree));
                    m12 = TLanes.Load(words + (12 * TLanes.Degree));
                    m13 = TLanes.Load(words + (13 * TLanes.Degree));
                    m14 = TLanes.Load(words + (14 * TLanes.Degree));
                    m15 = TLanes.Load(words + (15 * TLanes.Degree));
                }

                // One operation per statement, on locals only: nested calls would make the JIT add a temporary per
                // inlined call, and past its limit on locals it stops inlining (3x slower). All TLanes calls must inline.
                TVec v0 = h0, v1 = h1, v2 = h2, v3 = h3, v4 = h4, v5 = h5, v6 = h6, v7 = h7;
                var v8 = TLanes.Broadcast(Iv0);
                var v9 = TLanes.Broadcast(Iv1);
                var v10 = TLanes.Broadcast(Iv2);
                var v11 = TLanes.Broadcast(Iv3);
                var v12 = counterLow;
                var v13 = counterHigh;
                var v14 = blockLen;
                var v15 = TLanes.Broadcast(blockFlags);
                v0 = TLanes.Add(v0, v4); v0 = TLanes.Add(v0, m0); v12 = TLanes.Xor(v12, v0); v12 = TLanes.Rotr16(v12); v8 = TLanes.Add(v8, v12); v4 = TLanes.Xor(v4, v8); v4 = TLanes.Rotr12(v4);
                v0 = TLanes.Add(v0, v4); v0 = TLanes.Add(v0, m1); v12 = TLanes.Xor(v12, v0); v12 = TLanes.Rotr8(v12); v8 = TLanes.Add(v8, v12); v4 = TLanes.Xor(v4, v8); v4 = TLanes.Rotr7(v4);
                v1 = TLanes.Add(v1, v5); v1 = TLanes.Add(v1, m2); v13 = TLanes.Xor(v13, v1); v13 = TLanes.Rotr16(v13); v9 = TLanes.Add(v9, v13); v5 = TLanes.Xor(v5, v9); v5 = TLanes.Rotr12(v5);
                v1 = TLanes.Add(v1, v5); v1 = TLanes.Add(v1, m3); v13 = TLanes.Xor(v13, v1); v13 = TLanes.Rotr8(v13); v9 = TLanes.Add(v9, v13); v5 = TLanes.Xor(v5, v9); v5 = TLanes.Rotr7(v5);
                v2 = TLanes.Add(v2, v6); v2 = TLanes.Add(v2, m4); v14 = TLanes.Xor(v14, v2); v14 = TLanes.Rotr16(v14); v10 = TLanes.Add(v10, v14); v6 = TLanes.Xor(v6, v10); v6 = TLanes.Rotr12(v6);
                v2 = TLanes.Add(v2, v6); v2 = TLanes.Add(v2, m5); v14 = TLanes.Xor(v14, v2); v14 = TLanes.Rotr8(v14); v10 = TLanes.Add(v10, v14); v6 = TLanes.Xor(v6, v10); v6 = TLanes.Rotr7(v6);
                v3 = TLanes.Add(v3, v7); v3 = TLanes.Add(v3, m6); v15 = TLanes.Xor(v15, v3); v15 = TLanes.Rotr16(v15); v11 = TLanes.Add(v11, v15); v7 = TLanes.Xor(v7, v11); v7 = TLanes.Rotr12(v7);
                v3 = TLanes.Add(v3, v7); v3 = TLanes.Add(v3, m7); v15 = TLanes.Xor(v15, v3); v15 = TLanes.Rotr8(v15); v11 = TLanes.Add(v11, v15); v7 = TLanes.Xor(v7, v11); v7 = TLanes.Rotr7(v7);
                v0 = TLanes.Add(v0, v5); v0 = TLanes.Add(v0, m8); v15 = TLanes.Xor(v15, v0); v15 = TLanes.Rotr16(v15); v10 = TLanes.Add(v10, v15); v5 = TLanes.Xor(v5, v10); v5 = TLanes.Rotr12(v5);
                v0 = TLanes.Add(v0, v5); v0 = TLanes.Add(v0, m9); v15 = TLanes.Xor(v15, v0); v15 = TLanes.Rotr8(v15); v10 = TLanes.Add(v10, v15); v5 = TLanes.Xor(v5, v10); v5 = TLanes.Rotr7(v5);
                v1 = TLanes.Add(v1, v6); v1 = TLanes.Add(v1, m10); v12 = TLanes.Xor(v12, v1); v12 = TLanes.Rotr16(v12); v11 = TLanes.Add(v11, v12); v6 = TLanes.Xor(v6, v11); v6 = TLanes.Rotr12(v6);
                v1 = TLanes.Add(v1, v6); v1 = TLanes.Add(v1, m11); v12 = TLanes.Xor(v12, v1); v12 = TLanes.Rotr8(v12); v11 = TLanes.Add(v11, v12); v6 = TLanes.Xor(v6, v11); v6 = TLanes.Rotr7(v6);
                v2 = TLanes.Add(v2, v7); v2 = TLanes.Add(v2, m12); v13 = TLanes.Xor(v13, v2); v13 = TLanes.Rotr16(v13); v8 = TLanes.Add(v8, v13); v7 = TLanes.Xor(v7, v8); v7 = TLanes.Rotr12(v7);
                v2 = TLanes.Add(v2, v7); v2 = TLanes.Add(v2, m13); v13 = TLanes.Xor(v13, v2); v13 = TLanes.Rotr8(v13); v8 = TLanes.Add(v8, v13); v7 = TLanes.Xor(v7, v8); v7 = TLanes.Rotr7(v7);
                v3 = TLanes.Add(v3, v4); v3 = TLanes.Add(v3, m14); v14 = TLanes.Xor(v14, v3); v14 = TLanes.Rotr16(v14); v9 = TLanes.Add(v9, v14); v4 = TLanes.Xor(v4, v9); v4 = TLanes.Rotr12(v4);
                v3 = TLanes.Add(v3, v4); v3 = TLanes.Add(v3, m15); v14 = TLanes.Xor(v14, v3); v14 = TLanes.Rotr8(v14); v9 = TLanes.Add(v9, v14); v4 = TLanes.Xor(v4, v9); v4 = TLanes.Rotr7(v4);
                v0 = TLanes.Add(v0, v4); v0 = TLanes.Add(v0, m2); v12 = TLanes.Xor(v12, v0); v12 = TLanes.Rotr16(v12); v8 = TLanes.Add(v8, v12); v4 = TLanes.Xor(v4, v8); v4 = TLanes.Rotr12(v4);
                v0 = TLanes.Add(v0, v4); v0 = TLanes.Add(v0, m6); v12 = TLanes.Xor(v12, v0); v12 = TLanes.Rotr8(v12); v8 = TLanes.Add(v8, v12); v4 = TLanes.Xor(v4, v8); v4 = TLanes.Rotr7(v4);
                v1 = TLanes.Add(v1, v5); v1 = TLanes.Add(v1, m3); v13 = TLanes.Xor(v13, v1); v13 = TLanes.Rotr16(v13); v9 = TLanes.Add(v9, v13); v5 = TLanes.Xor(v5, v9); v5 = TLanes.Rotr12(v5);
                v1 = TLanes.Add(v1, v5); v1 = TLanes.Add(v1, m10); v13 = TLanes.Xor(v13, v1); v13 = TLanes.Rotr8(v13); v9 = TLanes.Add(v9, v13); v5 = TLanes.Xor(v5, v9); v5 = TLanes.Rotr7(v5);
                v2 = TLanes.Add(v2, v6); v2 = TLanes.Add(v2, m7); v14 = TLanes.Xor(v14, v2); v14 = TLanes.Rotr16(v14); v10 = TLanes.Add(v10, v14); v6 = TLanes.Xor(v6, v10); v6 = TLanes.Rotr12(v6);
                v2 = TLanes.Add(v2, v6); v2 = TLanes.Add(v2, m0); v14 = TLanes.Xor(v14, v2); v14 = TLanes.Rotr8(v14); v10 = TLanes.Add(v10, v14); v6 = TLanes.Xor(v6, v10); v6 = TLanes.Rotr7(v6);
                v3 = TLanes.Add(v3, v7); v3 = TLanes.Add(v3, m4); v15 = TLanes.Xor(v15, v3); v15 = TLanes.Rotr16(v15); v11 = TLanes.Add(v11, v15); v7 = TLanes.Xor(v7, v11); v7 = TLanes.Rotr12(v7);
                v3 = TLanes.Add(v3, v7); v3 = TLanes.Add(v3, m13); v15 = TLanes.Xor(v15, v3); v15 = TLanes.Rotr8(v15); v11 = TLanes.Add(v11, v15); v7 = TLanes.Xor(v7, v11); v7 = TLanes.Rotr7(v7);
                v0 = TLanes.Add(v0, v5); v0 = TLanes.Add(v0, m1); v15 = TLanes.Xor(v15, v0); v15 = TLanes.Rotr16(v15); v10 = TLanes.Add(v10, v15); v5 = TLanes.Xor(v5, v10); v5 = TLanes.Rotr12(v5);
                v0 = TLanes.Add(v0, v5); v0 = TLanes.Add(v0, m11); v15 = TLanes.Xor(v15, v0); v15 = TLanes.Rotr8(v15); v10 = TLanes.Add(v10, v15); v5 = TLanes.Xor(v5, v10); v5 = TLanes.Rotr7(v5);
                v1 = TLanes.Add(v1, v6); v1 = TLanes.Add(v1, m12); v12 = TLanes.Xor(v12, v1); v12 = TLanes.Rotr16(v12); v11 = TLanes.Add(v11, v12); v6 = TLanes.Xor(v6, v11); v6 = TLanes.Rotr12(v6);
                v1 = TLanes.Add(v1, v6); v1 = TLanes.Add(v1, m5); v12 = TLanes.Xor(v12, v1); v12 = TLanes.Rotr8(v12); v11 = TLanes.Add(v11, v12); v6 = TLanes.Xor(v6, v11); v6 = TLanes.Rotr7(v6);
                v2 = TLanes.Add(v2, v7); v2 = TLanes.Add(v2, m9); v13 = TLanes.Xor(v13, v2); v13 = TLanes.Rotr16(v13); v8 = TLanes.Add(v8, v13); v7 = TLanes.Xor(v7, v8); v7 = TLanes.Rotr12(v7);
                v2 = TLanes.Add(v2, v7); v2 = TLanes.Add(v2, m14); v13 = TLanes.Xor(v13, v2); v13 = TLanes.Rotr8(v13); v8 = TLanes.Add(v8, v13); v7 = TLanes.Xor(v7, v8); v7 = TLanes.Rotr7(v7);
                v3 = TLanes.Add(v3, v4); v3 = TLanes.Add(v3, m15); v14 = TLanes.Xor(v14, v3); v14 = TLanes.Rotr16(v14); v9 = TLanes.Add(v9, v14); v4 = TLanes.Xor(v4, v9); v4 = TLanes.Rotr12(v4);
                v3 = TLanes.Add(v3, v4); v3 = TLanes.Add(v3, m8); v14 = TLanes.Xor(v14, v3); v14 = TLanes.Rotr8(v14); v9 = TLanes.Add(v9, v14); v4 = TLanes.Xor(v4, v9); v4 = TLanes.Rotr7(v4);
                v0 = TLanes.Add(v0, v4); v0 = TLanes.Add(v0, m3); v12 = TLanes.Xor(v12, v0); v12 = TLanes.Rotr16(v12); v8 = TLanes.Add(v8, v12); v4 = TLanes.Xor(v4, v8); v4 = TLanes.Rotr12(v4);
                v0 = TLanes.Add(v0, v4); v0 = TLanes.Add(v0, m4); v12 = TLanes.Xor(v12, v0); v12 = TLanes.Rotr8(v12); v8 = TLanes.Add(v8, v12); v4 = TLanes.Xor(v4, v8); v4 = TLanes.Rotr7(v4);
                v1 = TLanes.Add(v1, v5); v1 = TLanes.Add(v1, m10); v13 = TLanes.Xor(v13, v1); v13 = TLanes.Rotr16(v13); v9 = TLanes.Add(v9, v13); v5 = TLanes.Xor(v5, v9); v5 = TLanes.Rotr12(v5);
                v1 = TLanes.Add(v1, v5); v1 = TLanes.Add(v1, m12); v13 = TLanes.Xor(v13, v1); v13 = TLanes.Rotr8(v13); v9 = TLanes.Add(v9, v13); v5 = TLanes.Xor(v5, v9); v5 = TLanes.Rotr7(v5);
                v2 = TLanes.Add(v2, v6); v2 = TLanes.Add(v2, m13); v14 = TLanes.Xor(v14, v2); v14 = TLanes.Rotr16(v14); v10 = TLanes.Add(v10, v14); v6 = TLanes.Xor(v6, v10); v6 = TLanes.Rotr12(v6);
                v2 = TLanes.Add(v2, v6); v2 = TLanes.Add(v2, m2); v14 = TLanes.Xor(v14, v2); v14 = TLanes.Rotr8(v14); v10 = TLanes.Add(v10, v14); v6 = TLanes.Xor(v6, v10); v6 = TLanes.Rotr7(v6);
                v3 = TLanes.Add(v3, v7); v3 = TLanes.Add(v3, m7); v15 = TLanes.Xor(v15, v3); v15 = TLanes.Rotr16(v15); v11 = TLanes.Add(v11, v15); v7 = TLanes.Xor(v7, v11); v7 = TLanes.Rotr12(v7);
                v3 = TLanes.Add(v3, v7); v3 = TLanes.Add(v3, m14); v15 = TLanes.Xor(v15, v3); v15 = TLanes.Rotr8(v15); v11 = TLanes.Add(v11, v15); v7 = TLanes.Xor(v7, v11); v7 = TLanes.Rotr7(v7);
                v0 = TLanes.Add(v0, v5); v0 = TLanes.Add(v0, m6); v15 = TLanes.Xor(v15, v0); v15 = TLanes.Rotr16(v15); v10 = TLanes.Add(v10, v15); v5 = TLanes.Xor(v5, v10); v5 = TLanes.Rotr12(v5);
                v0 = TLanes.Add(v0, v5); v0 = TLanes.Add(v0, m5); v15 = TLanes.Xor(v15, v0); v15 = TLanes.Rotr8(v15); v10 = TLanes.Add(v10, v15); v5 = TLanes.Xor(v5, v10); v5 = TLanes.Rotr7(v5);
                v1 = TLanes.Add(v1, v6); v1 = TLanes.Add(v1, m9); v12 = TLanes.Xor(v12, v1); v12 = TLanes.Rotr16(v12); v11 = TLanes.Add(v11, v12); v6 = TLanes.Xor(v6, v11); v6 = TLanes.Rotr12(v6);
                v1 = TLanes.Add(v1, v6); v1 = TLanes.Add(v1, m0); v12 = TLanes.Xor(v12, v1); v12 = TLanes.Rotr8(v12); v11 = TLanes.Add(v11, v12); v6 = TLanes.Xor(v6, v11); v6 = TLanes.Rotr7(v6);
                v2 = TLanes.Add(v2, v7); v2 = TLanes.Add(v2, m11); v13 = TLanes.Xor(v13, v2); v13 = TLanes.Rotr16(v13); v8 = TLanes.Add(v8, v13); v7 = TLanes.Xor(v7, v8); v7 = TLanes.Rotr12(v7);
                v2 = TLanes.Add(v2, v7); v2 = TLanes.Add(v2, m15); v13 = TLanes.Xor(v13, v2); v13 = TLanes.Rotr8(v13); v8 = TLanes.Add(v8, v13); v7 = TLanes.Xor(v7, v8); v7 = TLanes.Rotr7(v7);
                v3 = TLanes.Add(v3, v4); v3 = TLanes.Add(v3, m8); v14 = TLanes.Xor(v14, v3); v14 = TLanes.Rotr16(v14); v9 = TLanes.Add(v9, v14); v4 = TLanes.Xor(v4, v9); v4 = TLanes.Rotr12(v4);
                v3 = TLanes.Add(v3, v4); v3 = TLanes.Add(v3, m1); v14 = TLanes.Xor(v14, v3); v14 = TLanes.Rotr8(v14); v9 = TLanes.Add(v9, v14); v4 = TLanes.Xor(v4, v9); v4 = TLanes.Rotr7(v4);
                v0 = TLanes.Add(v0, v4); v0 = TLanes.Add(v0, m10); v12 = TLanes.Xor(v12, v0); v12 = TLanes.Rotr16(v12); v8 = TLanes.Add(v8, v12); v4 = TLanes.Xor(v4, v8); v4 = TLanes.Rotr12(v4);
                v0 = TLanes.Add(v0, v4); v0 = TLanes.Add(v0, m7); v12 = TLanes.Xor(v12, v0); v12 = TLanes.Rotr8(v12); v8 = TLanes.Add(v8, v12); v4 = TLanes.Xor(v4, v8); v4 = TLanes.Rotr7(v4);
                v1 = TLanes.Add(v1, v5); v1 = TLanes.Add(v1, m12); v13 = TLanes.Xor(v13, v1); v13 = TLanes.Rotr16(v13); v9 = TLanes.Add(v9, v13); v5 = TLanes.Xor(v5, v9); v5 = TLanes.Rotr12(v5);
                v1 = TLanes.Add(v1, v5); v1 = TLanes.Add(v1, m9); v13 = TLanes.Xor(v13, v1); v13 = TLanes.Rotr8(v13); v9 = TLanes.Add(v9, v13); v5 = TLanes.Xor(v5, v9); v5 = TLanes.Rotr7(v5);
                v2 = TLanes.Add(v2, v6); v2 = TLanes.Add(v2, m14); v14 = TLanes.Xor(v14, v2); v14 = TLanes.Rotr16(v14); v10 = TLanes.Add(v10, v14); v6 = TLanes.Xor(v6, v10); v6 = TLanes.Rotr12(v6);
                v2 = TLanes.Add(v2, v6); v2 = TLanes.Add(v2, m3); v14 = TLanes.Xor(v14, v2); v14 = TLanes.Rotr8(v14); v10 = TLanes.Add(v10, v14); v6 = TLanes.Xor(v6, v10); v6 = TLanes.Rotr7(v6);
                v3 = TLanes.Add(v3, v7); v3 = TLanes.Add(v3, m13); v15 = TLanes.Xor(v15, v3); v15 = TLanes.Rotr16(v15); v11 = TLanes.Add(v11, v15); v7 = TLanes.Xor(v7, v11); v7 = TLanes.Rotr12(v7);
                v3 = TLanes.Add(v3, v7); v3 = TLanes.Add(v3, m15); v15 = TLanes.Xor(v15, v3); v15 = TLanes.Rotr8(v15); v11 = TLanes.Add(v11, v15); v7 = TLanes.Xor(v7, v11); v7 = TLanes.Rotr7(v7);
                v0 = TLanes.Add(v0, v5); v0 = TLanes.Add(v0, m4); v15 = TLanes.Xor(v15, v0); v15 = TLanes.Rotr16(v15); v10 = TLanes.Add(v10, v15); v5 = TLanes.Xor(v5, v10); v5 = TLanes.Rotr12(v5);
                v0 = TLanes.Add(v0, v5); v0 = TLanes.Add(v0, m0); v15 = TLanes.Xor(v15, v0); v15 = TLanes.Rotr8(v15); v10 = TLanes.Add(v10, v15); v5 = TLanes.Xor(v5, v10); v5 = TLanes.Rotr7(v5);
                v1 = TLanes.Add(v1, v6); v1 = TLanes.Add(v1, m11); v12 = TLanes.Xor(v12, v1); v12 = TLanes.Rotr16(v12); v11 = TLanes.Add(v11, v12); v6 = TLanes.Xor(v6, v11); v6 = TLanes.Rotr12(v6);
                v1 = TLanes.Add(v1, v6); v1 = TLanes.Add(v1, m2); v12 = TLanes.Xor(v12, v1); v12 = TLanes.Rotr8(v12); v11 = TLanes.Add(v11, v12); v6 = TLanes.Xor(v6, v11); v6 = TLanes.Rotr7(v6);
                v2 = TLanes.Add(v2, v7); v2 = TLanes.Add(v2, m5); v13 = TLanes.Xor(v13, v2); v13 = TLanes.Rotr16(v13); v8 = TLanes.Add(v8, v13); v7 = TLanes.Xor(v7, v8); v7 = TLanes.Rotr12(v7);
                v2 = TLanes.Add(v2, v7); v2 = TLanes.Add(v2, m8); v13 = TLanes.Xor(v13, v2); v13 = TLanes.Rotr8(v13); v8 = TLanes.Add(v8, v13); v7 = TLanes.Xor(v7, v8); v7 = TLanes.Rotr7(v7);
                v3 = TLanes.Add(v3, v4); v3 = TLanes.Add(v3, m1); v14 = TLanes.Xor(v14, v3); v14 = TLanes.Rotr16(v14); v9 = TLanes.Add(v9, v14); v4 = TLanes.Xor(v4, v9); v4 = TLanes.Rotr12(v4);
                v3 = TLanes.Add(v3, v4); v3 = TLanes.Add(v3, m6); v14 = TLanes.Xor(v14, v3); v14 = TLanes.Rotr8(v14); v9 = TLanes.Add(v9, v14); v4 = TLanes.Xor(v4, v9); v4 = TLanes.Rotr7(v4);
                v0 = TLanes.Add(v0, v4); v0 = TLanes.Add(v0, m12); v12 = TLanes.Xor(v12, v0); v12 = TLanes.Rotr16(v12); v8 = TLanes.Add(v8, v12); v4 = TLanes.Xor(v4, v8); v4 = TLanes.Rotr12(v4);
                v0 = TLanes.Add(v0, v4); v0 = TLanes.Add(v0, m13); v12 = TLanes.Xor(v12, v0); v12 = TLanes.Rotr8(v12); v8 = TLanes.Add(v8, v12); v4 = TLanes.Xor(v4, v8); v4 = TLanes.Rotr7(v4);
                v1 = TLanes.Add(v1, v5); v1 = TLanes.Add(v1, m9); v13 = TLanes.Xor(v13, v1); v13 = TLanes.Rotr16(v13); v9 = TLanes.Add(v9, v13); v5 = TLanes.Xor(v5, v9); v5 = TLanes.Rotr12(v5);
                v1 = TLanes.Add(v1, v5); v1 = TLanes.Add(v1, m11); v13 = TLanes.Xor(v13, v1); v13 = TLanes.Rotr8(v13); v9 = TLanes.Add(v9, v13); v5 = TLanes.Xor(v5, v9); v5 = TLanes.Rotr7(v5);
                v2 = TLanes.Add(v2, v6); v2 = TLanes.Add(v2, m15); v14 = TLanes.Xor(v14, v2); v14 = TLanes.Rotr16(v14); v10 = TLanes.Add(v10, v14); v6 = TLanes.Xor(v6, v10); v6 = TLanes.Rotr12(v6);
                v2 = TLanes.Add(v2, v6); v2 = TLanes.Add(v2, m10); v14 = TLanes.Xor(v14, v2); v14 = TLanes.Rotr8(v14); v10 = TLanes.Add(v10, v14); v6 = TLanes.Xor(v6, v10); v6 = TLanes.Rotr7(v6);
                v3 = TLanes.Add(v3, v7); v3 = TLanes.Add(v3, m14); v15 = TLanes.Xor(v15, v3); v15 = TLanes.Rotr16(v15); v11 = TLanes.Add(v11, v15); v7 = TLanes.Xor(v7, v11); v7 = TLanes.Rotr12(v7);
                v3 = TLanes.Add(v3, v7); v3 = TLanes.Add(v3, m8); v15 = TLanes.Xor(v15, v3); v15 = TLanes.Rotr8(v15); v11 = TLanes.Add(v11, v15); v7 = TLanes.Xor(v7, v11); v7 = TLanes.Rotr7(v7);
                v0 = TLanes.Add(v0, v5); v0 = TLanes.Add(v0, m7); v15 = TLanes.Xor(v15, v0); v15 = TLanes.Rotr16(v15); v10 = TLanes.Add(v10, v15); v5 = TLanes.Xor(v5, v10); v5 = TLanes.Rotr12(v5);
                v0 = TLanes.Add(v0, v5); v0 = TLanes.Add(v0, m2); v15 = TLanes.Xor(v15, v0); v15 = TLanes.Rotr8(v15); v10 = TLanes.Add(v10, v15); v5 = TLanes.Xor(v5, v10); v5 = TLanes.Rotr7(v5);
                v1 = TLanes.Add(v1, v6); v1 = TLanes.Add(v1, m5); v12 = TLanes.Xor(v12, v1); v12 = TLanes.Rotr16(v12); v11 = TLanes.Add(v11, v12); v6 = TLanes.Xor(v6, v11); v6 = TLanes.Rotr12(v6);
                v1 = TLanes.Add(v1, v6); v1 = TLanes.Add(v1, m3); v12 = TLanes.Xor(v12, v1); v12 = TLanes.Rotr8(v12); v11 = TLanes.Add(v11, v12); v6 = TLanes.Xor(v6, v11); v6 = TLanes.Rotr7(v6);
                v2 = TLanes.Add(v2, v7); v2 = TLanes.Add(v2, m0); v13 = TLanes.Xor(v13, v2); v13 = TLanes.Rotr16(v13); v8 = TLanes.Add(v8, v13); v7 = TLanes.Xor(v7, v8); v7 = TLanes.Rotr12(v7);
                v2 = TLanes.Add(v2, v7); v2 = TLanes.Add(v2, m1); v13 = TLanes.Xor(v13, v2); v13 = TLanes.Rotr8(v13); v8 = TLanes.Add(v8, v13); v7 = TLanes.Xor(v7, v8); v7 = TLanes.Rotr7(v7);
                v3 = TLanes.Add(v3, v4); v3 = TLanes.Add(v3, m6); v14 = TLanes.Xor(v14, v3); v14 = TLanes.Rotr16(v14); v9 = TLanes.Add(v9, v14); v4 = TLanes.Xor(v4, v9); v4 = TLanes.Rotr12(v4);
                v3 = TLanes.Add(v3, v4); v3 = TLanes.Add(v3, m4); v14 = TLanes.Xor(v14, v3); v14 = TLanes.Rotr8(v14); v9 = TLanes.Add(v9, v14); v4 = TLanes.Xor(v4, v9); v4 = TLanes.Rotr7(v4);
                v0 = TLanes.Add(v0, v4); v0 = TLanes.Add(v0, m9); v12 = TLanes.Xor(v12, v0); v12 = TLanes.Rotr16(v12); v8 = TLanes.Add(v8, v12); v4 = TLanes.Xor(v4, v8); v4 = TLanes.Rotr12(v4);
                v0 = TLanes.Add(v0, v4); v0 = TLanes.Add(v0, m14); v12 = TLanes.Xor(v12, v0); v12 = TLanes.Rotr8(v12); v8 = TLanes.Add(v8, v12); v4 = TLanes.Xor(v4, v8); v4 = TLanes.Rotr7(v4);
                v1 = TLanes.Add(v1, v5); v1 = TLanes.Add(v1, m11); v13 = TLanes.Xor(v13, v1); v13 = TLanes.Rotr16(v13); v9 = TLanes.Add(v9, v13); v5 = TLanes.Xor(v5, v9); v5 = TLanes.Rotr12(v5);
                v1 = TLanes.Add(v1, v5); v1 = TLanes.Add(v1, m5); v13 = TLanes.Xor(v13, v1); v13 = TLanes.Rotr8(v13); v9 = TLanes.Add(v9, v13); v5 = TLanes.Xor(v5, v9); v5 = TLanes.Rotr7(v5);
                v2 = TLanes.Add(v2, v6); v2 = TLanes.Add(v2, m8); v14 = TLanes.Xor(v14, v2); v14 = TLanes.Rotr16(v14); v10 = TLanes.Add(v10, v14); v6 = TLanes.Xor(v6, v10); v6 = TLanes.Rotr12(v6);
                v2 = TLanes.Add(v2, v6); v2 = TLanes.Add(v2, m12); v14 = TLanes.Xor(v14, v2); v14 = TLanes.Rotr8(v14); v10 = TLanes.Add(v10, v14); v6 = TLanes.Xor(v6, v10); v6 = TLanes.Rotr7(v6);
                v3 = TLanes.Add(v3, v7); v3 = TLanes.Add(v3, m15); v15 = TLanes.Xor(v15, v3); v15 = TLanes.Rotr16(v15); v11 = TLanes.Add(v11, v15); v7 = TLanes.Xor(v7, v11); v7 = TLanes.Rotr12(v7);
                v3 = TLanes.Add(v3, v7); v3 = TLanes.Add(v3, m1); v15 = TLanes.Xor(v15, v3); v15 = TLanes.Rotr8(v15); v11 = TLanes.Add(v11, v15); v7 = TLanes.Xor(v7, v11); v7 = TLanes.Rotr7(v7);
                v0 = TLanes.Add(v0, v5); v0 = TLanes.Add(v0, m13); v15 = TLanes.Xor(v15, v0); v15 = TLanes.Rotr16(v15); v10 = TLanes.Add(v10, v15); v5 = TLanes.Xor(v5, v10); v5 = TLanes.Rotr12(v5);
                v0 = TLanes.Add(v0, v5); v0 = TLanes.Add(v0, m3); v15 = TLanes.Xor(v15, v0); v15 = TLanes.Rotr8(v15); v10 = TLanes.Add(v10, v15); v5 = TLanes.Xor(v5, v10); v5 = TLanes.Rotr7(v5);
                v1 = TLanes.Add(v1, v6); v1 = TLanes.Add(v1, m0); v12 = TLanes.Xor(v12, v1); v12 = TLanes.Rotr16(v12); v11 = TLanes.Add(v11, v12); v6 = TLanes.Xor(v6, v11); v6 = TLanes.Rotr12(v6);
                v1 = TLanes.Add(v1, v6); v1 = TLanes.Add(v1, m10); v12 = TLanes.Xor(v12, v1); v12 = TLanes.Rotr8(v12); v11 = TLanes.Add(v11, v12); v6 = TLanes.Xor(v6, v11); v6 = TLanes.Rotr7(v6);
                v2 = TLanes.Add(v2, v7); v2 = TLanes.Add(v2, m2); v13 = TLanes.Xor(v13, v2); v13 = TLanes.Rotr16(v13); v8 = TLanes.Add(v8, v13); v7 = TLanes.Xor(v7, v8); v7 = TLanes.Rotr12(v7);
                v2 = TLanes.Add(v2, v7); v2 = TLanes.Add(v2, m6); v13 = TLanes.Xor(v13, v2); v13 = TLanes.Rotr8(v13); v8 = TLanes.Add(v8, v13); v7 = TLanes.Xor(v7, v8); v7 = TLanes.Rotr7(v7);
                v3 = TLanes.Add(v3, v4); v3 = TLanes.Add(v3, m4); v14 = TLanes.Xor(v14, v3); v14 = TLanes.Rotr16(v14); v9 = TLanes.Add(v9, v14); v4 = TLanes.Xor(v4, v9); v4 = TLanes.Rotr12(v4);
                v3 = TLanes.Add(v3, v4); v3 = TLanes.Add(v3, m7); v14 = TLanes.Xor(v14, v3); v14 = TLanes.Rotr8(v14); v9 = TLanes.Add(v9, v14); v4 = TLanes.Xor(v4, v9); v4 = TLanes.Rotr7(v4);
                v0 = TLanes.Add(v0, v4); v0 = TLanes.Add(v0, m11); v12 = TLanes.Xor(v12, v0); v12 = TLanes.Rotr16(v12); v8 = TLanes.Add(v8, v12); v4 = TLanes.Xor(v4, v8); v4 = TLanes.Rotr12(v4);
                v0 = TLanes.Add(v0, v4); v0 = TLanes.Add(v0, m15); v12 = TLanes.Xor(v12, v0); v12 = TLanes.Rotr8(v12); v8 = TLanes.Add(v8, v12); v4 = TLanes.Xor(v4, v8); v4 = TLanes.Rotr7(v4);
                v1 = TLanes.Add(v1, v5); v1 = TLanes.Add(v1, m5); v13 = TLanes.Xor(v13, v1); v13 = TLanes.Rotr16(v13); v9 = TLanes.Add(v9, v13); v5 = TLanes.Xor(v5, v9); v5 = TLanes.Rotr12(v5);
                v1 = TLanes.Add(v1, v5); v1 = TLanes.Add(v1, m0); v13 = TLanes.Xor(v13, v1); v13 = TLanes.Rotr8(v13); v9 = TLanes.Add(v9, v13); v5 = TLanes.Xor(v5, v9); v5 = TLanes.Rotr7(v5);
                v2 = TLanes.Add(v2, v6); v2 = TLanes.Add(v2, m1); v14 = TLanes.Xor(v14, v2); v14 = TLanes.Rotr16(v14); v10 = TLanes.Add(v10, v14); v6 = TLanes.Xor(v6, v10); v6 = TLanes.Rotr12(v6);
                v2 = TLanes.Add(v2, v6); v2 = TLanes.Add(v2, m9); v14 = TLanes.Xor(v14, v2); v14 = TLanes.Rotr8(v14); v10 = TLanes.Add(v10, v14); v6 = TLanes.Xor(v6, v10); v6 = TLanes.Rotr7(v6);
                v3 = TLanes.Add(v3, v7); v3 = TLanes.Add(v3, m8); v15 = TLanes.Xor(v15, v3); v15 = TLanes.Rotr16(v15); v11 = TLanes.Add(v11, v15); v7 = TLanes.Xor(v7, v11); v7 = TLanes.Rotr12(v7);
                v3 = TLanes.Add(v3, v7); v3 = TLanes.Add(v3, m6); v15 = TLanes.Xor(v15, v3); v15 = TLanes.Rotr8(v15); v11 = TLanes.Add(v11, v15); v7 = TLanes.Xor(v7, v11); v7 = TLanes.Rotr7(v7);
                v0 = TLanes.Add(v0, v5); v0 = TLanes.Add(v0, m14); v15 = TLanes.Xor(v15, v0); v15 = TLanes.Rotr16(v15); v10 = TLanes.Add(v10, v15); v5 = TLanes.Xor(v5, v10); v5 = TLanes.Rotr12(v5);
                v0 = TLanes.Add(v0, v5); v0 = TLanes.Add(v0, m10); v15 = TLanes.Xor(v15, v0); v15 = TLanes.Rotr8(v15); v10 = TLanes.Add(v10, v15); v5 = TLanes.Xor(v5, v10); v5 = TLanes.Rotr7(v5);
                v1 = TLanes.Add(v1, v6); v1 = TLanes.Add(v1, m2); v12 = TLanes.Xor(v12, v1); v12 = TLanes.Rotr16(v12); v11 = TLanes.Add(v11, v12); v6 = TLanes.Xor(v6, v11); v6 = TLanes.Rotr12(v6);
                v1 = TLanes.Add(v1, v6); v1 = TLanes.Add(v1, m12); v12 = TLanes.Xor(v12, v1); v12 = TLanes.Rotr8(v12); v11 = TLanes.Add(v11, v12); v6 = TLanes.Xor(v6, v11); v6 = TLanes.Rotr7(v6);
                v2 = TLanes.Add(v2, v7); v2 = TLanes.Add(v2, m3); v13 = TLanes.Xor(v13, v2); v13 = TLanes.Rotr16(v13); v8 = TLanes.Add(v8, v13); v7 = TLanes.Xor(v7, v8); v7 = TLanes.Rotr12(v7);
                v2 = TLanes.Add(v2, v7); v2 = TLanes.Add(v2, m4); v13 = TLanes.Xor(v13, v2); v13 = TLanes.Rotr8(v13); v8 = TLanes.Add(v8, v13); v7 = TLanes.Xor(v7, v8); v7 = TLanes.Rotr7(v7);
                v3 = TLanes.Add(v3, v4); v3 = TLanes.Add(v3, m7); v14 = TLanes.Xor(v14, v3); v14 = TLanes.Rotr16(v14); v9 = TLanes.Add(v9, v14); v4 = TLanes.Xor(v4, v9); v4 = TLanes.Rotr12(v4);
                v3 = TLanes.Add(v3, v4); v3 = TLanes.Add(v3, m13); v14 = TLanes.Xor(v14, v3); v14 = TLanes.Rotr8(v14); v9 = TLanes.Add(v9, v14); v4 = TLanes.Xor(v4, v9); v4 = TLanes.Rotr7(v4);
                h0 = TLanes.Xor(v0, v8);
                h1 = TLanes.Xor(v1, v9);
                h2 = TLanes.Xor(v2, v10);
                h3 = TLanes.Xor(v3, v11);
                h4 = TLanes.Xor(v4, v12);
                h5 = TLanes.Xor(v5, v13);
                h6 = TLanes.Xor(v6, v14);
                h7 = TLanes.Xor(v7, v15);
            }
        }

        // Word-major to chunk-major through the buffer: eight vector stores, then scalar copies.
        var degree = TLanes.Degree;
        TLanes.Store(h0, words);
        TLanes.Store(h1, words + degree);
        TLanes.Store(h2, words + (2 * degree));
        TLanes.Store(h3, words + (3 * degree));
        TLanes.Store(h4, words + (4 * degree));
        TLanes.Store(h5, words + (5 * degree));
        TLanes.Store(h6, words + (6 * degree));
        TLanes.Store(h7, words + (7 * degree));
        for (var lane = 0; lane < lanes; lane++)
        {
            ref var cv = ref Unsafe.Add(ref cvs, lane * 8);
            for (var i = 0; i < 8; i++)
            {
                Unsafe.Add(ref cv, i) = words[(i * degree) + lane];
            }
        }
    }

    /// <summary>
    /// The portable fallback: word w of the same block of each input, lane by lane, to
    /// <paramref name="words"/>[w * Degree + lane] (the last input again for unused lanes).
    /// </summary>
    private static unsafe void Gather(byte* block, int lanes, int stride, uint* words)
    {
        for (var lane = 0; lane < TLanes.Degree; lane++)
        {
            var row = block + (Math.Min(lane, lanes - 1) * stride);
            for (var w = 0; w < 16; w++)
            {
                var value = Unsafe.ReadUnaligned<uint>(row + (4 * w));
                words[(w * TLanes.Degree) + lane] = BitConverter.IsLittleEndian ? value : BinaryPrimitives.ReverseEndianness(value);
            }
        }
    }
}
