using Helios.Core.Memory;
using Helios.Core.Objects;
using static Helios.Core.Tests.Memory.MergeLogTestData;

namespace Helios.Core.Tests.Memory;

/// <summary>Verification of exported logs: every kind of tampering is caught and names the first bad record.</summary>
public sealed class MergeLogVerifierTests : IDisposable
{
    private readonly MemorySigningKey _key = MemorySigningKey.Generate();
    private readonly MemorySigningKey _otherKey = MemorySigningKey.Generate();

    public void Dispose()
    {
        _key.Dispose();
        _otherKey.Dispose();
    }

    private MergeLogVerification Verify(byte[] file) => MergeLogVerifier.VerifyFile(file, _key.PublicKey);

    /// <summary>Where each record starts in an export of <paramref name="chain"/>, and where the trailer starts.</summary>
    private static (int[] Starts, int Trailer) Layout(List<(ObjectId Id, byte[] Bytes)> chain)
    {
        var starts = new int[chain.Count];
        int position = MergeLogFile.HeaderLength;
        for (int i = 0; i < chain.Count; i++)
        {
            starts[i] = position;
            position += chain[i].Bytes.Length;
        }

        return (starts, position);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    public void An_untouched_export_verifies_with_its_record_count(int count)
    {
        var result = Verify(Export(Chain(count, _key), _key));

        Assert.True(result.IsValid, result.ToString());
        Assert.Equal(count, result.RecordCount);
        Assert.Null(result.FirstBadSequence);
    }

    [Fact]
    public void Flipping_any_byte_of_a_small_export_is_detected_and_names_the_record_holding_it()
    {
        var chain = Chain(3, _key);
        var file = Export(chain, _key);
        var (starts, trailer) = Layout(chain);
        for (int position = 0; position < file.Length; position++)
        {
            AssertFlipDetected(file, position, starts, trailer);
        }
    }

    [Fact]
    public void Flipping_any_of_600_sampled_bytes_of_a_larger_export_is_detected_and_names_the_record_holding_it()
    {
        var chain = Chain(24, _key);
        var file = Export(chain, _key);
        var (starts, trailer) = Layout(chain);
        var random = new Random(20260305);
        for (int i = 0; i < 600; i++)
        {
            AssertFlipDetected(file, random.Next(file.Length), starts, trailer);
        }
    }

    private void AssertFlipDetected(byte[] file, int position, int[] starts, int trailer)
    {
        var damaged = file.ToArray();
        damaged[position] ^= (byte)(1 << (position % 8));
        var result = Verify(damaged);

        Assert.False(result.IsValid, $"flipping byte {position} went unnoticed");
        if (position < MergeLogFile.HeaderLength)
        {
            Assert.Equal(MergeLogDefect.BadHeader, result.Defect);
        }
        else if (position < trailer)
        {
            long record = Array.FindLastIndex(starts, s => s <= position) + 1;
            Assert.True(record == result.FirstBadSequence, $"byte {position} lies in record {record}, but the result is: {result}");
            Assert.Equal(record - 1, result.RecordCount);
        }
        else
        {
            // The trailer is in no record: no real record may be blamed.
            Assert.True(result.FirstBadSequence is null || result.FirstBadSequence == starts.Length + 1, $"byte {position} lies in the trailer, but the result is: {result}");
            Assert.Equal(starts.Length, result.RecordCount);
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    [InlineData(4)]
    public void Deleting_a_record_from_the_file_is_detected_as_that_record(int deleted)
    {
        var chain = Chain(5, _key);
        var file = Export(chain, _key);
        var (starts, _) = Layout(chain);
        var damaged = file[..starts[deleted]].Concat(file[(starts[deleted] + chain[deleted].Bytes.Length)..]).ToArray();
        var result = Verify(damaged);

        Assert.False(result.IsValid);
        Assert.Equal(deleted + 1, result.FirstBadSequence);
        // The newest record leaves no gap behind it; the signed trailer's count gives it away.
        Assert.Equal(deleted == 4 ? MergeLogDefect.Missing : MergeLogDefect.WrongSequence, result.Defect);
    }

    [Fact]
    public void Deleting_the_newest_record_and_re_signing_the_trailer_with_another_key_is_detected()
    {
        var chain = Chain(5, _key);
        var result = Verify(Export(chain[..4], _otherKey));

        Assert.False(result.IsValid);
        Assert.Equal(MergeLogDefect.WrongSigner, result.Defect);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    [InlineData(3)]
    public void Swapping_two_neighbouring_records_in_the_file_is_detected_at_the_first_of_them(int first)
    {
        var chain = Chain(5, _key);
        var file = Export(chain, _key);
        var (starts, _) = Layout(chain);
        var damaged = file[..starts[first]]
            .Concat(chain[first + 1].Bytes).Concat(chain[first].Bytes)
            .Concat(file[(starts[first + 1] + chain[first + 1].Bytes.Length)..]).ToArray();
        var result = Verify(damaged);

        Assert.Equal(file.Length, damaged.Length);
        Assert.False(result.IsValid);
        Assert.Equal(first + 1, result.FirstBadSequence);
        Assert.Equal(MergeLogDefect.WrongSequence, result.Defect);
    }

    [Fact]
    public void Truncating_at_any_record_boundary_or_inside_any_record_or_the_trailer_is_detected()
    {
        var chain = Chain(4, _key);
        var file = Export(chain, _key);
        var (starts, trailer) = Layout(chain);
        for (int length = 0; length < file.Length; length++)
        {
            var result = Verify(file[..length]);
            Assert.False(result.IsValid, $"cutting the file to {length} bytes went unnoticed");
            if (length < MergeLogFile.HeaderLength)
            {
                Assert.Equal(MergeLogDefect.BadHeader, result.Defect);
                continue;
            }

            // Cut at a boundary: the first record not there is the first bad; cut inside: the record cut.
            int complete = starts.Count(s => s < length && s + chain[Array.IndexOf(starts, s)].Bytes.Length <= length);
            Assert.True(complete + 1 == result.FirstBadSequence, $"cut at {length} (after {complete} complete records, trailer at {trailer}): {result}");
            Assert.Equal(complete, result.RecordCount);
            Assert.Equal(MergeLogDefect.Truncated, result.Defect);
        }
    }

    [Fact]
    public void A_record_signed_by_another_key_is_rejected_even_when_the_chain_and_trailer_are_right()
    {
        var records = Chain(2, _key);
        var intruder = MergeLogRecord.Create(3, records[^1].Id, Start, Entry(9), _otherKey);
        var (id, bytes) = ObjectCodec.EncodeWithId(intruder);
        var result = Verify(Export([.. records.Select(r => r.Bytes), bytes], id, _key));

        Assert.False(result.IsValid);
        Assert.Equal(3, result.FirstBadSequence);
        Assert.Equal(MergeLogDefect.WrongSigner, result.Defect);
    }

    [Fact]
    public void A_whole_log_signed_by_another_key_fails_at_record_1_and_verifies_with_that_key()
    {
        var file = Export(Chain(3, _otherKey), _otherKey);

        var result = Verify(file);
        Assert.Equal((false, 1L, MergeLogDefect.WrongSigner), (result.IsValid, result.FirstBadSequence!.Value, result.Defect!.Value));
        Assert.True(MergeLogVerifier.VerifyFile(file, _otherKey.PublicKey).IsValid);
    }

    [Fact]
    public void A_record_with_a_forged_signature_field_is_rejected()
    {
        var chain = Chain(3, _key);
        var forged = chain[1].Bytes.ToArray();
        _otherKey.SignHash(new byte[32]).CopyTo(forged, forged.Length - 64);
        var records = new[] { chain[0].Bytes, forged, chain[2].Bytes };
        var result = Verify(Export(records, chain[2].Id, _key));

        Assert.Equal(2, result.FirstBadSequence);
        Assert.Equal(MergeLogDefect.BadSignature, result.Defect);
    }

    [Fact]
    public void A_signed_trailer_claiming_a_huge_count_is_reported_as_missing_records_without_allocating_for_them()
    {
        var chain = Chain(1, _key);
        var (_, trailerStart) = Layout(chain);
        var trailer = MergeLogFile.UnsignedTrailer(long.MaxValue, chain[0].Id, _key.PublicKey.KeyId);
        var hash = new byte[32];
        MergeLogFile.TrailerHash(trailer, hash);
        var forged = Export(chain, _key)[..trailerStart].Concat(trailer).Concat(_key.SignHash(hash)).ToArray();

        var result = Verify(forged);
        Assert.Equal((false, 2L, MergeLogDefect.Missing), (result.IsValid, result.FirstBadSequence!.Value, result.Defect!.Value));
    }

    [Fact]
    public void Bytes_appended_after_the_trailer_are_detected()
    {
        var file = Export(Chain(2, _key), _key);
        var result = Verify([.. file, 0]);

        Assert.False(result.IsValid);
        Assert.Equal(3, result.FirstBadSequence);
    }
}
