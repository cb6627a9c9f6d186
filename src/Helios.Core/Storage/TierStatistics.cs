namespace Helios.Core.Storage;

/// <summary>
/// Hit and miss counts of one storage tier (L0 decoded objects, L1 compressed cache, L2 backend).
/// Thread-safe and lock-free: each record is one interlocked increment. The counters are read
/// independently, so a reading taken while others record may be off by the lookups in flight.
/// </summary>
public sealed class TierStatistics
{
    private long _hits;
    private long _misses;

    /// <summary>Lookups this tier answered itself.</summary>
    public long Hits => Interlocked.Read(ref _hits);

    /// <summary>Lookups this tier had to pass to the tier beneath (or answer as absent).</summary>
    public long Misses => Interlocked.Read(ref _misses);

    /// <summary>Hits plus misses.</summary>
    public long Lookups => Hits + Misses;

    /// <summary>Hits divided by lookups, between 0 and 1; 0 before the first lookup.</summary>
    public double HitRatio
    {
        get
        {
            long hits = Hits;
            long lookups = hits + Misses;
            return lookups == 0 ? 0 : (double)hits / lookups;
        }
    }

    /// <summary>Counts one hit.</summary>
    public void RecordHit() => Interlocked.Increment(ref _hits);

    /// <summary>Counts one miss.</summary>
    public void RecordMiss() => Interlocked.Increment(ref _misses);

    /// <summary>Sets both counters back to zero.</summary>
    public void Reset()
    {
        Interlocked.Exchange(ref _hits, 0);
        Interlocked.Exchange(ref _misses, 0);
    }

    public override string ToString() => $"{Hits} hits, {Misses} misses, hit ratio {HitRatio:P1}";
}
