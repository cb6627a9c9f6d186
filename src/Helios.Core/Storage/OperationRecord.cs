using Helios.Core.Errors;
using Helios.Core.Objects;
using Helios.Core.Refs;
using Helios.Core.Serialization;

namespace Helios.Core.Storage;

/// <summary>What an operation was, as told by the caller: kind (<c>commit</c>, <c>branch</c>, <c>undo</c>...), a one-line description, who, when.</summary>
public sealed record OperationInfo(string Kind, string Description, DateTimeOffset Time, string Agent = "");

/// <summary>One ref's move within an operation; null means the ref did not exist (before) or was deleted (after).</summary>
public sealed record RefChange(RefName Name, RefTarget? Old, RefTarget? New);

/// <summary>
/// One entry of the operation log. Records form a hash chain: each carries the hash of the one
/// before, and its own <see cref="Hash"/> is BLAKE3 of its canonical encoding, so altering,
/// dropping or reordering a record breaks the chain. Both backends build records through
/// <see cref="Create"/>, so they produce identical bytes.
/// </summary>
public sealed class OperationRecord
{
    private const byte FormatVersion = 1;

    private OperationRecord(long sequence, ObjectId previous, OperationInfo info, IReadOnlyList<RefChange> changes, byte[] encoded)
    {
        Sequence = sequence;
        Previous = previous;
        Info = info;
        Changes = changes;
        Encoded = encoded;
        Hash = ObjectId.Of(encoded);
    }

    /// <summary>Position in the log, starting at 1.</summary>
    public long Sequence { get; }

    /// <summary>Hash of the previous record; all zeros for the first.</summary>
    public ObjectId Previous { get; }

    public OperationInfo Info { get; }

    public IReadOnlyList<RefChange> Changes { get; }

    /// <summary>The canonical bytes a backend stores.</summary>
    public byte[] Encoded { get; }

    public ObjectId Hash { get; }

    public static OperationRecord Create(long sequence, ObjectId previous, OperationInfo info, IReadOnlyList<RefChange> changes)
    {
        // Stored with microsecond precision; truncate now so the record equals its decoded form.
        long micros = (info.Time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;
        info = info with { Time = DateTimeOffset.UnixEpoch.AddTicks(micros * 10) };
        var w = new CanonicalWriter();
        w.WriteByte(FormatVersion);
        w.WriteVarUInt((ulong)sequence);
        w.WriteId(previous);
        w.WriteInt64BigEndian(micros);
        w.WriteString(info.Kind);
        w.WriteString(info.Description);
        w.WriteString(info.Agent);
        w.WriteVarUInt((ulong)changes.Count);
        foreach (var change in changes)
        {
            w.WriteString(change.Name.Value);
            WriteTarget(w, change.Old);
            WriteTarget(w, change.New);
        }

        return new OperationRecord(sequence, previous, info, changes, w.ToArray());
    }

    /// <summary>Decodes stored bytes strictly; any defect is a <see cref="CorruptOperationException"/> naming the sequence number.</summary>
    public static OperationRecord Decode(long expectedSequence, byte[] encoded)
    {
        try
        {
            var r = new CanonicalReader(encoded);
            if (r.ReadByte() != FormatVersion)
            {
                throw new FormatException("unknown format version");
            }

            long sequence = (long)r.ReadVarUInt();
            if (sequence != expectedSequence)
            {
                throw new FormatException($"it claims sequence {sequence}");
            }

            var previous = r.ReadId();
            long micros = r.ReadInt64BigEndian();
            var time = DateTimeOffset.UnixEpoch.AddTicks(micros * 10);
            var info = new OperationInfo(r.ReadString(), r.ReadString(), time, r.ReadString());
            int count = checked((int)r.ReadVarUInt());
            var changes = new List<RefChange>(Math.Min(count, 1024));
            for (int i = 0; i < count; i++)
            {
                changes.Add(new RefChange(RefName.Parse(r.ReadString()), ReadTarget(ref r), ReadTarget(ref r)));
            }

            r.ExpectEnd();
            return new OperationRecord(sequence, previous, info, changes, encoded);
        }
        catch (Exception e) when (e is FormatException or OverflowException or HeliosException)
        {
            throw new CorruptOperationException(expectedSequence, $"Operation log record {expectedSequence} is corrupt: {e.Message}.", e);
        }
    }

    private static void WriteTarget(CanonicalWriter w, RefTarget? target)
    {
        if (target is { } t)
        {
            w.WriteByte(1);
            w.WriteString(t.ToString());
        }
        else
        {
            w.WriteByte(0);
        }
    }

    private static RefTarget? ReadTarget(ref CanonicalReader r) => r.ReadByte() switch
    {
        0 => null,
        1 => RefTarget.Parse(r.ReadString()),
        var b => throw new FormatException($"bad presence flag {b}"),
    };
}
