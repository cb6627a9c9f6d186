using Helios.Core.Hashing;
using Helios.Core.Objects.Chunking;

namespace Helios.Core.Tests.Objects.Chunking;

public class FastCdcTests
{
    /// <summary>Deterministic pseudo-random bytes: BLAKE3's extendable output of a label.</summary>
    internal static byte[] Bytes(string label, int length)
    {
        var bytes = new byte[length];
        Blake3.Hash(System.Text.Encoding.UTF8.GetBytes(label), bytes);
        return bytes;
    }

    // Golden values: chunk boundaries are part of every chunked file's id, so changing the table, the
    // masks or the sizes must be a deliberate format change that updates these and docs/object-format.md.
    [Fact]
    public void Gear_table_is_frozen()
    {
        var gear = FastCdc.GearTable();
        Assert.Equal(256, gear.Length);
        var digest = new byte[32];
        Blake3.Hash(System.Runtime.InteropServices.MemoryMarshal.AsBytes(gear.AsSpan()), digest);
        Assert.Equal("c8813d62069ac35a768b9ee644fa44f9a6834b897e5bf5306c396dd680b36933", Convert.ToHexStringLower(digest));
        Assert.Equal(0x47ebf37ad935075aUL, gear[0]);
        Assert.Equal(0x039cebd8604aef5dUL, gear[255]);
    }

    [Fact]
    public void Boundaries_of_a_fixed_input_are_frozen()
    {
        var lengths = FastCdc.Split(Bytes("helios fastcdc golden input", 1 << 20));
        Assert.Equal(
            "19801,17842,18047,10455,9570,6582,17463,17835,29919,17313,19028,14335,26642,18027,20401,31556,22917,16740,17691,5105,26351,19659,16397,22344,25864,17926,16690,19533,30544,17480,15001,18840,12288,18006,16732,9492,8906,25684,8325,17523,19081,5792,35307,17884,16387,17764,27727,17866,19286,16599,18938,21996,6991,16846,17401,32818,16404,2635",
            string.Join(",", lengths));
    }

    [Fact]
    public void Chunks_respect_the_minimum_and_maximum_and_cover_the_content()
    {
        var content = Bytes("sizes", 4 << 20);
        var lengths = FastCdc.Split(content);
        Assert.Equal(content.Length, lengths.Sum());
        Assert.All(lengths.SkipLast(1), l => Assert.InRange(l, FastCdc.MinSize + 1, FastCdc.MaxSize));
        Assert.InRange(lengths[^1], 1, FastCdc.MaxSize);
        // Normalized chunking keeps the mean near the target.
        Assert.InRange(content.Length / lengths.Count, FastCdc.AverageSize * 3 / 4, FastCdc.AverageSize * 3 / 2);
    }

    [Fact]
    public void Content_without_boundaries_is_cut_at_the_maximum()
    {
        var zeros = new byte[3 * FastCdc.MaxSize + 10];
        Assert.Equal([FastCdc.MaxSize, FastCdc.MaxSize, FastCdc.MaxSize, 10], FastCdc.Split(zeros));
    }

    [Fact]
    public void Short_content_is_one_chunk_and_empty_content_none()
    {
        Assert.Equal([100], FastCdc.Split(new byte[100]));
        Assert.Equal([FastCdc.MinSize], FastCdc.Split(new byte[FastCdc.MinSize]));
        Assert.Empty(FastCdc.Split([]));
    }

    [Fact]
    public void An_insertion_or_deletion_changes_only_the_chunks_around_it()
    {
        // 200 random edits (seeded, so a failure replays): insertions or deletions of 1-300 bytes at
        // random places in 512 KiB of random data. Past an edit, boundaries usually fall back in step
        // at the next cut; normalized chunking can skip a cut or two first (the two masks), so a few
        // edits change more than one chunk, but never many.
        var random = new Random(9);
        var changedCounts = new List<int>();
        for (int run = 0; run < 200; run++)
        {
            var original = Bytes($"property {run}", 512 << 10);
            int position = random.Next(original.Length);
            int length = random.Next(1, 301);
            byte[] edited = run % 2 == 0
                ? [.. original.AsSpan(0, position), .. Bytes($"insert {run}", length), .. original.AsSpan(position)]
                : [.. original.AsSpan(0, position), .. original.AsSpan(Math.Min(original.Length, position + length))];
            var before = Chunks(original);
            var after = Chunks(edited);

            // Every chunk ending before the edit is kept as it was, in place.
            int untouched = before.TakeWhile(c => c.End <= position).Count();
            Assert.Equal(before.Take(untouched).Select(c => c.Hash), after.Take(untouched).Select(c => c.Hash));
            // Every chunk of the edited content is either old or among the few after the edit.
            int changed = after.Select(c => c.Hash).Except(before.Select(c => c.Hash)).Count();
            Assert.InRange(changed, 1, 8);
            changedCounts.Add(changed);
        }

        Assert.True(changedCounts.Count(c => c == 1) >= 180, $"only {changedCounts.Count(c => c == 1)} of 200 edits changed exactly one chunk");
    }

    private static List<(long End, string Hash)> Chunks(byte[] content)
    {
        var result = new List<(long, string)>();
        long offset = 0;
        foreach (int length in FastCdc.Split(content))
        {
            var digest = new byte[16];
            Blake3.Hash(content.AsSpan((int)offset, length), digest);
            offset += length;
            result.Add((offset, Convert.ToHexStringLower(digest)));
        }

        return result;
    }
}
