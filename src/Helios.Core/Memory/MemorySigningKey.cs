using System.Security.Cryptography;
using Helios.Core.Errors;

namespace Helios.Core.Memory;

/// <summary>
/// A repository's merge-log key: an ECDSA P-256 private key held in memory
/// (System.Security.Cryptography, so OpenSSL on Linux). It is stored as a PKCS#8 PEM; where that
/// file lives is the composition root's choice (<see cref="MergeLogKeyFile"/>). Thread-safe.
/// Generating a key costs well under a millisecond; each signature one ECDSA operation.
/// </summary>
public sealed class MemorySigningKey : IMergeLogSigner, IDisposable
{
    private readonly ECDsa _key;
    private readonly Lock _lock = new();

    private MemorySigningKey(ECDsa key)
    {
        _key = key;
        var pub = ECDsa.Create();
        try
        {
            pub.ImportSubjectPublicKeyInfo(key.ExportSubjectPublicKeyInfo(), out _);
            PublicKey = MergeLogPublicKey.Checked(pub);
        }
        catch
        {
            pub.Dispose();
            throw;
        }
    }

    /// <summary>A new random key.</summary>
    public static MemorySigningKey Generate() => new(ECDsa.Create(ECCurve.NamedCurves.nistP256));

    /// <summary>
    /// Reads a private key PEM (<c>PRIVATE KEY</c>, PKCS#8, as <see cref="ExportPrivateKeyPem"/> writes;
    /// <c>EC PRIVATE KEY</c> is accepted too). Invalid-argument unless it holds one P-256 private key.
    /// </summary>
    public static MemorySigningKey FromPem(ReadOnlySpan<char> pem)
    {
        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(pem);
            var parameters = key.ExportParameters(includePrivateParameters: true);
            CryptographicOperations.ZeroMemory(parameters.D);
            if (parameters.Curve.Oid?.Value != ECCurve.NamedCurves.nistP256.Oid.Value)
            {
                throw new CryptographicException("the key is not on curve P-256");
            }

            return new MemorySigningKey(key);
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            key.Dispose();
            throw new HeliosException(HeliosErrorCode.InvalidArgument, $"The merge-log signing key is not a P-256 private key PEM: {e.Message}", e);
        }
    }

    public MergeLogPublicKey PublicKey { get; }

    /// <summary>The private key as a PKCS#8 <c>PRIVATE KEY</c> PEM block. Keep it secret.</summary>
    public string ExportPrivateKeyPem()
    {
        lock (_lock)
        {
            return _key.ExportPkcs8PrivateKeyPem();
        }
    }

    /// <summary>The public key as a <c>PUBLIC KEY</c> PEM block (what verification needs).</summary>
    public string ExportPublicKeyPem() => PublicKey.ExportPem();

    public byte[] SignHash(ReadOnlySpan<byte> hash)
    {
        byte[] signature;
        lock (_lock)
        {
            signature = _key.SignHash(hash, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        }

        MergeLogPublicKey.NormaliseToLowS(signature);
        return signature;
    }

    public void Dispose()
    {
        _key.Dispose();
        PublicKey.Dispose();
    }
}
