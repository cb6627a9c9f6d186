using System.Runtime.Intrinsics;
using System.Text;
using System.Text.Json;
using Helios.Core.Hashing;

namespace Helios.Core.Tests.Hashing;

public sealed partial class Blake3Tests : IDisposable
{
    private static readonly Lazy<Vectors> OfficialVectors = new(LoadVectors);

    private readonly string _tempDir = Directory.CreateTempSubdirectory("helios-blake3-").FullName;

    public void Dispose() => Directory.Delete(_tempDir, recursive: true);

    public static TheoryData<int> VectorInputLengths()
    {
        var data = new TheoryData<int>();
        foreach (var vector in OfficialVectors.Value.Cases)
        {
            data.Add(vector.InputLength);
        }

        return data;
    }

    [Fact]
    public void Official_vectors_file_has_every_case()
    {
        Assert.Equal(35, OfficialVectors.Value.Cases.Count);
    }

    [Theory]
    [MemberData(nameof(VectorInputLengths))]
    public void Hash_matches_every_official_vector(int inputLength)
    {
        var vector = OfficialVectors.Value.Case(inputLength);
        var input = VectorInput(inputLength);
        AssertAllWaysAgree(vector.Hash, output => Blake3.Hash(input, output), () => new Blake3Hasher(), input);
    }

    [Theory]
    [MemberData(nameof(VectorInputLengths))]
    public void Keyed_hash_matches_every_official_vector(int inputLength)
    {
        var vector = OfficialVectors.Value.Case(inputLength);
        var input = VectorInput(inputLength);
        var key = OfficialVectors.Value.Key;
        AssertAllWaysAgree(vector.KeyedHash, output => Blake3.KeyedHash(key, input, output), () => Blake3Hasher.CreateKeyed(key), input);
    }

    [Theory]
    [MemberData(nameof(VectorInputLengths))]
    public void Derive_key_matches_every_official_vector(int inputLength)
    {
        var vector = OfficialVectors.Value.Case(inputLength);
        var input = VectorInput(inputLength);
        var context = OfficialVectors.Value.Context;
        AssertAllWaysAgree(vector.DeriveKey, output => Blake3.DeriveKey(context, input, output), () => Blake3Hasher.CreateDeriveKey(context), input);
    }

    [Fact]
    public void Incremental_hashing_with_random_split_points_equals_one_shot()
    {
        var random = new Random(20240601);
        var key = OfficialVectors.Value.Key;
        for (var iteration = 0; iteration < 200; iteration++)
        {
            var length = iteration < 100 ? random.Next(0, 5000) : random.Next(0, 70_000);
            var input = new byte[length];
            random.NextBytes(input);

            var hasher = new Blake3Hasher();
            var keyed = Blake3Hasher.CreateKeyed(key);
            var derive = Blake3Hasher.CreateDeriveKey("split test");
            var position = 0;
            while (position < length)
            {
                // Mix tiny pieces with pieces that span block and chunk boundaries.
                var maxPiece = random.Next(4) switch { 0 => 3, 1 => 70, 2 => 1100, _ => 5000 };
                var piece = Math.Min(random.Next(0, maxPiece + 1), length - position);
                hasher.Update(input.AsSpan(position, piece));
                keyed.Update(input.AsSpan(position, piece));
                derive.Update(input.AsSpan(position, piece));
                position += piece;
            }

            var expected = new byte[40];
            var actual = new byte[40];
            Blake3.Hash(input, expected);
            hasher.Finalize(actual);
            Assert.True(expected.AsSpan().SequenceEqual(actual), $"hash differs for length {length}");

            Blake3.KeyedHash(key, input, expected);
            keyed.Finalize(actual);
            Assert.True(expected.AsSpan().SequenceEqual(actual), $"keyed hash differs for length {length}");

            Blake3.DeriveKey("split test", input, expected);
            derive.Finalize(actual);
            Assert.True(expected.AsSpan().SequenceEqual(actual), $"derive-key differs for length {length}");
        }
    }

    [Fact]
    public void Byte_at_a_time_hashing_equals_one_shot()
    {
        var input = VectorInput(5 * 1024 + 7);
        var hasher = new Blake3Hasher();
        foreach (var b in input)
        {
            hasher.Update([b]);
        }

        Assert.Equal(Hex(h => Blake3.Hash(input, h)), Hex(hasher.Finalize));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(64)]
    [InlineData(1025)]
    [InlineData(10_000)]
    public void Extended_output_at_an_offset_equals_the_slice_of_the_full_output(int inputLength)
    {
        var input = VectorInput(inputLength);
        var full = new byte[1000];
        Blake3.Hash(input, full);
        var hasher = new Blake3Hasher();
        hasher.Update(input);
        foreach (var offset in new[] { 0, 1, 31, 32, 63, 64, 65, 127, 128, 500, 999 })
        {
            foreach (var length in new[] { 0, 1, 7, 63, 64, 65, 200 })
            {
                if (offset + length > full.Length)
                {
                    continue;
                }

                var slice = new byte[length];
                hasher.Finalize((ulong)offset, slice);
                Assert.True(full.AsSpan(offset, length).SequenceEqual(slice), $"offset {offset}, length {length}");
            }
        }
    }

    [Fact]
    public void Extended_output_works_at_a_very_large_offset()
    {
        // Block counters above 2^32 use the high counter word; slices must still line up.
        var hasher = new Blake3Hasher();
        hasher.Update("abc"u8);
        const ulong offset = (1UL << 40) + 3;
        var wide = new byte[100];
        hasher.Finalize(offset - 10, wide);
        var narrow = new byte[50];
        hasher.Finalize(offset, narrow);
        Assert.True(wide.AsSpan(10, 50).SequenceEqual(narrow));
    }

    [Fact]
    public void Finalize_leaves_the_hasher_usable_for_more_input()
    {
        var hasher = new Blake3Hasher();
        hasher.Update(VectorInput(3000));
        var first = Hex(hasher.Finalize);
        Assert.Equal(first, Hex(hasher.Finalize));
        hasher.Update(VectorInput(10));
        var input = VectorInput(3000).Concat(VectorInput(10)).ToArray();
        Assert.Equal(Hex(h => Blake3.Hash(input, h)), Hex(hasher.Finalize));
    }

    [Fact]
    public void Reset_forgets_input_and_keeps_the_key()
    {
        var key = OfficialVectors.Value.Key;
        var hasher = Blake3Hasher.CreateKeyed(key);
        hasher.Update(VectorInput(5000));
        hasher.Reset();
        hasher.Update("abc"u8);
        Assert.Equal(Hex(h => Blake3.KeyedHash(key, "abc"u8, h)), Hex(hasher.Finalize));
    }

    [Fact]
    public void Keyed_hash_rejects_a_key_that_is_not_32_bytes()
    {
        Assert.Throws<ArgumentException>(() => Blake3Hasher.CreateKeyed(new byte[31]));
        Assert.Throws<ArgumentException>(() => Blake3.KeyedHash(new byte[33], [], new byte[32]));
    }

    [Fact]
    public void Derive_key_hashes_a_long_context_as_utf8()
    {
        var context = string.Concat(Enumerable.Repeat("contexte été ", 40));
        var contextBytes = Encoding.UTF8.GetBytes(context);
        Assert.True(contextBytes.Length > 256);
        var contextKey = new byte[32];
        var hasher = new Blake3Hasher();
        // Derive-key with a long context must equal the two-step definition: context key, then key material.
        Blake3.DeriveKey(context, "material"u8, contextKey);
        Assert.Equal(Hex(h => Blake3.DeriveKey(context, "material"u8, h)), Convert.ToHexStringLower(contextKey));
        var viaHasher = Blake3Hasher.CreateDeriveKey(context);
        viaHasher.Update("material"u8);
        Assert.Equal(Convert.ToHexStringLower(contextKey), Hex(viaHasher.Finalize));
        Assert.NotEqual(Hex(h => Blake3.DeriveKey(context + "x", "material"u8, h)), Convert.ToHexStringLower(contextKey));
        Assert.NotEqual(Hex(hasher.Finalize), Convert.ToHexStringLower(contextKey));
    }

    public static TheoryData<int> B3sumSizes() =>
        [0, 1, 63, 64, 65, 1023, 1024, 1025, 2048, 3072 + 5, 65536, (1 << 20) + 17, 16 << 20];

    [Theory]
    [MemberData(nameof(B3sumSizes))]
    public void Hash_agrees_with_b3sum_on_random_input(int size)
    {
        var input = RandomInput(size, seed: size);
        var path = WriteTemp(input);
        var (exitCode, stdout, stderr) = B3sumTool.Run(["--no-names", path]);
        Assert.True(exitCode == 0, $"b3sum failed: {stderr}");

        Assert.Equal(stdout.TrimEnd('\n'), Hex(h => Blake3.Hash(input, h)));

        // The same through the streaming hasher, fed in 64 KiB pieces as a file reader would.
        var hasher = new Blake3Hasher();
        for (var offset = 0; offset < input.Length; offset += 65536)
        {
            hasher.Update(input.AsSpan(offset, Math.Min(65536, input.Length - offset)));
        }

        Assert.Equal(stdout.TrimEnd('\n'), Hex(hasher.Finalize));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1025)]
    [InlineData(100_000)]
    public void Keyed_hash_agrees_with_b3sum(int size)
    {
        var input = RandomInput(size, seed: size + 1);
        var key = RandomInput(32, seed: size + 2);
        var path = WriteTemp(input);
        var (exitCode, stdout, stderr) = B3sumTool.Run(["--keyed", "--no-names", path], stdin: key);
        Assert.True(exitCode == 0, $"b3sum failed: {stderr}");
        Assert.Equal(stdout.TrimEnd('\n'), Hex(h => Blake3.KeyedHash(key, input, h)));
    }

    [Theory]
    [InlineData(0, "Helios 2025 test context")]
    [InlineData(3073, "Helios 2025 test context")]
    [InlineData(100_000, "ünïcødé context")]
    public void Derive_key_agrees_with_b3sum(int size, string context)
    {
        var input = RandomInput(size, seed: size + 3);
        var path = WriteTemp(input);
        var (exitCode, stdout, stderr) = B3sumTool.Run(["--derive-key", context, "--no-names", path]);
        Assert.True(exitCode == 0, $"b3sum failed: {stderr}");
        Assert.Equal(stdout.TrimEnd('\n'), Hex(h => Blake3.DeriveKey(context, input, h)));
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(65, 0)]
    [InlineData(1024, 65)]
    [InlineData(5000, 1000)]
    public void Extended_output_agrees_with_b3sum_length(int size, int outputLength)
    {
        var input = RandomInput(size, seed: size + 4);
        var path = WriteTemp(input);
        var (exitCode, stdout, stderr) = B3sumTool.Run(["--length", outputLength.ToString(), "--no-names", path]);
        Assert.True(exitCode == 0, $"b3sum failed: {stderr}");
        var output = new byte[outputLength];
        Blake3.Hash(input, output);
        Assert.Equal(stdout.TrimEnd('\n'), Convert.ToHexStringLower(output));
    }

    /// <summary>The multi-chunk widths: scalar only, then 4, 8 and 16 chunks at once (each capped at what the machine accelerates).</summary>
    public static TheoryData<int> Degrees() => new(1, 4, 8, 16);

    [Fact]
    public void The_widest_accelerated_path_is_chosen()
    {
        var expected = Vector512.IsHardwareAccelerated ? 16 : Vector256.IsHardwareAccelerated ? 8 : Vector128.IsHardwareAccelerated ? 4 : 1;
        Assert.Equal(expected, Blake3State.HardwareDegree);
    }

    [Theory]
    [MemberData(nameof(Degrees))]
    public void Every_width_matches_every_official_vector(int degree)
    {
        var vectors = OfficialVectors.Value;
        foreach (var vector in vectors.Cases)
        {
            var input = VectorInput(vector.InputLength);
            AssertStateAgrees(vector.Hash, Blake3State.ForHash, input, degree);
            AssertStateAgrees(vector.KeyedHash, () => Blake3State.ForKeyedHash(vectors.Key), input, degree);
            AssertStateAgrees(vector.DeriveKey, () => Blake3State.ForDeriveKey(Encoding.UTF8.GetBytes(vectors.Context)), input, degree);
        }
    }

    [Theory]
    [MemberData(nameof(Degrees))]
    public void Every_width_equals_scalar_around_the_batch_sizes(int degree)
    {
        var key = OfficialVectors.Value.Key;
        var sizes = new List<int>();
        foreach (var kib in new[] { 1, 2, 3, 4, 5, 7, 8, 9, 12, 15, 16, 17, 20, 24, 28, 31, 32, 33, 48, 63, 64, 65, 70 })
        {
            foreach (var delta in new[] { -65, -64, -1, 0, 1, 64, 65 })
            {
                sizes.Add((kib * 1024) + delta);
            }
        }

        var random = new Random(7 + degree);
        for (var i = 0; i < 40; i++)
        {
            sizes.Add(random.Next(0, 70 * 1024));
        }

        foreach (var size in sizes)
        {
            var input = RandomInput(size, size);
            foreach (var create in new Func<Blake3State>[] { Blake3State.ForHash, () => Blake3State.ForKeyedHash(key) })
            {
                var expected = StateHash(create, input, 1, [input.Length]);
                Assert.True(expected.SequenceEqual(StateHash(create, input, degree, [input.Length])), $"one piece, size {size}, degree {degree}");

                // Pieces that are whole batches (the batch ends the piece, more input follows) and odd ones.
                int[] pieces = [4096, 8192, 16384, 1024, 4096, 65, 16384 + 64, 8191, 4097];
                Assert.True(expected.SequenceEqual(StateHash(create, input, degree, pieces)), $"whole-batch pieces, size {size}, degree {degree}");
                int[] randomPieces = [random.Next(1, 20_000), random.Next(1, 20_000), random.Next(1, 20_000)];
                Assert.True(expected.SequenceEqual(StateHash(create, input, degree, randomPieces)), $"random pieces, size {size}, degree {degree}");
            }
        }
    }

    [Fact]
    public void Every_batch_width_carries_the_chunk_counter_into_the_high_word_and_hashes_only_its_lanes()
    {
        var input = RandomInput(16 * 1024, 99);
        uint[] key = [1, 2, 3, 4, 5, 6, 7, 8];
        const ulong counter = uint.MaxValue - 2UL;
        var expected = new uint[16 * 8];
        for (var lane = 0; lane < 16; lane++)
        {
            Blake3Compression.HashFullChunk(ref input[lane * 1024], ref key[0], counter + (ulong)lane, 0, ref expected[lane * 8]);
        }

        var lastChunkCv = new uint[8];
        foreach (var (degree, lanes) in new[] { (4, 4), (4, 3), (8, 8), (8, 5), (16, 16), (16, 9), (16, 1) })
        {
            // Only the first `lanes` chunks are hashed, and only as many bytes are read.
            var actual = new uint[16 * 8];
            var chunks = input[..(lanes * 1024)];
            switch (degree)
            {
                case 4:
                    Blake3Kernel4.HashChunks(ref chunks[0], ref key[0], counter, 0, lanes, ref actual[0], ref lastChunkCv[0]);
                    break;
                case 8:
                    Blake3Kernel8.HashChunks(ref chunks[0], ref key[0], counter, 0, lanes, ref actual[0], ref lastChunkCv[0]);
                    break;
                default:
                    Blake3Kernel16.HashChunks(ref chunks[0], ref key[0], counter, 0, lanes, ref actual[0], ref lastChunkCv[0]);
                    break;
            }

            Assert.Equal(expected[..(lanes * 8)], actual[..(lanes * 8)]);
            Assert.All(actual[(lanes * 8)..], word => Assert.Equal(0u, word));
        }
    }

    private static void AssertStateAgrees(string expectedHex, Func<Blake3State> create, byte[] input, int degree)
    {
        var length = expectedHex.Length / 2;
        var state = create();
        state.Update(input, degree);
        var output = new byte[length];
        state.Finalize(0, output);
        Assert.Equal(expectedHex, Convert.ToHexStringLower(output));
        Assert.Equal(expectedHex, Convert.ToHexStringLower(StateHash(create, input, degree, [4096, 97, 8192, 16384], length)));
    }

    /// <summary>Hashes <paramref name="input"/> at the given width, fed in the given piece sizes (cycled).</summary>
    private static byte[] StateHash(Func<Blake3State> create, byte[] input, int degree, int[] pieces, int outputLength = 32)
    {
        var state = create();
        var position = 0;
        for (var i = 0; position < input.Length; i++)
        {
            var take = Math.Min(pieces[i % pieces.Length], input.Length - position);
            state.Update(input.AsSpan(position, take), degree);
            position += take;
        }

        var output = new byte[outputLength];
        state.Finalize(0, output);
        return output;
    }

    private delegate void OutputWriter(Span<byte> output);

    private static void AssertAllWaysAgree(string expectedHex, OutputWriter oneShot, Func<Blake3Hasher> createHasher, byte[] input)
    {
        var expected = Convert.FromHexString(expectedHex);

        var full = new byte[expected.Length];
        oneShot(full);
        Assert.Equal(expectedHex, Convert.ToHexStringLower(full));

        var prefix = new byte[32];
        oneShot(prefix);
        Assert.Equal(expectedHex[..64], Convert.ToHexStringLower(prefix));

        var hasher = createHasher();
        hasher.Update(input);
        Assert.Equal(expectedHex, Hex(hasher.Finalize, expected.Length));
        Assert.Equal(expectedHex[..64], Hex(hasher.Finalize));

        // Odd pieces across block and chunk boundaries.
        var pieces = createHasher();
        for (var offset = 0; offset < input.Length; offset += 97)
        {
            pieces.Update(input.AsSpan(offset, Math.Min(97, input.Length - offset)));
        }

        Assert.Equal(expectedHex, Hex(pieces.Finalize, expected.Length));

        // Output read from an offset is the matching slice.
        var tail = new byte[expected.Length - 33];
        hasher.Finalize(33, tail);
        Assert.Equal(expectedHex[66..], Convert.ToHexStringLower(tail));
    }

    private static string Hex(OutputWriter write, int length = 32)
    {
        var output = new byte[length];
        write(output);
        return Convert.ToHexStringLower(output);
    }

    private static byte[] VectorInput(int length)
    {
        var input = new byte[length];
        for (var i = 0; i < length; i++)
        {
            input[i] = (byte)(i % 251);
        }

        return input;
    }

    private static byte[] RandomInput(int length, int seed)
    {
        var input = new byte[length];
        new Random(seed).NextBytes(input);
        return input;
    }

    private string WriteTemp(byte[] content)
    {
        var path = Path.Combine(_tempDir, $"input-{content.Length}-{Guid.NewGuid():N}.bin");
        File.WriteAllBytes(path, content);
        return path;
    }

    private static Vectors LoadVectors()
    {
        var path = SharedData.PathOf(Path.Combine("data", "blake3_test_vectors.json"));
        using var document = JsonDocument.Parse(File.ReadAllBytes(path));
        var root = document.RootElement;
        var cases = root.GetProperty("cases").EnumerateArray()
            .Select(c => new VectorCase(
                c.GetProperty("input_len").GetInt32(),
                c.GetProperty("hash").GetString()!,
                c.GetProperty("keyed_hash").GetString()!,
                c.GetProperty("derive_key").GetString()!))
            .ToList();
        return new Vectors(
            Encoding.ASCII.GetBytes(root.GetProperty("key").GetString()!),
            root.GetProperty("context_string").GetString()!,
            cases);
    }

    private sealed record VectorCase(int InputLength, string Hash, string KeyedHash, string DeriveKey);

    private sealed record Vectors(byte[] Key, string Context, IReadOnlyList<VectorCase> Cases)
    {
        public VectorCase Case(int inputLength) => Cases.Single(c => c.InputLength == inputLength);
    }
}
