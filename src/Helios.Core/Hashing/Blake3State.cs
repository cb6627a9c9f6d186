using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using static Helios.Core.Hashing.Blake3Compression;

namespace Helios.Core.Hashing;

/// <summary>Eight 32-bit words: a key or a chaining value.</summary>
[InlineArray(8)]
internal struct Blake3Words8
{
    private uint _element0;
}

/// <summary>One 64-byte message block.</summary>
[InlineArray(BlockLength)]
internal struct Blake3Block
{
    private byte _element0;
}

/// <summary>
/// The chaining-value stack: one entry per level of the tree, plus one spare slot so that a
/// freshly pushed value and its left sibling lie next to each other and form a parent block.
/// </summary>
[InlineArray(Blake3State.StackWords)]
internal struct Blake3CvStack
{
    private uint _element0;
}

/// <summary>
/// The whole incremental BLAKE3 state as a value type (about 1.9 KB), shared by the one-shot
/// functions (which keep it on the stack, never zeroed in bulk) and <see cref="Blake3Hasher"/>.
/// Follows the reference implementation: the current chunk is kept until more input arrives, so
/// the chaining-value stack never holds the root; completed subtrees merge as soon as a chunk count
/// says they are complete. Whole chunks and whole blocks are compressed straight from the input.
/// </summary>
internal partial struct Blake3State
{
    // 2^54 chunks of 1 KiB is 2^64 bytes, the most BLAKE3 can hash.
    private const int MaxDepth = 54;
    internal const int StackWords = (MaxDepth + 1) * 8;

    private Blake3Words8 _key;
    private Blake3Words8 _chunkCv;
    private Blake3Block _block;
    private ulong _chunkCounter;
    private uint _flags;
    private int _blockLength;
    private int _blocksCompressed;
    private int _stackLength;
    private Blake3CvStack _stack;

    /// <summary>Starts a hash with the given key words and mode flags. Leaves the buffers uninitialised: they are written before they are read.</summary>
    public Blake3State(ReadOnlySpan<uint> key, uint flags)
    {
        Unsafe.SkipInit(out this);
        Reset(key, flags);
    }

    /// <summary>Starts a hash in plain hash mode.</summary>
    public static Blake3State ForHash()
    {
        ReadOnlySpan<uint> iv = [Iv0, Iv1, Iv2, Iv3, Iv4, Iv5, Iv6, Iv7];
        return new Blake3State(iv, 0);
    }

    /// <summary>Starts a keyed hash; <paramref name="key"/> must be 32 bytes.</summary>
    public static Blake3State ForKeyedHash(ReadOnlySpan<byte> key)
    {
        if (key.Length != Blake3.KeyLength)
        {
            throw new ArgumentException($"A BLAKE3 key is {Blake3.KeyLength} bytes, not {key.Length}.", nameof(key));
        }

        Span<uint> words = stackalloc uint[8];
        for (var i = 0; i < 8; i++)
        {
            words[i] = BinaryPrimitives.ReadUInt32LittleEndian(key[(4 * i)..]);
        }

        return new Blake3State(words, Blake3Compression.KeyedHash);
    }

    /// <summary>Starts derive-key mode: hashes the context (UTF-8) into a context key, then expects key material.</summary>
    public static Blake3State ForDeriveKey(ReadOnlySpan<byte> contextUtf8)
    {
        ReadOnlySpan<uint> iv = [Iv0, Iv1, Iv2, Iv3, Iv4, Iv5, Iv6, Iv7];
        var contextState = new Blake3State(iv, DeriveKeyContext);
        contextState.Update(contextUtf8);
        Span<byte> contextKey = stackalloc byte[Blake3.KeyLength];
        contextState.Finalize(0, contextKey);

        Span<uint> words = stackalloc uint[8];
        for (var i = 0; i < 8; i++)
        {
            words[i] = BinaryPrimitives.ReadUInt32LittleEndian(contextKey[(4 * i)..]);
        }

        return new Blake3State(words, DeriveKeyMaterial);
    }

    /// <summary>Forgets all input, keeping the key and mode.</summary>
    public void Reset() => Reset(_key, _flags);

    private void Reset(ReadOnlySpan<uint> key, uint flags)
    {
        // key may alias _key (Reset()); copying onto itself is harmless.
        key.CopyTo(_key);
        _flags = flags;
        _chunkCounter = 0;
        _stackLength = 0;
        StartChunk();
    }

    private readonly int ChunkBytes => (_blocksCompressed * BlockLength) + _blockLength;

    /// <summary>
    /// The widest batch to use when <paramref name="moreBytes"/> are added: scalar while all input so far plus
    /// them is below <see cref="Blake3.SimdThreshold"/>, so a short-lived process hashing little never compiles
    /// the SIMD kernels; <see cref="HardwareDegree"/> from there on.
    /// </summary>
    public readonly int DegreeFor(int moreBytes) =>
        (_chunkCounter * ChunkLength) + (ulong)ChunkBytes + (ulong)moreBytes >= (ulong)Blake3.SimdThreshold ? HardwareDegree : 1;

    private readonly uint StartFlag => _blocksCompressed == 0 ? ChunkStart : 0;

    private void StartChunk()
    {
        _chunkCv = _key;
        _blockLength = 0;
        _blocksCompressed = 0;
    }

    /// <summary>The widest multi-chunk path this machine accelerates: 16, 8 or 4 chunks at once, or 1 (scalar only).</summary>
    internal static readonly int HardwareDegree =
        Blake3Chunks16.IsSupported ? Blake3Chunks16.Degree
        : Blake3Chunks8.IsSupported ? Blake3Chunks8.Degree
        : Blake3Chunks4.IsSupported ? Blake3Chunks4.Degree
        : 1;

    public void Update(ReadOnlySpan<byte> input) => Update(input, HardwareDegree);

    /// <summary>
    /// Adds input using multi-chunk batches no wider than <paramref name="maxDegree"/> chunks (1, 4, 8
    /// or 16; capped at <see cref="HardwareDegree"/>). Every width gives the same hash; tests force each one.
    /// </summary>
    /// <remarks>
    /// Not marked AggressiveOptimization, so ReadyToRun precompiles this and the scalar compression
    /// and a short-lived process starts with optimised code. The SIMD kernels are not precompiled
    /// (their width depends on the CPU); the JIT compiles them fully optimised on first use.
    /// </remarks>
    [SkipLocalsInit]
    internal void Update(ReadOnlySpan<byte> input, int maxDegree)
    {
        maxDegree = Math.Min(maxDegree, HardwareDegree);
        var minBatch = maxDegree >= Blake3Chunks4.Degree ? Blake3Chunks4.Degree * ChunkLength : int.MaxValue;
        Span<uint> cvs = stackalloc uint[Blake3Chunks16.Degree * 8];
        Span<uint> lastChunkCv = stackalloc uint[8];
        while (!input.IsEmpty)
        {
            if (ChunkBytes == ChunkLength)
            {
                // More input has arrived, so the buffered chunk is not the root: close it.
                CloseFullChunk();
            }

            if (ChunkBytes == 0 && (input.Length > ChunkLength || input.Length >= minBatch))
            {
                // Whole chunks straight from the input, in the widest batches that fit, then one at a time.
                Blake3Words8 cv = default;
                ref var source = ref MemoryMarshal.GetReference(input);
                var offset = 0;
                var remaining = input.Length;
                while (true)
                {
                    // The widest batch more than half full: lanes past the last whole chunk are wasted,
                    // which still beats hashing the leftover chunks one at a time.
                    var wholeChunks = remaining / ChunkLength;
                    var degree =
                        maxDegree >= 16 && wholeChunks > 8 ? 16
                        : maxDegree >= 8 && wholeChunks > 4 ? 8
                        : maxDegree >= 4 && wholeChunks >= 4 ? 4
                        : 0;
                    if (degree == 0)
                    {
                        break;
                    }

                    var lanes = Math.Min(degree, wholeChunks);
                    var misalignment = (int)(_chunkCounter & (ulong)(degree - 1));
                    if (misalignment != 0 && wholeChunks > degree && degree >= Blake3Chunks8.Degree)
                    {
                        // Streaming input (a chunk was kept open at the end of the last piece): a shorter
                        // batch first, so that the following ones are aligned subtrees (see below).
                        lanes = degree - misalignment;
                    }

                    var wideChunks = degree * WideBatches;
                    if (degree >= Blake3Chunks8.Degree && remaining > wideChunks * ChunkLength
                        && (_chunkCounter & (ulong)(wideChunks - 1)) == 0 && BitConverter.IsLittleEndian)
                    {
                        // A whole aligned subtree of many batches with more input after it: its parent levels
                        // then fill the kernel's lanes (see HashWideSubtree).
                        HashWideSubtree(ref Unsafe.Add(ref source, offset), degree);
                        offset += wideChunks * ChunkLength;
                        remaining -= wideChunks * ChunkLength;
                        continue;
                    }

                    HashBatch(degree, ref Unsafe.Add(ref source, offset), ref _key[0], _chunkCounter, _flags, lanes, ref cvs[0], ref lastChunkCv[0]);
                    var batchBytes = lanes * ChunkLength;
                    var closed = remaining == batchBytes ? lanes - 1 : lanes;
                    if (closed == degree && degree >= Blake3Chunks8.Degree && (_chunkCounter & (ulong)(degree - 1)) == 0 && BitConverter.IsLittleEndian)
                    {
                        // A whole aligned subtree with more input after it: hash its parents level by level,
                        // several at a time, and push one chaining value for all its chunks.
                        ReduceSubtree(cvs, degree);
                        AddSubtreeChainingValue(cvs[..8], BitOperations.Log2((uint)degree));
                        offset += batchBytes;
                        remaining -= batchBytes;
                        continue;
                    }

                    for (var lane = 0; lane < closed; lane++)
                    {
                        AddChunkChainingValue(cvs.Slice(lane * 8, 8));
                    }

                    if (closed < lanes)
                    {
                        // The input ends with this batch: its last chunk may be the root, so keep it open
                        // with 15 blocks compressed and the last block buffered, as if added block by block.
                        lastChunkCv.CopyTo(_chunkCv);
                        input.Slice(offset + batchBytes - BlockLength, BlockLength).CopyTo(_block);
                        _blocksCompressed = (ChunkLength / BlockLength) - 1;
                        _blockLength = BlockLength;
                        return;
                    }

                    offset += batchBytes;
                    remaining -= batchBytes;
                }

                // The last chunk is kept back (strict >) because it may be the root.
                while (remaining > ChunkLength)
                {
                    HashFullChunk(ref Unsafe.Add(ref source, offset), ref _key[0], _chunkCounter, _flags, ref cv[0]);
                    AddChunkChainingValue(cv);
                    offset += ChunkLength;
                    remaining -= ChunkLength;
                }

                input = input[offset..];
                continue;
            }

            var take = Math.Min(ChunkLength - ChunkBytes, input.Length);
            UpdateChunk(input[..take]);
            input = input[take..];
        }
    }

    /// <summary>Batches per wide subtree: 16 × 16 chunks (256 KiB) with 16 lanes, 16 × 8 with 8.</summary>
    private const int WideBatches = 16;

    /// <summary>
    /// Hashes <see cref="WideBatches"/> whole batches of <paramref name="degree"/> chunks, a complete aligned subtree
    /// that is not the end of the input, and pushes its one chaining value. Hashing the parents of all its chunks
    /// together keeps the kernel's lanes full on the lower parent levels, where one batch at a time hashes 8 and
    /// 4 parents with narrower kernels and 2 and 1 with scalar code; and only the one kernel is ever compiled.
    /// </summary>
    [SkipLocalsInit]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void HashWideSubtree(ref byte chunks, int degree)
    {
        // A separate method: the 8 KiB of chaining values stay off the stack of every small Update.
        var count = degree * WideBatches;
        Span<uint> cvs = stackalloc uint[Blake3Chunks16.Degree * WideBatches * 8];
        Span<uint> unused = stackalloc uint[8];
        for (var batch = 0; batch < WideBatches; batch++)
        {
            HashBatch(degree, ref Unsafe.Add(ref chunks, batch * degree * ChunkLength), ref _key[0], _chunkCounter + (ulong)(batch * degree), _flags, degree, ref cvs[batch * degree * 8], ref unused[0]);
        }

        ReduceSubtree(cvs, count, degree);
        AddSubtreeChainingValue(cvs[..8], BitOperations.Log2((uint)count));
    }

    /// <summary>Closes the buffered chunk, which is full; only valid once more input is known to follow.</summary>
    private void CloseFullChunk()
    {
        Compress(ref _chunkCv[0], ref _block[0], _chunkCounter, BlockLength, _flags | StartFlag | ChunkEnd);
        AddChunkChainingValue(_chunkCv);
        StartChunk();
    }

    private static void HashBatch(int degree, ref byte chunks, ref uint key, ulong chunkCounter, uint flags, int lanes, ref uint cvs, ref uint lastChunkCv)
    {
        switch (degree)
        {
            case Blake3Chunks16.Degree:
                Blake3Kernel16.HashChunks(ref chunks, ref key, chunkCounter, flags, lanes, ref cvs, ref lastChunkCv);
                break;
            case Blake3Chunks8.Degree:
                Blake3Kernel8.HashChunks(ref chunks, ref key, chunkCounter, flags, lanes, ref cvs, ref lastChunkCv);
                break;
            default:
                Blake3Kernel4.HashChunks(ref chunks, ref key, chunkCounter, flags, lanes, ref cvs, ref lastChunkCv);
                break;
        }
    }

    /// <summary>Adds input that does not go past the end of the current chunk.</summary>
    private void UpdateChunk(ReadOnlySpan<byte> input)
    {
        while (!input.IsEmpty)
        {
            if (_blockLength == BlockLength)
            {
                Compress(ref _chunkCv[0], ref _block[0], _chunkCounter, BlockLength, _flags | StartFlag);
                _blocksCompressed++;
                _blockLength = 0;
            }

            if (_blockLength == 0)
            {
                // Whole blocks straight from the input; the chunk's last block stays buffered for the ChunkEnd flag.
                while (input.Length > BlockLength)
                {
                    Compress(ref _chunkCv[0], ref MemoryMarshal.GetReference(input), _chunkCounter, BlockLength, _flags | StartFlag);
                    _blocksCompressed++;
                    input = input[BlockLength..];
                }
            }

            var take = Math.Min(BlockLength - _blockLength, input.Length);
            input[..take].CopyTo(((Span<byte>)_block)[_blockLength..]);
            _blockLength += take;
            input = input[take..];
        }
    }

    /// <summary>
    /// Replaces the <paramref name="count"/> chaining values at the start of <paramref name="cvs"/> (a power of
    /// two, the leaves of one complete subtree) by the subtree's chaining value in <paramref name="cvs"/>[..8].
    /// </summary>
    /// <remarks>
    /// With <paramref name="wideDegree"/> (0: not given) every level of 4 or more parents goes through that one kernel,
    /// <paramref name="wideDegree"/> parents at a time, parent blocks read and values written in place: group g writes
    /// below where group g + 1 reads.
    /// </remarks>
    private readonly void ReduceSubtree(Span<uint> cvs, int count, int wideDegree = 0)
    {
        ref var bytes = ref Unsafe.As<uint, byte>(ref cvs[0]);
        ref var key = ref Unsafe.AsRef(in _key[0]);
        for (var parents = count / 2; parents >= 1; parents /= 2)
        {
            if (wideDegree != 0 && parents >= Blake3Chunks4.Degree)
            {
                for (var first = 0; first < parents; first += wideDegree)
                {
                    var lanes = Math.Min(wideDegree, parents - first);
                    ref var blocks = ref Unsafe.Add(ref bytes, first * BlockLength);
                    if (wideDegree == Blake3Chunks16.Degree)
                    {
                        Blake3Kernel16.HashParents(ref blocks, ref key, _flags, lanes, ref cvs[first * 8]);
                    }
                    else
                    {
                        Blake3Kernel8.HashParents(ref blocks, ref key, _flags, lanes, ref cvs[first * 8]);
                    }
                }

                continue;
            }

            // Parent i's block is children 2i and 2i+1, adjacent; its value goes to slot i (already read).
            switch (parents)
            {
                case Blake3Chunks8.Degree:
                    Blake3Kernel8.HashParents(ref bytes, ref key, _flags, parents, ref cvs[0]);
                    break;
                case Blake3Chunks4.Degree:
                    Blake3Kernel4.HashParents(ref bytes, ref key, _flags, parents, ref cvs[0]);
                    break;
                default:
                    for (var i = 0; i < parents; i++)
                    {
                        ParentChainingValue(cvs.Slice(16 * i, 16), _key, _flags, cvs.Slice(8 * i, 8));
                    }

                    break;
            }
        }
    }

    /// <summary>
    /// Pushes the chaining value of the chunk just completed and merges every subtree it completes:
    /// after n chunks, the number of trailing zero bits of n is the number of merges.
    /// </summary>
    private void AddChunkChainingValue(ReadOnlySpan<uint> cv) => AddSubtreeChainingValue(cv, 0);

    /// <summary>
    /// Pushes the chaining value of a complete subtree of 2^<paramref name="log2Chunks"/> chunks just
    /// completed (the chunk counter is a multiple of its size) and merges every subtree it completes.
    /// </summary>
    private void AddSubtreeChainingValue(ReadOnlySpan<uint> cv, int log2Chunks)
    {
        _chunkCounter += 1UL << log2Chunks;
        var totalChunks = _chunkCounter >> log2Chunks;
        Span<uint> stack = _stack;
        cv.CopyTo(stack[(_stackLength * 8)..]);
        while ((totalChunks & 1) == 0)
        {
            // The left sibling and the new value are adjacent: together they are the parent's block.
            _stackLength--;
            var slot = stack.Slice(_stackLength * 8, 8);
            ParentChainingValue(stack.Slice(_stackLength * 8, 16), _key, _flags, slot);
            totalChunks >>= 1;
        }

        _stackLength++;
    }

    /// <summary>The chaining value of a parent node whose children are the 16 words <paramref name="children"/>; may write over them.</summary>
    private static void ParentChainingValue(ReadOnlySpan<uint> children, ReadOnlySpan<uint> key, uint flags, Span<uint> result)
    {
        Blake3Words8 cv = default;
        key.CopyTo(cv);
        Blake3Block block = default;
        WriteWordsLittleEndian(children, block);
        Compress(ref cv[0], ref block[0], 0, BlockLength, flags | Parent);
        ((ReadOnlySpan<uint>)cv).CopyTo(result);
    }

    private static void WriteWordsLittleEndian(ReadOnlySpan<uint> words, Span<byte> destination)
    {
        if (BitConverter.IsLittleEndian)
        {
            MemoryMarshal.AsBytes(words).CopyTo(destination);
        }
        else
        {
            for (var i = 0; i < words.Length; i++)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(destination[(4 * i)..], words[i]);
            }
        }
    }

    /// <summary>
    /// The node all input so far hashes to, before its compression: the current chunk's last block, then
    /// one parent per stack entry, right to left. Compressed with the root flag it gives the output; without,
    /// the chaining value of the input as a subtree (<see cref="SubtreeChainingValue"/>).
    /// </summary>
    [SkipLocalsInit]
    private readonly void OutputNode(ref Blake3Words8 inputCv, ref Blake3Block block, out ulong counter, out uint blockLength, out uint flags)
    {
        inputCv = _chunkCv;
        block = _block;
        ((Span<byte>)block)[_blockLength..].Clear();
        counter = _chunkCounter;
        blockLength = (uint)_blockLength;
        flags = _flags | StartFlag | ChunkEnd;

        ReadOnlySpan<uint> stack = _stack;
        Span<uint> children = stackalloc uint[16];
        for (var i = _stackLength - 1; i >= 0; i--)
        {
            stack.Slice(i * 8, 8).CopyTo(children);
            Blake3Words8 right = inputCv;
            Compress(ref right[0], ref block[0], counter, blockLength, flags);
            ((ReadOnlySpan<uint>)right).CopyTo(children[8..]);
            WriteWordsLittleEndian(children, block);
            inputCv = _key;
            counter = 0;
            blockLength = BlockLength;
            flags = _flags | Parent;
        }
    }

    /// <summary>
    /// Writes the extended output starting at byte <paramref name="offset"/> of the output stream.
    /// Does not change the state: more input may follow, and finalizing again gives the same answer.
    /// </summary>
    public readonly void Finalize(ulong offset, Span<byte> output)
    {
        if (output.IsEmpty)
        {
            return;
        }

        Blake3Words8 inputCv = default;
        Blake3Block block = default;
        OutputNode(ref inputCv, ref block, out var counter, out var blockLength, out var flags);
        flags |= Root;
        var blockCounter = offset / BlockLength;
        var skip = (int)(offset % BlockLength);
        Span<byte> buffer = stackalloc byte[BlockLength];
        while (!output.IsEmpty)
        {
            if (skip == 0 && output.Length >= BlockLength)
            {
                CompressXof(ref inputCv[0], ref block[0], blockCounter, blockLength, flags, ref MemoryMarshal.GetReference(output));
                output = output[BlockLength..];
            }
            else
            {
                CompressXof(ref inputCv[0], ref block[0], blockCounter, blockLength, flags, ref MemoryMarshal.GetReference(buffer));
                var take = Math.Min(BlockLength - skip, output.Length);
                buffer.Slice(skip, take).CopyTo(output);
                output = output[take..];
                skip = 0;
            }

            blockCounter++;
        }
    }
}
