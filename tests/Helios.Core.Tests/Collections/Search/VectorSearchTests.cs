using Helios.Core.Collections.Search;
using Helios.Core.Errors;

namespace Helios.Core.Tests.Collections.Search;

public sealed class VectorSearchTests
{
    public static TheoryData<int, SimilarityMetric, int> WidthsMetricsAndDimensions()
    {
        var data = new TheoryData<int, SimilarityMetric, int>();
        foreach (var width in Enum.GetValues<KernelWidth>())
        {
            foreach (var metric in new[] { SimilarityMetric.Cosine, SimilarityMetric.Dot })
            {
                data.Add((int)width, metric, 7);
                data.Add((int)width, metric, 385);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(WidthsMetricsAndDimensions))]
    public void Top_k_equals_a_brute_force_sort_of_every_score(int lanes, SimilarityMetric metric, int dimension)
    {
        var width = (KernelWidth)lanes;
        var random = new Random(dimension + lanes);
        var blocks = RandomBlocks(random, dimension, totalRows: 700, withTies: true);
        float[] query = VectorData.RandomVector(random, dimension);

        foreach (int k in new[] { 1, 10, 64 })
        {
            var hits = VectorSearch.Search(query, blocks, k, metric, keyPrefix: null, width);

            Assert.Equal(BruteForce(query, blocks, k, metric, width, _ => true), hits);
        }
    }

    [Theory]
    [MemberData(nameof(WidthsMetricsAndDimensions))]
    public void Prefix_filter_keeps_only_matching_keys_and_equals_a_filtered_brute_force(int lanes, SimilarityMetric metric, int dimension)
    {
        var width = (KernelWidth)lanes;
        var random = new Random(dimension * lanes);
        var blocks = RandomBlocks(random, dimension, totalRows: 700, withTies: true);
        float[] query = VectorData.RandomVector(random, dimension);

        var hits = VectorSearch.Search(query, blocks, 20, metric, "a/", width);

        Assert.Equal(20, hits.Length);
        Assert.All(hits, hit => Assert.StartsWith("a/", hit.Key, StringComparison.Ordinal));
        Assert.Equal(BruteForce(query, blocks, 20, metric, width, key => key.StartsWith("a/", StringComparison.Ordinal)), hits);
    }

    [Theory]
    [InlineData(SimilarityMetric.Cosine)]
    [InlineData(SimilarityMetric.Dot)]
    public void A_prefix_every_key_matches_gives_the_unfiltered_result(SimilarityMetric metric)
    {
        // The filtered path scores row by row, the unfiltered one a block at a time: they must agree exactly.
        var random = new Random(12);
        var blocks = RandomBlocks(random, 384, totalRows: 300, withTies: false);
        float[] query = VectorData.RandomVector(random, 384);

        var unfiltered = VectorSearch.Search(query, blocks, 30, metric);
        var filtered = VectorSearch.Search(query, blocks, 30, metric, keyPrefix: "");
        var everything = VectorSearch.Search(query, blocks.Select(b => Rekey(b, "p")), 30, metric, keyPrefix: "p");

        Assert.Equal(unfiltered, filtered);
        Assert.Equal(unfiltered.Select(hit => ("p" + hit.Key, hit.Score)), everything.Select(hit => (hit.Key, hit.Score)));
    }

    [Theory]
    [InlineData(SimilarityMetric.Cosine)]
    [InlineData(SimilarityMetric.Dot)]
    public void Results_are_the_true_top_k_by_the_double_precision_reference(SimilarityMetric metric)
    {
        var random = new Random(77);
        var blocks = RandomBlocks(random, 384, totalRows: 2000, withTies: false);
        float[] query = VectorData.RandomVector(random, 384);
        var reference = blocks
            .SelectMany(block => Enumerable.Range(0, block.Count).Select(row => (Key: block.GetKey(row), Score: Reference(query, block.GetVector(row), metric))))
            .OrderByDescending(pair => pair.Score)
            .ToArray();

        var hits = VectorSearch.Search(query, blocks, 10, metric);

        // Every hit scores, by the reference, at least the true tenth best (minus float32 rounding), and they are in order.
        double tenth = reference[9].Score;
        Assert.All(hits, hit => Assert.True(reference.Single(pair => pair.Key == hit.Key).Score >= tenth - 1e-4));
        Assert.Equal(hits.OrderByDescending(hit => hit.Score).ToArray(), hits);
        Assert.Equal(reference[0].Key, hits[0].Key);
    }

    [Theory]
    [InlineData(SimilarityMetric.Cosine)]
    [InlineData(SimilarityMetric.Dot)]
    public void A_query_too_long_for_the_stack_is_searched_like_any_other(SimilarityMetric metric)
    {
        int dimension = SimilarityKernels.MaxStackDimension + 1;
        var random = new Random(1025);
        var blocks = RandomBlocks(random, dimension, totalRows: 60, withTies: false);
        float[] query = VectorData.RandomVector(random, dimension);

        var hits = VectorSearch.Search(query, blocks, 7, metric);

        Assert.Equal(BruteForce(query, blocks, 7, metric, SimilarityKernels.BestWidth, _ => true), hits);
    }

    [Fact]
    public void Under_cosine_a_zero_vector_scores_zero_between_the_positive_and_negative_scores()
    {
        var builder = new VectorBlock.Builder(3);
        builder.Add("zero", [0, 0, 0]);
        builder.Add("same", [1, 2, 3]);
        builder.Add("opposite", [-1, -2, -3]);

        var hits = VectorSearch.Search([1, 2, 3], [builder.Build()], 3, SimilarityMetric.Cosine);

        Assert.Equal(["same", "zero", "opposite"], hits.Select(hit => hit.Key));
        Assert.Equal(1f, hits[0].Score, 1e-6f);
        Assert.Equal(0f, hits[1].Score);
        Assert.Equal(-1f, hits[2].Score, 1e-6f);
    }

    [Fact]
    public void Under_cosine_a_zero_query_scores_every_vector_zero_and_returns_the_smallest_keys()
    {
        var blocks = RandomBlocks(new Random(4), 16, totalRows: 100, withTies: false);

        var hits = VectorSearch.Search(new float[16], blocks, 5, SimilarityMetric.Cosine);

        var smallestKeys = blocks.SelectMany(block => block.Keys.ToArray()).Order(StringComparer.Ordinal).Take(5);
        Assert.Equal(smallestKeys, hits.Select(hit => hit.Key));
        Assert.All(hits, hit => Assert.Equal(0f, hit.Score));
    }

    [Theory]
    [InlineData(SimilarityMetric.Cosine)]
    [InlineData(SimilarityMetric.Dot)]
    public void K_larger_than_the_number_of_vectors_returns_them_all_best_first(SimilarityMetric metric)
    {
        var random = new Random(8);
        var blocks = RandomBlocks(random, 7, totalRows: 45, withTies: false);
        float[] query = VectorData.RandomVector(random, 7);

        var hits = VectorSearch.Search(query, blocks, 1000, metric);

        Assert.Equal(45, hits.Count);
        Assert.Equal(45, hits.Select(hit => hit.Key).Distinct().Count());
        Assert.Equal(hits.OrderByDescending(hit => hit.Score).ToArray(), hits);
    }

    [Theory]
    [InlineData(SimilarityMetric.Cosine)]
    [InlineData(SimilarityMetric.Dot)]
    public void A_vector_with_a_NaN_component_never_enters_the_results(SimilarityMetric metric)
    {
        var builder = new VectorBlock.Builder(4);
        builder.Add("a", [1, 0, 0, 0]);
        builder.Add("nan", [1, float.NaN, 0, 0]);
        builder.Add("b", [-1, 0, 0, 0]);

        var hits = VectorSearch.Search([1, 1, 1, 1], [builder.Build()], 10, metric);

        Assert.Equal(["a", "b"], hits.Select(hit => hit.Key));
    }

    [Fact]
    public void Under_cosine_a_vector_with_an_infinite_component_never_enters_the_results()
    {
        var builder = new VectorBlock.Builder(2);
        builder.Add("a", [1, 0]);
        builder.Add("inf", [float.PositiveInfinity, 0]);

        var hits = VectorSearch.Search([1, 0], [builder.Build()], 10, SimilarityMetric.Cosine);

        Assert.Equal(["a"], hits.Select(hit => hit.Key));
    }

    [Fact]
    public void Under_dot_a_vector_with_an_infinite_component_ranks_by_its_infinite_score()
    {
        var builder = new VectorBlock.Builder(2);
        builder.Add("a", [1000, 1000]);
        builder.Add("inf", [float.PositiveInfinity, 0]);
        builder.Add("-inf", [float.NegativeInfinity, 0]);

        var hits = VectorSearch.Search([1, 0], [builder.Build()], 10, SimilarityMetric.Dot);

        Assert.Equal([new SearchHit("inf", float.PositiveInfinity), new SearchHit("a", 1000), new SearchHit("-inf", float.NegativeInfinity)], hits);
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    [InlineData(float.NegativeInfinity)]
    public void A_query_with_a_non_finite_component_is_an_invalid_argument(float bad)
    {
        var blocks = RandomBlocks(new Random(1), 3, totalRows: 10, withTies: false);

        var error = Assert.Throws<HeliosException>(() => VectorSearch.Search([0, bad, 0], blocks, 1, SimilarityMetric.Dot));

        Assert.Equal(HeliosErrorCode.InvalidArgument, error.Code);
        Assert.Contains("component 1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_query_of_the_wrong_dimension_is_an_invalid_argument_naming_both_dimensions()
    {
        var blocks = RandomBlocks(new Random(1), 384, totalRows: 10, withTies: false);

        var error = Assert.Throws<HeliosException>(() => VectorSearch.Search(new float[383], blocks, 1, SimilarityMetric.Cosine));

        Assert.Equal(HeliosErrorCode.InvalidArgument, error.Code);
        Assert.Contains("383", error.Message, StringComparison.Ordinal);
        Assert.Contains("384", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_empty_query_k_below_one_and_an_unknown_metric_are_invalid_arguments()
    {
        var blocks = RandomBlocks(new Random(1), 2, totalRows: 10, withTies: false);

        Assert.Equal(HeliosErrorCode.InvalidArgument, Assert.Throws<HeliosException>(() => VectorSearch.Search([], blocks, 1, SimilarityMetric.Dot)).Code);
        Assert.Equal(HeliosErrorCode.InvalidArgument, Assert.Throws<HeliosException>(() => VectorSearch.Search([1, 1], blocks, 0, SimilarityMetric.Dot)).Code);
        Assert.Equal(HeliosErrorCode.InvalidArgument, Assert.Throws<HeliosException>(() => VectorSearch.Search([1, 1], blocks, 1, (SimilarityMetric)99)).Code);
    }

    [Fact]
    public void No_blocks_or_only_empty_blocks_give_no_results()
    {
        Assert.Empty(VectorSearch.Search([1, 2], [], 5, SimilarityMetric.Cosine));
        Assert.Empty(VectorSearch.Search([1, 2], [new VectorBlock.Builder(2).Build()], 5, SimilarityMetric.Cosine));
    }

    /// <summary>
    /// Blocks of 0..40 rows (as leaves vary) holding <paramref name="totalRows"/> vectors under unique keys with prefixes
    /// <c>a/</c>, <c>ab/</c> and <c>b/</c>; with ties, every fifth vector repeats an earlier one under another key.
    /// </summary>
    private static List<VectorBlock> RandomBlocks(Random random, int dimension, int totalRows, bool withTies)
    {
        string[] prefixes = ["a/", "ab/", "b/"];
        var vectors = new List<float[]>();
        var blocks = new List<VectorBlock>();
        int made = 0;
        while (made < totalRows)
        {
            int rows = Math.Min(random.Next(0, 41), totalRows - made);
            var builder = new VectorBlock.Builder(dimension);
            for (int row = 0; row < rows; row++, made++)
            {
                float[] vector = withTies && vectors.Count > 0 && made % 5 == 0
                    ? vectors[random.Next(vectors.Count)]
                    : VectorData.RandomVector(random, dimension);
                vectors.Add(vector);
                builder.Add($"{prefixes[random.Next(prefixes.Length)]}{random.Next(1_000_000):D6}-{made}", vector);
            }

            blocks.Add(builder.Build());
        }

        return blocks;
    }

    private static VectorBlock Rekey(VectorBlock block, string prefix)
    {
        var builder = new VectorBlock.Builder(block.Dimension);
        for (int row = 0; row < block.Count; row++)
        {
            builder.Add(prefix + block.GetKey(row), block.GetVector(row));
        }

        return builder.Build();
    }

    /// <summary>Every score from the same kernel, sorted best first (score descending, then key ordinal), cut at k.</summary>
    private static SearchHit[] BruteForce(float[] query, List<VectorBlock> blocks, int k, SimilarityMetric metric, KernelWidth width, Func<string, bool> include)
    {
        var all = new List<SearchHit>();
        foreach (var block in blocks)
        {
            var scores = new float[block.Count];
            if (metric == SimilarityMetric.Cosine)
            {
                SimilarityKernels.Cosine(query, block, scores, width);
            }
            else
            {
                SimilarityKernels.Dot(query, block, scores, width);
            }

            for (int row = 0; row < block.Count; row++)
            {
                if (include(block.GetKey(row)))
                {
                    all.Add(new SearchHit(block.GetKey(row), scores[row]));
                }
            }
        }

        return [.. all.OrderByDescending(hit => hit.Score).ThenBy(hit => hit.Key, StringComparer.Ordinal).Take(k)];
    }

    private static double Reference(float[] query, ReadOnlySpan<float> vector, SimilarityMetric metric) =>
        metric == SimilarityMetric.Dot
            ? VectorData.ReferenceDot(query, vector)
            : VectorData.ReferenceDot(query, vector) / (VectorData.ReferenceNorm(query) * VectorData.ReferenceNorm(vector));
}
