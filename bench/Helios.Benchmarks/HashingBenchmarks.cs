using System.Globalization;
using BenchmarkDotNet.Attributes;
using Helios.Benchmarks.Support;
using Helios.Core.Hashing;

namespace Helios.Benchmarks;

/// <summary>
/// One-shot BLAKE3 over inputs from 64 B to 64 MiB: <see cref="Blake3.Hash(ReadOnlySpan{byte}, Span{byte})"/> on one
/// thread and <see cref="Blake3.HashParallel"/> on all cores (the same below <see cref="Blake3.ParallelThreshold"/>,
/// so the parallel method only runs from 1 MiB). The MB/s column is input bytes over the median time.
/// <c>HELIOS_BENCH_HASH_SIZES</c> (comma-separated bytes) replaces the sizes, e.g. <c>4096</c> for one quick figure.
/// </summary>
[Config(typeof(BytesPerSecondConfig))]
[BenchmarkCategory("Hashing")]
public class HashingBenchmarks
{
    private readonly byte[] _output = new byte[Blake3.OutputLength];
    private byte[] _input = [];

    [ParamsSource(nameof(Sizes))]
    public int Size { get; set; }

    /// <summary>The input sizes: the six, or those in <c>HELIOS_BENCH_HASH_SIZES</c>.</summary>
    public static IEnumerable<int> Sizes() => SizesFrom([64, 1024, 4096, 64 * 1024, 1024 * 1024, 64 * 1024 * 1024]);

    [GlobalSetup]
    public void CreateInput()
    {
        _input = new byte[Size];
        new Random(11).NextBytes(_input);
    }

    [Benchmark]
    public byte[] Blake3_hash()
    {
        Blake3.Hash(_input, _output);
        return _output;
    }

    internal static IEnumerable<int> SizesFrom(int[] defaults)
    {
        var text = Environment.GetEnvironmentVariable("HELIOS_BENCH_HASH_SIZES");
        return string.IsNullOrWhiteSpace(text)
            ? defaults
            : text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(s => int.Parse(s, CultureInfo.InvariantCulture));
    }
}

/// <summary>
/// <see cref="Blake3.HashParallel"/> on all cores (one thread pool thread per processor, the caller included) over the
/// inputs where it differs from one thread: 1 MiB and 64 MiB (or <c>HELIOS_BENCH_HASH_SIZES</c>).
/// </summary>
[Config(typeof(BytesPerSecondConfig))]
[BenchmarkCategory("Hashing", "ParallelHashing")]
public class ParallelHashingBenchmarks
{
    private readonly byte[] _output = new byte[Blake3.OutputLength];
    private byte[] _input = [];

    [ParamsSource(nameof(Sizes))]
    public int Size { get; set; }

    /// <summary>The sizes of <see cref="HashingBenchmarks"/> from <see cref="Blake3.ParallelThreshold"/> up (below it, one thread hashes).</summary>
    public static IEnumerable<int> Sizes() => HashingBenchmarks.SizesFrom([1024 * 1024, 64 * 1024 * 1024]).Where(size => size >= Blake3.ParallelThreshold);

    [GlobalSetup]
    public void CreateInput()
    {
        _input = new byte[Size];
        new Random(11).NextBytes(_input);
    }

    [Benchmark]
    public byte[] Blake3_hash_parallel()
    {
        Blake3.HashParallel(_input, _output);
        return _output;
    }
}
