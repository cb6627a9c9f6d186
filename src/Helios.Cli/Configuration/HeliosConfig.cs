using System.Globalization;
using System.Text;
using Helios.Core.Errors;
using Helios.Core.Objects;
using Helios.Core.Repositories;
using Helios.Core.Storage;
using Helios.Storage.Sqlite;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;
using YamlDotNet.Serialization;

namespace Helios.Cli.Configuration;

/// <summary>Compression named by <c>performance.compression</c>.</summary>
public enum CompressionSetting
{
    Lz4,
    Zstd,
    None,
}

/// <summary>
/// A repository's settings, read from <c>.helios/helios.yaml</c>: a YAML mapping whose nested
/// mappings spell the dotted keys of <see cref="ConfigSchema"/> (<c>performance: {l1_cache_size: 2GB}</c>
/// is <c>performance.l1_cache_size</c>). A missing file means every key has its default.
/// <para>
/// <see cref="Load"/> reads and checks the whole file: malformed YAML, a known section that is not a
/// mapping, or a known key whose value does not fit its type is <see cref="HeliosErrorCode.InvalidState"/>
/// naming the file and line. Keys and sections the schema does not know are kept as they are and
/// otherwise ignored. <see cref="Set"/> validates, changes one key and rewrites the file atomically
/// (a temp file in the same folder, flushed, then renamed over the old one), so readers see the old
/// file or the new one, never a torn one. Rewriting keeps every other key, value and the nesting
/// and flow/block layout, but not comments. Concurrent <see cref="Set"/>s from two processes do not
/// merge: the last rename wins. An instance is not thread-safe for <see cref="Set"/>; reads are.
/// </para>
/// This is a front-end concern: Core never reads it; the CLI maps it to engine options with
/// <see cref="ToRepositoryOptions"/> and <see cref="ToSqliteStorageOptions"/>.
/// </summary>
public sealed class HeliosConfig
{
    /// <summary>The file name inside the <c>.helios</c> folder.</summary>
    public const string FileName = "helios.yaml";

    private readonly YamlMappingNode _root;
    private readonly Dictionary<string, string> _explicit;

    private HeliosConfig(string path, YamlMappingNode root, Dictionary<string, string> explicitValues)
    {
        FilePath = path;
        _root = root;
        _explicit = explicitValues;
    }

    /// <summary>The full path of the <c>helios.yaml</c> this instance reads and writes.</summary>
    public string FilePath { get; }

    /// <summary><c>performance.l0_cache_size</c> in bytes: memory for decoded objects.</summary>
    public long L0CacheBytes => Size("performance.l0_cache_size");

    /// <summary><c>performance.l1_cache_size</c> in bytes: memory for compressed object bytes.</summary>
    public long L1CacheBytes => Size("performance.l1_cache_size");

    /// <summary><c>performance.compression</c>.</summary>
    public CompressionSetting Compression => Get("performance.compression") switch
    {
        "zstd" => CompressionSetting.Zstd,
        "none" => CompressionSetting.None,
        _ => CompressionSetting.Lz4,
    };

    /// <summary><c>performance.zstd_level</c>.</summary>
    public int ZstdLevel => (int)Int("performance.zstd_level");

    /// <summary><c>storage.max_delta_depth</c>.</summary>
    public int MaxDeltaDepth => (int)Int("storage.max_delta_depth");

    /// <summary><c>storage.durability</c>.</summary>
    public Durability Durability => Get("storage.durability") == "fast" ? Durability.Fast : Durability.Durable;

    /// <summary><c>storage.chunking_threshold</c> in bytes: longer files are stored chunked.</summary>
    public long ChunkingThreshold => Size("storage.chunking_threshold");

    /// <summary><c>storage.busy_timeout</c>.</summary>
    public TimeSpan BusyTimeout => Duration("storage.busy_timeout");

    /// <summary><c>storage.mmap_size</c> in bytes.</summary>
    public long MmapSize => Size("storage.mmap_size");

    /// <summary><c>user.name</c>: the commit identity's name.</summary>
    public string UserName => Get("user.name");

    /// <summary><c>user.email</c>: the commit identity's email.</summary>
    public string UserEmail => Get("user.email");

    /// <summary><c>cleanup.auto_gc_enabled</c>.</summary>
    public bool AutoGcEnabled => Get("cleanup.auto_gc_enabled") == "true";

    /// <summary><c>cleanup.snapshot_ttl</c>.</summary>
    public TimeSpan SnapshotTtl => Duration("cleanup.snapshot_ttl");

    /// <summary><c>cleanup.auto_gc_interval</c>: the least time between two automatic collections.</summary>
    public TimeSpan AutoGcInterval => Duration("cleanup.auto_gc_interval");

    /// <summary>
    /// Reads <c>helios.yaml</c> in <paramref name="heliosDirectory"/> (the repository's <c>.helios</c>
    /// folder). A missing file (or folder) gives the defaults. O(size of the file).
    /// </summary>
    public static HeliosConfig Load(string heliosDirectory)
    {
        var path = Path.Combine(Path.GetFullPath(heliosDirectory), FileName);
        string text;
        try
        {
            text = File.ReadAllText(path, Encoding.UTF8);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return new HeliosConfig(path, new YamlMappingNode(), new Dictionary<string, string>(StringComparer.Ordinal));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StorageException($"Cannot read {path}: {e.Message}", e);
        }

        var root = Parse(path, text);
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        Collect(path, root, "", values);
        return new HeliosConfig(path, root, values);
    }

    /// <summary>
    /// The effective value of <paramref name="key"/> as canonical text: the file's value if it sets
    /// the key, the default otherwise. An unknown key is <see cref="HeliosErrorCode.InvalidArgument"/>.
    /// </summary>
    public string Get(string key)
    {
        var schema = ConfigSchema.Get(key);
        return _explicit.TryGetValue(schema.Name, out var value) ? value : schema.Default;
    }

    /// <summary>Whether the file sets <paramref name="key"/> (rather than leaving it at its default).</summary>
    public bool IsSet(string key) => _explicit.ContainsKey(ConfigSchema.Get(key).Name);

    /// <summary>
    /// Sets <paramref name="key"/> to <paramref name="value"/> and rewrites the file atomically. An
    /// unknown key or a value that does not fit the key's type is <see cref="HeliosErrorCode.InvalidArgument"/>
    /// and leaves the file and this instance untouched; a failed write is <see cref="HeliosErrorCode.Storage"/>,
    /// leaves the file untouched and this instance unusable (load again). O(size of the file).
    /// </summary>
    public void Set(string key, string value)
    {
        var schema = ConfigSchema.Get(key);
        var canonical = ConfigValues.Normalize(schema, value);

        var mapping = _root;
        foreach (var section in schema.Sections)
        {
            var child = Lookup(mapping, section, out var childKey);
            if (child is YamlMappingNode existing)
            {
                mapping = existing;
                continue;
            }

            // Absent or null (a bare "section:" line): make it a mapping, in the parent's layout.
            var created = new YamlMappingNode { Style = mapping.Style };
            mapping.Children[childKey ?? new YamlScalarNode(section)] = created;
            mapping = created;
        }

        // Strings are quoted so other YAML readers do not take "true" or "42" for a bool or number.
        var scalar = new YamlScalarNode(canonical) { Style = schema.Type == ConfigValueType.String ? ScalarStyle.DoubleQuoted : ScalarStyle.Any };
        Lookup(mapping, schema.Leaf, out var leafKey);
        mapping.Children[leafKey ?? new YamlScalarNode(schema.Leaf)] = scalar;

        WriteAtomically(FilePath, Emit(_root));
        _explicit[schema.Name] = canonical;
    }

    /// <summary>
    /// <paramref name="baseline"/> (the engine defaults when null) with the cache sizes
    /// (<c>performance.l0_cache_size</c>, <c>performance.l1_cache_size</c>) and the default identity
    /// (<c>user.name</c>, <c>user.email</c>) from this configuration.
    /// </summary>
    public RepositoryOptions ToRepositoryOptions(RepositoryOptions? baseline = null)
    {
        var options = baseline ?? new RepositoryOptions();
        return options with
        {
            DecodedCacheBytes = L0CacheBytes,
            CompressedCacheBytes = L1CacheBytes,
            ChunkingThreshold = ChunkingThreshold,
            DefaultIdentity = new Signature(UserName, UserEmail, options.DefaultIdentity.When),
        };
    }

    /// <summary>
    /// <paramref name="baseline"/> (the store defaults when null) with <c>storage.durability</c>,
    /// <c>storage.busy_timeout</c>, <c>storage.mmap_size</c>, <c>storage.max_delta_depth</c>,
    /// <c>performance.zstd_level</c> and <c>performance.compression</c> from this configuration.
    /// <c>lz4</c> (the default) and <c>zstd</c> both keep new objects in zstd at rest: the L1 cache always uses
    /// LZ4, and the store's one compressed codec is zstd (which deltas need). <c>none</c> stores new objects raw
    /// (and without deltas).
    /// </summary>
    public SqliteStorageOptions ToSqliteStorageOptions(SqliteStorageOptions? baseline = null) =>
        (baseline ?? SqliteStorageOptions.Default) with
        {
            Durability = Durability,
            BusyTimeout = BusyTimeout,
            MmapSize = MmapSize,
            Compression = Compression == CompressionSetting.None ? StorageCompression.None : StorageCompression.Zstd,
            ZstdLevel = ZstdLevel,
            MaxDeltaDepth = MaxDeltaDepth,
        };

    // Values were checked when loaded or set, and defaults by the schema tests, so these parse.
    private long Int(string key) =>
        long.TryParse(Get(key), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) ? n : throw new InvalidOperationException($"{key} holds an unchecked number.");

    private long Size(string key) =>
        ConfigValues.TryParseSize(Get(key), out var bytes) ? bytes : throw new InvalidOperationException($"{key} holds an unchecked size.");

    private TimeSpan Duration(string key) =>
        ConfigValues.TryParseDuration(Get(key), out var duration) ? duration : throw new InvalidOperationException($"{key} holds an unchecked duration.");

    private static YamlMappingNode Parse(string path, string text)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            throw Malformed(path, e.Start.Line, $"is not valid YAML ({Reason(e)})");
        }

        if (stream.Documents.Count == 0)
        {
            return new YamlMappingNode();
        }

        if (stream.Documents.Count > 1)
        {
            throw Malformed(path, stream.Documents[1].RootNode.Start.Line, "holds more than one YAML document; keep only the first");
        }

        return stream.Documents[0].RootNode switch
        {
            YamlMappingNode mapping => mapping,
            YamlScalarNode scalar when IsNull(scalar) => new YamlMappingNode(),
            var other => throw Malformed(path, other.Start.Line, "must be a mapping of sections such as 'performance:' and 'storage:'"),
        };
    }

    /// <summary>Walks the known sections and checks every known key present; unknown entries are left alone.</summary>
    private static void Collect(string path, YamlMappingNode mapping, string prefix, Dictionary<string, string> values)
    {
        foreach (var (keyNode, valueNode) in mapping.Children)
        {
            // A literal "a.b: x" entry is somebody's own key, not a spelling of a.b: Set writes nested mappings only.
            if (keyNode is not YamlScalarNode { Value: { } name } || name.Contains('.', StringComparison.Ordinal))
            {
                continue;
            }

            var dotted = prefix + name;
            if (ConfigSchema.Find(dotted) is { } key)
            {
                if (valueNode is not YamlScalarNode scalar)
                {
                    throw Malformed(path, valueNode.Start.Line, $"{dotted} must be a single value, not a {(valueNode is YamlSequenceNode ? "list" : "mapping")}");
                }

                if (IsNull(scalar))
                {
                    continue;
                }

                if (!ConfigValues.TryNormalize(key, scalar.Value ?? "", out var canonical, out var problem))
                {
                    throw Malformed(path, scalar.Start.Line, problem);
                }

                values[dotted] = canonical;
            }
            else if (ConfigSchema.IsSection(dotted))
            {
                switch (valueNode)
                {
                    case YamlMappingNode section:
                        Collect(path, section, dotted + ".", values);
                        break;
                    case YamlScalarNode scalar when IsNull(scalar):
                        break;
                    default:
                        throw Malformed(path, valueNode.Start.Line, $"'{dotted}' must be a mapping of settings (its keys indented below it)");
                }
            }
        }
    }

    private static YamlNode? Lookup(YamlMappingNode mapping, string name, out YamlNode? keyNode)
    {
        foreach (var (k, v) in mapping.Children)
        {
            if (k is YamlScalarNode { Value: { } value } && value == name)
            {
                keyNode = k;
                return v;
            }
        }

        keyNode = null;
        return null;
    }

    /// <summary>A plain empty, <c>~</c> or <c>null</c> scalar: YAML's null, which we read as "not set".</summary>
    private static bool IsNull(YamlScalarNode scalar) =>
        (scalar.Style is ScalarStyle.Plain or ScalarStyle.Any) && (scalar.Value is null or "" or "~" or "null" or "Null" or "NULL");

    private static string Emit(YamlMappingNode root)
    {
        var text = new StringWriter { NewLine = "\n" };
        var emitter = new Emitter(text, new EmitterSettings(bestIndent: 2, bestWidth: int.MaxValue, isCanonical: false, maxSimpleKeyLength: 1024));
        emitter.Emit(new StreamStart());
        emitter.Emit(new DocumentStart(null, null, isImplicit: true));
        ((IYamlConvertible)root).Write(emitter, null!);
        emitter.Emit(new DocumentEnd(isImplicit: true));
        emitter.Emit(new StreamEnd());
        return text.ToString();
    }

    private static void WriteAtomically(string path, string text)
    {
        var temp = Path.Combine(Path.GetDirectoryName(path)!, $".{FileName}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
            {
                stream.Write(new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(text));
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(temp);
            throw new StorageException($"Cannot write {path}: {e.Message}", e);
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The temp file is named so it never shadows helios.yaml; a leftover is harmless.
        }
    }

    private static HeliosException Malformed(string path, long line, string problem) =>
        new(HeliosErrorCode.InvalidState, $"{path}, line {line}: {problem}; edit the file to fix it.");

    /// <summary>YamlDotNet's messages start with the position, which we already report as the line.</summary>
    private static string Reason(YamlException e)
    {
        var message = e.Message;
        var at = message.IndexOf("): ", StringComparison.Ordinal);
        var reason = message.StartsWith("(Line", StringComparison.Ordinal) && at >= 0 ? message[(at + 3)..] : message;
        return reason.TrimEnd('.', ' ');
    }
}
