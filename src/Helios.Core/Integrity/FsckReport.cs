using Helios.Core.Objects;
using Helios.Core.Refs;

namespace Helios.Core.Integrity;

/// <summary>What kind of damage an <see cref="FsckProblem"/> describes. Values are stable: never renumber, only append.</summary>
public enum FsckProblemKind
{
    /// <summary>A stored object's bytes do not hash to the id it is stored under.</summary>
    HashMismatch = 1,

    /// <summary>A stored object's bytes hash to its id but do not decode strictly (bad length, unsorted entries, unknown tag...).</summary>
    UndecodableObject = 2,

    /// <summary>An object reachable from a ref, or recorded in the operation log, is not stored.</summary>
    MissingObject = 3,

    /// <summary>A reachable object is stored but is not of the type its referrer expects (a directory entry naming a blob, a parent naming a tree...).</summary>
    WrongObjectType = 4,

    /// <summary>A ref names an object that is not stored, follows a ref that does not exist (other than an unborn branch a HEAD follows), or is part of a symbolic loop.</summary>
    DanglingRef = 5,

    /// <summary>A ref names a stored object that is not a commit (nor, under <c>refs/tags/</c>, an annotated tag).</summary>
    RefNotACommit = 6,

    /// <summary>A stored operation-log record does not decode.</summary>
    CorruptOperation = 7,

    /// <summary>The operation log's hash chain is broken: a record is missing or does not carry the hash of the record before it.</summary>
    BrokenOperationChain = 8,

    /// <summary>A commit's generation number is not 1 + the largest of its parents' (which would mislead merge-base searches).</summary>
    WrongGeneration = 9,

    /// <summary>
    /// The store cannot turn an object's stored form back into bytes: an unknown codec, a declared size its payload
    /// does not decode to, a payload that inflates past it, or a missing or corrupt delta base (then the message names the base).
    /// </summary>
    UnreadableObject = 10,

    /// <summary>A chunked blob lists a chunk with another length than the chunk's blob holds.</summary>
    ChunkLengthMismatch = 11,

    /// <summary>
    /// A chunked blob (a large file) cannot be read back because one of its chunks is missing, corrupt,
    /// not a blob or of the wrong length. One problem per chunked blob and bad chunk, naming the tree
    /// entries (files) that point at the chunked blob.
    /// </summary>
    DamagedFile = 12,
}

/// <summary>
/// One problem found by <see cref="Fsck"/>: its kind, what it concerns (an object id, a ref, an
/// operation sequence number; whichever apply) and one sentence saying what is wrong.
/// </summary>
/// <param name="Kind">What is wrong.</param>
/// <param name="Id">The object that is corrupt, missing or of the wrong type, or that a dangling ref names.</param>
/// <param name="Ref">The ref that is dangling, or through which (with <paramref name="Operation"/>) the object was reached.</param>
/// <param name="Operation">The operation-log sequence number the problem concerns.</param>
/// <param name="Message">One sentence naming the thing.</param>
public sealed record FsckProblem(FsckProblemKind Kind, ObjectId? Id, RefName? Ref, long? Operation, string Message)
{
    public override string ToString() => Message;
}

/// <summary>The outcome of <see cref="Fsck.Check"/>: what was checked and every problem found.</summary>
public sealed class FsckReport
{
    /// <summary>Stored objects read, re-hashed and decoded.</summary>
    public required long ObjectsChecked { get; init; }

    /// <summary>Stored objects that decoded as commits.</summary>
    public required long Commits { get; init; }

    /// <summary>Stored objects that decoded as trees.</summary>
    public required long Trees { get; init; }

    /// <summary>Stored objects that decoded as blobs.</summary>
    public required long Blobs { get; init; }

    /// <summary>Distinct stored objects reached from refs and from the operation log with the type expected of them. The rest await gc.</summary>
    public required long ReachableObjects { get; init; }

    /// <summary>Refs checked (HEAD, branches, per-worktree HEADs and any others).</summary>
    public required long Refs { get; init; }

    /// <summary>Operation-log records checked (including any that did not decode).</summary>
    public required long Operations { get; init; }

    /// <summary>Every problem found, grouped by check: objects, refs, connectivity, then the operation log (in sequence order).</summary>
    public required IReadOnlyList<FsckProblem> Problems { get; init; }

    /// <summary>True when no problem was found.</summary>
    public bool IsClean => Problems.Count == 0;
}

/// <summary>The stage <see cref="Fsck"/> is in, for progress display.</summary>
public enum FsckPhase
{
    /// <summary>Reading, re-hashing and decoding every stored object; <see cref="FsckProgress.Total"/> is known.</summary>
    Objects,

    /// <summary>Walking from every ref and operation record; the total is not known in advance.</summary>
    Connectivity,
}

/// <summary>How far a check has got: objects done in the current phase, of <paramref name="Total"/> when known.</summary>
public readonly record struct FsckProgress(FsckPhase Phase, long Completed, long? Total);
