using System.Buffers;
using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Helios.Core.Merging;

/// <summary>
/// A file seen as lines: where each line starts in the original buffer and the equivalence class
/// of its bytes. A line includes its terminating <c>\n</c>; the last line may lack one, and then it
/// differs from the same text with a newline, as in git. Classes are dense small integers shared
/// by the files classified together (<see cref="LineClassifier"/>), so comparing two lines is one
/// integer comparison.
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
/// Assigns equal lines of two or three buffers the same class number. The first buffer's lines are
/// hashed into an open-addressing table (64-bit hash, confirmed by comparing bytes); for the other
/// buffers, the lines of the common prefix and suffix they share with the first (found with a
/// vectorized byte comparison) reuse the first buffer's classes, and only the lines in between are
/// hashed. No line is copied. Cost: O(bytes), with the hashing limited to the first buffer and the
/// changed middles of the others.
/// </summary>
internal ref struct LineClassifier
{
    private readonly ReadOnlySpan<byte> _text0;
    private readonly ReadOnlySpan<byte> _text1;
    private readonly ReadOnlySpan<byte> _text2;
    private readonly Slot[] _slots;
    private readonly ClassInfo[] _classes;
    private readonly int _mask;
    private readonly int _shift;
    private int _classCount;

    private LineClassifier(ReadOnlySpan<byte> text0, ReadOnlySpan<byte> text1, ReadOnlySpan<byte> text2, int hashedLines)
    {
        _text0 = text0;
        _text1 = text1;
        _text2 = text2;

        // At most two thirds full, so probe chains stay short. Pooled: large tables would otherwise
        // land on the large-object heap on every diff and bring on full collections.
        int capacity = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(16, hashedLines + (hashedLines / 2) + 1));
        _slots = ArrayPool<Slot>.Shared.Rent(capacity);
        Array.Clear(_slots, 0, capacity);
        _mask = capacity - 1;
        _shift = 64 - BitOperations.Log2((uint)capacity);
        _classes = ArrayPool<ClassInfo>.Shared.Rent(Math.Max(1, hashedLines));
    }

    /// <summary>Classifies two buffers together; returns the number of classes.</summary>
    public static int Classify(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, out LineFile fileA, out LineFile fileB)
    {
        var startsA = LineFile.SplitLines(a);
        var startsB = LineFile.SplitLines(b);
        var alignB = Align(a, startsA, b, startsB);
        var classifier = new LineClassifier(a, b, default, startsA.Length - 1 + alignB.MiddleLines);
        fileA = classifier.AddFirst(startsA);
        fileB = classifier.AddAligned(1, startsB, fileA, alignB);
        return classifier.Finish();
    }

    /// <summary>Classifies three buffers together (a merge base and its two sides); returns the number of classes.</summary>
    public static int Classify(
        ReadOnlySpan<byte> @base, ReadOnlySpan<byte> ours, ReadOnlySpan<byte> theirs,
        out LineFile baseFile, out LineFile oursFile, out LineFile theirsFile)
    {
        var startsBase = LineFile.SplitLines(@base);
        var startsOurs = LineFile.SplitLines(ours);
        var startsTheirs = LineFile.SplitLines(theirs);
        var alignOurs = Align(@base, startsBase, ours, startsOurs);
        var alignTheirs = Align(@base, startsBase, theirs, startsTheirs);
        var classifier = new LineClassifier(@base, ours, theirs, startsBase.Length - 1 + alignOurs.MiddleLines + alignTheirs.MiddleLines);
        baseFile = classifier.AddFirst(startsBase);
        oursFile = classifier.AddAligned(1, startsOurs, baseFile, alignOurs);
        theirsFile = classifier.AddAligned(2, startsTheirs, baseFile, alignTheirs);
        return classifier.Finish();
    }

    private readonly int Finish()
    {
        ArrayPool<Slot>.Shared.Return(_slots);
        ArrayPool<ClassInfo>.Shared.Return(_classes);
        return _classCount;
    }

    private LineFile AddFirst(int[] starts)
    {
        var classes = new int[starts.Length - 1];
        for (int line = 0; line < classes.Length; line++)
        {
            classes[line] = Classify(0, line, starts[line], starts[line + 1] - starts[line]);
        }

        return new LineFile(starts, classes);
    }

    private LineFile AddAligned(int file, int[] starts, LineFile first, Alignment alignment)
    {
        int count = starts.Length - 1;
        var classes = new int[count];
        first.Classes.AsSpan(0, alignment.PrefixLines).CopyTo(classes);
        first.Classes.AsSpan(first.Count - alignment.SuffixLines).CopyTo(classes.AsSpan(count - alignment.SuffixLines));
        // Between changes the lines repeat the first file's at a fixed offset: try the first file's
        // line at the running offset before hashing, and take the offset from each hashed match.
        var text = Text(file);
        var firstText = _text0;
        int guess = alignment.PrefixLines;
        for (int line = alignment.PrefixLines; line < count - alignment.SuffixLines; line++)
        {
            int start = starts[line], length = starts[line + 1] - start;
            if (guess >= 0 && guess < first.Count && first.LineLength(guess) == length &&
                firstText.Slice(first.Starts[guess], length).SequenceEqual(text.Slice(start, length)))
            {
                classes[line] = first.Classes[guess++];
                continue;
            }

            int id = Classify(file, start, length);
            classes[line] = id;
            var representative = _classes[id];
            guess = representative.File == 0 ? representative.Line + 1 : -1;
        }

        return new LineFile(starts, classes);
    }

    // How many whole lines the files share at the start and at the end (not overlapping).
    private static Alignment Align(ReadOnlySpan<byte> first, int[] firstStarts, ReadOnlySpan<byte> other, int[] otherStarts)
    {
        int firstCount = firstStarts.Length - 1, otherCount = otherStarts.Length - 1;
        int limit = Math.Min(firstCount, otherCount);

        // Equal bytes mean equal line boundaries, except that a last line without newline may go
        // on in the other file: then the line ends differ.
        int commonPrefix = first.CommonPrefixLength(other);
        int prefix = 0;
        while (prefix < limit && firstStarts[prefix + 1] <= commonPrefix && otherStarts[prefix + 1] == firstStarts[prefix + 1])
        {
            prefix++;
        }

        int commonSuffix = CommonSuffixLength(first, other);
        int suffix = 0;
        while (suffix < limit - prefix)
        {
            int distance = first.Length - firstStarts[firstCount - 1 - suffix];
            if (distance > commonSuffix || other.Length - otherStarts[otherCount - 1 - suffix] != distance)
            {
                break;
            }

            suffix++;
        }

        return new Alignment(prefix, suffix, otherCount - prefix - suffix);
    }

    private static int CommonSuffixLength(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        int limit = Math.Min(a.Length, b.Length);
        int common = 0;
        while (common + 8 <= limit &&
               BinaryPrimitives.ReadUInt64LittleEndian(a[^(common + 8)..]) == BinaryPrimitives.ReadUInt64LittleEndian(b[^(common + 8)..]))
        {
            common += 8;
        }

        while (common < limit && a[^(common + 1)] == b[^(common + 1)])
        {
            common++;
        }

        return common;
    }

    private int Classify(int file, int start, int length) => Classify(file, -1, start, length);

    private int Classify(int file, int lineNumber, int start, int length)
    {
        var line = Text(file).Slice(start, length);
        ulong hash = Hash(line);
        uint check = (uint)(hash >> 32);
        int slot = (int)((hash * 0x9E3779B97F4A7C15UL) >> _shift);
        while (true)
        {
            ref var entry = ref _slots[slot];
            if (entry.ClassPlusOne == 0)
            {
                int id = _classCount++;
                _classes[id] = new ClassInfo(file, lineNumber, start, length);
                entry = new Slot(id + 1, check);
                return id;
            }

            if (entry.Check == check)
            {
                var info = _classes[entry.ClassPlusOne - 1];
                if (info.Length == length && Text(info.File).Slice(info.Start, length).SequenceEqual(line))
                {
                    return entry.ClassPlusOne - 1;
                }
            }

            slot = (slot + 1) & _mask;
        }
    }

    private readonly ReadOnlySpan<byte> Text(int file) => file switch
    {
        0 => _text0,
        1 => _text1,
        _ => _text2,
    };

    // A multiply-rotate hash over 8-byte words (unaligned reads without bounds checks: this loop
    // dominates classification). The table confirms every hit by comparing bytes.
    private static ulong Hash(ReadOnlySpan<byte> line)
    {
        const ulong K = 0x9FB21C651E98DF25UL;
        ref byte first = ref MemoryMarshal.GetReference(line);
        int length = line.Length;
        ulong hash = (ulong)length * K;
        int i = 0;
        for (; i + 8 <= length; i += 8)
        {
            hash = (BitOperations.RotateLeft(hash, 23) ^ Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref first, i))) * K;
        }

        if (i < length)
        {
            // The last 1-7 bytes: re-read the final word when the line is long enough, else gather.
            ulong tail = 0;
            if (length >= 8)
            {
                tail = Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref first, length - 8));
            }
            else
            {
                for (int shift = 0; i < length; i++, shift += 8)
                {
                    tail |= (ulong)Unsafe.Add(ref first, i) << shift;
                }
            }

            hash = (BitOperations.RotateLeft(hash, 23) ^ tail) * K;
        }

        return hash ^ (hash >> 29);
    }

    private readonly record struct Slot(int ClassPlusOne, uint Check);

    /// <summary>Where a class's first line is: its file, line number (first file only) and bytes.</summary>
    private readonly record struct ClassInfo(int File, int Line, int Start, int Length);

    private readonly record struct Alignment(int PrefixLines, int SuffixLines, int MiddleLines);
}

/// <summary>The bytes of a file's lines, for heuristics that look at text (indentation, function names).</summary>
internal readonly ref struct LineText
{
    private readonly ReadOnlySpan<byte> _text;
    private readonly int[]? _starts;

    public LineText(ReadOnlySpan<byte> text, int[] starts)
    {
        _text = text;
        _starts = starts;
    }

    public bool IsAvailable => _starts is not null;

    public int Count => _starts!.Length - 1;

    public ReadOnlySpan<byte> Line(int line) => _text[_starts![line].._starts[line + 1]];
}
