using System.Buffers.Binary;
using System.Text;
using Helios.Core.Errors;
using Helios.Core.Objects;
using Helios.Core.Repositories;

namespace Helios.Core.WorkingTrees;

/// <summary>What the index knows about one path. Setting a saved field marks the entry modified.</summary>
internal sealed class IndexEntry(string path)
{
    public string Path { get; } = path;

    /// <summary>The file in the base tree (the commit HEAD showed when the index was last synced).</summary>
    public FileVersion? Head { get; set { Modified |= field != value; field = value; } }

    /// <summary>Content staged by <c>add</c> (stored already); with <see cref="StagedDelete"/>, a staged removal.</summary>
    public FileVersion? Staged { get; set { Modified |= field != value; field = value; } }

    public bool StagedDelete { get; set { Modified |= field != value; field = value; } }

    public bool IsStaged => Staged is not null || StagedDelete;

    /// <summary>True when the file differs from the base tree on disk, or a path is staged (untracked files do not count).</summary>
    public bool HasTrackedChange => IsStaged || (Head is not null && Disk != Head);

    /// <summary>Stages <paramref name="version"/>, or the file's removal when it is null.</summary>
    public void Stage(FileVersion? version)
    {
        Staged = version;
        StagedDelete = version is null;
    }

    public void Unstage()
    {
        Staged = null;
        StagedDelete = false;
    }

    /// <summary>The stat cache: when lstat still returns <see cref="SeenStat"/>, the file holds <see cref="Seen"/>.</summary>
    public FileStat SeenStat { get; set { Modified |= field != value; field = value; } }

    public FileVersion? Seen { get; set { Modified |= field != value; field = value; } }

    /// <summary>Where this entry's bytes are in the loaded file (-1: new); saved as they were unless <see cref="Modified"/>.</summary>
    public int RawOffset { get; set; } = -1;

    public int RawLength { get; set; }

    public bool Modified { get; set; }

    /// <summary>Scan results, not saved: what the disk holds now, and its encoded blob when it was read.</summary>
    public FileVersion? Disk { get; set; }

    public bool Visited { get; set; }

    public Objects.Chunking.EncodedContent? Encoding { get; set; }

    /// <summary>What a commit of the staged state records: staged content, else the base file.</summary>
    public FileVersion? Indexed => StagedDelete ? null : Staged ?? Head;
}

/// <summary>
/// A worktree's index: the base tree it mirrors, the paths staged with <c>add</c>, and a stat cache
/// (size, mtime, ctime, inode, mode) so status and commit rehash only files whose stat changed.
/// Stored as one binary file (entries sorted by path behind a table of their offsets, then a
/// checksum), replaced atomically (write then rename).
/// <para>
/// Loading is lazy: a command that touches a few paths (checkout between close commits) looks
/// them up by binary search and saves by copying every other entry's bytes unchanged, so its cost
/// does not grow with decoding the whole tree. <see cref="Entries"/> decodes everything, for scans.
/// </para>
/// Not thread-safe, except that <see cref="Entries"/> may be read by several threads at once.
/// </summary>
internal sealed class WorkingTreeIndex
{
    private static ReadOnlySpan<byte> Magic => "HLIX"u8;
    private const byte Version = 3;
    private const int ChecksumLength = 8;
    private const byte HasHead = 1, HasStaged = 2, IsStagedDelete = 4, HasSeen = 8, SeenIsHead = 16;

    // The file as loaded (unmodified entries are copied from it on save), and, while lazy, the
    // absolute offsets of its entries, sorted by path.
    private byte[]? _raw;
    private int[] _offsets = [];

    // Entries looked up or added while lazy.
    private readonly Dictionary<string, IndexEntry> _touched = new(StringComparer.Ordinal);

    private Dictionary<string, IndexEntry>? _all;

    // How many entries of _all came from the file in sorted order; later ones were added.
    private int _sortedCount;

    public ObjectId BaseTree
    {
        get;
        set
        {
            Changed |= field != value;
            field = value;
        }
    } = TreeDiff.EmptyTree;

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

    /// <summary>True when the base changed or the index was cleared since loading.</summary>
    public bool Changed { get; set; }

    /// <summary>True when anything would be saved differently: the base, or any entry's saved fields.</summary>
    public bool HasChanges => Changed || (_all ?? _touched).Values.Any(e => e.Modified);

    /// <summary>Every entry, decoding the whole file on first use. O(entries).</summary>
    public Dictionary<string, IndexEntry> Entries
    {
        get
        {
            if (_all is null)
            {
                Decode();
            }

            return _all!;
        }
    }

    /// <summary>The entry for a path, or null. O(log entries) while lazy.</summary>
    public IndexEntry? TryGet(string path)
    {
        if (_all is not null)
        {
            return _all.GetValueOrDefault(path);
        }

        if (_touched.TryGetValue(path, out var entry))
        {
            return entry;
        }

        int position = Find(path);
        if (position < 0)
        {
            return null;
        }

        var reader = new Reader(_raw!, _offsets[position]);
        entry = ReadEntry(ref reader);
        entry.RawOffset = _offsets[position];
        _touched.Add(path, entry);
        return entry;
    }

    public IndexEntry GetOrAdd(string path)
    {
        if (TryGet(path) is { } existing)
        {
            return existing;
        }

        var entry = new IndexEntry(path);
        (_all ?? _touched).Add(path, entry);
        return entry;
    }

    /// <summary>Forgets every entry (the worktree is about to be written from scratch).</summary>
    public void Clear()
    {
        _raw = null;
        _sortedCount = 0;
        _offsets = [];
        _touched.Clear();
        _all = new Dictionary<string, IndexEntry>(StringComparer.Ordinal);
        _sortedCount = 0;
        Changed = true;
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
            return new WorkingTreeIndex { IsNew = true, _all = new(StringComparer.Ordinal) };
        }

        if (bytes.Length > Magic.Length && bytes.AsSpan(0, 4).SequenceEqual(Magic) && bytes[4] != Version)
        {
            throw new HeliosException(HeliosErrorCode.InvalidState,
                $"The index '{file}' was written by another version of Helios (format {bytes[4]}, this one reads {Version}); delete it to rebuild it from HEAD (staged changes in it are lost, files on disk are not).");
        }

        try
        {
            return Open(bytes);
        }
        catch (Exception e) when (e is ArgumentException or IndexOutOfRangeException or InvalidDataException or OverflowException)
        {
            throw Corrupt(file);
        }
    }

    private static WorkingTreeIndex Open(byte[] bytes)
    {
        if (bytes.Length < Magic.Length + 1 + ObjectId.Size + ChecksumLength || !bytes.AsSpan(0, 4).SequenceEqual(Magic) || bytes[4] != Version
            || Checksum(bytes.AsSpan(0, bytes.Length - ChecksumLength)) != BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(bytes.Length - ChecksumLength)))
        {
            throw new InvalidDataException();
        }

        var index = new WorkingTreeIndex { _raw = bytes };
        var reader = new Reader(bytes, 5);
        index.BaseTree = reader.Id();
        index.BaseCommit = reader.Byte() == 1 ? reader.Id() : null;
        int count = checked((int)reader.VarInt());
        int entriesStart = checked(reader.Position + (count * 4));
        index._offsets = new int[count];
        for (int i = 0; i < count; i++)
        {
            int offset = checked(entriesStart + BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(reader.Position + (i * 4), 4)));
            if (offset < entriesStart || offset >= bytes.Length - ChecksumLength || (i > 0 && offset <= index._offsets[i - 1]))
            {
                throw new InvalidDataException();
            }

            index._offsets[i] = offset;
        }

        index.Changed = false;
        return index;
    }

    private void Decode()
    {
        var all = new Dictionary<string, IndexEntry>(_offsets.Length + _touched.Count, StringComparer.Ordinal);
        if (_raw is { } raw)
        {
            var reader = new Reader(raw, _offsets.Length > 0 ? _offsets[0] : raw.Length - ChecksumLength);
            foreach (int offset in _offsets)
            {
                if (reader.Position != offset)
                {
                    throw new InvalidDataException();
                }

                var entry = ReadEntry(ref reader);
                entry.RawOffset = offset;
                // Keep the objects already handed out, so their edits are not lost.
                all.Add(entry.Path, _touched.Remove(entry.Path, out var touched) ? touched : entry);
            }

            if (reader.Position != raw.Length - ChecksumLength)
            {
                throw new InvalidDataException();
            }
        }

        _sortedCount = all.Count;
        foreach (var (path, entry) in _touched)
        {
            all.Add(path, entry);
        }

        _touched.Clear();
        _offsets = [];
        _all = all;
    }

    /// <summary>
    /// The position in <see cref="_offsets"/> of the entry for <paramref name="path"/>, or, when there
    /// is none, the bitwise complement of where it would go (as <see cref="Array.BinarySearch(Array, object)"/>).
    /// </summary>
    private int Find(string path)
    {
        int low = 0, high = _offsets.Length - 1;
        while (low <= high)
        {
            int middle = (low + high) >>> 1;
            var reader = new Reader(_raw!, _offsets[middle]);
            int order = string.CompareOrdinal(reader.Text(), path);
            if (order == 0) return middle;
            if (order < 0) low = middle + 1;
            else high = middle - 1;
        }

        return ~low;
    }

    private static IndexEntry ReadEntry(ref Reader reader)
    {
        int start = reader.Position;
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

        entry.Modified = false;
        entry.RawLength = reader.Position - start;
        return entry;
    }

    /// <summary>
    /// Writes the index atomically. Stat data of files modified less than
    /// <paramref name="racyWindow"/> before <paramref name="scanStart"/> is not saved: a write
    /// within the file system's timestamp granularity could leave the stat unchanged, so such
    /// files are hashed again next time (git calls them "racily clean"). While lazy, entries not
    /// looked up are copied as they were.
    /// </summary>
    public void Save(string file, DateTimeOffset scanStart, TimeSpan racyWindow)
    {
        long racyAfter = (scanStart - racyWindow).ToUnixTimeMilliseconds() * 1_000_000;
        var body = new MemoryStream((_raw?.Length ?? 0) + (EntryCountHint() * 100) + 64);
        var offsets = new List<int>(_offsets.Length + _touched.Count + (_all?.Count ?? 0));
        var writer = new Writer(body);
        void Put(IndexEntry entry)
        {
            if (!entry.Modified && entry.RawOffset >= 0 && _raw is { } source)
            {
                // Unchanged since loading: its bytes were written under the same rules.
                offsets.Add((int)body.Length);
                body.Write(source, entry.RawOffset, entry.RawLength);
                return;
            }

            bool keepSeen = entry.Seen is not null && entry.SeenStat.ModifiedNanoseconds < racyAfter && entry.SeenStat.ChangedNanoseconds < racyAfter;
            if (entry.Head is not null || entry.IsStaged || keepSeen)
            {
                offsets.Add((int)body.Length);
                WriteEntry(writer, entry, keepSeen);
            }
        }

        if (_all is { } all)
        {
            // Entries from the file are in order; the few added since are sorted and merged in.
            var values = all.Values.ToArray();
            var added = values[_sortedCount..];
            Array.Sort(added, (a, b) => string.CompareOrdinal(a.Path, b.Path));
            int j = 0;
            for (int i = 0; i < _sortedCount; i++)
            {
                for (; j < added.Length && string.CompareOrdinal(added[j].Path, values[i].Path) < 0; j++) Put(added[j]);
                Put(values[i]);
            }

            for (; j < added.Length; j++) Put(added[j]);
        }
        else
        {
            // Each touched entry goes where a binary search puts it; the runs of entries between them
            // are copied in one piece, without decoding a single path.
            var raw = _raw!;
            var touched = _touched.Values.ToArray();
            Array.Sort(touched, (a, b) => string.CompareOrdinal(a.Path, b.Path));
            int next = 0;
            void CopyUpTo(int end)
            {
                if (end <= next)
                {
                    return;
                }

                int from = _offsets[next];
                int to = end < _offsets.Length ? _offsets[end] : raw.Length - ChecksumLength;
                int shift = (int)body.Length - from;
                for (int i = next; i < end; i++)
                {
                    offsets.Add(_offsets[i] + shift);
                }

                body.Write(raw, from, to - from);
                next = end;
            }

            foreach (var entry in touched)
            {
                int position = Find(entry.Path);
                CopyUpTo(position >= 0 ? position : ~position);
                Put(entry);
                if (position >= 0)
                {
                    next = position + 1;
                }
            }

            CopyUpTo(_offsets.Length);
        }

        // One buffer, filled in place: header, offset table, entries, checksum (a 100,000-file index is ~9 MB).
        var header = new MemoryStream(128);
        header.Write(Magic);
        header.WriteByte(Version);
        var headerWriter = new Writer(header);
        headerWriter.Id(BaseTree);
        header.WriteByte(BaseCommit is null ? (byte)0 : (byte)1);
        if (BaseCommit is { } baseCommit) headerWriter.Id(baseCommit);
        headerWriter.VarInt((ulong)offsets.Count);
        int tableStart = (int)header.Length, bodyStart = tableStart + (offsets.Count * 4);
        var output = new byte[bodyStart + (int)body.Length + ChecksumLength];
        header.GetBuffer().AsSpan(0, tableStart).CopyTo(output);
        for (int i = 0; i < offsets.Count; i++)
        {
            BinaryPrimitives.WriteInt32LittleEndian(output.AsSpan(tableStart + (i * 4), 4), offsets[i]);
        }

        body.GetBuffer().AsSpan(0, (int)body.Length).CopyTo(output.AsSpan(bodyStart));
        BinaryPrimitives.WriteUInt64LittleEndian(output.AsSpan(output.Length - ChecksumLength), Checksum(output.AsSpan(0, output.Length - ChecksumLength)));
        WriteAtomically(file, output);
    }

    private int EntryCountHint() => _all?.Count ?? _touched.Count;

    private static void WriteEntry(Writer writer, IndexEntry entry, bool seen)
    {
        bool seenIsHead = seen && entry.Seen == entry.Head;
        byte flags = (byte)((entry.Head is null ? 0 : HasHead) | (entry.Staged is null ? 0 : HasStaged)
            | (entry.StagedDelete ? IsStagedDelete : 0) | (seen ? HasSeen : 0) | (seenIsHead ? SeenIsHead : 0));
        writer.Text(entry.Path);
        writer.Byte(flags);
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

    private static void WriteAtomically(string file, byte[] content)
    {
        string temp = $"{file}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
            {
                stream.Write(content);
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

        public void Byte(byte value) => stream.WriteByte(value);

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
