using System.Text;
using Helios.Core.Compression;
using Helios.Core.Errors;

namespace Helios.Core.Tests.Compression;

public sealed class ZstdTests
{
    private static byte[] Text(int size, int seed)
    {
        var random = new Random(seed);
        var builder = new StringBuilder(size + 64);
        while (builder.Length < size)
        {
            builder.Append("line ").Append(random.Next(1000)).Append(": the quick brown fox\n");
        }

        return Encoding.ASCII.GetBytes(builder.ToString(0, size));
    }

    private static byte[] Noise(int size, int seed)
    {
        var bytes = new byte[size];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(100)]
    [InlineData(10_240)]
    [InlineData(1_000_003)]
    public void Text_and_noise_round_trip_at_several_levels(int size)
    {
        foreach (byte[] original in new[] { Text(size, size), Noise(size, size) })
        {
            foreach (int level in new[] { 1, Zstd.DefaultLevel, 19 })
            {
                byte[] frame = Zstd.Compress(original, level);
                Assert.Equal(size, Zstd.GetDecompressedLength(frame));
                Assert.Equal(original, Zstd.Decompress(frame, maxLength: size));
            }
        }
    }

    [Fact]
    public void Text_compresses_well_and_higher_levels_are_not_larger_on_it()
    {
        byte[] text = Text(100_000, 1);
        int fast = Zstd.Compress(text, 1).Length;
        int strong = Zstd.Compress(text, 19).Length;
        Assert.True(fast < text.Length / 3, $"level 1 made {fast} bytes of {text.Length}");
        Assert.True(strong <= fast, $"level 19 made {strong} bytes, level 1 {fast}");
    }

    [Fact]
    public void A_near_duplicate_compressed_with_its_predecessor_as_prefix_is_much_smaller_and_needs_that_prefix()
    {
        byte[] base1 = Noise(10_240, 7);
        byte[] next = (byte[])base1.Clone();
        next[5000] ^= 0xff;
        next[9000] ^= 0xff;

        byte[] plain = Zstd.Compress(next);
        byte[] delta = Zstd.Compress(next, prefix: base1, checksum: true);

        Assert.True(delta.Length < 100, $"the delta is {delta.Length} bytes");
        Assert.True(plain.Length > 10_000, $"the plain frame is {plain.Length} bytes");
        Assert.Equal(next, Zstd.Decompress(delta, next.Length, prefix: base1));
        // Without the prefix (or with another one) the content cannot be rebuilt, and the checksum says so.
        Assert.Equal(HeliosErrorCode.Corruption, Assert.ThrowsAny<HeliosException>(() => Zstd.Decompress(delta, next.Length)).Code);
        byte[] other = Noise(10_240, 8);
        Assert.Equal(HeliosErrorCode.Corruption, Assert.ThrowsAny<HeliosException>(() => Zstd.Decompress(delta, next.Length, prefix: other)).Code);
    }

    [Fact]
    public void Contexts_are_reused_without_leaking_a_prefix_into_the_next_frame()
    {
        byte[] base1 = Text(5000, 3);
        byte[] delta = Zstd.Compress(base1, prefix: base1);
        byte[] plain = Zstd.Compress(base1);
        // The second frame must decode without any prefix: the first one's was single-use.
        Assert.Equal(base1, Zstd.Decompress(plain, base1.Length));
        Assert.Equal(base1, Zstd.Decompress(delta, base1.Length, prefix: base1));
        Assert.Equal(base1, Zstd.Decompress(plain, base1.Length));
    }

    [Fact]
    public void Compressing_into_a_destination_too_small_returns_minus_one()
    {
        byte[] noise = Noise(4096, 1);
        Assert.Equal(-1, Zstd.Compress(noise, new byte[4095], Zstd.DefaultLevel));
        Assert.True(Zstd.Compress(Text(4096, 1), new byte[4095], Zstd.DefaultLevel) > 0);
    }

    [Fact]
    public void Truncated_frames_are_corruption_not_crashes()
    {
        byte[] original = Text(50_000, 2);
        byte[] frame = Zstd.Compress(original);
        foreach (int keep in new[] { 0, 1, 3, 5, 9, frame.Length / 2, frame.Length - 1 })
        {
            var error = Assert.ThrowsAny<HeliosException>(() => Zstd.Decompress(frame.AsSpan(0, keep), original.Length));
            Assert.Equal(HeliosErrorCode.Corruption, error.Code);
        }
    }

    [Fact]
    public void Flipped_bytes_are_corruption_or_a_different_result_never_a_crash()
    {
        byte[] original = Text(20_000, 4);
        byte[] frame = Zstd.Compress(original, checksum: true);
        var random = new Random(5);
        for (int i = 0; i < 300; i++)
        {
            byte[] damaged = (byte[])frame.Clone();
            damaged[random.Next(damaged.Length)] ^= (byte)(1 << random.Next(8));
            try
            {
                byte[] decoded = Zstd.Decompress(damaged, original.Length);
                Assert.True(decoded.Length <= original.Length);
            }
            catch (HeliosException e)
            {
                Assert.Equal(HeliosErrorCode.Corruption, e.Code);
            }
        }
    }

    [Fact]
    public void Garbage_is_corruption()
    {
        var error = Assert.ThrowsAny<HeliosException>(() => Zstd.Decompress(Encoding.ASCII.GetBytes("not a zstd frame at all"), 1000));
        Assert.Equal(HeliosErrorCode.Corruption, error.Code);
        Assert.Contains("zstd", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_decompression_bomb_is_refused_before_allocating_past_the_limit()
    {
        // 256 MiB of zeros compress to a few kilobytes; a reader allowing 1 MiB must not inflate them.
        byte[] zeros = new byte[256 << 20];
        byte[] bomb = Zstd.Compress(zeros, 1);
        Assert.True(bomb.Length < 100_000);

        long before = GC.GetAllocatedBytesForCurrentThread();
        var error = Assert.ThrowsAny<HeliosException>(() => Zstd.Decompress(bomb, maxLength: 1 << 20));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(HeliosErrorCode.Corruption, error.Code);
        Assert.Contains("past the limit", error.Message, StringComparison.Ordinal);
        Assert.True(allocated < 64 * 1024, $"refusing the bomb allocated {allocated} bytes");
    }

    [Fact]
    public void A_frame_that_understates_its_size_stops_at_the_destination()
    {
        // A frame whose blocks hold 100,000 bytes, its header patched to declare 1,000 (RFC 8878: a single-segment
        // frame of this size keeps a 4-byte little-endian content size right after the descriptor byte).
        byte[] liar = Zstd.Compress(new byte[100_000], 1);
        Assert.Equal(0xA0, liar[4] & 0xE3);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(liar.AsSpan(5), 1000);
        Assert.Equal(1000, Zstd.GetDecompressedLength(liar));

        long before = GC.GetAllocatedBytesForCurrentThread();
        var error = Assert.ThrowsAny<HeliosException>(() => Zstd.Decompress(liar, maxLength: 1 << 20));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 64 * 1024);
        Assert.Equal(HeliosErrorCode.Corruption, error.Code);
        Assert.Equal(HeliosErrorCode.Corruption, Assert.ThrowsAny<HeliosException>(() => Zstd.Decompress(liar, new byte[1000])).Code);
    }

    [Fact]
    public void Invalid_levels_are_rejected_with_a_clear_error()
    {
        Zstd.ValidateLevel(Zstd.DefaultLevel);
        Zstd.ValidateLevel(Zstd.MaxLevel);
        Assert.Equal(HeliosErrorCode.InvalidArgument, Assert.ThrowsAny<HeliosException>(() => Zstd.ValidateLevel(Zstd.MaxLevel + 1)).Code);
        Assert.Equal(HeliosErrorCode.InvalidArgument, Assert.ThrowsAny<HeliosException>(() => Zstd.ValidateLevel(0)).Code);
        Assert.True(Zstd.LibraryVersion >= 10400);
    }

    [Fact]
    public void Many_threads_compress_and_decompress_independently()
    {
        Parallel.For(0, 64, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            byte[] a = Text(3000 + i, i);
            byte[] b = (byte[])a.Clone();
            b[i] = (byte)'#';
            byte[] delta = Zstd.Compress(b, prefix: a, checksum: true);
            Assert.Equal(b, Zstd.Decompress(delta, b.Length, prefix: a));
        });
    }
}
