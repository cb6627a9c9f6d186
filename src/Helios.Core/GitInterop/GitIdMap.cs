using Helios.Core.Errors;
using Helios.Core.Objects;

namespace Helios.Core.GitInterop;

/// <summary>
/// The persistent map between git commit ids and the Helios commits imported from (or exported to)
/// them: an append-only file of 52-byte records (20-byte git SHA-1, 32-byte Helios id), kept in the
/// common <c>.helios</c> directory as <c>git-map</c>. Appended after the refs moved, so a crash in
/// between loses only entries a later import recreates. Loading is O(records); lookups are O(1).
/// Not thread-safe; concurrent appenders write whole records with one write call each batch.
/// </summary>
public sealed class GitIdMap
{
    private const int RecordSize = 20 + ObjectId.Size;

    private readonly string _path;
    private readonly Dictionary<string, ObjectId> _toHelios = new(StringComparer.Ordinal);
    private readonly Dictionary<ObjectId, string> _toGit = [];

    private GitIdMap(string path) => _path = path;

    /// <summary>Number of git ids known.</summary>
    public int Count => _toHelios.Count;

    /// <summary>Loads the map from <paramref name="path"/> (empty when the file does not exist). A torn last record is ignored.</summary>
    public static GitIdMap Load(string path)
    {
        var map = new GitIdMap(path);
        if (!File.Exists(path))
        {
            return map;
        }

        var bytes = File.ReadAllBytes(path);
        for (int i = 0; i + RecordSize <= bytes.Length; i += RecordSize)
        {
            map.Add(Convert.ToHexStringLower(bytes, i, 20), new ObjectId(bytes.AsSpan(i + 20, ObjectId.Size)));
        }

        return map;
    }

    /// <summary>The Helios commit imported from a full git id (40 hex), or null.</summary>
    public ObjectId? ToHelios(string gitId) => _toHelios.TryGetValue(gitId.ToLowerInvariant(), out var id) ? id : null;

    /// <summary>The git id of a Helios commit, or null.</summary>
    public string? ToGit(ObjectId id) => _toGit.TryGetValue(id, out var git) ? git : null;

    /// <summary>
    /// Resolves a full or abbreviated (at least 7 hex digits) git id; null when none matches.
    /// Throws <see cref="HeliosErrorCode.Ambiguous"/> when an abbreviation matches several. O(records) for abbreviations.
    /// </summary>
    public ObjectId? Resolve(string text)
    {
        if (text.Length < 7 || text.Length > 40 || !ObjectId.IsHex(text))
        {
            return null;
        }

        var lower = text.ToLowerInvariant();
        if (lower.Length == 40)
        {
            return ToHelios(lower);
        }

        ObjectId? found = null;
        foreach (var (git, id) in _toHelios)
        {
            if (git.StartsWith(lower, StringComparison.Ordinal))
            {
                if (found is not null && found != id)
                {
                    throw new HeliosException(HeliosErrorCode.Ambiguous, $"The git id prefix '{text}' matches several imported commits; give more digits.");
                }

                found = id;
            }
        }

        return found;
    }

    /// <summary>Appends the pairs not yet known, in one write. Durable once the file system flushes it.</summary>
    public void Append(IEnumerable<GitIdPair> pairs)
    {
        using var buffer = new MemoryStream();
        Span<byte> id = stackalloc byte[ObjectId.Size];
        foreach (var pair in pairs)
        {
            if (_toHelios.ContainsKey(pair.GitId))
            {
                continue;
            }

            buffer.Write(Convert.FromHexString(pair.GitId));
            pair.HeliosId.CopyTo(id);
            buffer.Write(id);
            Add(pair.GitId, pair.HeliosId);
        }

        if (buffer.Length == 0)
        {
            return;
        }

        using var file = new FileStream(_path, FileMode.OpenOrCreate, FileAccess.Write, FileShare.ReadWrite);
        // A torn record from an earlier crash would shift every later one: cut it off first.
        long torn = file.Length % RecordSize;
        if (torn != 0)
        {
            file.SetLength(file.Length - torn);
        }

        file.Seek(0, SeekOrigin.End);

        buffer.Position = 0;
        buffer.CopyTo(file);
        file.Flush(flushToDisk: true);
    }

    private void Add(string git, ObjectId id)
    {
        _toHelios[git] = id;
        _toGit[id] = git;
    }
}
