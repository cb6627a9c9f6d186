using Helios.Core.Objects;

namespace Helios.Core.Errors;

/// <summary>
/// Root of every exceptional outcome Helios reports. The message is one sentence naming the
/// thing (path, ref, id) and, where there is one, the fix. <see cref="Code"/> is stable.
/// </summary>
public class HeliosException : Exception
{
    public HeliosException(HeliosErrorCode code, string message, Exception? inner = null)
        : base(message, inner) => Code = code;

    public HeliosErrorCode Code { get; }
}

/// <summary>Stored bytes did not hash to their id, or did not decode.</summary>
public sealed class CorruptObjectException : HeliosException
{
    public CorruptObjectException(ObjectId id, string problem, ObjectId? actual = null)
        : base(HeliosErrorCode.Corruption, actual is { } a
            ? $"Object {id} is corrupt: its bytes hash to {a}."
            : $"Object {id} is corrupt: {problem}")
    {
        Expected = id;
        Actual = actual;
    }

    /// <summary>The id the object was stored and requested under.</summary>
    public ObjectId Expected { get; }

    /// <summary>The id its bytes actually hash to, when the failure was a hash mismatch.</summary>
    public ObjectId? Actual { get; }
}

/// <summary>A stored operation-log record did not decode (or claims another sequence number than the one it is stored under).</summary>
public sealed class CorruptOperationException : HeliosException
{
    public CorruptOperationException(long sequence, string message, Exception? inner = null)
        : base(HeliosErrorCode.Corruption, message, inner) => Sequence = sequence;

    /// <summary>The sequence number the record is stored under.</summary>
    public long Sequence { get; }
}

/// <summary>A requested object, ref or revision does not exist.</summary>
public sealed class NotFoundException : HeliosException
{
    public NotFoundException(string what, string message) : base(HeliosErrorCode.NotFound, message) => What = what;

    /// <summary>The id, ref or revision that was not found.</summary>
    public string What { get; }
}

/// <summary>The storage backend failed (I/O, locked, read-only, full disk).</summary>
public sealed class StorageException : HeliosException
{
    public StorageException(string message, Exception? inner = null) : base(HeliosErrorCode.Storage, message, inner) { }
}
