using Helios.Core.Errors;
using Helios.Core.Memory;
using Helios.Core.Merging;
using Helios.Core.Objects;
using Helios.Core.Refs;

namespace Helios.Core.Tests.Memory;

public sealed class MergeLogRecordTests : IDisposable
{
    private static readonly ObjectId SomeId = new(Enumerable.Range(0, 32).Select(i => (byte)i).ToArray());
    private static readonly ObjectId OtherId = new(Enumerable.Range(0, 32).Select(i => (byte)(0xff - i)).ToArray());
    private static readonly byte[] SomeSignature = Enumerable.Range(0, 64).Select(i => (byte)(0x40 + i)).ToArray();

    private readonly MemorySigningKey _key = MemorySigningKey.Generate();

    public void Dispose() => _key.Dispose();

    private static MergeLogEntry GoldenEntry() => new(
        agent: "agent-7",
        collections: ["patterns", "notes"],
        parentBranch: BranchName.Parse("main"),
        childBranch: BranchName.Parse("a7"),
        parentBefore: SomeId,
        parentAfter: OtherId,
        childBefore: SomeId,
        childAfter: null,
        strategy: MergeStrategy.NewestWins,
        conflicts:
        [
            new MergeLogConflict("patterns", "k1", MergeLogResolution.NewestChild),
            new MergeLogConflict("notes", "n", MergeLogResolution.Manual, OtherId),
            new MergeLogConflict("patterns", "k0", MergeLogResolution.Delete),
        ],
        reportHash: OtherId);

    // Golden values: changing the encoding must be a deliberate act that updates these and docs/object-format.md.
    [Fact]
    public void Merge_log_record_encoding_and_id_are_frozen()
    {
        var record = new MergeLogRecord(2, SomeId, new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero), GoldenEntry(), SomeId, SomeSignature);
        var bytes = ObjectCodec.Encode(record);
        Assert.Equal("09e80202000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f0006475ef64cf340076167656e742d3702056e6f746573087061747465726e73046d61696e02613701000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f01fffefdfcfbfaf9f8f7f6f5f4f3f2f1f0efeeedecebeae9e8e7e6e5e4e3e2e1e001000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f000b6e65776573742d77696e730300016e05fffefdfcfbfaf9f8f7f6f5f4f3f2f1f0efeeedecebeae9e8e7e6e5e4e3e2e1e001026b300601026b3104fffefdfcfbfaf9f8f7f6f5f4f3f2f1f0efeeedecebeae9e8e7e6e5e4e3e2e1e0000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f", Convert.ToHexStringLower(bytes));
        Assert.Equal("323bddfbab630de0bd01c43aadad55252f4665b89cadbb87d6559a4f8150f556", ObjectId.Of(bytes).ToString());
    }

    [Fact]
    public void A_record_round_trips_every_field()
    {
        var record = MergeLogRecord.Create(2, SomeId, new DateTimeOffset(2026, 1, 2, 3, 4, 5, 678, TimeSpan.FromHours(5)).AddTicks(1239), GoldenEntry(), _key);
        var (id, bytes) = ObjectCodec.EncodeWithId(record);
        var decoded = Assert.IsType<MergeLogRecord>(ObjectCodec.Decode(id, bytes));

        Assert.Equal(2, decoded.Sequence);
        Assert.Equal(SomeId, decoded.Previous);
        Assert.Equal(record.Time, decoded.Time);
        Assert.Equal(TimeSpan.Zero, decoded.Time.Offset);
        Assert.Equal(new DateTimeOffset(2026, 1, 1, 22, 4, 5, 678, TimeSpan.Zero).AddTicks(1230), decoded.Time);
        Assert.Equal("agent-7", decoded.Entry.Agent);
        Assert.Equal(["notes", "patterns"], decoded.Entry.Collections);
        Assert.Equal("main", decoded.Entry.ParentBranch.Value);
        Assert.Equal("a7", decoded.Entry.ChildBranch.Value);
        Assert.Equal((SomeId, OtherId, SomeId, (ObjectId?)null), (decoded.Entry.ParentBefore!.Value, decoded.Entry.ParentAfter!.Value, decoded.Entry.ChildBefore!.Value, decoded.Entry.ChildAfter));
        Assert.Equal(MergeStrategy.NewestWins, decoded.Entry.Strategy);
        Assert.Equal(
            ["notes/n=manual", "patterns/k0=delete", "patterns/k1=newest:child"],
            decoded.Entry.Conflicts.Select(c => $"{c.Collection}/{c.Key}={MergeLogConflict.Name(c.Resolution)}"));
        Assert.Equal(OtherId, decoded.Entry.Conflicts[0].ManualValueHash);
        Assert.Equal(OtherId, decoded.Entry.ReportHash);
        Assert.Equal(_key.PublicKey.KeyId, decoded.SignerKeyId);
        Assert.Equal(record.Signature.ToArray(), decoded.Signature.ToArray());
        Assert.Equal(bytes, ObjectCodec.Encode(decoded));
    }

    [Fact]
    public void The_signature_covers_every_byte_before_it_and_verifies_with_the_signers_public_key()
    {
        var bytes = ObjectCodec.Encode(MergeLogRecord.Create(1, default, MergeLogTestData.Start, GoldenEntry(), _key));
        var hash = new byte[32];
        MergeLogRecord.SignedHash(bytes, hash);

        var expected = new byte[32];
        Core.Hashing.Blake3.Hash(bytes.AsSpan(0, bytes.Length - 64), expected);
        Assert.Equal(expected, hash);
        Assert.True(_key.PublicKey.VerifyHash(hash, bytes.AsSpan(bytes.Length - 64)));
        hash[0] ^= 1;
        Assert.False(_key.PublicKey.VerifyHash(hash, bytes.AsSpan(bytes.Length - 64)));
    }

    [Fact]
    public void Collections_and_conflicts_are_kept_in_utf8_order_whatever_order_they_are_given_in()
    {
        var entry = new MergeLogEntry("", ["z", "é", "a"], BranchName.Parse("main"), BranchName.Parse("c"), null, SomeId, SomeId, null,
            MergeStrategy.ParentWins, [new("é", "b", MergeLogResolution.Parent), new("a", "z", MergeLogResolution.Parent), new("é", "a", MergeLogResolution.Parent)], SomeId);

        Assert.Equal(["a", "z", "é"], entry.Collections);
        Assert.Equal(["a/z", "é/a", "é/b"], entry.Conflicts.Select(c => $"{c.Collection}/{c.Key}"));
    }

    public static TheoryData<string, Func<MergeLogEntry>> InvalidEntries => new()
    {
        { "a duplicate collection", () => new MergeLogEntry("", ["a", "a"], BranchName.Parse("m"), BranchName.Parse("c"), null, null, null, null, MergeStrategy.Manual, [], SomeId) },
        { "a conflict in an unlisted collection", () => new MergeLogEntry("", ["a"], BranchName.Parse("m"), BranchName.Parse("c"), null, null, null, null, MergeStrategy.Manual, [new("b", "k", MergeLogResolution.Delete)], SomeId) },
        { "two resolutions of one key", () => new MergeLogEntry("", ["a"], BranchName.Parse("m"), BranchName.Parse("c"), null, null, null, null, MergeStrategy.Manual, [new("a", "k", MergeLogResolution.Delete), new("a", "k", MergeLogResolution.Parent)], SomeId) },
        { "a control character in the agent", () => new MergeLogEntry("a\nb", [], BranchName.Parse("m"), BranchName.Parse("c"), null, null, null, null, MergeStrategy.Manual, [], SomeId) },
        { "an empty key", () => new MergeLogEntry("", ["a"], BranchName.Parse("m"), BranchName.Parse("c"), null, null, null, null, MergeStrategy.Manual, [new("a", "", MergeLogResolution.Delete)], SomeId) },
        { "a lone surrogate in a key", () => new MergeLogEntry("", ["a"], BranchName.Parse("m"), BranchName.Parse("c"), null, null, null, null, MergeStrategy.Manual, [new("a", "\ud800", MergeLogResolution.Delete)], SomeId) },
        { "a manual resolution without a value", () => new MergeLogEntry("", ["a"], BranchName.Parse("m"), BranchName.Parse("c"), null, null, null, null, MergeStrategy.Manual, [new("a", "k", MergeLogResolution.Manual)], SomeId) },
        { "a value on a non-manual resolution", () => new MergeLogEntry("", ["a"], BranchName.Parse("m"), BranchName.Parse("c"), null, null, null, null, MergeStrategy.Manual, [new("a", "k", MergeLogResolution.Child, SomeId)], SomeId) },
        { "an undefined resolution", () => new MergeLogEntry("", ["a"], BranchName.Parse("m"), BranchName.Parse("c"), null, null, null, null, MergeStrategy.Manual, [new("a", "k", (MergeLogResolution)9)], SomeId) },
    };

    [Theory]
    [MemberData(nameof(InvalidEntries))]
    public void An_invalid_entry_is_refused_as_an_invalid_argument(string what, Func<MergeLogEntry> build)
    {
        var e = Assert.Throws<HeliosException>(build);
        Assert.True(e.Code == HeliosErrorCode.InvalidArgument, what);
    }

    [Theory]
    [InlineData(0L, false)]
    [InlineData(1L, true)]
    [InlineData(2L, false)]
    public void Sequence_numbers_start_at_1_and_only_the_first_record_links_to_all_zeros(long sequence, bool linkToZeros)
    {
        var e = Assert.Throws<HeliosException>(() => MergeLogRecord.Create(sequence, linkToZeros ? SomeId : default, MergeLogTestData.Start, GoldenEntry(), _key));
        Assert.Equal(HeliosErrorCode.InvalidArgument, e.Code);
    }

    // Each case patches the golden encoding (09 e802, then 360 bytes of payload) at one spot; offsets count from the type tag.
    [Theory]
    [InlineData("sequence 0", 3, "00")]
    [InlineData("sequence 1 with a previous record", 3, "01")]
    [InlineData("collections out of order", 53, "087061747465726e73056e6f746573")]
    [InlineData("an invalid parent branch name", 69, "2d")]
    [InlineData("presence flag 2", 76, "02")]
    [InlineData("an unknown strategy name", 176, "0b6e65776573742d77696e7a")]
    [InlineData("a conflict naming collection 2 of 2", 225, "02")]
    [InlineData("resolution 7", 229, "07")]
    [InlineData("resolution 0", 229, "00")]
    [InlineData("conflicts out of order", 227, "6b32")]
    [InlineData("a control character in a key", 227, "0a")]
    public void Decoding_rejects_a_malformed_record_as_corruption_naming_it(string what, int offset, string patchHex)
    {
        var record = new MergeLogRecord(2, SomeId, new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero), GoldenEntry(), SomeId, SomeSignature);
        var bytes = ObjectCodec.Encode(record);
        Convert.FromHexString(patchHex).CopyTo(bytes, offset);

        var e = Assert.Throws<CorruptObjectException>(() => ObjectCodec.Decode(OtherId, bytes));
        Assert.Equal(OtherId, e.Expected);
        Assert.True(e.Code == HeliosErrorCode.Corruption, what);
    }

    [Fact]
    public void Decoding_rejects_trailing_and_missing_bytes()
    {
        var bytes = ObjectCodec.Encode(new MergeLogRecord(2, SomeId, MergeLogTestData.Start, GoldenEntry(), SomeId, SomeSignature));
        var longer = bytes.Concat(new byte[] { 0 }).ToArray();
        longer[1]++; // the payload length still matches, so only the record's own end check can refuse it
        var shorter = bytes[..^1];
        shorter[1]--;

        Assert.Throws<CorruptObjectException>(() => ObjectCodec.Decode(SomeId, longer));
        Assert.Throws<CorruptObjectException>(() => ObjectCodec.Decode(SomeId, shorter));
    }
}
