using BenchmarkDotNet.Attributes;
using Helios.Benchmarks.Support;
using Helios.Core.Storage;
using Helios.Storage.Sqlite;

namespace Helios.Benchmarks;

/// <summary>
/// What the stored encoding adds to a put on the commit path: one <c>PutMany</c> of a new 10 KiB version of a
/// source file into a SQLite store (fast durability), hinting the previous version, stored raw, as plain zstd,
/// or as a zstd delta (default depth bound). <c>OperationsPerInvoke</c> makes the figures per put; each iteration
/// starts from a fresh store holding the first version.
/// </summary>
[Config(typeof(BenchConfig))]
[BenchmarkCategory("StoredEncoding")]
public class StoredEncodingBenchmarks
{
    private const int Puts = 200;
    private EncodedObject[] _history = [];
    private string _folder = "";
    private SqliteRepositoryStorage? _storage;

    public enum Encoding
    {
        Raw,
        Zstd,
        ZstdDelta,
    }

    [Params(Encoding.Raw, Encoding.Zstd, Encoding.ZstdDelta)]
    public Encoding Setting { get; set; }

    [GlobalSetup]
    public void MakeHistory()
    {
        _history = StoreDeltas.History(Puts + 1);
        _folder = Directory.CreateTempSubdirectory("helios-stored-encoding-").FullName;
    }

    [IterationSetup]
    public void OpenFreshStore()
    {
        _storage?.Dispose();
        var options = new SqliteStorageOptions
        {
            Durability = Durability.Fast,
            Compression = Setting == Encoding.Raw ? StorageCompression.None : StorageCompression.Zstd,
            MaxDeltaDepth = Setting == Encoding.ZstdDelta ? SqliteStorageOptions.DefaultMaxDeltaDepth : 0,
        };
        _storage = SqliteRepositoryStorage.Open(Path.Combine(_folder, Guid.NewGuid().ToString("N") + ".db"), options);
        _storage.Objects.PutMany([_history[0]]);
    }

    [Benchmark(OperationsPerInvoke = Puts)]
    public void Put_a_10_KiB_version_with_its_predecessor_as_hint()
    {
        var objects = _storage!.Objects;
        for (int i = 1; i <= Puts; i++)
        {
            objects.PutMany([_history[i]]);
        }
    }

    [GlobalCleanup]
    public void Remove()
    {
        _storage?.Dispose();
        Directory.Delete(_folder, recursive: true);
    }
}
