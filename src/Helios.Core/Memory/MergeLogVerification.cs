namespace Helios.Core.Memory;

/// <summary>What was wrong with the first bad part of a merge log.</summary>
public enum MergeLogDefect
{
    /// <summary>A record, or the head, is not stored; or the trailer counts records the file lacks.</summary>
    Missing,

    /// <summary>The bytes end inside a record, or before the trailer.</summary>
    Truncated,

    /// <summary>A record's bytes do not decode as a merge-log record (or are not one).</summary>
    Undecodable,

    /// <summary>A stored record's bytes do not hash to the id it is stored under.</summary>
    HashMismatch,

    /// <summary>A record has another sequence number than its position (a record deleted or moved).</summary>
    WrongSequence,

    /// <summary>A record does not link to the one before it, or the trailer names another head.</summary>
    BrokenChain,

    /// <summary>A record or the trailer names another key than the one verifying.</summary>
    WrongSigner,

    /// <summary>A record's or the trailer's signature does not verify.</summary>
    BadSignature,

    /// <summary>An export does not start with the merge-log magic and version.</summary>
    BadHeader,

    /// <summary>The trailer is damaged, or disagrees with the records.</summary>
    BadTrailer,

    /// <summary>No public key to verify with (the repository's is missing or unreadable).</summary>
    MissingKey,
}

/// <summary>
/// The outcome of verifying a merge log: success with the number of records, or the first bad record
/// (by sequence number; null when the defect is in no record: the header, the trailer, the key) and
/// why. <see cref="RecordCount"/> counts the records that verified.
/// </summary>
public sealed record MergeLogVerification(bool IsValid, long RecordCount, long? FirstBadSequence, MergeLogDefect? Defect, string? Problem)
{
    internal static MergeLogVerification Succeeded(long count) => new(true, count, null, null, null);

    internal static MergeLogVerification Failed(long? sequence, MergeLogDefect defect, long verified, string problem) =>
        new(false, verified, sequence, defect, problem);

    public override string ToString() => IsValid
        ? $"The merge log verifies: {RecordCount} records."
        : FirstBadSequence is { } s
            ? $"Merge-log record {s} is bad ({Defect}): {Problem}"
            : $"The merge log is bad ({Defect}): {Problem}";
}
