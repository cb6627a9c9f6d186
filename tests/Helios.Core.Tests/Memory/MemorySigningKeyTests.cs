using System.Security.Cryptography;
using Helios.Core.Errors;
using Helios.Core.Memory;

namespace Helios.Core.Tests.Memory;

public sealed class MemorySigningKeyTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("helios-key-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void A_key_survives_a_round_trip_through_its_private_key_pem()
    {
        using var key = MemorySigningKey.Generate();
        string pem = key.ExportPrivateKeyPem();
        using var again = MemorySigningKey.FromPem(pem);

        Assert.StartsWith("-----BEGIN PRIVATE KEY-----", pem, StringComparison.Ordinal);
        Assert.Equal(key.PublicKey.KeyId, again.PublicKey.KeyId);
        var hash = new byte[32];
        Assert.True(key.PublicKey.VerifyHash(hash, again.SignHash(hash)));
    }

    [Fact]
    public void The_key_id_is_the_blake3_of_the_subject_public_key_info_and_survives_the_public_pem()
    {
        using var key = MemorySigningKey.Generate();
        using var fromPem = MergeLogPublicKey.FromPem(key.ExportPublicKeyPem());
        var expected = new byte[32];
        Core.Hashing.Blake3.Hash(key.PublicKey.SubjectPublicKeyInfo, expected);

        Assert.Equal(Convert.ToHexStringLower(expected), key.PublicKey.KeyId.ToString());
        Assert.Equal(key.PublicKey.KeyId, fromPem.KeyId);
        Assert.StartsWith("-----BEGIN PUBLIC KEY-----", key.ExportPublicKeyPem(), StringComparison.Ordinal);
    }

    [Fact]
    public void Every_signature_has_the_low_s_and_its_high_twin_is_refused()
    {
        using var key = MemorySigningKey.Generate();
        var n = System.Numerics.BigInteger.Parse("0FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551", System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture);
        var hash = new byte[32];
        for (int i = 0; i < 40; i++)
        {
            hash[0] = (byte)i;
            var signature = key.SignHash(hash);
            var s = new System.Numerics.BigInteger(signature.AsSpan(32), isUnsigned: true, isBigEndian: true);
            Assert.True(s <= n / 2);
            Assert.True(key.PublicKey.VerifyHash(hash, signature));

            // The same signature with n − s is valid ECDSA (the platform accepts it) but not canonical.
            var high = signature.ToArray();
            var twin = (n - s).ToByteArray(isUnsigned: true, isBigEndian: true);
            high.AsSpan(32).Clear();
            twin.CopyTo(high.AsSpan(64 - twin.Length));
            using var platform = ECDsa.Create();
            platform.ImportSubjectPublicKeyInfo(key.PublicKey.SubjectPublicKeyInfo, out _);
            Assert.True(platform.VerifyHash(hash, high, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
            Assert.False(key.PublicKey.VerifyHash(hash, high));
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(63)]
    [InlineData(65)]
    public void A_signature_of_the_wrong_length_does_not_verify_and_does_not_throw(int length)
    {
        using var key = MemorySigningKey.Generate();
        Assert.False(key.PublicKey.VerifyHash(new byte[32], new byte[length]));
    }

    [Fact]
    public void Keys_on_other_curves_and_public_keys_are_refused_as_signing_keys()
    {
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        using var key = MemorySigningKey.Generate();

        Assert.Equal(HeliosErrorCode.InvalidArgument, Assert.Throws<HeliosException>(() => MemorySigningKey.FromPem(p384.ExportPkcs8PrivateKeyPem())).Code);
        Assert.Equal(HeliosErrorCode.InvalidArgument, Assert.Throws<HeliosException>(() => MemorySigningKey.FromPem(key.ExportPublicKeyPem())).Code);
        Assert.Equal(HeliosErrorCode.InvalidArgument, Assert.Throws<HeliosException>(() => MergeLogPublicKey.FromPem(p384.ExportSubjectPublicKeyInfoPem())).Code);
        Assert.Equal(HeliosErrorCode.InvalidArgument, Assert.Throws<HeliosException>(() => MergeLogPublicKey.FromPem("not a key")).Code);
    }

    [Fact]
    public void The_key_file_is_created_once_readable_only_by_its_owner_and_then_loaded()
    {
        var path = Path.Combine(_folder, "keys", "merge-log.pem");
        using var created = MergeLogKeyFile.LoadOrCreate(path);
        using var loaded = MergeLogKeyFile.LoadOrCreate(path);

        Assert.Equal(created.PublicKey.KeyId, loaded.PublicKey.KeyId);
        Assert.StartsWith("-----BEGIN PRIVATE KEY-----", File.ReadAllText(path), StringComparison.Ordinal);
        Assert.Equal([Path.GetFileName(path)], Directory.GetFiles(Path.GetDirectoryName(path)!).Select(Path.GetFileName));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.GetDirectoryName(path)!));
        }
    }

    [Fact]
    public void Threads_creating_the_key_file_at_once_all_end_up_with_the_same_key()
    {
        var path = Path.Combine(_folder, "race.pem");
        var keys = new MemorySigningKey[8];
        using var start = new Barrier(keys.Length);
        Parallel.For(0, keys.Length, new ParallelOptions { MaxDegreeOfParallelism = keys.Length }, i =>
        {
            start.SignalAndWait();
            keys[i] = MergeLogKeyFile.LoadOrCreate(path);
        });

        Assert.Single(keys.Select(k => k.PublicKey.KeyId).Distinct());
        Assert.Single(Directory.GetFiles(_folder));
        foreach (var key in keys)
        {
            key.Dispose();
        }
    }

    [Fact]
    public void A_damaged_key_file_is_reported_as_corruption_naming_it()
    {
        var path = Path.Combine(_folder, "damaged.pem");
        File.WriteAllText(path, "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");

        var e = Assert.Throws<HeliosException>(() => MergeLogKeyFile.LoadOrCreate(path));
        Assert.Equal(HeliosErrorCode.Corruption, e.Code);
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
    }
}
