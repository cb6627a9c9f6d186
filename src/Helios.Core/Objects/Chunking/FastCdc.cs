using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using Helios.Core.Hashing;

namespace Helios.Core.Objects.Chunking;

/// <summary>
/// Content-defined chunking: FastCDC with a Gear rolling hash and normalized chunking (two masks).
/// A boundary depends only on the bytes just before it, so an insertion or deletion moves only the
/// boundaries around it and every chunk further away keeps its bytes, and so its id.
/// The parameters and the gear table are part of the object format (docs/object-format.md): changing
/// them would give the same file new chunk ids, so they are constants frozen by golden tests.
/// Thread-safe (no state). Cost: one table lookup, a shift and an add per byte past the minimum.
/// </summary>
public static class FastCdc
{
    /// <summary>No chunk but the last of a file is shorter (4 KiB).</summary>
    public const int MinSize = 4 << 10;

    /// <summary>The size the masks aim at (16 KiB).</summary>
    public const int AverageSize = 16 << 10;

    /// <summary>No chunk is longer (64 KiB).</summary>
    public const int MaxSize = 64 << 10;

    // Normalized chunking (level 2): below the average a boundary needs 16 zero bits (harder, so
    // few chunks end early), past it 12 (easier, so few run to the maximum). Sizes bunch around
    // the average instead of spreading exponentially. The top bits are tested because the gear
    // hash shifts left: bit 63 depends on the last 64 bytes, the widest window the hash has.
    private const ulong MaskSmall = 0xFFFF_0000_0000_0000UL;
    private const ulong MaskLarge = 0xFFF0_0000_0000_0000UL;

    /// <summary>The text whose BLAKE3 extendable output (2,048 bytes, little-endian u64s) is the gear table.</summary>
    public const string GearSeed = "helios fastcdc gear table v1";

    private static readonly ulong[] Gear = BuildGear();

    /// <summary>The 256 gear values (a copy), for golden tests.</summary>
    public static ulong[] GearTable() => (ulong[])Gear.Clone();

    private static ulong[] BuildGear()
    {
        Span<byte> bytes = stackalloc byte[256 * 8];
        Blake3.Hash(System.Text.Encoding.ASCII.GetBytes(GearSeed), bytes);
        var table = new ulong[256];
        for (int i = 0; i < table.Length; i++)
        {
            table[i] = BinaryPrimitives.ReadUInt64LittleEndian(bytes[(i * 8)..]);
        }

        return table;
    }

    /// <summary>
    /// The length of the chunk that starts at the beginning of <paramref name="data"/>. The caller
    /// passes at least <see cref="MaxSize"/> bytes, or every remaining byte of the content: the
    /// answer is then the same whatever follows. Data of at most <see cref="MinSize"/> bytes is one chunk.
    /// </summary>
    [SkipLocalsInit]
    public static int NextChunkLength(ReadOnlySpan<byte> data)
    {
        if (data.Length <= MinSize)
        {
            return data.Length;
        }

        int end = Math.Min(data.Length, MaxSize);
        int normal = Math.Min(end, AverageSize);
        ulong hash = 0;
        ref ulong gear = ref System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference(Gear);
        int i = MinSize;
        for (; i < normal; i++)
        {
            hash = (hash << 1) + Unsafe.Add(ref gear, data[i]);
            if ((hash & MaskSmall) == 0)
            {
                return i + 1;
            }
        }

        for (; i < end; i++)
        {
            hash = (hash << 1) + Unsafe.Add(ref gear, data[i]);
            if ((hash & MaskLarge) == 0)
            {
                return i + 1;
            }
        }

        return end;
    }

    /// <summary>The chunk lengths of <paramref name="content"/>, in order; they sum to its length (none for empty content).</summary>
    public static List<int> Split(ReadOnlySpan<byte> content)
    {
        var lengths = new List<int>(content.Length / AverageSize + 1);
        for (int offset = 0; offset < content.Length;)
        {
            int length = NextChunkLength(content[offset..]);
            lengths.Add(length);
            offset += length;
        }

        return lengths;
    }
}
