using System.Buffers.Binary;
using System.Diagnostics;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Text;
using Helios.Core.Compression;
using Helios.Core.Errors;

namespace Helios.Core.Tests.Compression;

public sealed class Lz4Tests
{
    public static TheoryData<int, DataKind> SizesAndKinds()
    {
        var data = new TheoryData<int, DataKind>();
        int[] sizes = [0, 1, 2, 3, 4, 5, 12, 13, 15, 16, 17, 63, 64, 65, 255, 256, 1000, 4095, 4096, 4097, 65_535, 65_536, 65_537, 1_000_003];
        foreach (int size in sizes)
        {
            foreach (var kind in Enum.GetValues<DataKind>())
            {
                data.Add(size, kind);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(SizesAndKinds))]
    public void Sized_block_round_trips(int size, DataKind kind)
    {
        byte[] original = Make(kind, size, seed: size);

        byte[] compressed = Lz4.Compress(original);

        Assert.Equal(size, Lz4.GetDecompressedLength(compressed));
        Assert.Equal(original, Lz4.Decompress(compressed));
    }

    [Theory]
    [MemberData(nameof(SizesAndKinds))]
    public void Raw_block_round_trips_into_an_exact_buffer(int size, DataKind kind)
    {
        byte[] original = Make(kind, size, seed: size + 1);
        byte[] block = new byte[Lz4.MaxCompressedLength(size)];

        int compressedLength = Lz4.Compress(original, block);
        byte[] restored = new byte[size];
        int restoredLength = Lz4.Decompress(block.AsSpan(0, compressedLength), restored);

        Assert.InRange(compressedLength, 1, block.Length);
        Assert.Equal(size, restoredLength);
        Assert.Equal(original, restored);
    }

    [Fact]
    public void Repetitive_data_compresses_to_a_small_fraction()
    {
        byte[] original = Make(DataKind.Repetitive, 1 << 20, seed: 7);

        byte[] compressed = Lz4.Compress(original);

        Assert.True(compressed.Length < original.Length / 100, $"1 MiB of repeated text compressed to {compressed.Length} bytes");
    }

    [Fact]
    public void Incompressible_data_stays_within_the_maximum_compressed_length()
    {
        byte[] original = Make(DataKind.Random, 100_000, seed: 3);

        byte[] compressed = Lz4.Compress(original);

        Assert.True(compressed.Length - Lz4.SizedBlockHeaderLength <= Lz4.MaxCompressedLength(original.Length));
        Assert.True(compressed.Length > original.Length, "random bytes should not shrink");
    }

    [Fact]
    public void Maximum_compressed_length_matches_the_liblz4_bound()
    {
        // LZ4_COMPRESSBOUND(n) = n + n / 255 + 16.
        foreach (int n in new[] { 0, 1, 255, 4096, 1 << 20 })
        {
            Assert.Equal(n + (n / 255) + 16, Lz4.MaxCompressedLength(n));
        }
    }

    [Fact]
    public void Negative_or_oversized_lengths_are_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Lz4.MaxCompressedLength(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Lz4.MaxCompressedLength(Lz4.MaxInputLength + 1));
    }

    [Fact]
    public void Compressing_into_a_destination_that_is_too_small_throws_an_argument_error()
    {
        byte[] original = Make(DataKind.Random, 4096, seed: 5);
        byte[] destination = new byte[100];

        var e = Assert.Throws<ArgumentException>(() => Lz4.Compress(original, destination));

        Assert.Contains("MaxCompressedLength", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decoding_into_a_destination_that_is_too_small_is_corruption()
    {
        byte[] original = Make(DataKind.Text, 4096, seed: 5);
        byte[] block = new byte[Lz4.MaxCompressedLength(original.Length)];
        int length = Lz4.Compress(original, block);

        var e = Assert.Throws<HeliosException>(() => Lz4.Decompress(block.AsSpan(0, length), new byte[4095]));

        Assert.Equal(HeliosErrorCode.Corruption, e.Code);
    }

    [Fact]
    public void Empty_raw_block_is_corruption()
    {
        var e = Assert.Throws<HeliosException>(() => Lz4.Decompress(ReadOnlySpan<byte>.Empty, new byte[16]));

        Assert.Equal(HeliosErrorCode.Corruption, e.Code);
        Assert.StartsWith("LZ4 data is corrupt", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Truncated_block_is_corruption()
    {
        byte[] original = Make(DataKind.Text, 10_000, seed: 11);
        byte[] compressed = Lz4.Compress(original);

        for (int cut = 1; cut < compressed.Length - Lz4.SizedBlockHeaderLength; cut += 7)
        {
            byte[] truncated = compressed[..^cut];
            var e = Assert.Throws<HeliosException>(() => Lz4.Decompress(truncated));
            Assert.Equal(HeliosErrorCode.Corruption, e.Code);
        }
    }

    [Fact]
    public void Match_offset_before_the_start_of_the_output_is_corruption()
    {
        // Token: 1 literal, match length nibble 0 (4 bytes); literal 'a'; offset 0x0010 points 16
        // bytes back although only 1 byte has been written; then a final literal run.
        byte[] block = [0x10, (byte)'a', 0x10, 0x00, 0x50, 1, 2, 3, 4, 5];

        var e = Assert.Throws<HeliosException>(() => Lz4.Decompress(block, new byte[64]));

        Assert.Equal(HeliosErrorCode.Corruption, e.Code);
    }

    [Fact]
    public void Random_damage_to_a_block_is_reported_as_corruption_or_decodes_within_bounds()
    {
        byte[] original = Make(DataKind.Text, 8192, seed: 13);
        byte[] compressed = Lz4.Compress(original);
        var random = new Random(17);
        int corruptions = 0;

        for (int trial = 0; trial < 2000; trial++)
        {
            byte[] damaged = (byte[])compressed.Clone();
            int flips = random.Next(1, 4);
            for (int i = 0; i < flips; i++)
            {
                // Leave the header alone: damage to it is caught without calling liblz4.
                damaged[random.Next(Lz4.SizedBlockHeaderLength, damaged.Length)] = (byte)random.Next(256);
            }

            try
            {
                // Either decodes (the damage hit literal bytes) to exactly the declared length, or throws.
                Assert.Equal(original.Length, Lz4.Decompress(damaged).Length);
            }
            catch (HeliosException e) when (e.Code == HeliosErrorCode.Corruption)
            {
                corruptions++;
            }
        }

        Assert.True(corruptions > 100, $"only {corruptions} of 2000 damaged blocks were reported as corrupt");
    }

    [Fact]
    public void Arbitrary_bytes_never_crash_the_decoder()
    {
        var random = new Random(19);
        var output = new byte[1024];
        for (int trial = 0; trial < 5000; trial++)
        {
            byte[] garbage = new byte[random.Next(1, 200)];
            random.NextBytes(garbage);
            try
            {
                Assert.InRange(Lz4.Decompress(garbage, output), 0, output.Length);
            }
            catch (HeliosException e) when (e.Code == HeliosErrorCode.Corruption)
            {
            }
        }
    }

    [Theory]
    [InlineData(int.MaxValue)]
    [InlineData(-1)]
    [InlineData(256)]
    public void Sized_block_with_an_impossible_length_header_is_corruption(int declared)
    {
        // One block byte decodes to at most 255 bytes, so this header cannot be honest; it must be
        // rejected before any allocation of that size.
        byte[] block = new byte[Lz4.SizedBlockHeaderLength + 1];
        BinaryPrimitives.WriteInt32LittleEndian(block, declared);

        var e = Assert.Throws<HeliosException>(() => Lz4.Decompress(block));

        Assert.Equal(HeliosErrorCode.Corruption, e.Code);
    }

    [Fact]
    public void Sized_block_whose_header_disagrees_with_its_block_is_corruption()
    {
        byte[] compressed = Lz4.Compress(Make(DataKind.Text, 1000, seed: 23));
        BinaryPrimitives.WriteInt32LittleEndian(compressed, 1200);

        var e = Assert.Throws<HeliosException>(() => Lz4.Decompress(compressed));

        Assert.Equal(HeliosErrorCode.Corruption, e.Code);
        Assert.Contains("1200", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(4)]
    public void Sized_block_without_a_block_is_corruption(int length)
    {
        var e = Assert.Throws<HeliosException>(() => Lz4.Decompress(new byte[length]));

        Assert.Equal(HeliosErrorCode.Corruption, e.Code);
    }

    [Fact]
    public void System_liblz4_is_loaded_through_the_resolver()
    {
        // Debian has only liblz4.so.1; without the resolver the first call would fail with DllNotFoundException.
        Assert.True(Lz4.LibraryVersion >= 10_900, $"liblz4 version {Lz4.LibraryVersion}");
    }

    [Fact]
    public void Missing_native_library_names_the_package_to_install()
    {
        var spec = new NativeLibrarySpec("libnothere", "libnothere-9", ["libnothere.so.9", "libnothere.so", "nothere"]);

        var e = Assert.Throws<HeliosException>(() =>
            NativeLibraries.Load(spec, typeof(Lz4).Assembly, DllImportSearchPath.SafeDirectories));

        Assert.Equal(HeliosErrorCode.Storage, e.Code);
        Assert.Contains("apt-get install libnothere-9", e.Message, StringComparison.Ordinal);
        Assert.Contains("libnothere.so.9", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Compressed_blocks_are_decoded_by_the_lz4_command_line_tool()
    {
        // Independent check that we emit standard LZ4 blocks: wrap one in an LZ4 frame and let the
        // reference tool (Debian package lz4) decode it.
        byte[] original = Make(DataKind.Text, 300_000, seed: 29);
        byte[] block = new byte[Lz4.MaxCompressedLength(original.Length)];
        int blockLength = Lz4.Compress(original, block);

        byte[] frame = ToFrame(block.AsSpan(0, blockLength));
        byte[] decoded = RunLz4Tool(frame);

        Assert.Equal(original, decoded);
    }

    public enum DataKind
    {
        Random,
        Repetitive,
        Text,
    }

    internal static byte[] Make(DataKind kind, int size, int seed)
    {
        var random = new Random(seed);
        byte[] data = new byte[size];
        switch (kind)
        {
            case DataKind.Random:
                random.NextBytes(data);
                break;
            case DataKind.Repetitive:
                byte[] pattern = Encoding.ASCII.GetBytes("agent-state:0042;");
                for (int i = 0; i < size; i++)
                {
                    data[i] = pattern[i % pattern.Length];
                }

                break;
            case DataKind.Text:
                string[] words = ["public", "sealed", "class", "ObjectId", "return", "var", "=", "{", "}", ";", "\n", "    ", "if", "(", ")", "bytes", "Helios"];
                var text = new StringBuilder(size + 16);
                while (text.Length < size)
                {
                    text.Append(words[random.Next(words.Length)]).Append(' ');
                }

                Encoding.ASCII.GetBytes(text.ToString(0, size), data);
                break;
        }

        return data;
    }

    // LZ4 frame format v1.6.x: magic, FLG (version 01, independent blocks, no checksums), BD (4 MiB
    // blocks), header checksum = second byte of XXH32(FLG, BD), one compressed block, end mark.
    private static byte[] ToFrame(ReadOnlySpan<byte> block)
    {
        Assert.True(block.Length <= 4 << 20, "one frame block holds at most 4 MiB");
        byte[] descriptor = [0x60, 0x70];
        var frame = new List<byte>(block.Length + 16);
        frame.AddRange([0x04, 0x22, 0x4D, 0x18]);
        frame.AddRange(descriptor);
        frame.Add((byte)(XxHash32Short(descriptor) >> 8));
        Span<byte> size = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(size, block.Length);
        frame.AddRange(size);
        frame.AddRange(block);
        frame.AddRange([0, 0, 0, 0]);
        return [.. frame];
    }

    // XXH32 with seed 0 for inputs shorter than 16 bytes (no stripe loop needed).
    private static uint XxHash32Short(ReadOnlySpan<byte> input)
    {
        const uint Prime1 = 2654435761U, Prime2 = 2246822519U, Prime3 = 3266489917U, Prime4 = 668265263U, Prime5 = 374761393U;
        Assert.True(input.Length < 16);
        uint h = Prime5 + (uint)input.Length;
        int i = 0;
        for (; i + 4 <= input.Length; i += 4)
        {
            h += BinaryPrimitives.ReadUInt32LittleEndian(input[i..]) * Prime3;
            h = BitOperations.RotateLeft(h, 17) * Prime4;
        }

        for (; i < input.Length; i++)
        {
            h += input[i] * Prime5;
            h = BitOperations.RotateLeft(h, 11) * Prime1;
        }

        h ^= h >> 15;
        h *= Prime2;
        h ^= h >> 13;
        h *= Prime3;
        h ^= h >> 16;
        return h;
    }

    private static byte[] RunLz4Tool(byte[] frame)
    {
        var start = new ProcessStartInfo("lz4", ["-d", "-c"])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("lz4 did not start");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("The lz4 command-line tool is needed by this test: apt-get install lz4.", e);
        }

        using (process)
        {
            var stdout = new MemoryStream();
            var copy = process.StandardOutput.BaseStream.CopyToAsync(stdout);
            var stderr = process.StandardError.ReadToEndAsync();
            process.StandardInput.BaseStream.Write(frame);
            process.StandardInput.Close();
            copy.GetAwaiter().GetResult();
            process.WaitForExit();
            Assert.True(process.ExitCode == 0, $"lz4 -d failed: {stderr.GetAwaiter().GetResult()}");
            return stdout.ToArray();
        }
    }
}
