using System.Buffers.Binary;
using System.Numerics;

namespace Helios.Core.Merging;

/// <summary>
/// A file seen as lines: where each line starts in the original buffer and the equivalence class
/// of its bytes. A line includes its terminating <c>\n</c>; the last line may lack one, and then it
/// differs from the same text with a newline, as in git. Classes are dense small integers shared
/// by every file classified with the same <see cref="LineClassifier"/>, so comparing two lines is
/// one integer comparison.
/// </summary>
internal sealed class LineFile
{
    public LineFile(int[] starts, int[] classes)
    {
        Starts = starts;
        Classes = classes;
    }

    /// <summary>Start offset of each line, then the buffer length (<see cref="Count"/> + 1 entries).</summary>
    public int[] Starts { get; }

    public int[] Classes { get; }

    public int Count => Classes.Length;

    public int LineStart(int line) => Starts[line];

    public int LineLength(int line) => Starts[line + 1] - Starts[line];

    /// <summary>Offsets of every line start (and the end) of <paramref name="text"/>. O(bytes).</summary>
    public static int[] SplitLines(ReadOnlySpan<byte> text)
    {
        int count = text.Count((byte)'\n');
        if (text.Length > 0 && text[^1] != (byte)'\n')
        {
            count++;
        }

        var starts = new int[count + 1];
        int position = 0;
        for (int line = 0; line < count; line++)
        {
            starts[line] = position;
            int newline = text[position..].IndexOf((byte)'\n');
            position = newline < 0 ? text.Length : position + newline + 1;
        }

        starts[count] = text.Length;
        return starts;
    }
}

/// <summary>
/// Assigns equal lines of up to three buffers the same class number (an open-addressing table
/// keyed by a 64-bit hash, confirmed by comparing bytes). Keeps the buffers as spans, so no line
/// is copied. Cost: O(total bytes).
/// </summary>
internal ref struct LineClassifier
{
    private ReadOnlySpan<byte> _text0;
    private ReadOnlySpan<byte> _text1;
    private ReadOnlySpan<byte> _text2;
    private int _files;

    // Slot value is class + 1; 0 is empty.
    private int[] _slots;
    private int _shift;
    private ulong[] _hashes;
    private int[] _representativeFile;
    private int[] _representativeStart;
    private int[] _representativeLength;

    public LineClassifier(int expectedLines)
    {
        int capacity = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(16, expectedLines * 2));
        _slots = new int[capacity];
        _shift = 64 - BitOperations.Log2((uint)capacity);
        int classes = Math.Max(16, expectedLines);
        _hashes = new ulong[classes];
        _representativeFile = new int[classes];
        _representativeStart = new int[classes];
        _representativeLength = new int[classes];
    }

    /// <summary>How many distinct lines have been seen.</summary>
    public int ClassCount { get; private set; }

    /// <summary>Splits and classifies one more buffer (at most three per classifier).</summary>
    public LineFile Add(ReadOnlySpan<byte> text)
    {
        int file = _files++;
        switch (file)
        {
            case 0: _text0 = text; break;
            case 1: _text1 = text; break;
            case 2: _text2 = text; break;
            default: throw new InvalidOperationException("A line classifier holds at most three buffers.");
        }

        var starts = LineFile.SplitLines(text);
        var classes = new int[starts.Length - 1];
        EnsureSlots(ClassCount + classes.Length);
        for (int line = 0; line < classes.Length; line++)
        {
            int start = starts[line];
            int length = starts[line + 1] - start;
            classes[line] = Classify(file, start, length, text.Slice(start, length));
        }

        return new LineFile(starts, classes);
    }

    private int Classify(int file, int start, int length, ReadOnlySpan<byte> line)
    {
        ulong hash = Hash(line);
        int mask = _slots.Length - 1;
        int slot = (int)((hash * 0x9E3779B97F4A7C15UL) >> _shift);
        while (true)
        {
            int entry = _slots[slot];
            if (entry == 0)
            {
                break;
            }

            int candidate = entry - 1;
            if (_hashes[candidate] == hash && _representativeLength[candidate] == length &&
                Text(_representativeFile[candidate]).Slice(_representativeStart[candidate], length).SequenceEqual(line))
            {
                return candidate;
            }

            slot = (slot + 1) & mask;
        }

        int id = ClassCount++;
        if (id == _hashes.Length)
        {
            int grown = id * 2;
            Array.Resize(ref _hashes, grown);
            Array.Resize(ref _representativeFile, grown);
            Array.Resize(ref _representativeStart, grown);
            Array.Resize(ref _representativeLength, grown);
        }

        _hashes[id] = hash;
        _representativeFile[id] = file;
        _representativeStart[id] = start;
        _representativeLength[id] = length;
        _slots[slot] = id + 1;
        return id;
    }

    private readonly ReadOnlySpan<byte> Text(int file) => file switch
    {
        0 => _text0,
        1 => _text1,
        _ => _text2,
    };

    // Keeps the table at most half full for the classes it may have to hold.
    private void EnsureSlots(int maxClasses)
    {
        if (maxClasses * 2 <= _slots.Length)
        {
            return;
        }

        int capacity = (int)BitOperations.RoundUpToPowerOf2((uint)(maxClasses * 2));
        _slots = new int[capacity];
        _shift = 64 - BitOperations.Log2((uint)capacity);
        int mask = capacity - 1;
        for (int id = 0; id < ClassCount; id++)
        {
            int slot = (int)((_hashes[id] * 0x9E3779B97F4A7C15UL) >> _shift);
            while (_slots[slot] != 0)
            {
                slot = (slot + 1) & mask;
            }

            _slots[slot] = id + 1;
        }
    }

    private static ulong Hash(ReadOnlySpan<byte> line)
    {
        const ulong K = 0x9FB21C651E98DF25UL;
        ulong hash = (ulong)line.Length * K;
        int i = 0;
        for (; i + 8 <= line.Length; i += 8)
        {
            hash = (BitOperations.RotateLeft(hash, 23) ^ BinaryPrimitives.ReadUInt64LittleEndian(line[i..])) * K;
        }

        if (i < line.Length)
        {
            ulong tail = 0;
            for (int shift = 0; i < line.Length; i++, shift += 8)
            {
                tail |= (ulong)line[i] << shift;
            }

            hash = (BitOperations.RotateLeft(hash, 23) ^ tail) * K;
        }

        return hash ^ (hash >> 29);
    }
}
