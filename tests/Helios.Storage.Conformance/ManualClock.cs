namespace Helios.Storage.Conformance;

/// <summary>A clock that moves only when a test moves it. Thread-safe.</summary>
public sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    private long _ticks = start.UtcTicks;

    /// <summary>A clock at a fixed, whole-millisecond instant (stores keep milliseconds).</summary>
    public ManualClock() : this(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero)) { }

    public DateTimeOffset Now => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

    public override DateTimeOffset GetUtcNow() => Now;

    public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
}
