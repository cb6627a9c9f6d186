using Helios.Core.Collections.Search;
using Helios.Core.Errors;

namespace Helios.Core.Tests.Collections.Search;

public sealed class TopKTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(10)]
    [InlineData(17)]
    [InlineData(999)]
    [InlineData(1000)]
    [InlineData(5000)]
    public void Kept_pairs_equal_the_best_k_of_a_full_sort(int k)
    {
        var random = new Random(k);
        // Scores from a small set so many are tied and the key decides.
        var pairs = Enumerable.Range(0, 1000).Select(i => new SearchHit($"key{random.Next(100_000):D6}-{i}", random.Next(-20, 20) / 4f)).ToArray();
        var top = new TopK(k);

        foreach (var pair in pairs)
        {
            top.Offer(pair.Key, pair.Score);
        }

        var expected = pairs.OrderByDescending(p => p.Score).ThenBy(p => p.Key, StringComparer.Ordinal).Take(k).ToArray();
        Assert.Equal(expected, top.ToSortedArray());
    }

    [Fact]
    public void The_result_does_not_depend_on_the_order_pairs_are_offered_in()
    {
        var random = new Random(9);
        var pairs = Enumerable.Range(0, 500).Select(i => new SearchHit($"k{i:D3}", random.Next(0, 5))).ToArray();
        SearchHit[]? first = null;

        for (int round = 0; round < 5; round++)
        {
            random.Shuffle(pairs);
            var top = new TopK(25);
            foreach (var pair in pairs)
            {
                top.Offer(pair.Key, pair.Score);
            }

            var result = top.ToSortedArray();
            first ??= result;
            Assert.Equal(first, result);
        }
    }

    [Fact]
    public void Equal_scores_are_ordered_by_key_in_ordinal_order()
    {
        var top = new TopK(3);
        foreach (string key in new[] { "b", "a", "B", "c", "ab" })
        {
            top.Offer(key, 1f);
        }

        // Ordinal: uppercase sorts before lowercase.
        Assert.Equal(["B", "a", "ab"], top.ToSortedArray().Select(hit => hit.Key));
    }

    [Fact]
    public void A_NaN_score_is_never_kept()
    {
        var top = new TopK(3);

        Assert.False(top.Offer("nan", float.NaN));
        top.Offer("low", -1e30f);
        Assert.False(top.Offer("nan2", float.NaN));

        Assert.Equal([new SearchHit("low", -1e30f)], top.ToSortedArray());
    }

    [Fact]
    public void Fewer_pairs_than_k_are_all_returned_best_first()
    {
        var top = new TopK(10);
        top.Offer("x", 1);
        top.Offer("y", 3);
        top.Offer("z", 2);

        Assert.Equal(["y", "z", "x"], top.ToSortedArray().Select(hit => hit.Key));
        Assert.Equal(float.NegativeInfinity, top.Threshold);
    }

    [Fact]
    public void Threshold_is_the_worst_kept_score_once_k_pairs_are_kept()
    {
        var top = new TopK(2);
        top.Offer("a", 5);
        top.Offer("b", 1);
        top.Offer("c", 3);

        Assert.Equal(3f, top.Threshold);
        Assert.False(top.Offer("d", 2));
        Assert.True(top.Offer("0", 3));
        Assert.Equal(["a", "0"], top.ToSortedArray().Select(hit => hit.Key));
    }

    [Fact]
    public void A_huge_k_does_not_allocate_k_slots_up_front()
    {
        var top = new TopK(int.MaxValue);
        top.Offer("only", 1);

        Assert.Single(top.ToSortedArray());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void K_below_one_is_an_invalid_argument(int k)
    {
        var error = Assert.Throws<HeliosException>(() => new TopK(k));

        Assert.Equal(HeliosErrorCode.InvalidArgument, error.Code);
    }
}
