namespace Helios.Core.Hashing;

/// <summary>
/// Incremental BLAKE3: feed input with <see cref="Update"/> in pieces of any size, then read any
/// amount of output, from any offset, with <see cref="Finalize(Span{byte})"/> or
/// <see cref="Finalize(ulong, Span{byte})"/>. The result equals the one-shot <see cref="Blake3"/>
/// functions on the concatenated input, whatever the split.
/// </summary>
/// <remarks>
/// Not thread-safe: one hasher per thread. Finalizing does not change the state, so more input may
/// follow and finalizing again reflects it. <see cref="Update"/> does not allocate and costs O(input);
/// whole 1 KiB chunks are hashed straight from the caller's span. The hasher itself is one
/// allocation of about 2 KB; <see cref="Reset"/> makes it reusable.
/// </remarks>
public sealed class Blake3Hasher
{
    private Blake3State _state;

    /// <summary>A hasher in plain hash mode.</summary>
    public Blake3Hasher()
        : this(Blake3State.ForHash())
    {
    }

    private Blake3Hasher(Blake3State state)
    {
        _state = state;
    }

    /// <summary>A hasher in keyed mode (a MAC).</summary>
    /// <exception cref="ArgumentException">The key is not 32 bytes.</exception>
    public static Blake3Hasher CreateKeyed(ReadOnlySpan<byte> key) => new(Blake3State.ForKeyedHash(key));

    /// <summary>A hasher in derive-key mode for the given context string (hashed as UTF-8); feed it the key material.</summary>
    public static Blake3Hasher CreateDeriveKey(string context) => new(Blake3.CreateDeriveKeyState(context));

    /// <summary>Adds input. May be called any number of times with pieces of any length, including empty.</summary>
    public void Update(ReadOnlySpan<byte> input) => _state.Update(input, _state.DegreeFor(input.Length));

    /// <summary>
    /// Adds input like <see cref="Update"/>, hashing a piece of at least <see cref="Blake3.ParallelThreshold"/> bytes
    /// on up to <paramref name="maxThreads"/> threads of the shared thread pool (0: one per processor), the calling
    /// thread included. Same result as <see cref="Update"/>; blocks until done. Any mix of the two may be used.
    /// </summary>
    public void UpdateParallel(ReadOnlySpan<byte> input, int maxThreads = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxThreads);
        _state.UpdateParallel(input, maxThreads, _state.DegreeFor(input.Length));
    }

    /// <summary>Writes the first <c>output.Length</c> bytes of the output (32 is the standard hash length).</summary>
    public void Finalize(Span<byte> output) => _state.Finalize(0, output);

    /// <summary>Writes output bytes starting at byte <paramref name="offset"/> of the extendable output stream.</summary>
    public void Finalize(ulong offset, Span<byte> output) => _state.Finalize(offset, output);

    /// <summary>Forgets all input, keeping the mode and key.</summary>
    public void Reset() => _state.Reset();
}
