namespace Helios.Core.Memory;

/// <summary>
/// Signs merge-log records and exported logs. The repository's key is one; a composition root may
/// hand Core another (a hardware token, a key service) through
/// <see cref="Repositories.RepositoryOptions.MergeLogSigner"/>. Implementations are thread-safe.
/// </summary>
public interface IMergeLogSigner
{
    /// <summary>The key that verifies this signer's signatures.</summary>
    MergeLogPublicKey PublicKey { get; }

    /// <summary>
    /// An ECDSA P-256 signature of the 32-byte <paramref name="hash"/>, IEEE P1363 (64 bytes, r ‖ s)
    /// with the low s (see <see cref="MergeLogPublicKey"/>).
    /// </summary>
    byte[] SignHash(ReadOnlySpan<byte> hash);
}
