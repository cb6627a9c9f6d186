using System.Numerics;
using System.Runtime.CompilerServices;
using static Helios.Core.Hashing.Blake3Compression;

namespace Helios.Core.Hashing;

/// <summary>
/// Multi-threaded hashing of large inputs. The input is cut into complete subtrees of the BLAKE3 tree
/// (a power of two of chunks, starting at a multiple of their size), each hashed to its chaining value
/// on a worker; the values are then pushed onto the chaining-value stack in input order, exactly as if
/// the chunks had been added one by one, so the result is the same as on one thread.
/// </summary>
internal partial struct Blake3State
{
    /// <summary>Inputs shorter than this are hashed on the calling thread: handing work to other threads costs more.</summary>
    internal const int ParallelThreshold = 512 * 1024;

    /// <summary>The smallest subtree handed to a worker (64 chunks); what is left after the last one is hashed by the caller.</summary>
    internal const int MinParallelSubtree = 64 * 1024;

    /// <summary>Subtrees per thread aimed at, so that a thread slowed by other work on the machine delays the end little.</summary>
    private const int SubtreesPerThread = 4;

    /// <summary>
    /// Writes the chaining value of all input so far as a non-root node. Only meaningful when that
    /// input is one complete subtree: a power of two of chunks starting at a multiple of its size.
    /// </summary>
    [SkipLocalsInit]
    internal readonly void SubtreeChainingValue(Span<uint> cv)
    {
        Blake3Words8 inputCv = default;
        Blake3Block block = default;
        OutputNode(ref inputCv, ref block, out var counter, out var blockLength, out var flags);
        Compress(ref inputCv[0], ref block[0], counter, blockLength, flags);
        ((ReadOnlySpan<uint>)inputCv).CopyTo(cv);
    }

    /// <summary>
    /// Adds input like <see cref="Update(ReadOnlySpan{byte}, int)"/>, hashing complete subtrees on up to
    /// <paramref name="maxThreads"/> threads (0 or less: one per processor) when the input is at least
    /// <paramref name="threshold"/> bytes. Blocks until done. Allocates a few small arrays per call, none per chunk.
    /// Returns the number of subtrees handed to workers (0: all hashed on the calling thread).
    /// </summary>
    internal unsafe int UpdateParallel(
        ReadOnlySpan<byte> input,
        int maxThreads,
        int maxDegree,
        int minSubtree = MinParallelSubtree,
        int threshold = ParallelThreshold)
    {
        if (maxThreads <= 0)
        {
            maxThreads = Environment.ProcessorCount;
        }

        if (maxThreads == 1 || input.Length < threshold || input.Length <= minSubtree)
        {
            Update(input, maxDegree);
            return 0;
        }

        // Bring the state to a multiple of the smallest subtree, with the chunk before it closed (more input follows).
        var position = (_chunkCounter * ChunkLength) + (ulong)ChunkBytes;
        var align = (int)(((ulong)minSubtree - (position % (ulong)minSubtree)) % (ulong)minSubtree);
        if (align >= input.Length)
        {
            Update(input, maxDegree);
            return 0;
        }

        Update(input[..align], maxDegree);
        input = input[align..];
        if (ChunkBytes == ChunkLength)
        {
            CloseFullChunk();
        }

        var target = Math.Max((long)minSubtree, input.Length / ((long)SubtreesPerThread * maxThreads));
        var largest = 1L << BitOperations.Log2((ulong)target);

        // Greedy plan: at each position the largest aligned subtree, no larger than `largest`, that leaves at
        // least one byte after it (the last chunk may be the root, so the caller keeps it).
        var maxItems = (int)(input.Length / largest) + (2 * (BitOperations.Log2((ulong)(largest / minSubtree)) + 1)) + 2;
        var job = new SubtreeJob(new int[maxItems], new byte[maxItems], _key, _flags, _chunkCounter, maxDegree);
        var firstByte = _chunkCounter * ChunkLength;
        var offset = 0;
        var count = 0;
        while (true)
        {
            var size = largest;
            var remaining = input.Length - offset;
            while (size >= minSubtree && (((firstByte + (ulong)offset) % (ulong)size) != 0 || remaining <= size))
            {
                size >>= 1;
            }

            if (size < minSubtree)
            {
                break;
            }

            job.Offsets[count] = offset;
            job.Log2Chunks[count] = (byte)BitOperations.Log2((ulong)(size / ChunkLength));
            count++;
            offset += (int)size;
        }

        if (count < 2)
        {
            Update(input, maxDegree);
            return 0;
        }

        job.Cvs = new uint[count * 8];
        fixed (byte* start = input)
        {
            job.Input = (nint)start;
            Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = maxThreads }, job.Hash);
        }

        for (var i = 0; i < count; i++)
        {
            AddSubtreeChainingValue(job.Cvs.AsSpan(i * 8, 8), job.Log2Chunks[i]);
        }

        Update(input[offset..], maxDegree);
        return count;
    }

    /// <summary>One parallel update's subtrees: where each starts, its size, and where its chaining value goes.</summary>
    private sealed class SubtreeJob(int[] offsets, byte[] log2Chunks, Blake3Words8 key, uint flags, ulong firstChunk, int maxDegree)
    {
        private Blake3Words8 _key = key;

        public int[] Offsets { get; } = offsets;

        public byte[] Log2Chunks { get; } = log2Chunks;

        public uint[] Cvs { get; set; } = [];

        /// <summary>The pinned input's address; valid while the owning call waits for the workers.</summary>
        public nint Input { get; set; }

        /// <summary>Hashes subtree <paramref name="index"/> with a fresh state whose chunk counter starts at the subtree's first chunk.</summary>
        public unsafe void Hash(int index)
        {
            var offset = Offsets[index];
            var input = new ReadOnlySpan<byte>((byte*)Input + offset, ChunkLength << Log2Chunks[index]);
            var state = new Blake3State(_key, flags);
            state._chunkCounter = firstChunk + (ulong)(offset / ChunkLength);
            state.Update(input, maxDegree);
            state.SubtreeChainingValue(Cvs.AsSpan(index * 8, 8));
        }
    }
}
