using System.Buffers.Binary;
using Helios.Core.Hashing;

namespace Helios.Core.Collections;

/// <summary>
/// Where nodes end. An entry closes its node when H(level, key) &lt; 2^64 / 32, where H is the first
/// 8 bytes, read as a little-endian unsigned integer, of BLAKE3(level:u8 ‖ key's UTF-8 bytes); the last
/// entry of a level closes its node too. The rule looks at one key only, so the tree is a function
/// of its contents (history independence: any order or batching of edits gives the same node ids)
/// and an edit re-chunks only the node it falls in and, when it removes a closing key, the next one.
/// Nodes average 32 entries at every level. Frozen: changing it changes every collection id.
/// </summary>
public static class ChunkBoundary
{
    /// <summary>The target number of entries per node.</summary>
    public const int TargetFanout = 32;

    // 2^64 / 32.
    private const ulong Threshold = 1UL << 59;

    /// <summary>True when an entry with <paramref name="key"/> closes its node at <paramref name="level"/>.</summary>
    public static bool Closes(int level, ReadOnlySpan<byte> key) => Hash(level, key) < Threshold;

    /// <summary>H(level, key) as documented above.</summary>
    public static ulong Hash(int level, ReadOnlySpan<byte> key)
    {
        Span<byte> input = stackalloc byte[1 + CollectionKey.MaxBytes];
        input[0] = checked((byte)level);
        key.CopyTo(input[1..]);
        Span<byte> hash = stackalloc byte[8];
        Blake3.Hash(input[..(1 + key.Length)], hash);
        return BinaryPrimitives.ReadUInt64LittleEndian(hash);
    }
}
