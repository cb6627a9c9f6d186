using Helios.Core.Storage;

namespace Helios.Core.Tests.Storage;

public sealed class TierStatisticsTests
{
    [Fact]
    public void Hit_ratio_is_zero_before_the_first_lookup()
    {
        var statistics = new TierStatistics();

        Assert.Equal(0, statistics.HitRatio);
        Assert.Equal(0, statistics.Lookups);
    }

    [Fact]
    public void Hit_ratio_is_hits_over_lookups()
    {
        var statistics = new TierStatistics();

        statistics.RecordHit();
        statistics.RecordHit();
        statistics.RecordHit();
        statistics.RecordMiss();

        Assert.Equal(3, statistics.Hits);
        Assert.Equal(1, statistics.Misses);
        Assert.Equal(4, statistics.Lookups);
        Assert.Equal(0.75, statistics.HitRatio);
    }

    [Fact]
    public void Reset_sets_both_counters_to_zero()
    {
        var statistics = new TierStatistics();
        statistics.RecordHit();
        statistics.RecordMiss();

        statistics.Reset();

        Assert.Equal(0, statistics.Hits);
        Assert.Equal(0, statistics.Misses);
    }

    [Fact]
    public void Concurrent_records_are_all_counted()
    {
        var statistics = new TierStatistics();

        Parallel.For(0, 100_000, i =>
        {
            if (i % 4 == 0)
            {
                statistics.RecordMiss();
            }
            else
            {
                statistics.RecordHit();
            }
        });

        Assert.Equal(75_000, statistics.Hits);
        Assert.Equal(25_000, statistics.Misses);
    }
}
