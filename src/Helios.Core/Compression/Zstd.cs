using System.Runtime.InteropServices;
using Helios.Core.Errors;

namespace Helios.Core.Compression;

/// <summary>
/// zstd compression through the system libzstd (Debian package <c>libzstd1</c>).
/// <para>
/// Every frame this class writes records its content size; a checksum of the content (XXH64, 4 bytes) is
/// added on request, which lets a decoder notice a wrong or damaged prefix (callers that need full integrity hash
/// the decoded bytes anyway, as the object store's readers do). A <em>prefix</em> is raw content
/// used as a dictionary for one frame (<c>ZSTD_CCtx_refPrefix</c>): compressing a near-duplicate with its
/// predecessor as prefix stores little more than the differences. Decoding needs the very same prefix bytes.
/// </para>
/// <para>
/// Thread-safe: each thread reuses its own compression and decompression contexts, created on first use
/// and freed when the thread's contexts are collected. Cost is O(n) in input plus prefix. Decoding never
/// writes beyond the destination it is given and never allocates more than the caller's limit, so a frame
/// that would inflate past it (a decompression bomb) is reported, not followed. Malformed, truncated or
/// oversized input is reported as <see cref="HeliosErrorCode.Corruption"/>, never as a crash.
/// </para>
/// </summary>
public static partial class Zstd
{
    /// <summary>The level zstd itself defaults to (3): fast, and within a few percent of level 9 on source text.</summary>
    public const int DefaultLevel = 3;

    private const ulong ContentSizeUnknown = ulong.MaxValue;
    private const ulong ContentSizeError = ulong.MaxValue - 1;
    private const int ErrorDestinationTooSmall = 70;

    private const int CompressionLevelParameter = 100;
    private const int ChecksumFlagParameter = 201;
    private const int ContentSizeFlagParameter = 200;
    private const int ResetSessionAndParameters = 3;

    [ThreadStatic]
    private static Contexts? t_contexts;

    /// <summary>The version of the loaded libzstd, for example 10504 for 1.5.4.</summary>
    public static int LibraryVersion => (int)Native.VersionNumber();

    /// <summary>Lowest level libzstd accepts (negative levels trade ratio for speed).</summary>
    public static int MinLevel => Native.MinCLevel();

    /// <summary>Highest level libzstd accepts.</summary>
    public static int MaxLevel => Native.MaxCLevel();

    /// <summary>The largest frame <c>Compress</c> can produce from <paramref name="length"/> bytes.</summary>
    public static int MaxCompressedLength(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        nuint bound = Native.CompressBound((nuint)length);
        return bound > int.MaxValue ? throw new ArgumentOutOfRangeException(nameof(length), $"{length} bytes are too many to compress in one frame.") : (int)bound;
    }

    /// <summary>Throws <see cref="HeliosErrorCode.InvalidArgument"/> unless libzstd accepts <paramref name="level"/>.</summary>
    public static void ValidateLevel(int level)
    {
        if (level < MinLevel || level > MaxLevel || level == 0)
        {
            throw new HeliosException(HeliosErrorCode.InvalidArgument,
                $"The zstd level must be between {MinLevel} and {MaxLevel} and not 0 (got {level}).");
        }
    }

    /// <summary>
    /// Compresses <paramref name="source"/> at <paramref name="level"/> into one frame in <paramref name="destination"/>,
    /// using <paramref name="prefix"/> (when not empty) as a dictionary, with a content checksum when
    /// <paramref name="checksum"/> is set, and returns the frame's length. A destination
    /// of <see cref="MaxCompressedLength"/> bytes always suffices; returns -1 when a smaller one turns out too small,
    /// so a caller can ask for "only if it shrinks" by passing a destination shorter than the source.
    /// </summary>
    public static unsafe int Compress(
        ReadOnlySpan<byte> source, Span<byte> destination, int level, ReadOnlySpan<byte> prefix = default, bool checksum = false)
    {
        var contexts = Contexts.ForThisThread();
        nint cctx = contexts.Compression;
        Check(Native.CCtxReset(cctx, ResetSessionAndParameters), "reset");
        Check(Native.CCtxSetParameter(cctx, CompressionLevelParameter, level), "set the level");
        Check(Native.CCtxSetParameter(cctx, ContentSizeFlagParameter, 1), "set the content-size flag");
        Check(Native.CCtxSetParameter(cctx, ChecksumFlagParameter, checksum ? 1 : 0), "set the checksum flag");
        nuint written;
        fixed (byte* src = &MemoryMarshal.GetReference(source))
        fixed (byte* dst = &MemoryMarshal.GetReference(destination))
        fixed (byte* pre = &MemoryMarshal.GetReference(prefix))
        {
            if (!prefix.IsEmpty)
            {
                Check(Native.CCtxRefPrefix(cctx, pre, (nuint)prefix.Length), "reference the prefix");
            }

            written = Native.Compress2(cctx, dst, (nuint)destination.Length, src, (nuint)source.Length);
        }

        if (Native.IsError(written) != 0)
        {
            if (Native.GetErrorCode(written) == ErrorDestinationTooSmall)
            {
                return -1;
            }

            throw new HeliosException(HeliosErrorCode.InvalidArgument, $"zstd could not compress {source.Length} bytes: {ErrorName(written)}.");
        }

        return (int)written;
    }

    /// <summary>Compresses <paramref name="source"/> into a new array holding one frame.</summary>
    public static byte[] Compress(ReadOnlySpan<byte> source, int level = DefaultLevel, ReadOnlySpan<byte> prefix = default, bool checksum = false)
    {
        byte[] buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(MaxCompressedLength(source.Length));
        try
        {
            int written = Compress(source, buffer, level, prefix, checksum);
            return buffer.AsSpan(0, written).ToArray();
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// The content size a frame declares, or throws <see cref="HeliosErrorCode.Corruption"/> when the header is
    /// malformed or does not declare one (every frame this class writes does).
    /// </summary>
    public static unsafe long GetDecompressedLength(ReadOnlySpan<byte> frame)
    {
        ulong size;
        fixed (byte* src = &MemoryMarshal.GetReference(frame))
        {
            size = Native.GetFrameContentSize(src, (nuint)frame.Length);
        }

        return size switch
        {
            ContentSizeError => throw Corrupt($"the {frame.Length}-byte input does not start with a valid frame header"),
            ContentSizeUnknown => throw Corrupt("the frame does not record its content size"),
            > long.MaxValue => throw Corrupt($"the frame declares an impossible content size of {size} bytes"),
            _ => (long)size,
        };
    }

    /// <summary>
    /// Decodes the frame <paramref name="source"/> (made with <paramref name="prefix"/>, when not empty) into
    /// <paramref name="destination"/> and returns the number of bytes written. Never writes past the destination:
    /// a frame that would is <see cref="HeliosErrorCode.Corruption"/> ("inflates past"), as is a malformed or
    /// truncated frame, and a frame with a checksum whose content (say, because of a wrong prefix) does not match it.
    /// </summary>
    public static unsafe int Decompress(ReadOnlySpan<byte> source, Span<byte> destination, ReadOnlySpan<byte> prefix = default)
    {
        if (source.IsEmpty)
        {
            throw Corrupt("the input is empty");
        }

        var contexts = Contexts.ForThisThread();
        nint dctx = contexts.Decompression;
        Check(Native.DCtxReset(dctx, ResetSessionAndParameters), "reset");
        nuint written;
        fixed (byte* src = &MemoryMarshal.GetReference(source))
        fixed (byte* dst = &MemoryMarshal.GetReference(destination))
        fixed (byte* pre = &MemoryMarshal.GetReference(prefix))
        {
            if (!prefix.IsEmpty)
            {
                Check(Native.DCtxRefPrefix(dctx, pre, (nuint)prefix.Length), "reference the prefix");
            }

            written = Native.DecompressDCtx(dctx, dst, (nuint)destination.Length, src, (nuint)source.Length);
        }

        if (Native.IsError(written) != 0)
        {
            throw Native.GetErrorCode(written) == ErrorDestinationTooSmall
                ? Corrupt($"the frame inflates past the limit of {destination.Length} bytes")
                : Corrupt($"decoding a {source.Length}-byte frame failed ({ErrorName(written)})");
        }

        return (int)written;
    }

    /// <summary>
    /// Decodes one frame into a new array of exactly its declared content size, which must not exceed
    /// <paramref name="maxLength"/>: the limit is checked before anything is allocated, and decoding stops at the
    /// declared size, so no input makes this allocate more than <paramref name="maxLength"/> bytes.
    /// </summary>
    public static byte[] Decompress(ReadOnlySpan<byte> frame, int maxLength, ReadOnlySpan<byte> prefix = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxLength);
        long declared = GetDecompressedLength(frame);
        if (declared > maxLength)
        {
            throw Corrupt($"the frame declares {declared} bytes, past the limit of {maxLength}");
        }

        byte[] result = declared == 0 ? [] : GC.AllocateUninitializedArray<byte>((int)declared);
        int written = Decompress(frame, result, prefix);
        if (written != declared)
        {
            throw Corrupt($"the frame declares {declared} bytes but decodes to {written}");
        }

        return result;
    }

    private static void Check(nuint result, string step)
    {
        if (Native.IsError(result) != 0)
        {
            throw new HeliosException(HeliosErrorCode.InvalidArgument, $"zstd could not {step}: {ErrorName(result)}.");
        }
    }

    private static unsafe string ErrorName(nuint code) => Marshal.PtrToStringUTF8((nint)Native.GetErrorName(code)) ?? "unknown error";

    private static HeliosException Corrupt(string problem) =>
        new(HeliosErrorCode.Corruption, $"zstd data is corrupt: {problem}.");

    /// <summary>One thread's contexts; the finalizer frees them once the thread (and so its reference) is gone.</summary>
    private sealed class Contexts
    {
        private Contexts(nint compression, nint decompression)
        {
            Compression = compression;
            Decompression = decompression;
        }

        ~Contexts()
        {
            _ = Native.FreeCCtx(Compression);
            _ = Native.FreeDCtx(Decompression);
        }

        public nint Compression { get; }

        public nint Decompression { get; }

        public static Contexts ForThisThread()
        {
            if (t_contexts is { } existing)
            {
                return existing;
            }

            nint c = Native.CreateCCtx();
            nint d = Native.CreateDCtx();
            if (c == 0 || d == 0)
            {
                _ = Native.FreeCCtx(c);
                _ = Native.FreeDCtx(d);
                throw new HeliosException(HeliosErrorCode.Storage, "libzstd could not allocate a compression context (out of memory).");
            }

            return t_contexts = new Contexts(c, d);
        }
    }

    private static unsafe partial class Native
    {
        // Resolution of "zstd" to libzstd.so.1 must be in place before the first call binds.
        static Native() => NativeLibraries.EnsureRegistered();

        [LibraryImport(NativeLibraries.Zstd, EntryPoint = "ZSTD_versionNumber")]
        internal static partial uint VersionNumber();

        [LibraryImport(NativeLibraries.Zstd, EntryPoint = "ZSTD_minCLevel")]
        internal static partial int MinCLevel();

        [LibraryImport(NativeLibraries.Zstd, EntryPoint = "ZSTD_maxCLevel")]
        internal static partial int MaxCLevel();

        [LibraryImport(NativeLibraries.Zstd, EntryPoint = "ZSTD_compressBound")]
        internal static partial nuint CompressBound(nuint srcSize);

        [LibraryImport(NativeLibraries.Zstd, EntryPoint = "ZSTD_isError")]
        internal static partial uint IsError(nuint code);

        [LibraryImport(NativeLibraries.Zstd, EntryPoint = "ZSTD_getErrorCode")]
        internal static partial int GetErrorCode(nuint code);

        [LibraryImport(NativeLibraries.Zstd, EntryPoint = "ZSTD_getErrorName")]
        internal static partial byte* GetErrorName(nuint code);

        [LibraryImport(NativeLibraries.Zstd, EntryPoint = "ZSTD_createCCtx")]
        internal static partial nint CreateCCtx();

        [LibraryImport(NativeLibraries.Zstd, EntryPoint = "ZSTD_freeCCtx")]
        internal static partial nuint FreeCCtx(nint cctx);

        [LibraryImport(NativeLibraries.Zstd, EntryPoint = "ZSTD_createDCtx")]
        internal static partial nint CreateDCtx();

        [LibraryImport(NativeLibraries.Zstd, EntryPoint = "ZSTD_freeDCtx")]
        internal static partial nuint FreeDCtx(nint dctx);

        [LibraryImport(NativeLibraries.Zstd, EntryPoint = "ZSTD_CCtx_reset")]
        internal static partial nuint CCtxReset(nint cctx, int directive);

        [LibraryImport(NativeLibraries.Zstd, EntryPoint = "ZSTD_CCtx_setParameter")]
        internal static partial nuint CCtxSetParameter(nint cctx, int parameter, int value);

        [LibraryImport(NativeLibraries.Zstd, EntryPoint = "ZSTD_CCtx_refPrefix")]
        internal static partial nuint CCtxRefPrefix(nint cctx, byte* prefix, nuint prefixSize);

        [LibraryImport(NativeLibraries.Zstd, EntryPoint = "ZSTD_compress2")]
        internal static partial nuint Compress2(nint cctx, byte* dst, nuint dstCapacity, byte* src, nuint srcSize);

        [LibraryImport(NativeLibraries.Zstd, EntryPoint = "ZSTD_DCtx_reset")]
        internal static partial nuint DCtxReset(nint dctx, int directive);

        [LibraryImport(NativeLibraries.Zstd, EntryPoint = "ZSTD_DCtx_refPrefix")]
        internal static partial nuint DCtxRefPrefix(nint dctx, byte* prefix, nuint prefixSize);

        [LibraryImport(NativeLibraries.Zstd, EntryPoint = "ZSTD_decompressDCtx")]
        internal static partial nuint DecompressDCtx(nint dctx, byte* dst, nuint dstCapacity, byte* src, nuint srcSize);

        [LibraryImport(NativeLibraries.Zstd, EntryPoint = "ZSTD_getFrameContentSize")]
        internal static partial ulong GetFrameContentSize(byte* src, nuint srcSize);
    }
}
