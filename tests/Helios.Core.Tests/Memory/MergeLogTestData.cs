using Helios.Core.Memory;
using Helios.Core.Merging;
using Helios.Core.Objects;
using Helios.Core.Refs;

namespace Helios.Core.Tests.Memory;

/// <summary>Entries, signed chains and exports shared by the merge-log tests.</summary>
internal static class MergeLogTestData
{
    public static readonly DateTimeOffset Start = new(2026, 3, 4, 5, 6, 7, TimeSpan.Zero);

    public static ObjectId IdOf(string text) => ObjectId.Of(System.Text.Encoding.UTF8.GetBytes(text));

    /// <summary>The <paramref name="i"/>-th merge of a swarm: strategies, heads and conflicts vary with i.</summary>
    public static MergeLogEntry Entry(int i)
    {
        var strategy = (MergeStrategy)(i % 4);
        var conflicts = new List<MergeLogConflict>
        {
            new("patterns", $"pattern/{i}", i % 2 == 0 ? MergeLogResolution.NewestChild : MergeLogResolution.Parent),
            new("patterns", $"pattern/{i + 1}", MergeLogResolution.Delete),
        };
        if (i % 3 == 0)
        {
            conflicts.Add(MergeLogConflict.Manual("scratch", $"note-{i}", [(byte)i, 1, 2, 3]));
        }

        return new MergeLogEntry(
            agent: $"agent-{i % 5}",
            collections: ["scratch", "patterns"],
            parentBranch: BranchName.Parse("main"),
            childBranch: BranchName.Parse($"agents/{i % 5}/try-{i}"),
            parentBefore: i == 0 ? null : IdOf($"main-{i - 1}"),
            parentAfter: IdOf($"main-{i}"),
            childBefore: IdOf($"child-{i}"),
            childAfter: i % 2 == 0 ? null : IdOf($"child-{i}"),
            strategy: strategy,
            conflicts: conflicts,
            reportHash: IdOf($"report-{i}"));
    }

    /// <summary>A log of <paramref name="count"/> records signed by <paramref name="signer"/>, oldest first.</summary>
    public static List<(ObjectId Id, byte[] Bytes)> Chain(int count, IMergeLogSigner signer)
    {
        var chain = new List<(ObjectId, byte[])>();
        ObjectId previous = default;
        for (int i = 0; i < count; i++)
        {
            var record = MergeLogRecord.Create(i + 1, previous, Start.AddSeconds(i), Entry(i), signer);
            var (id, bytes) = ObjectCodec.EncodeWithId(record);
            chain.Add((id, bytes));
            previous = id;
        }

        return chain;
    }

    /// <summary>The export of <paramref name="records"/> (oldest first) with a trailer naming <paramref name="head"/>.</summary>
    public static byte[] Export(IEnumerable<byte[]> records, ObjectId head, IMergeLogSigner signer)
    {
        using var stream = new MemoryStream();
        MergeLogFile.Write(stream, records.Select(r => (ReadOnlyMemory<byte>)r), head, signer);
        return stream.ToArray();
    }

    public static byte[] Export(List<(ObjectId Id, byte[] Bytes)> chain, IMergeLogSigner signer) =>
        Export(chain.Select(c => c.Bytes), chain.Count > 0 ? chain[^1].Id : default, signer);
}
