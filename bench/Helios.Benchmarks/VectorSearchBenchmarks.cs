using System.Globalization;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using Helios.Benchmarks.Support;
using Helios.Core.Collections.Search;

namespace Helios.Benchmarks;

/// <summary>
/// Exact top-10 search over <see cref="Vectors"/> × 384 float32 vectors held in blocks of 32 rows (the size of a
/// collection leaf), on one thread; the GB/s column is the vector bytes scanned over the median time.
/// </summary>
[Config(typeof(VectorScanConfig))]
[BenchmarkCategory("VectorSearch")]
public class VectorSearchBenchmarks
{
    private VectorBlock[] _blocks = [];
    private float[] _query = [];

    [Params(100_000)]
    public int Vectors { get; set; }

    [Params(SimilarityMetric.Cosine, SimilarityMetric.Dot)]
    public SimilarityMetric Metric { get; set; }

    [GlobalSetup]
    public void CreateBlocks() => (_blocks, _query) = VectorScanData.Create(Vectors);

    [Benchmark]
    public IReadOnlyList<SearchHit> Top10() => VectorSearch.Search(_query, _blocks, 10, Metric);
}

/// <summary>
/// The dot-product kernel alone at each width (float lanes: 1 scalar, 4, 8, 16 = 128, 256, 512 bits) over the same
/// 100,000 × 384 vectors, no top-k: shows how much of the search is compute and how much memory bandwidth.
/// </summary>
[Config(typeof(VectorScanConfig))]
[BenchmarkCategory("VectorSearch", "VectorKernel")]
public class VectorKernelBenchmarks
{
    private readonly float[] _scores = new float[VectorScanData.RowsPerBlock];
    private VectorBlock[] _blocks = [];
    private float[] _query = [];

    [Params(100_000)]
    public int Vectors { get; set; }

    [Params(1, 4, 8, 16)]
    public int Lanes { get; set; }

    [GlobalSetup]
    public void CreateBlocks() => (_blocks, _query) = VectorScanData.Create(Vectors);

    [Benchmark]
    public float Dot_every_row()
    {
        float sum = 0;
        var width = (KernelWidth)Lanes;
        foreach (var block in _blocks)
        {
            SimilarityKernels.Dot(_query, block, _scores, width);
            sum += _scores[0];
        }

        return sum;
    }
}

internal static class VectorScanData
{
    public const int Dimension = 384;
    public const int RowsPerBlock = 32;

    /// <summary>Uniform random vectors in [-1, 1), keys like a knowledge base's, built block by block as leaves would be.</summary>
    public static (VectorBlock[] Blocks, float[] Query) Create(int vectors)
    {
        var random = new Random(384);
        var blocks = new List<VectorBlock>();
        var builder = new VectorBlock.Builder(Dimension, RowsPerBlock);
        var vector = new float[Dimension];
        for (int i = 0; i < vectors; i++)
        {
            Fill(random, vector);
            builder.Add($"patterns/{i:D7}", vector);
            if (builder.Count == RowsPerBlock)
            {
                blocks.Add(builder.Build());
            }
        }

        if (builder.Count > 0)
        {
            blocks.Add(builder.Build());
        }

        var query = new float[Dimension];
        Fill(random, query);
        return ([.. blocks], query);
    }

    private static void Fill(Random random, float[] vector)
    {
        for (int i = 0; i < vector.Length; i++)
        {
            vector[i] = (float)((random.NextDouble() * 2) - 1);
        }
    }
}

/// <summary><see cref="BenchConfig"/> plus the memory bandwidth a vector scan reached.</summary>
public class VectorScanConfig : BenchConfig
{
    public VectorScanConfig() => AddColumn(new ScanBandwidthColumn());
}

/// <summary>Vector bytes scanned (Vectors × 384 × 4) per second at the median time, in GB (10^9 bytes).</summary>
internal sealed class ScanBandwidthColumn : IColumn
{
    public string Id => nameof(ScanBandwidthColumn);

    public string ColumnName => "GB/s";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 0;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => "Vector bytes scanned (Vectors x 384 x 4) per second at the median time, in GB (10^9 bytes)";

    public bool IsAvailable(Summary summary) => true;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, summary.Style);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        double? medianNs = summary[benchmarkCase]?.ResultStatistics?.Median;
        return medianNs is > 0 && benchmarkCase.Parameters["Vectors"] is int vectors
            ? (vectors * (double)VectorScanData.Dimension * sizeof(float) / medianNs.Value).ToString("N2", CultureInfo.InvariantCulture)
            : "NA";
    }
}
