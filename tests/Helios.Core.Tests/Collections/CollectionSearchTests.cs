using Helios.Core.Collections;
using Helios.Core.Collections.Search;
using Helios.Core.Objects;

namespace Helios.Core.Tests.Collections;

public sealed class CollectionSearchTests
{
    private readonly CollectionTestKit _kit = new();

    [Fact]
    public void A_prefix_search_reads_only_the_leaves_of_the_prefix_range_and_matches_a_filtered_brute_force()
    {
        var edits = Enumerable.Range(0, 20_000).Select(i => CollectionEdit.PutVector($"group-{i % 50:D2}/item-{i:D5}", Vector(i))).ToList();
        var header = _kit.Apply(_kit.Empty(4), edits);
        float[] query = [1, 0.5f, -0.25f, 0];

        var (cold, counter) = _kit.ColdView();
        var hits = cold.Search(header, query, 5, SimilarityMetric.Dot, new VectorBlockCache(), keyPrefix: "group-07/");

        var expected = edits.Where(e => e.Key.StartsWith("group-07/", StringComparison.Ordinal))
            .Select(e => (e.Key, Score: Dot(query, e.Value!.GetVector(4))))
            .OrderByDescending(x => x.Score).ThenBy(x => x.Key, StringComparer.Ordinal).Take(5).Select(x => x.Key);
        Assert.Equal(expected, hits.Select(h => h.Key));
        long reads = counter.Statistics.Hits + counter.Statistics.Misses;
        long leaves = _kit.Tree.EnumerateLeaves(_kit.Tree.ReadHeader(header).Root).Count();
        // The prefix holds 400 of 20,000 keys (2%): its leaves and their vector blobs, not the whole tree.
        Assert.True(reads < leaves, $"{reads} reads for {leaves} leaves");
    }

    private static float[] Vector(int i) => [(i * 7919) % 101 / 100f, (i * 31) % 17 / 16f, i % 5 / 4f, 1];

    private static float Dot(float[] a, float[] b) => a.Zip(b, (x, y) => x * y).Sum();
}
