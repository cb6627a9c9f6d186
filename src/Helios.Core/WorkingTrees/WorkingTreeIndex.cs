using System.Buffers.Binary;
using System.Text;
using Helios.Core.Errors;
using Helios.Core.Objects;
using Helios.Core.Repositories;

namespace Helios.Core.WorkingTrees;

/// <summary>What the index knows about one path.</summary>
internal sealed class IndexEntry(string path)
{
    public string Path { get; } = path;

    /// <summary>The file in the base tree (the commit HEAD showed when the index was last synced).</summary>
    public FileVersion? Head { get; set; }

    /// <summary>Content staged by <c>add</c> (stored already); with <see cref="StagedDelete"/>, a staged removal.</summary>
    public FileVersion? Staged { get; set; }

    public bool StagedDelete { get; set; }

    public bool IsStaged => Staged is not null || StagedDelete;

    /// <summary>The stat cache: when lstat still returns <see cref="SeenStat"/>, the file holds <see cref="Seen"/>.</summary>
    public FileStat SeenStat { get; set; }

    public FileVersion? Seen { get; set; }

    /// <summary>Scan results, not saved: what the disk holds now, and its encoded blob when it was read.</summary>
    public FileVersion? Disk { get; set; }

    public bool Visited { get; set; }

    public byte[]? Encoding { get; set; }

    /// <summary>What a commit of the staged state records: staged content, else the base file.</summary>
    public FileVersion? Indexed => StagedDelete ? null : Staged ?? Head;

    public bool IsEmpty => Head is null && !IsStaged && Seen is null;
}

/// <summary>
/// A worktree's index: the base tree it mirrors, the paths staged with <c>add</c>, and a stat cache
/// (size, mtime, ctime, inode, mode) so status and commit rehash only files whose stat changed.
/// Stored as one binary file with a checksum, replaced atomically (write then rename).
/// Not thread-safe.
/// </summary>
internal sealed class WorkingTreeIndex
{
    private static ReadOnlySpan<byte> Magic => "HLIX"u8;
    private const byte Version = 2;

    private const int ChecksumLength = 8;
    private const byte HasHead = 1, HasStaged = 2, IsStagedDelete = 4, HasSeen = 8, SeenIsHead = 16;

    public ObjectId BaseTree
    {
        get;
        set
        {
            Changed |= field != value;
            field = value;
        }
    } = Repositories.TreeDiff.EmptyTree;

    /// <summary>
    /// The commit this worktree's files were last brought to (by commit, checkout, reset, undo).
    /// When HEAD resolves to another commit, something outside this worktree moved the branch.
    /// </summary>
    public ObjectId? BaseCommit
    {
        get;
        set
        {
            Changed |= field != value;
            field = value;
        }
    }

    /// <summary>True when no index file existed: nothing was synced yet.</summary>
    public bool IsNew { get; private init; }

    /// <summary>True when the base tree changed or entries were added since loading (entry edits are tracked by the caller).</summary>
    public bool Changed { get; set; }

    public Dictionary<string, IndexEntry> Entries { get; } = new(StringComparer.Ordinal);

    public IndexEntry GetOrAdd(string path)
    {
        if (!Entries.TryGetValue(path, out var entry))
        {
            entry = new IndexEntry(path);
            Entries.Add(path, entry);
            Changed = true;
        }

        return entry;
    }

    /// <summary>Reads an index; an empty one when the file does not exist.</summary>
    public static WorkingTreeIndex Load(string file)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(file);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return new WorkingTreeIndex { IsNew = true };
        }

        try
        {
            return Parse(bytes);
        }
        catch (Exception e) when (e is ArgumentException or IndexOutOfRangeException or InvalidDataException)
        {
            throw Corrupt(file);
        }
    }

    private static WorkingTreeIndex Parse(byte[] bytes)
    {
        if (bytes.Length < Magic.Length + 1 + ObjectId.Size + ChecksumLength || !bytes.AsSpan(0, 4).SequenceEqual(Magic) || bytes[4] != Version
            || Checksum(bytes.AsSpan(0, bytes.Length - ChecksumLength)) != BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(bytes.Length - ChecksumLength)))
        {
            throw new InvalidDataException();
        }

        var index = new WorkingTreeIndex();
        var reader = new Reader(bytes, 5);
        index.BaseTree = reader.Id();
        index.BaseCommit = reader.Byte() == 1 ? reader.Id() : null;
        int count = checked((int)reader.VarInt());
        index.Entries.EnsureCapacity(count);
        for (int i = 0; i < count; i++)
        {
            var entry = new IndexEntry(reader.Text());
            byte flags = reader.Byte();
            if ((flags & HasHead) != 0) entry.Head = reader.Version();
            if ((flags & HasStaged) != 0) entry.Staged = reader.Version();
            entry.StagedDelete = (flags & IsStagedDelete) != 0;
            if ((flags & HasSeen) != 0)
            {
                entry.SeenStat = new FileStat(reader.Int64(), reader.Int64(), reader.Int64(), (ulong)reader.Int64(), (uint)reader.Int64());
                entry.Seen = (flags & SeenIsHead) != 0 ? entry.Head : reader.Version();
            }

            index.Entries.Add(entry.Path, entry);
        }

        index.Changed = false;

        if (reader.Position != bytes.Length - ChecksumLength)
        {
            throw new InvalidDataException();
        }

        return index;
    }

    /// <summary>
    /// Writes the index atomically. Stat data of files modified less than
    /// <paramref name="racyWindow"/> before <paramref name="scanStart"/> is not saved: a write
    /// within the file system's timestamp granularity could leave the stat unchanged, so such
    /// files are hashed again next time (git calls them "racily clean").
    /// </summary>
    public void Save(string file, DateTimeOffset scanStart, TimeSpan racyWindow)
    {
        long racyAfter = (scanStart - racyWindow).ToUnixTimeMilliseconds() * 1_000_000;
        var buffer = new MemoryStream(64 + Entries.Count * 120);
        buffer.Write(Magic);
        buffer.WriteByte(Version);
        var writer = new Writer(buffer);
        writer.Id(BaseTree);
        buffer.WriteByte(BaseCommit is null ? (byte)0 : (byte)1);
        if (BaseCommit is { } baseCommit) writer.Id(baseCommit);
        var entries = Entries.Values.Where(e => !e.IsEmpty).ToArray();
        writer.VarInt((ulong)entries.Length);
        foreach (var entry in entries)
        {
            bool seen = entry.Seen is not null && entry.SeenStat.ModifiedNanoseconds < racyAfter && entry.SeenStat.ChangedNanoseconds < racyAfter;
            bool seenIsHead = seen && entry.Seen == entry.Head;
            byte flags = (byte)((entry.Head is null ? 0 : HasHead) | (entry.Staged is null ? 0 : HasStaged)
                | (entry.StagedDelete ? IsStagedDelete : 0) | (seen ? HasSeen : 0) | (seenIsHead ? SeenIsHead : 0));
            writer.Text(entry.Path);
            buffer.WriteByte(flags);
            if (entry.Head is { } head) writer.Version(head);
            if (entry.Staged is { } staged) writer.Version(staged);
            if (seen)
            {
                var s = entry.SeenStat;
                writer.Int64(s.Size);
                writer.Int64(s.ModifiedNanoseconds);
                writer.Int64(s.ChangedNanoseconds);
                writer.Int64((long)s.Inode);
                writer.Int64(s.Mode);
                if (!seenIsHead) writer.Version(entry.Seen!.Value);
            }
        }

        new Writer(buffer).Int64((long)Checksum(buffer.GetBuffer().AsSpan(0, (int)buffer.Length)));

        string temp = $"{file}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
            {
                stream.Write(buffer.GetBuffer(), 0, (int)buffer.Length);
            }

            File.Move(temp, file, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }

    /// <summary>
    /// Detects a damaged index file, not tampering: a multiply-rotate hash over 8-byte words, about
    /// 1 ms for a 100,000-file index (BLAKE3 would bring its SIMD kernels' compile time into every command).
    /// </summary>
    private static ulong Checksum(ReadOnlySpan<byte> bytes)
    {
        const ulong Prime = 0x9E3779B97F4A7C15;
        ulong hash = (ulong)bytes.Length * Prime;
        var words = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ulong>(bytes);
        foreach (ulong word in words)
        {
            hash = ulong.RotateLeft((hash ^ word) * Prime, 29);
        }

        foreach (byte b in bytes[(words.Length * 8)..])
        {
            hash = ulong.RotateLeft((hash ^ b) * Prime, 29);
        }

        return hash;
    }

    private static HeliosException Corrupt(string file) =>
        new(HeliosErrorCode.Corruption, $"The index '{file}' is damaged; delete it to rebuild it from HEAD (staged changes in it are lost, files on disk are not).");

    private ref struct Reader(byte[] bytes, int position)
    {
        private readonly byte[] _bytes = bytes;

        public int Position { get; private set; } = position;

        public byte Byte() => _bytes[Position++];

        public ulong VarInt()
        {
            ulong value = 0;
            for (int shift = 0; shift < 64; shift += 7)
            {
                byte b = _bytes[Position++];
                value |= (ulong)(b & 0x7f) << shift;
                if (b < 0x80) return value;
            }

            throw new InvalidDataException();
        }

        public long Int64()
        {
            long value = BinaryPrimitives.ReadInt64LittleEndian(_bytes.AsSpan(Position, 8));
            Position += 8;
            return value;
        }

        public ObjectId Id()
        {
            var id = new ObjectId(_bytes.AsSpan(Position, ObjectId.Size));
            Position += ObjectId.Size;
            return id;
        }

        public FileVersion Version()
        {
            var kind = (EntryKind)Byte();
            return new FileVersion(kind, Id());
        }

        public string Text()
        {
            int length = checked((int)VarInt());
            var text = Encoding.UTF8.GetString(_bytes, Position, length);
            Position += length;
            return text;
        }
    }

    private readonly struct Writer(MemoryStream stream)
    {
        public void VarInt(ulong value)
        {
            while (value >= 0x80)
            {
                stream.WriteByte((byte)(value | 0x80));
                value >>= 7;
            }

            stream.WriteByte((byte)value);
        }

        public void Int64(long value)
        {
            Span<byte> b = stackalloc byte[8];
            BinaryPrimitives.WriteInt64LittleEndian(b, value);
            stream.Write(b);
        }

        public void Id(ObjectId id)
        {
            Span<byte> b = stackalloc byte[ObjectId.Size];
            id.CopyTo(b);
            stream.Write(b);
        }

        public void Version(FileVersion version)
        {
            stream.WriteByte((byte)version.Kind);
            Id(version.Id);
        }

        public void Text(string text)
        {
            var bytes = Encoding.UTF8.GetBytes(text);
            VarInt((ulong)bytes.Length);
            stream.Write(bytes);
        }
    }
}
