using Helios.Core.Errors;
using Helios.Core.Objects;

namespace Helios.Core.Tests.Objects;

public class ObjectCodecTests
{
    private static readonly ObjectId SomeId = new(Enumerable.Range(0, 32).Select(i => (byte)i).ToArray());

    private static readonly Signature Ada = new("Ada", "ada@example.com", new DateTimeOffset(2024, 1, 2, 3, 4, 5, TimeSpan.FromHours(2)));

    // Golden values: changing the encoding must be a deliberate act that updates these and docs/object-format.md.
    [Theory]
    [InlineData("", "0100", "687376c930d7020a32f04c396fc2e5eab49cd09a738fa03d573033416a6a47ce")]
    [InlineData("hello\n", "010668656c6c6f0a", "e00ae4d215baa369fd1b01815407204e3992c2c508f1f05435b47d0f3e30527f")]
    public void Blob_encoding_and_id_are_frozen(string content, string encodingHex, string idHex)
    {
        var bytes = ObjectCodec.Encode(new Blob(System.Text.Encoding.UTF8.GetBytes(content)));
        Assert.Equal(encodingHex, Convert.ToHexStringLower(bytes));
        Assert.Equal(idHex, ObjectId.Of(bytes).ToString());
    }

    [Fact]
    public void Tree_encoding_and_id_are_frozen()
    {
        var tree = new Tree([
            new TreeEntry("src", EntryKind.Tree, SomeId),
            new TreeEntry("README.md", EntryKind.File, SomeId),
            new TreeEntry("run.sh", EntryKind.Executable, SomeId),
        ]);
        var bytes = ObjectCodec.Encode(tree);
        Assert.Equal("0279030109524541444d452e6d64000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f020672756e2e7368000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f0403737263000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", Convert.ToHexStringLower(bytes));
        Assert.Equal("4ed0a8195d324fcd4ac0eef733bc6e819dde08c6401b835db63e5bd12461d6cc", ObjectId.Of(bytes).ToString());
    }

    [Fact]
    public void Commit_encoding_and_id_are_frozen()
    {
        var commit = new Commit(SomeId, [SomeId], 2, Ada, Ada with { Name = "Bob" }, "fix: it\n"u8.ToArray(),
            new Dictionary<string, string> { ["score"] = "0.93", ["agent"] = "a1" });
        var bytes = ObjectCodec.Encode(commit);
        Assert.Equal("039d01000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f01000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f02034164610f616461406578616d706c652e636f6d00060dec13268b40007803426f620f616461406578616d706c652e636f6d00060dec13268b400078086669783a2069740a02056167656e740261310573636f726504302e393300", Convert.ToHexStringLower(bytes));
        Assert.Equal("21ff5a1f569d7a71a994d25b18799385cb47781f48730d4c18855a167b57afd9", ObjectId.Of(bytes).ToString());
    }

    [Fact]
    public void Commit_with_roots_encoding_and_id_are_frozen()
    {
        var commit = new Commit(SomeId, [SomeId], 2, Ada, Ada with { Name = "Bob" }, "fix: it\n"u8.ToArray(),
            new Dictionary<string, string> { ["score"] = "0.93", ["agent"] = "a1" },
            [new StateRoot("sim", ObjectType.StateArray, SomeId), new StateRoot("kb", ObjectType.Collection, SomeId)]);
        var bytes = ObjectCodec.Encode(commit);
        Assert.Equal("03e601000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f01000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f02034164610f616461406578616d706c652e636f6d00060dec13268b40007803426f620f616461406578616d706c652e636f6d00060dec13268b400078086669783a2069740a02056167656e740261310573636f726504302e39330205026b62000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f060373696d000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", Convert.ToHexStringLower(bytes));
        Assert.Equal("8a7ff327428b42b8085cd019b2a60c127e1b376afda6f43f4976c3472d5e329b", ObjectId.Of(bytes).ToString());
        var decoded = (Commit)ObjectCodec.Decode(SomeId, bytes);
        Assert.Equal(commit.Roots, decoded.Roots);
        Assert.Equal(ObjectType.Collection, decoded.FindRoot("kb")!.Type);
    }

    [Theory]
    [InlineData("0205026b62{0}060373696d{0}", null)]
    [InlineData("020603736d6d{0}05026b62{0}", "out of order")]
    [InlineData("0205026b62{0}06026b62{0}", "out of order or repeated")]
    [InlineData("0101026b62{0}", "must be a collection or a state array")]
    [InlineData("0105022e2e{0}", "not valid")]
    [InlineData("0305026b62{0}", "does not fit")]
    public void Commit_roots_decode_strictly(string rootsHex, string? problem)
    {
        var plain = Convert.ToHexStringLower(ObjectCodec.Encode(new Commit(SomeId, [], 1, Ada, Ada, "m"u8.ToArray())));
        var payload = plain[4..^2] + string.Format(System.Globalization.CultureInfo.InvariantCulture, rootsHex, SomeId.ToString());
        int length = payload.Length / 2;
        var lengthVarint = length < 0x80 ? [(byte)length] : new[] { (byte)(length | 0x80), (byte)(length >> 7) };
        byte[] bytes = [0x03, .. lengthVarint, .. Convert.FromHexString(payload)];
        if (problem is null)
        {
            Assert.Equal(2, ((Commit)ObjectCodec.Decode(SomeId, bytes)).Roots.Count);
        }
        else
        {
            var e = Assert.Throws<CorruptObjectException>(() => ObjectCodec.Decode(SomeId, bytes));
            Assert.Contains(problem, e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_commit_cannot_hold_two_roots_with_one_name()
    {
        var e = Assert.Throws<HeliosException>(() => new Commit(SomeId, [], 1, Ada, Ada, "m"u8.ToArray(), null,
            [new StateRoot("kb", ObjectType.Collection, SomeId), new StateRoot("kb", ObjectType.StateArray, SomeId)]));
        Assert.Contains("two roots named 'kb'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Tag_encoding_and_id_are_frozen()
    {
        var tag = new Tag(SomeId, ObjectType.Commit, "v1.0", Ada, "release\n"u8.ToArray());
        var bytes = ObjectCodec.Encode(tag);
        Assert.Equal("074f000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f030476312e3001034164610f616461406578616d706c652e636f6d00060dec13268b4000780872656c656173650a00", Convert.ToHexStringLower(bytes));
        Assert.Equal("5f5e673729e61539cda5b815065e3eb91c30f0818ea5b0e2aaa565b30e2860ff", ObjectId.Of(bytes).ToString());
    }

    [Fact]
    public void Tag_without_tagger_encoding_and_id_are_frozen()
    {
        var tag = new Tag(SomeId, ObjectType.Tree, "t", null, ReadOnlyMemory<byte>.Empty, new Dictionary<string, string> { ["k"] = "v" });
        var bytes = ObjectCodec.Encode(tag);
        Assert.Equal("072a000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f020174000001016b0176", Convert.ToHexStringLower(bytes));
        Assert.Equal("11baf41e8683594045968fae316541a8317fbe5d4abb1f931082faecc1b041a3", ObjectId.Of(bytes).ToString());
    }

    [Fact]
    public void Tag_round_trips_every_field()
    {
        var tag = new Tag(SomeId, ObjectType.Tag, "nested/tag é", Ada with { When = Ada.When.ToOffset(TimeSpan.FromMinutes(-330)) },
            new byte[] { 0xff, 0x00, 0x0a }, new Dictionary<string, string> { ["git.tagger"] = "eA==" });
        var decoded = (Tag)ObjectCodec.Decode(SomeId, ObjectCodec.Encode(tag));
        Assert.Equal(tag.Target, decoded.Target);
        Assert.Equal(ObjectType.Tag, decoded.TargetType);
        Assert.Equal(tag.Name, decoded.Name);
        Assert.Equal(tag.Tagger, decoded.Tagger);
        Assert.Equal(tag.Tagger!.When.Offset, decoded.Tagger!.When.Offset);
        Assert.Equal(tag.Message.ToArray(), decoded.Message.ToArray());
        Assert.Equal(tag.Metadata, decoded.Metadata);
    }

    [Theory]
    [InlineData("target type 0", "0700")]
    [InlineData("target type 5 (collection)", "0705")]
    [InlineData("tagger flag 2", "0303")]
    [InlineData("empty name", "0300")]
    public void Decoding_rejects_a_malformed_tag(string what, string patch)
    {
        // Patches the golden tag without tagger: "07xx" sets the target type, "03xx" sets the tagger flag, "0300" empties the name.
        var bytes = ObjectCodec.Encode(new Tag(SomeId, ObjectType.Tree, "t", null, ReadOnlyMemory<byte>.Empty));
        int typeAt = 2 + ObjectId.Size;
        switch (what)
        {
            case "empty name":
                bytes = [.. bytes[..(typeAt + 1)], 0x00, .. bytes[(typeAt + 3)..]];
                bytes[1]--;
                break;
            case "tagger flag 2":
                bytes[typeAt + 3] = Convert.FromHexString(patch)[1];
                break;
            default:
                bytes[typeAt] = Convert.FromHexString(patch)[1];
                break;
        }

        var e = Assert.Throws<CorruptObjectException>(() => ObjectCodec.Decode(SomeId, bytes));
        Assert.Equal(HeliosErrorCode.Corruption, e.Code);
    }

    [Fact]
    public void Every_truncation_of_a_tag_is_rejected()
    {
        var bytes = ObjectCodec.Encode(new Tag(SomeId, ObjectType.Commit, "v1.0", Ada, "release\n"u8.ToArray(), new Dictionary<string, string> { ["k"] = "v" }));
        for (int n = 0; n < bytes.Length; n++)
        {
            var truncated = bytes[..n];
            if (n >= 2)
            {
                truncated[1] = (byte)(n - 2); // Keep the frame consistent so the payload decoder sees the cut.
            }

            Assert.Throws<CorruptObjectException>(() => ObjectCodec.Decode(SomeId, truncated));
        }
    }

    [Fact]
    public void Tree_sorts_entries_by_utf8_bytes()
    {
        var tree = new Tree([
            new TreeEntry("b", EntryKind.File, SomeId),
            new TreeEntry("\U0001F600", EntryKind.File, SomeId),
            new TreeEntry("\uFF21", EntryKind.File, SomeId),
            new TreeEntry("B", EntryKind.File, SomeId),
        ]);
        Assert.Equal(["B", "b", "\uFF21", "\U0001F600"], tree.Entries.Select(e => e.Name));
    }

    [Fact]
    public void Commit_round_trips_every_field()
    {
        var commit = new Commit(SomeId, [SomeId, ObjectId.Of("x"u8)], 7, Ada, Ada with { When = Ada.When.ToOffset(TimeSpan.FromMinutes(-330)) },
            new byte[] { 0xff, 0x00, 0x0a }, new Dictionary<string, string> { ["k"] = "v=1" });
        var decoded = (Commit)ObjectCodec.Decode(SomeId, ObjectCodec.Encode(commit));
        Assert.Equal(commit.Tree, decoded.Tree);
        Assert.Equal(commit.Parents, decoded.Parents);
        Assert.Equal(commit.Author, decoded.Author);
        Assert.Equal(commit.Committer.When.Offset, decoded.Committer.When.Offset);
        Assert.Equal(commit.Message.ToArray(), decoded.Message.ToArray());
        Assert.Equal(commit.Metadata, decoded.Metadata);
    }

    [Theory]
    [InlineData("trailing bytes", "0101616100")]
    [InlineData("length longer than payload", "010561")]
    [InlineData("unknown type tag", "630100")]
    [InlineData("non-minimal varint length", "01800000")]
    [InlineData("reserved type without a decoder", "0400")]
    [InlineData("empty", "")]
    public void Decoding_rejects_malformed_bytes_as_corruption_naming_the_id(string what, string hex)
    {
        var e = Assert.Throws<CorruptObjectException>(() => ObjectCodec.Decode(SomeId, Convert.FromHexString(hex)));
        Assert.Equal(SomeId, e.Expected);
        Assert.Equal(HeliosErrorCode.Corruption, e.Code);
        Assert.Contains(SomeId.ToString(), e.Message, StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(what));
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(0, 2)]
    [InlineData(1, 1)]
    public void Decoding_rejects_a_generation_its_parents_make_impossible(int parentCount, byte generation)
    {
        ObjectId[] parents = parentCount == 0 ? [] : [SomeId];
        var bytes = ObjectCodec.Encode(new Commit(SomeId, parents, parentCount + 1, Ada, Ada, "m"u8.ToArray()));
        // Type, a one- or two-byte length, tree id, parent count, parent ids: then the generation.
        int lengthBytes = (bytes[1] & 0x80) == 0 ? 1 : 2;
        int at = 1 + lengthBytes + ObjectId.Size + 1 + parentCount * ObjectId.Size;
        Assert.Equal(parentCount + 1, bytes[at]);
        bytes[at] = generation;

        var e = Assert.Throws<CorruptObjectException>(() => ObjectCodec.Decode(SomeId, bytes));
        Assert.Contains($"generation {generation}", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decoding_rejects_unsorted_and_duplicate_tree_entries()
    {
        var a = ObjectCodec.Encode(new Tree([new TreeEntry("a", EntryKind.File, SomeId)]));
        var entry = a.AsSpan(3).ToArray(); // kind, name length, name, id
        foreach (var (first, second) in new[] { ("b", "a"), ("a", "a") })
        {
            var payload = new List<byte> { 2 };
            payload.AddRange(Entry(first));
            payload.AddRange(Entry(second));
            var bytes = new List<byte> { (byte)ObjectType.Tree, (byte)payload.Count };
            bytes.AddRange(payload);
            Assert.Throws<CorruptObjectException>(() => ObjectCodec.Decode(SomeId, bytes.ToArray()));
        }

        Assert.Equal(1 + 1 + 1 + 32, entry.Length);

        IEnumerable<byte> Entry(string name) => [(byte)EntryKind.File, 1, (byte)name[0], .. SomeId.ToByteArray()];
    }

    [Theory]
    [InlineData("..")]
    [InlineData(".")]
    [InlineData(".helios")]
    [InlineData(".HeLiOs")]
    [InlineData("a/b")]
    [InlineData("a\\b")]
    [InlineData("nul\0")]
    [InlineData("tab\t")]
    [InlineData("")]
    public void Decoding_rejects_a_tree_entry_with_an_unsafe_name(string name)
    {
        var nameBytes = System.Text.Encoding.UTF8.GetBytes(name);
        byte[] payload = [1, (byte)EntryKind.File, (byte)nameBytes.Length, .. nameBytes, .. SomeId.ToByteArray()];
        byte[] bytes = [(byte)ObjectType.Tree, (byte)payload.Length, .. payload];
        Assert.Throws<CorruptObjectException>(() => ObjectCodec.Decode(SomeId, bytes));
        Assert.Throws<HeliosException>(() => new Tree([new TreeEntry(name, EntryKind.File, SomeId)]));
    }

    [Fact]
    public void Every_truncation_of_a_commit_is_rejected()
    {
        var bytes = ObjectCodec.Encode(new Commit(SomeId, [SomeId], 2, Ada, Ada, "m"u8.ToArray(), new Dictionary<string, string> { ["a"] = "b" }));
        for (int length = 0; length < bytes.Length; length++)
        {
            Assert.Throws<CorruptObjectException>(() => ObjectCodec.Decode(SomeId, bytes.AsMemory(0, length)));
        }
    }
}
