using Helios.Core.Objects;

namespace Helios.Core.Storage;

/// <summary>
/// Counts the reads that reach the store beneath (the L2 tier): a hit when the object was there,
/// a miss when it was absent. One interlocked increment per read; nothing else changes.
/// </summary>
public sealed class CountingObjectStore(IObjectStore inner) : ObjectStoreDecorator(inner)
{
    public TierStatistics Statistics { get; } = new();

    public override byte[]? TryGet(ObjectId id)
    {
        var bytes = Inner.TryGet(id);
        if (bytes is null) Statistics.RecordMiss();
        else Statistics.RecordHit();
        return bytes;
    }
}
