using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text;

namespace Helios.Core.Hashing;

/// <summary>
/// One-shot BLAKE3 in its three modes (hash, keyed hash, derive key), with output of any length.
/// Thread-safe: no shared state. Allocation-free (derive-key allocates only for a context longer
/// than 256 UTF-8 bytes). Costs O(input + output); the state lives on the stack.
/// For input that arrives in pieces use <see cref="Blake3Hasher"/>, which gives identical results.
/// </summary>
public static class Blake3
{
    /// <summary>Length of a BLAKE3 key and of its default output, in bytes.</summary>
    public const int KeyLength = 32;

    /// <summary>Default output length, in bytes.</summary>
    public const int OutputLength = 32;

    /// <summary>
    /// Inputs shorter than this use the scalar code only: one-shot hashes of fewer bytes, and a
    /// <see cref="Blake3Hasher"/> until its input so far reaches it. The SIMD kernels are compiled on
    /// first use, which costs tens of milliseconds: a short-lived process that hashes little (the CLI)
    /// raises this so it never pays that. Same hashes either way. Default 0: always use SIMD. Set it
    /// before hashing starts; not meant to change while other threads hash.
    /// </summary>
    public static int SimdThreshold { get; set; }

    /// <summary>Writes BLAKE3(<paramref name="input"/>) into all of <paramref name="output"/> (any length: extendable output).</summary>
    [SkipLocalsInit]
    public static void Hash(ReadOnlySpan<byte> input, Span<byte> output)
    {
        var state = Blake3State.ForHash();
        state.Update(input, input.Length >= SimdThreshold ? Blake3State.HardwareDegree : 1);
        state.Finalize(0, output);
    }

    /// <summary>
    /// <see cref="HashParallel"/> and <see cref="Blake3Hasher.UpdateParallel"/> hash inputs (or pieces) shorter
    /// than this on the calling thread: below it, handing work to other threads costs more than it saves.
    /// </summary>
    public const int ParallelThreshold = Blake3State.ParallelThreshold;

    /// <summary>
    /// Writes BLAKE3(<paramref name="input"/>) into all of <paramref name="output"/>, hashing inputs of at least
    /// <see cref="ParallelThreshold"/> bytes on up to <paramref name="maxThreads"/> threads of the shared thread
    /// pool (0: one per processor, as b3sum does), the calling thread included. The result equals
    /// <see cref="Hash(ReadOnlySpan{byte}, Span{byte})"/>. Blocks until done; thread-safe. Allocates a few small
    /// arrays per call (about 40 bytes per 64 KiB of input at worst), nothing per chunk.
    /// </summary>
    /// <remarks>
    /// The input is cut into complete subtrees of the BLAKE3 tree (powers of two of 1 KiB chunks, at least
    /// 64 KiB, about four per thread), each hashed by a worker; their chaining values are combined in input order.
    /// </remarks>
    [SkipLocalsInit]
    public static void HashParallel(ReadOnlySpan<byte> input, Span<byte> output, int maxThreads = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxThreads);
        var state = Blake3State.ForHash();
        state.UpdateParallel(input, maxThreads, input.Length >= SimdThreshold ? Blake3State.HardwareDegree : 1);
        state.Finalize(0, output);
    }

    /// <summary>Keyed hash (a MAC) with a 32-byte key.</summary>
    /// <exception cref="ArgumentException">The key is not 32 bytes.</exception>
    [SkipLocalsInit]
    public static void KeyedHash(ReadOnlySpan<byte> key, ReadOnlySpan<byte> input, Span<byte> output)
    {
        var state = Blake3State.ForKeyedHash(key);
        state.Update(input);
        state.Finalize(0, output);
    }

    /// <summary>Derive-key mode: a context string (hashed as UTF-8) and key material.</summary>
    [SkipLocalsInit]
    public static void DeriveKey(string context, ReadOnlySpan<byte> keyMaterial, Span<byte> output)
    {
        var state = CreateDeriveKeyState(context);
        state.Update(keyMaterial);
        state.Finalize(0, output);
    }

    /// <summary>Starts derive-key mode for a context string; shared with <see cref="Blake3Hasher"/>.</summary>
    [SkipLocalsInit]
    internal static Blake3State CreateDeriveKeyState(string context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var length = Encoding.UTF8.GetByteCount(context);
        byte[]? rented = null;
        var buffer = length <= 256 ? stackalloc byte[256] : (rented = ArrayPool<byte>.Shared.Rent(length));
        try
        {
            var written = Encoding.UTF8.GetBytes(context, buffer);
            return Blake3State.ForDeriveKey(buffer[..written]);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }
}
