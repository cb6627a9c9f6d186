namespace Helios.Cli.Configuration;

/// <summary>The kinds of value a configuration key holds; each has one text syntax (see <see cref="ConfigValues"/>).</summary>
public enum ConfigValueType
{
    /// <summary>Bytes: a whole number with an optional binary unit, <c>65536</c>, <c>64KiB</c>, <c>512MB</c>, <c>2GB</c>.</summary>
    Size,

    /// <summary>A time span: whole numbers with units ms, s, m, h, d, <c>90s</c>, <c>30m</c>, <c>48h</c>, <c>1d12h</c>.</summary>
    Duration,

    /// <summary><c>true</c> or <c>false</c>.</summary>
    Bool,

    /// <summary>A whole number within the key's bounds.</summary>
    Int,

    /// <summary>One of the key's allowed words.</summary>
    Enum,

    /// <summary>Any single line of text.</summary>
    String,
}

/// <summary>
/// One known key: its dotted name (the path of mappings in <c>helios.yaml</c>), type, default as
/// text, and a one-line description. <paramref name="Allowed"/> lists an enum's words (the
/// canonical lowercase spellings); <paramref name="Minimum"/> bounds sizes and ints from below,
/// <paramref name="Maximum"/> ints from above.
/// </summary>
public sealed record ConfigKey(
    string Name,
    ConfigValueType Type,
    string Default,
    string Description,
    IReadOnlyList<string>? Allowed = null,
    long Minimum = 0,
    long Maximum = int.MaxValue)
{
    /// <summary>The mapping names leading to the leaf, e.g. <c>["storage", "rocksdb"]</c>.</summary>
    public IReadOnlyList<string> Sections => Name.Split('.')[..^1];

    /// <summary>The leaf name inside its section, e.g. <c>write_buffer_size</c>.</summary>
    public string Leaf => Name[(Name.LastIndexOf('.') + 1)..];
}

/// <summary>
/// The table of every key <c>helios config</c> accepts. Adding a setting means adding one row here,
/// a typed accessor on <see cref="HeliosConfig"/> if something reads it, and a row in
/// docs/configuration.md (a test checks the doc lists every key).
/// </summary>
public static class ConfigSchema
{
    /// <summary>Every known key, sorted by name.</summary>
    public static IReadOnlyList<ConfigKey> Keys { get; } = new ConfigKey[]
    {
        new("performance.l0_cache_size", ConfigValueType.Size, "64MiB", "Memory for decoded objects (L0 cache).", Minimum: 1),
        new("performance.l1_cache_size", ConfigValueType.Size, "256MiB", "Memory for LZ4-compressed object bytes (L1 cache).", Minimum: 1),
        new("performance.batch_size", ConfigValueType.Int, "1000", "Objects written per storage batch.", Minimum: 1),
        new("performance.compression", ConfigValueType.Enum, "lz4", "Compression of cached and stored objects.", ["lz4", "zstd", "none"]),
        new("performance.zstd_level", ConfigValueType.Int, "3", "zstd level for objects stored from now on (1 fastest, 19 smallest; 20-22 need much memory).", Minimum: 1, Maximum: 22),
        new("storage.max_delta_depth", ConfigValueType.Int, "16", "Longest chain of deltas a new object may end (0: no deltas); reading an object decodes this many bases at most.", Minimum: 0, Maximum: 16),
        new("storage.durability", ConfigValueType.Enum, "durable", "durable: acknowledged commits survive power loss; fast: they survive a process crash.", ["durable", "fast"]),
        new("storage.chunking_threshold", ConfigValueType.Size, "64KiB", "Files longer than this are stored as content-defined chunks of about 16 KiB."),
        new("storage.busy_timeout", ConfigValueType.Duration, "5s", "How long a write waits for another process to release the store."),
        new("storage.mmap_size", ConfigValueType.Size, "256MiB", "Bytes of the SQLite store mapped into memory for reads; 0 disables mmap."),
        new("storage.rocksdb.write_buffer_size", ConfigValueType.Size, "64MiB", "RocksDB memtable size.", Minimum: 1),
        new("storage.rocksdb.max_write_buffer_number", ConfigValueType.Int, "2", "RocksDB memtables kept before flushing.", Minimum: 1),
        new("storage.rocksdb.compression", ConfigValueType.Enum, "snappy", "RocksDB block compression.", ["none", "snappy", "lz4", "zstd"]),
        new("storage.rocksdb.compaction_style", ConfigValueType.Enum, "level", "RocksDB compaction style.", ["level", "universal", "fifo"]),
        new("ai_optimizations.snapshot_retention", ConfigValueType.Int, "500", "Recent experiment snapshots kept in memory."),
        new("ai_optimizations.parallel_hashing", ConfigValueType.Bool, "true", "Hash large inputs on all CPU cores."),
        new("cleanup.auto_gc_enabled", ConfigValueType.Bool, "false", "Collect garbage automatically after commands that create it."),
        new("cleanup.snapshot_ttl", ConfigValueType.Duration, "48h", "Automatic gc forgets operation-log records and discarded experiments older than this."),
        new("cleanup.auto_gc_interval", ConfigValueType.Duration, "1h", "Automatic gc starts at most once per this interval."),
        new("user.name", ConfigValueType.String, "Helios Agent", "Author and committer name for commits that give none."),
        new("user.email", ConfigValueType.String, "agent@helios.local", "Author and committer email for commits that give none."),
    }.OrderBy(k => k.Name, StringComparer.Ordinal).ToArray();

    private static readonly Dictionary<string, ConfigKey> ByName = Keys.ToDictionary(k => k.Name, StringComparer.Ordinal);

    /// <summary>The key named <paramref name="name"/> (exact, case-sensitive), or null.</summary>
    public static ConfigKey? Find(string name) => ByName.GetValueOrDefault(name);

    /// <summary>The key named <paramref name="name"/>; an unknown name is <see cref="Core.Errors.HeliosErrorCode.InvalidArgument"/>.</summary>
    public static ConfigKey Get(string name)
    {
        if (Find(name) is { } key)
        {
            return key;
        }

        var hint = Keys.FirstOrDefault(k => string.Equals(k.Name, name, StringComparison.OrdinalIgnoreCase))
            ?? Keys.FirstOrDefault(k => string.Equals(k.Leaf, name[(name.LastIndexOf('.') + 1)..], StringComparison.OrdinalIgnoreCase))
            ?? (name.Contains('.', StringComparison.Ordinal) ? Keys.FirstOrDefault(k => k.Name.StartsWith(name, StringComparison.OrdinalIgnoreCase)) : null);
        var suggestion = hint is null ? "" : $" (did you mean '{hint.Name}'?)";
        throw new Core.Errors.HeliosException(Core.Errors.HeliosErrorCode.InvalidArgument,
            $"Unknown configuration key '{name}'{suggestion}; run 'helios config list' to see every key.");
    }

    /// <summary>Whether <paramref name="path"/> (dotted) is a section that holds known keys, e.g. <c>storage.rocksdb</c>.</summary>
    internal static bool IsSection(string path) =>
        Keys.Any(k => k.Name.StartsWith(path + ".", StringComparison.Ordinal));
}
