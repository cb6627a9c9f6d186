using BenchmarkDotNet.Attributes;
using Helios.Benchmarks.Support;
using Helios.Core.Hashing;

namespace Helios.Benchmarks;

/// <summary>One-shot BLAKE3 over inputs from 64 B to 1 MiB; the MB/s column is input bytes over the median time.</summary>
[Config(typeof(BytesPerSecondConfig))]
[BenchmarkCategory("Hashing")]
public class HashingBenchmarks
{
    private readonly byte[] _output = new byte[Blake3.OutputLength];
    private byte[] _input = [];

    [Params(64, 1024, 4096, 64 * 1024, 1024 * 1024)]
    public int Size { get; set; }

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
}
