using Helios.Core.Refs;

namespace Helios.Core.Storage;

/// <summary>
/// The only mutable state: refs and the operation log that records every change to them.
/// <see cref="Commit"/> applies a set of compare-and-swap updates and appends their operation record
/// in one transaction: either all refs move and the record is written, or nothing changes.
/// Implementations are thread-safe and, for persistent backends, safe across processes.
/// </summary>
public interface IRefStore : IDisposable
{
    /// <summary>The ref's current value, or null when it does not exist.</summary>
    RefTarget? Read(RefName name);

    /// <summary>Every ref whose name starts with <paramref name="prefix"/>, sorted by name (ordinal).</summary>
    IReadOnlyList<RefEntry> List(string prefix);

    /// <summary>
    /// Atomically checks every update's expected value, applies them all and appends one operation
    /// record chained to the previous one. Returns a conflict, changing nothing, when any ref's
    /// current value differs from what the caller expected.
    /// </summary>
    RefTransactionResult Commit(RefTransaction transaction);

    /// <summary>Operation records, newest first, with sequence numbers below <paramref name="before"/> (all when null).</summary>
    IReadOnlyList<OperationRecord> ReadOperations(long? before = null, int limit = int.MaxValue);

    /// <summary>
    /// Where the retained log begins: sequence 1 and a zero hash until <see cref="TrimOperations"/> first
    /// removed records, then the first kept sequence number and the hash of the last removed record (which
    /// the first kept record names as its previous), so the kept chain still verifies from its start.
    /// </summary>
    OperationLogStart ReadOperationLogStart();

    /// <summary>
    /// Removes the oldest records whose time is before <paramref name="before"/>, stopping at the first
    /// record that is not (so the kept log stays one unbroken chain) and never removing the newest record,
    /// and records the new <see cref="ReadOperationLogStart"/>, all in one transaction. Undo and fsck no
    /// longer see the removed records, so garbage collection stops keeping what only they named.
    /// Returns how many records were removed. Cost: decodes each removed record once.
    /// </summary>
    long TrimOperations(DateTimeOffset before);
}

/// <summary>
/// The start of the retained operation log: the first kept <paramref name="Sequence"/> and the hash of the
/// record before it (<paramref name="Previous"/>; zero when nothing was ever trimmed).
/// </summary>
public readonly record struct OperationLogStart(long Sequence, Helios.Core.Objects.ObjectId Previous)
{
    /// <summary>The start of a log that was never trimmed.</summary>
    public static OperationLogStart Untrimmed => new(1, default);
}

/// <summary>
/// One ref's compare-and-swap. <paramref name="Expected"/> is the value the caller read (null: the ref
/// must not exist); <paramref name="New"/> is the value to set (null: delete the ref).
/// </summary>
public sealed record RefUpdate(RefName Name, RefTarget? Expected, RefTarget? New);

/// <summary>A set of ref updates applied together, with the description of the operation they make up.</summary>
public sealed record RefTransaction(IReadOnlyList<RefUpdate> Updates, OperationInfo Operation)
{
    /// <summary>
    /// Objects the new ref values need (a commit and its new trees and blobs), stored in the same
    /// transaction: they become visible exactly when the refs move, and a conflict stores none of
    /// them. Only ref stores obtained from an <see cref="IRepositoryStorage"/> accept objects.
    /// </summary>
    public IReadOnlyList<EncodedObject> Objects { get; init; } = [];
}

/// <summary>The outcome of <see cref="IRefStore.Commit"/>: the appended record, or the ref that lost a race.</summary>
public abstract record RefTransactionResult
{
    private RefTransactionResult() { }

    public sealed record Committed(OperationRecord Record) : RefTransactionResult;

    /// <summary><paramref name="Name"/> held <paramref name="Actual"/> instead of <paramref name="Expected"/>.</summary>
    public sealed record Conflict(RefName Name, RefTarget? Expected, RefTarget? Actual) : RefTransactionResult;
}
