using System.Text;
using Helios.Core.Hashing;

namespace Helios.Core.Tests.Hashing;

/// <summary>Multi-threaded hashing: whatever the thread count, subtree size and split, the hash is the one-thread hash.</summary>
public sealed partial class Blake3Tests
{
    public static TheoryData<int> ThreadCounts() => new(1, 2, 3, 4, 8);

    [Theory]
    [MemberData(nameof(ThreadCounts))]
    public void Parallel_hashing_matches_every_official_vector_for_any_thread_count_and_subtree_size(int threads)
    {
        var vectors = OfficialVectors.Value;
        var context = Encoding.UTF8.GetBytes(vectors.Context);
        foreach (var vector in vectors.Cases)
        {
            var input = VectorInput(vector.InputLength);
            foreach (var minSubtree in new[] { 1024, 2048, 8192, 65536 })
            {
                foreach (var (expected, create) in new (string, Func<Blake3State>)[]
                {
                    (vector.Hash, Blake3State.ForHash),
                    (vector.KeyedHash, () => Blake3State.ForKeyedHash(vectors.Key)),
                    (vector.DeriveKey, () => Blake3State.ForDeriveKey(context)),
                })
                {
                    var length = expected.Length / 2;
                    Assert.Equal(expected, Convert.ToHexStringLower(ParallelStateHash(create, input, threads, minSubtree, [input.Length], length)));

                    // A piece that leaves the state mid-chunk, one that ends on a chunk boundary, then the rest.
                    Assert.Equal(expected, Convert.ToHexStringLower(ParallelStateHash(create, input, threads, minSubtree, [100, 1948, 50_000], length)));
                }
            }
        }
    }

    [Fact]
    public void Parallel_hashing_equals_one_thread_around_subtree_boundaries()
    {
        var key = OfficialVectors.Value.Key;
        var sizes = new List<int>();
        foreach (var kib in new[] { 64, 128, 192, 256, 320, 512, 1024, 1088, 2048, 3072 })
        {
            foreach (var delta in new[] { -1025, -1024, -1, 0, 1, 1024, 1025 })
            {
                sizes.Add((kib * 1024) + delta);
            }
        }

        var random = new Random(5);
        for (var i = 0; i < 10; i++)
        {
            sizes.Add(random.Next(64 * 1024, 3 << 20));
        }

        foreach (var size in sizes)
        {
            var input = RandomInput(size, size);
            foreach (var create in new Func<Blake3State>[] { Blake3State.ForHash, () => Blake3State.ForKeyedHash(key) })
            {
                var expected = StateHash(create, input, Blake3State.HardwareDegree, [input.Length]);
                foreach (var threads in new[] { 2, 3, 4 })
                {
                    Assert.True(
                        expected.SequenceEqual(ParallelStateHash(create, input, threads, Blake3State.MinParallelSubtree, [input.Length])),
                        $"one piece, size {size}, {threads} threads");

                    // Pieces that start off any subtree boundary, so the state must realign before handing out subtrees.
                    int[] pieces = [random.Next(1, 70_000), 65536, 1024, random.Next(1, 300_000), 1 << 20];
                    Assert.True(
                        expected.SequenceEqual(ParallelStateHash(create, input, threads, Blake3State.MinParallelSubtree, pieces)),
                        $"pieces {string.Join(',', pieces)}, size {size}, {threads} threads");
                }
            }
        }
    }

    [Theory]
    [InlineData(8)]
    [InlineData(16)]
    public void Wide_subtrees_of_many_batches_equal_the_scalar_hash_around_their_sizes(int degree)
    {
        // 16 batches of 8 or 16 chunks: 128 or 256 KiB subtrees; sizes around one, two and three of them.
        var wide = degree * 16 * 1024;
        var key = OfficialVectors.Value.Key;
        foreach (var multiple in new[] { 1, 2, 3 })
        {
            foreach (var delta in new[] { -1025, -1024, -1, 0, 1, 1024, 1025, 16 * 1024 })
            {
                var size = (multiple * wide) + delta;
                var input = RandomInput(size, size);
                foreach (var create in new Func<Blake3State>[] { Blake3State.ForHash, () => Blake3State.ForKeyedHash(key) })
                {
                    var expected = StateHash(create, input, 1, [input.Length]);
                    Assert.True(expected.SequenceEqual(StateHash(create, input, degree, [input.Length])), $"one piece, size {size}, degree {degree}");
                    int[] pieces = [wide, 1000, wide + 24, 7 * 1024];
                    Assert.True(expected.SequenceEqual(StateHash(create, input, degree, pieces)), $"pieces, size {size}, degree {degree}");
                }
            }
        }
    }

    [Fact]
    public void Parallel_hashing_hands_large_inputs_to_several_subtrees_and_small_ones_to_none()
    {
        var state = Blake3State.ForHash();
        Assert.Equal(0, state.UpdateParallel(new byte[Blake3.ParallelThreshold - 1], 2, Blake3State.HardwareDegree));

        // About four subtrees per thread, plus the smaller ones that fill the remainder.
        state = Blake3State.ForHash();
        Assert.InRange(state.UpdateParallel(new byte[8 << 20], 2, Blake3State.HardwareDegree), 8, 16);

        state = Blake3State.ForHash();
        Assert.Equal(0, state.UpdateParallel(new byte[8 << 20], 1, Blake3State.HardwareDegree));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Public_parallel_hash_and_hasher_equal_the_one_thread_hash(int maxThreads)
    {
        var key = OfficialVectors.Value.Key;
        foreach (var size in new[] { Blake3.ParallelThreshold - 1, Blake3.ParallelThreshold, (1 << 20) + 17, 16 << 20 })
        {
            var input = RandomInput(size, size + 1);
            var expected = Hex(h => Blake3.Hash(input, h));
            Assert.Equal(expected, Hex(h => Blake3.HashParallel(input, h, maxThreads)));

            var hasher = new Blake3Hasher();
            hasher.UpdateParallel(input.AsSpan(0, 12345), maxThreads);
            hasher.UpdateParallel(input.AsSpan(12345), maxThreads);
            Assert.Equal(expected, Hex(hasher.Finalize));

            var keyed = Blake3Hasher.CreateKeyed(key);
            keyed.UpdateParallel(input, maxThreads);
            Assert.Equal(Hex(h => Blake3.KeyedHash(key, input, h)), Hex(keyed.Finalize));
        }
    }

    [Fact]
    public void A_hasher_stays_scalar_until_its_input_reaches_the_simd_threshold()
    {
        var saved = Blake3.SimdThreshold;
        try
        {
            Blake3.SimdThreshold = 10_000;
            var state = Blake3State.ForHash();
            Assert.Equal(1, state.DegreeFor(9_999));
            Assert.Equal(Blake3State.HardwareDegree, state.DegreeFor(10_000));
            state.Update(new byte[6_000], 1);
            Assert.Equal(1, state.DegreeFor(3_999));
            Assert.Equal(Blake3State.HardwareDegree, state.DegreeFor(4_000));

            // Same hash whichever side of the threshold the pieces fall.
            var input = RandomInput(50_000, 3);
            var hasher = new Blake3Hasher();
            hasher.Update(input.AsSpan(0, 9_000));
            hasher.Update(input.AsSpan(9_000));
            Assert.Equal(Hex(h => Blake3.Hash(input, h)), Hex(hasher.Finalize));
        }
        finally
        {
            Blake3.SimdThreshold = saved;
        }
    }

    [Fact]
    public void Parallel_hash_rejects_a_negative_thread_count()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Blake3.HashParallel(new byte[10], new byte[32], -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Blake3Hasher().UpdateParallel(new byte[10], -1));
    }

    [Fact]
    public void Parallel_hash_agrees_with_b3sum_on_a_large_input()
    {
        var input = RandomInput((40 << 20) + 3, seed: 40);
        var path = WriteTemp(input);
        var (exitCode, stdout, stderr) = B3sumTool.Run(["--no-names", path]);
        Assert.True(exitCode == 0, $"b3sum failed: {stderr}");
        Assert.Equal(stdout.TrimEnd('\n'), Hex(h => Blake3.HashParallel(input, h, 2)));
    }

    /// <summary>Hashes <paramref name="input"/> in the given pieces (cycled), each through the parallel path with no size threshold.</summary>
    private static byte[] ParallelStateHash(Func<Blake3State> create, byte[] input, int threads, int minSubtree, int[] pieces, int outputLength = 32)
    {
        var state = create();
        var position = 0;
        for (var i = 0; position < input.Length; i++)
        {
            var take = Math.Min(pieces[i % pieces.Length], input.Length - position);
            state.UpdateParallel(input.AsSpan(position, take), threads, Blake3State.HardwareDegree, minSubtree, threshold: 0);
            position += take;
        }

        var output = new byte[outputLength];
        state.Finalize(0, output);
        return output;
    }
}
