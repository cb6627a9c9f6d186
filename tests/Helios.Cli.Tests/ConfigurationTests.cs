using System.CommandLine;
using Helios.Cli.Commands;
using Helios.Cli.Configuration;
using Helios.Core.Errors;
using Helios.Core.Objects;
using Helios.Core.Repositories;
using Helios.Core.Storage;
using Helios.Storage.Sqlite;

namespace Helios.Cli.Tests;

public sealed class ConfigurationTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("helios-config-").FullName;

    private string FilePath => Path.Combine(_dir, HeliosConfig.FileName);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("performance.l1_cache_size", "2GB", "2GB")]
    [InlineData("cleanup.snapshot_ttl", "24h", "24h")]
    [InlineData("cleanup.auto_gc_enabled", "TRUE", "true")]
    [InlineData("performance.batch_size", "250", "250")]
    [InlineData("storage.durability", "Fast", "fast")]
    [InlineData("user.name", "Ada Lovelace", "Ada Lovelace")]
    [InlineData("user.email", "true", "true")]
    public void Set_then_get_round_trips_a_value_of_each_type_through_the_file(string key, string value, string expected)
    {
        HeliosConfig.Load(_dir).Set(key, value);

        var reloaded = HeliosConfig.Load(_dir);
        Assert.Equal(expected, reloaded.Get(key));
        Assert.True(reloaded.IsSet(key));
    }

    [Fact]
    public void A_missing_file_gives_every_default_and_every_default_is_a_valid_value()
    {
        var config = HeliosConfig.Load(_dir);

        Assert.False(File.Exists(FilePath));
        foreach (var key in ConfigSchema.Keys)
        {
            Assert.Equal(key.Default, config.Get(key.Name));
            Assert.False(config.IsSet(key.Name));
            Assert.Equal(key.Default, ConfigValues.Normalize(key, key.Default));
        }
    }

    [Fact]
    public void Set_creates_the_file_when_missing_and_leaves_no_temp_file_behind()
    {
        HeliosConfig.Load(_dir).Set("storage.rocksdb.write_buffer_size", "512MB");

        Assert.Equal("storage:\n  rocksdb:\n    write_buffer_size: 512MB\n", File.ReadAllText(FilePath));
        Assert.Equal([FilePath], Directory.GetFiles(_dir));
    }

    [Fact]
    public void Set_preserves_unrelated_keys_including_sections_and_keys_it_does_not_know()
    {
        File.WriteAllText(FilePath, """
            performance:
              l1_cache_size: "2GB"
              future_knob: 7
              compression: lz4
            storage:
              durability: fast
              rocksdb: {write_buffer_size: "256MB", max_write_buffer_number: 6}
            team:
              owner: alice
              tags:
              - nightly
              - gpu
            """);

        var config = HeliosConfig.Load(_dir);
        config.Set("performance.compression", "zstd");
        config.Set("storage.rocksdb.compaction_style", "level");
        config.Set("cleanup.snapshot_ttl", "7d");

        Assert.Equal("""
            performance:
              l1_cache_size: "2GB"
              future_knob: 7
              compression: zstd
            storage:
              durability: fast
              rocksdb: {write_buffer_size: "256MB", max_write_buffer_number: 6, compaction_style: level}
            team:
              owner: alice
              tags:
              - nightly
              - gpu
            cleanup:
              snapshot_ttl: 7d

            """, File.ReadAllText(FilePath));
        var reloaded = HeliosConfig.Load(_dir);
        Assert.Equal("6", reloaded.Get("storage.rocksdb.max_write_buffer_number"));
        Assert.Equal(TimeSpan.FromDays(7), reloaded.SnapshotTtl);
    }

    [Fact]
    public void Set_fills_in_a_section_left_empty_in_the_file()
    {
        File.WriteAllText(FilePath, "user:\nperformance: ~\n");

        HeliosConfig.Load(_dir).Set("user.email", "ada@example.org");

        Assert.Equal("ada@example.org", HeliosConfig.Load(_dir).UserEmail);
        Assert.Equal("user:\n  email: \"ada@example.org\"\nperformance: ~\n", File.ReadAllText(FilePath));
    }

    [Theory]
    [InlineData("performance.l1_cache", "2GB", "Unknown configuration key 'performance.l1_cache' (did you mean 'performance.l1_cache_size'?)")]
    [InlineData("team.owner", "alice", "Unknown configuration key 'team.owner'")]
    [InlineData("performance", "2GB", "Unknown configuration key 'performance'")]
    [InlineData("performance.l1_cache_size", "lots", "performance.l1_cache_size must be a size")]
    [InlineData("performance.l1_cache_size", "1.5GB", "performance.l1_cache_size must be a size")]
    [InlineData("performance.l1_cache_size", "0", "at least 1 bytes")]
    [InlineData("cleanup.snapshot_ttl", "2 days", "cleanup.snapshot_ttl must be a duration")]
    [InlineData("cleanup.auto_gc_enabled", "yes", "cleanup.auto_gc_enabled must be true or false")]
    [InlineData("performance.batch_size", "0", "performance.batch_size must be a whole number from 1")]
    [InlineData("performance.batch_size", "99999999999", "performance.batch_size must be a whole number")]
    [InlineData("performance.compression", "gzip", "performance.compression must be one of lz4, zstd, none, not 'gzip'")]
    [InlineData("performance.zstd_level", "23", "performance.zstd_level must be a whole number from 1 to 22, not '23'")]
    [InlineData("storage.max_delta_depth", "17", "storage.max_delta_depth must be a whole number from 0 to 16, not '17'")]
    [InlineData("storage.max_delta_depth", "-1", "storage.max_delta_depth must be a whole number from 0 to 16")]
    [InlineData("user.name", " ", "user.name must be one non-empty line")]
    [InlineData("user.name", "two\nlines", "user.name must be one non-empty line")]
    public void Unknown_keys_and_bad_values_are_invalid_arguments_and_leave_the_file_byte_identical(string key, string value, string message)
    {
        const string original = "performance:\n  l1_cache_size: \"2GB\"  \n# a comment the rewrite would drop\n";
        File.WriteAllText(FilePath, original);
        var before = File.ReadAllBytes(FilePath);
        var config = HeliosConfig.Load(_dir);

        var e = Assert.Throws<HeliosException>(() => config.Set(key, value));

        Assert.Equal(HeliosErrorCode.InvalidArgument, e.Code);
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(FilePath));
        Assert.Equal([FilePath], Directory.GetFiles(_dir));
        Assert.Equal("2GB", config.Get("performance.l1_cache_size"));
    }

    [Fact]
    public void Get_of_an_unknown_key_is_an_invalid_argument()
    {
        var e = Assert.Throws<HeliosException>(() => HeliosConfig.Load(_dir).Get("Performance.L1_Cache_Size"));

        Assert.Equal(HeliosErrorCode.InvalidArgument, e.Code);
        Assert.Contains("did you mean 'performance.l1_cache_size'?", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("performance:\n  l1_cache_size: [2GB\n", 3, "is not valid YAML")]
    [InlineData("performance:\n  batch_size: 1\n  batch_size: 2\n", 3, "is not valid YAML")]
    [InlineData("- performance\n- storage\n", 1, "must be a mapping of sections")]
    [InlineData("performance: fast\n", 1, "'performance' must be a mapping of settings")]
    [InlineData("storage:\n  rocksdb: 5\n", 2, "'storage.rocksdb' must be a mapping of settings")]
    [InlineData("storage:\n  durability:\n    - fast\n", 3, "storage.durability must be a single value, not a list")]
    [InlineData("user:\n  name: x\ncleanup:\n  snapshot_ttl: forever\n", 4, "cleanup.snapshot_ttl must be a duration")]
    [InlineData("a: 1\n---\nb: 2\n", 3, "more than one YAML document")]
    public void A_malformed_file_is_invalid_state_naming_the_file_and_the_line(string text, int line, string problem)
    {
        File.WriteAllText(FilePath, text);

        var e = Assert.Throws<HeliosException>(() => HeliosConfig.Load(_dir));

        Assert.Equal(HeliosErrorCode.InvalidState, e.Code);
        Assert.StartsWith($"{FilePath}, line {line}: ", e.Message, StringComparison.Ordinal);
        Assert.Contains(problem, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_empty_file_or_null_values_mean_defaults()
    {
        File.WriteAllText(FilePath, "performance:\n  l1_cache_size:\n  batch_size: null\nteam: {}\n");

        var config = HeliosConfig.Load(_dir);

        Assert.Equal(CachingObjectStore.DefaultCapacityBytes, config.L1CacheBytes);
        Assert.False(config.IsSet("performance.batch_size"));
        File.WriteAllText(FilePath, "");
        Assert.Equal("lz4", HeliosConfig.Load(_dir).Get("performance.compression"));
    }

    [Fact]
    public void A_literal_dotted_key_in_the_file_is_kept_but_does_not_set_the_nested_key()
    {
        File.WriteAllText(FilePath, "performance.compression: banana\n");

        var config = HeliosConfig.Load(_dir);
        config.Set("performance.compression", "zstd");

        Assert.Equal("performance.compression: banana\nperformance:\n  compression: zstd\n", File.ReadAllText(FilePath));
        Assert.Equal(CompressionSetting.Zstd, HeliosConfig.Load(_dir).Compression);
    }

    [Theory]
    [InlineData("2GB", 2L << 30)]
    [InlineData("2GiB", 2L << 30)]
    [InlineData("2gb", 2L << 30)]
    [InlineData("2G", 2L << 30)]
    [InlineData("512MB", 512L << 20)]
    [InlineData("512MiB", 512L << 20)]
    [InlineData("64KiB", 64L << 10)]
    [InlineData("64KB", 64L << 10)]
    [InlineData("1TB", 1L << 40)]
    [InlineData("65536", 65536)]
    [InlineData("100B", 100)]
    [InlineData(" 256 MB ", 256L << 20)]
    [InlineData("0", 0)]
    public void Sizes_parse_with_binary_units_whatever_their_spelling(string text, long bytes)
    {
        Assert.True(ConfigValues.TryParseSize(text, out var parsed));
        Assert.Equal(bytes, parsed);
    }

    [Theory]
    [InlineData("")]
    [InlineData("GB")]
    [InlineData("1.5GB")]
    [InlineData("-1MB")]
    [InlineData("2XB")]
    [InlineData("2 G B")]
    [InlineData("9999999TB")]
    [InlineData("99999999999999999999")]
    public void Sizes_that_are_not_whole_numbers_of_known_units_are_rejected(string text) =>
        Assert.False(ConfigValues.TryParseSize(text, out _));

    [Theory]
    [InlineData("48h", 48 * 3600)]
    [InlineData("30m", 30 * 60)]
    [InlineData("7d", 7 * 86400)]
    [InlineData("90s", 90)]
    [InlineData("1h30m", 5400)]
    [InlineData("1d12h", 36 * 3600)]
    [InlineData("0", 0)]
    public void Durations_parse_in_days_hours_minutes_and_seconds(string text, int seconds)
    {
        Assert.True(ConfigValues.TryParseDuration(text, out var parsed));
        Assert.Equal(TimeSpan.FromSeconds(seconds), parsed);
    }

    [Fact]
    public void Durations_take_milliseconds_and_do_not_confuse_them_with_minutes()
    {
        Assert.True(ConfigValues.TryParseDuration("250ms", out var ms));
        Assert.Equal(TimeSpan.FromMilliseconds(250), ms);
        Assert.True(ConfigValues.TryParseDuration("1m5s", out var mixed));
        Assert.Equal(TimeSpan.FromSeconds(65), mixed);
    }

    [Theory]
    [InlineData("")]
    [InlineData("h")]
    [InlineData("48")]
    [InlineData("48H")]
    [InlineData("1.5h")]
    [InlineData("-5s")]
    [InlineData("1y")]
    [InlineData("5 s")]
    [InlineData("99999999999999d")]
    public void Durations_without_a_known_lowercase_unit_are_rejected(string text) =>
        Assert.False(ConfigValues.TryParseDuration(text, out _));

    [Fact]
    public void Typed_accessors_read_the_file()
    {
        File.WriteAllText(FilePath, """
            performance: {l0_cache_size: 16MiB, l1_cache_size: 2GB, compression: zstd}
            storage: {durability: fast, busy_timeout: 250ms, mmap_size: 0}
            cleanup: {auto_gc_enabled: true, snapshot_ttl: 30m}
            user: {name: Ada, email: ada@example.org}
            """);

        var config = HeliosConfig.Load(_dir);

        Assert.Equal(16L << 20, config.L0CacheBytes);
        Assert.Equal(2L << 30, config.L1CacheBytes);
        Assert.Equal(CompressionSetting.Zstd, config.Compression);
        Assert.Equal(Durability.Fast, config.Durability);
        Assert.Equal(TimeSpan.FromMilliseconds(250), config.BusyTimeout);
        Assert.Equal(0, config.MmapSize);
        Assert.True(config.AutoGcEnabled);
        Assert.Equal(TimeSpan.FromMinutes(30), config.SnapshotTtl);
        Assert.Equal("Ada", config.UserName);
        Assert.Equal("ada@example.org", config.UserEmail);
    }

    [Fact]
    public void The_default_configuration_maps_to_the_engine_defaults()
    {
        var config = HeliosConfig.Load(_dir);

        Assert.Equal(new RepositoryOptions(), config.ToRepositoryOptions());
        Assert.Equal(SqliteStorageOptions.Default, config.ToSqliteStorageOptions());
    }

    [Fact]
    public void Settings_map_to_repository_and_storage_options_keeping_the_rest_of_the_baseline()
    {
        File.WriteAllText(FilePath, """
            performance: {l0_cache_size: 16MiB, l1_cache_size: 1GiB}
            storage: {durability: fast, busy_timeout: 2s, mmap_size: 0}
            user: {name: Ada, email: ada@example.org}
            """);
        var config = HeliosConfig.Load(_dir);
        var clock = new FixedClock();

        var repository = config.ToRepositoryOptions(new RepositoryOptions { Clock = clock });
        var storage = config.ToSqliteStorageOptions(new SqliteStorageOptions { ReadOnly = true });

        Assert.Equal(16L << 20, repository.DecodedCacheBytes);
        Assert.Equal(1L << 30, repository.CompressedCacheBytes);
        Assert.Equal(new Signature("Ada", "ada@example.org", DateTimeOffset.UnixEpoch), repository.DefaultIdentity);
        Assert.Same(clock, repository.Clock);
        Assert.Equal(Durability.Fast, storage.Durability);
        Assert.Equal(TimeSpan.FromSeconds(2), storage.BusyTimeout);
        Assert.Equal(0, storage.MmapSize);
        Assert.True(storage.ReadOnly);
    }

    [Theory]
    [InlineData("lz4", StorageCompression.Zstd)]
    [InlineData("zstd", StorageCompression.Zstd)]
    [InlineData("none", StorageCompression.None)]
    public void Compression_level_and_delta_depth_map_to_the_storage_options(string compression, StorageCompression expected)
    {
        File.WriteAllText(FilePath, $"performance: {{compression: {compression}, zstd_level: 9}}\nstorage: {{max_delta_depth: 0}}\n");
        var storage = HeliosConfig.Load(_dir).ToSqliteStorageOptions();
        Assert.Equal(expected, storage.Compression);
        Assert.Equal(9, storage.ZstdLevel);
        Assert.Equal(0, storage.MaxDeltaDepth);
    }

    [Fact]
    public void Config_command_sets_gets_and_lists_sorted_key_value_lines()
    {
        var (set, _) = Invoke("config", "set", "performance.l1_cache_size", "1GiB");
        var (get, getOutput) = Invoke("config", "get", "performance.l1_cache_size");
        var (list, listOutput) = Invoke("config", "list");

        Assert.Equal((0, 0, 0), (set, get, list));
        Assert.Equal("1GiB\n", getOutput);
        var lines = listOutput.TrimEnd('\n').Split('\n');
        Assert.Equal(ConfigSchema.Keys.Count, lines.Length);
        Assert.Equal(lines.Order(StringComparer.Ordinal), lines);
        Assert.Contains("performance.l1_cache_size=1GiB", lines);
        Assert.Contains("storage.durability=durable", lines);
    }

    [Fact]
    public void Config_command_errors_carry_their_codes_for_the_exit_code_table()
    {
        var unknown = Assert.Throws<HeliosException>(() => Invoke("config", "get", "no.such_key"));
        File.WriteAllText(FilePath, "performance: [\n");
        var malformed = Assert.Throws<HeliosException>(() => Invoke("config", "list"));

        Assert.Equal(ExitCodes.Usage, ExitCodes.For(unknown.Code));
        Assert.Equal(ExitCodes.RepositoryState, ExitCodes.For(malformed.Code));
    }

    [Fact]
    public void The_configuration_doc_describes_every_key()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Helios.slnx")))
        {
            root = root.Parent;
        }

        Assert.NotNull(root);
        var doc = File.ReadAllText(Path.Combine(root.FullName, "docs", "configuration.md"));
        foreach (var key in ConfigSchema.Keys)
        {
            Assert.Contains($"| `{key.Name}` |", doc, StringComparison.Ordinal);
        }
    }

    private (int Code, string Stdout) Invoke(params string[] args)
    {
        var stdout = new StringWriter { NewLine = "\n" };
        var root = new RootCommand { ConfigCommand.Build(() => _dir, stdout) };
        var parse = root.Parse(args);
        Assert.Empty(parse.Errors);
        int code = parse.Invoke(new InvocationConfiguration { Output = stdout, EnableDefaultExceptionHandler = false });
        return (code, stdout.ToString());
    }

    private sealed class FixedClock : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => DateTimeOffset.UnixEpoch;
    }
}
