using System.Runtime.InteropServices;
using Helios.Core.Objects;
using Helios.Core.StateArrays;
using Helios.Core.Storage;

namespace Helios.Core.Tests.StateArrays;

/// <summary>A 64-byte agent record like the ones the seeds describe.</summary>
[StructLayout(LayoutKind.Sequential, Size = 64)]
internal struct Agent
{
    public float X, Y, Z;
    public float VelocityX, VelocityY, VelocityZ;
    public float Health;
    public int Counter;
    public long Id;
    public byte Kind;
    public byte Mode;
}

/// <summary>A store that counts PutMany calls and can be told to fail them.</summary>
internal sealed class ControllableStore(IObjectStore inner) : ObjectStoreDecorator(inner)
{
    public ControllableStore() : this(new Helios.Core.Storage.InMemory.InMemoryObjectStore())
    {
    }

    public bool FailPuts { get; set; }

    public int PutCalls { get; private set; }

    public override void PutMany(IReadOnlyList<EncodedObject> objects)
    {
        PutCalls++;
        if (FailPuts)
        {
            throw new Errors.StorageException("Injected failure: the disk is full.");
        }

        base.PutMany(objects);
    }

    /// <summary>The stored bytes themselves (the in-memory store hands out its own array), for corrupting them.</summary>
    public byte[] Raw(ObjectId id) => Inner.TryGet(id) ?? throw new InvalidOperationException($"{id} is not stored.");
}

internal static class StateArrayTestSupport
{
    public static byte[] Snapshot(StateArray array)
    {
        var bytes = new byte[array.Count * array.RecordSize];
        array.ReadRecords(0, bytes);
        return bytes;
    }

    /// <summary>Every record index whose bytes differ, as merged ranges: the naive oracle for diffs.</summary>
    public static List<RecordRange> NaiveDiff(byte[] a, byte[] b, int recordSize)
    {
        var ranges = new List<RecordRange>();
        for (long r = 0; r < a.Length / recordSize; r++)
        {
            if (!a.AsSpan((int)r * recordSize, recordSize).SequenceEqual(b.AsSpan((int)r * recordSize, recordSize)))
            {
                if (ranges.Count > 0 && ranges[^1].End == r)
                {
                    ranges[^1] = new RecordRange(ranges[^1].Start, ranges[^1].Count + 1);
                }
                else
                {
                    ranges.Add(new RecordRange(r, 1));
                }
            }
        }

        return ranges;
    }

    public static Agent AgentFor(long i, int frame = 0) => new()
    {
        X = i * 0.5f + frame,
        Y = 10,
        Z = -3,
        VelocityX = 1,
        Health = 100 - frame,
        Counter = frame,
        Id = i,
        Kind = (byte)(i % 3),
    };
}
