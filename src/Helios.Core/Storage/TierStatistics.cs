namespace Helios.Core.Storage;

/// <summary>Hit and miss counts of one cache tier. Thread-safe (interlocked counters).</summary>
public sealed class TierStatistics
{
    private long _hits;
    private long _misses;

    public long Hits => Interlocked.Read(ref _hits);

    public long Misses => Interlocked.Read(ref _misses);

    /// <summary>Hits over lookups, 0 when nothing was looked up.</summary>
    public double HitRatio
    {
        get
        {
            long hits = Hits, total = hits + Misses;
            return total == 0 ? 0 : (double)hits / total;
        }
    }

    public void RecordHit() => Interlocked.Increment(ref _hits);

    public void RecordMiss() => Interlocked.Increment(ref _misses);

    public void Reset()
    {
        Interlocked.Exchange(ref _hits, 0);
        Interlocked.Exchange(ref _misses, 0);
    }
}
