using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Helios.Core.Errors;

namespace Helios.Core.Compression;

/// <summary>
/// LZ4 block compression through the system liblz4 (Debian package <c>liblz4-1</c>).
/// <para>
/// Two formats. The span overloads read and write a raw LZ4 block, which does not record its
/// uncompressed length: the caller must keep it. The <c>byte[]</c> overloads write a <em>sized
/// block</em>: the uncompressed length as a 4-byte little-endian integer, then the raw block, so
/// <see cref="Decompress(ReadOnlySpan{byte})"/> can allocate an exact buffer.
/// </para>
/// <para>
/// Thread-safe: every call is independent. Cost is O(n) in the input; decoding never reads or
/// writes outside the given spans, and malformed input is reported as
/// <see cref="HeliosErrorCode.Corruption"/>, never as a crash.
/// </para>
/// </summary>
public static partial class Lz4
{
    /// <summary>Largest input liblz4 accepts (<c>LZ4_MAX_INPUT_SIZE</c>).</summary>
    public const int MaxInputLength = 0x7E000000;

    /// <summary>Length of the header that starts a sized block.</summary>
    public const int SizedBlockHeaderLength = 4;

    // One block byte can expand to at most 255 output bytes (a run-length byte of 255), so a
    // declared length beyond this is corrupt and must not drive an allocation.
    private const long MaxExpansion = 255;

    /// <summary>The version of the loaded liblz4, for example 10904 for 1.9.4.</summary>
    public static int LibraryVersion => Native.VersionNumber();

    /// <summary>The largest raw block <see cref="Compress(ReadOnlySpan{byte}, Span{byte})"/> can produce from <paramref name="length"/> bytes.</summary>
    public static int MaxCompressedLength(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, MaxInputLength);
        return Native.CompressBound(length);
    }

    /// <summary>
    /// Compresses <paramref name="source"/> into a raw LZ4 block in <paramref name="destination"/>
    /// and returns its length. A destination of <see cref="MaxCompressedLength"/> bytes always
    /// suffices; a smaller one that turns out too small throws <see cref="ArgumentException"/>.
    /// </summary>
    public static unsafe int Compress(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(source.Length, MaxInputLength, nameof(source));
        int written;
        fixed (byte* src = &MemoryMarshal.GetReference(source))
        fixed (byte* dst = &MemoryMarshal.GetReference(destination))
        {
            written = Native.CompressDefault(src, dst, source.Length, destination.Length);
        }

        if (written <= 0)
        {
            throw new ArgumentException(
                $"An LZ4 block of {source.Length} bytes does not fit in {destination.Length} bytes; " +
                $"use a destination of MaxCompressedLength({source.Length}) = {MaxCompressedLength(source.Length)} bytes.",
                nameof(destination));
        }

        return written;
    }

    /// <summary>
    /// Decodes the raw LZ4 block <paramref name="source"/> into <paramref name="destination"/> and
    /// returns the number of bytes written. Throws <see cref="HeliosException"/> with
    /// <see cref="HeliosErrorCode.Corruption"/> when the block is malformed, truncated, or decodes to
    /// more than <paramref name="destination"/> can hold.
    /// </summary>
    public static unsafe int Decompress(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        if (source.IsEmpty)
        {
            // Even an empty input encodes to one byte; liblz4 also rejects a null source pointer.
            throw Corrupt("the block is empty");
        }

        int written;
        fixed (byte* src = &MemoryMarshal.GetReference(source))
        fixed (byte* dst = &MemoryMarshal.GetReference(destination))
        {
            written = Native.DecompressSafe(src, dst, source.Length, destination.Length);
        }

        if (written < 0)
        {
            throw Corrupt($"decoding of a {source.Length}-byte block into {destination.Length} bytes stopped at input byte {-(long)written - 1}");
        }

        return written;
    }

    /// <summary>Compresses <paramref name="source"/> into a new sized block (length header, then a raw block).</summary>
    public static byte[] Compress(ReadOnlySpan<byte> source)
    {
        int bound = MaxCompressedLength(source.Length);
        byte[] rented = System.Buffers.ArrayPool<byte>.Shared.Rent(SizedBlockHeaderLength + bound);
        try
        {
            BinaryPrimitives.WriteInt32LittleEndian(rented, source.Length);
            int written = Compress(source, rented.AsSpan(SizedBlockHeaderLength, bound));
            return rented.AsSpan(0, SizedBlockHeaderLength + written).ToArray();
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>The uncompressed length recorded in a sized block's header. Corruption when the header is impossible.</summary>
    public static int GetDecompressedLength(ReadOnlySpan<byte> sizedBlock)
    {
        if (sizedBlock.Length <= SizedBlockHeaderLength)
        {
            throw Corrupt($"a sized block needs more than {SizedBlockHeaderLength} bytes, this one has {sizedBlock.Length}");
        }

        int declared = BinaryPrimitives.ReadInt32LittleEndian(sizedBlock);
        long blockLength = sizedBlock.Length - SizedBlockHeaderLength;
        if (declared < 0 || declared > blockLength * MaxExpansion)
        {
            throw Corrupt($"the header declares {declared} bytes, impossible for a {blockLength}-byte block");
        }

        return declared;
    }

    /// <summary>Decodes a sized block made by <see cref="Compress(ReadOnlySpan{byte})"/> into a new array of exactly the recorded length.</summary>
    public static byte[] Decompress(ReadOnlySpan<byte> sizedBlock)
    {
        int length = GetDecompressedLength(sizedBlock);
        byte[] result = length == 0 ? [] : GC.AllocateUninitializedArray<byte>(length);
        int written = Decompress(sizedBlock[SizedBlockHeaderLength..], result);
        if (written != length)
        {
            throw Corrupt($"the header declares {length} bytes but the block decodes to {written}");
        }

        return result;
    }

    private static HeliosException Corrupt(string problem) =>
        new(HeliosErrorCode.Corruption, $"LZ4 data is corrupt: {problem}.");

    private static unsafe partial class Native
    {
        // Resolution of "lz4" to liblz4.so.1 must be in place before the first call binds.
        static Native() => NativeLibraries.EnsureRegistered();

        [LibraryImport(NativeLibraries.Lz4, EntryPoint = "LZ4_versionNumber")]
        internal static partial int VersionNumber();

        [LibraryImport(NativeLibraries.Lz4, EntryPoint = "LZ4_compressBound")]
        internal static partial int CompressBound(int inputSize);

        [LibraryImport(NativeLibraries.Lz4, EntryPoint = "LZ4_compress_default")]
        internal static partial int CompressDefault(byte* src, byte* dst, int srcSize, int dstCapacity);

        [LibraryImport(NativeLibraries.Lz4, EntryPoint = "LZ4_decompress_safe")]
        internal static partial int DecompressSafe(byte* src, byte* dst, int compressedSize, int dstCapacity);
    }
}
