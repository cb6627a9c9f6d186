using System.Numerics;
using System.Security.Cryptography;
using Helios.Core.Errors;
using Helios.Core.Hashing;
using Helios.Core.Objects;

namespace Helios.Core.Memory;

/// <summary>
/// The public half of a merge-log key: ECDSA over NIST P-256, enough to verify records and exported
/// logs without the private key. Its <see cref="KeyId"/> is the BLAKE3 of its SubjectPublicKeyInfo DER
/// (named curve, uncompressed point: the form .NET exports, so every encoding of one key gets one id).
/// Signatures are IEEE P1363 (r ‖ s, 32 bytes each) and must have the low s (s ≤ n/2): ECDSA lets
/// anyone turn (r, s) into the equally valid (r, n − s), which would give a record a second id, so
/// signers normalise and <see cref="VerifyHash"/> refuses the high form. Thread-safe.
/// </summary>
public sealed class MergeLogPublicKey : IDisposable
{
    /// <summary>Bytes of a P1363 signature over P-256.</summary>
    public const int SignatureLength = 64;

    /// <summary>The order n of the P-256 group, from FIPS 186-4 (D.1.2.3).</summary>
    private static readonly BigInteger Order = BigInteger.Parse("0FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551", System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture);
    private static readonly BigInteger HalfOrder = Order >> 1;

    private readonly ECDsa _key;
    private readonly byte[] _subjectPublicKeyInfo;
    private readonly Lock _lock = new();

    private MergeLogPublicKey(ECDsa key)
    {
        _key = key;
        _subjectPublicKeyInfo = key.ExportSubjectPublicKeyInfo();
        Span<byte> hash = stackalloc byte[ObjectId.Size];
        Blake3.Hash(_subjectPublicKeyInfo, hash);
        KeyId = new ObjectId(hash);
    }

    /// <summary>BLAKE3 of <see cref="SubjectPublicKeyInfo"/>; every record names its signer by this id.</summary>
    public ObjectId KeyId { get; }

    /// <summary>The key as SubjectPublicKeyInfo DER (the bytes stored under <c>refs/memory/key</c>).</summary>
    public ReadOnlySpan<byte> SubjectPublicKeyInfo => _subjectPublicKeyInfo;

    /// <summary>Reads a SubjectPublicKeyInfo DER; invalid-argument unless it is exactly one P-256 public key.</summary>
    public static MergeLogPublicKey FromSubjectPublicKeyInfo(ReadOnlySpan<byte> der)
    {
        var key = ECDsa.Create();
        try
        {
            key.ImportSubjectPublicKeyInfo(der, out int read);
            if (read != der.Length)
            {
                throw new CryptographicException("trailing bytes after the key");
            }

            return Checked(key);
        }
        catch (CryptographicException e)
        {
            key.Dispose();
            throw new HeliosException(HeliosErrorCode.InvalidArgument, $"The merge-log public key is not a valid SubjectPublicKeyInfo: {e.Message}.", e);
        }
    }

    /// <summary>Reads a <c>PUBLIC KEY</c> PEM (as <see cref="ExportPem"/> writes); invalid-argument unless it holds one P-256 key.</summary>
    public static MergeLogPublicKey FromPem(ReadOnlySpan<char> pem)
    {
        if (!PemEncoding.TryFind(pem, out var fields) || !pem[fields.Label].SequenceEqual("PUBLIC KEY"))
        {
            throw new HeliosException(HeliosErrorCode.InvalidArgument, "The merge-log public key is not a PEM block labelled PUBLIC KEY.");
        }

        var der = new byte[fields.DecodedDataLength];
        if (!Convert.TryFromBase64Chars(pem[fields.Base64Data], der, out int written))
        {
            throw new HeliosException(HeliosErrorCode.InvalidArgument, "The merge-log public key PEM holds invalid base64.");
        }

        return FromSubjectPublicKeyInfo(der.AsSpan(0, written));
    }

    /// <summary>Takes ownership of <paramref name="key"/> after checking its curve.</summary>
    internal static MergeLogPublicKey Checked(ECDsa key)
    {
        var parameters = key.ExportParameters(includePrivateParameters: false);
        if (parameters.Curve.Oid?.Value != ECCurve.NamedCurves.nistP256.Oid.Value)
        {
            throw new CryptographicException("the key is not on curve P-256");
        }

        return new MergeLogPublicKey(key);
    }

    /// <summary>The key as a <c>PUBLIC KEY</c> PEM block (SubjectPublicKeyInfo), for people and other tools.</summary>
    public string ExportPem() => new(PemEncoding.Write("PUBLIC KEY", _subjectPublicKeyInfo));

    /// <summary>
    /// True when <paramref name="signature"/> is a low-s P1363 signature of <paramref name="hash"/> by
    /// this key. Never throws on malformed input: any defect is false. Cost: one ECDSA verification.
    /// </summary>
    public bool VerifyHash(ReadOnlySpan<byte> hash, ReadOnlySpan<byte> signature)
    {
        if (signature.Length != SignatureLength || !HasLowS(signature))
        {
            return false;
        }

        try
        {
            lock (_lock)
            {
                return _key.VerifyHash(hash, signature, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
            }
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    /// <summary>Rewrites a P1363 signature's s as n − s when it is in the upper half, in place.</summary>
    internal static void NormaliseToLowS(Span<byte> signature)
    {
        var s = new BigInteger(signature[32..], isUnsigned: true, isBigEndian: true);
        if (s > HalfOrder)
        {
            // Big-endian and minimal: right-align it in the 32-byte field.
            var low = (Order - s).ToByteArray(isUnsigned: true, isBigEndian: true);
            var field = signature[32..];
            field.Clear();
            low.CopyTo(field[(32 - low.Length)..]);
        }
    }

    private static bool HasLowS(ReadOnlySpan<byte> signature)
    {
        var s = new BigInteger(signature[32..], isUnsigned: true, isBigEndian: true);
        return !s.IsZero && s <= HalfOrder;
    }

    public void Dispose() => _key.Dispose();
}
