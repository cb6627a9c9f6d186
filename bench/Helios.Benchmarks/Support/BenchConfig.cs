using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Helios.Benchmarks.Support;

/// <summary>Columns every Helios benchmark shows: the median (targets are medians), P95 and allocations.</summary>
public class BenchConfig : ManualConfig
{
    public BenchConfig()
    {
        AddColumn(StatisticColumn.Median, StatisticColumn.P95);
        AddDiagnoser(MemoryDiagnoser.Default);
    }
}

/// <summary><see cref="BenchConfig"/> plus operations per second (from the mean), for throughput benchmarks.</summary>
public class ThroughputConfig : BenchConfig
{
    public ThroughputConfig() => AddColumn(StatisticColumn.OperationsPerSecond);
}

/// <summary><see cref="BenchConfig"/> plus input megabytes per second (from the median) for benchmarks with a <c>Size</c> parameter.</summary>
public class BytesPerSecondConfig : BenchConfig
{
    public BytesPerSecondConfig() => AddColumn(new MegabytesPerSecondColumn());
}

/// <summary>10^6 bytes per second of the median time, for a benchmark whose <c>Size</c> parameter is its input in bytes.</summary>
internal sealed class MegabytesPerSecondColumn : IColumn
{
    public string Id => nameof(MegabytesPerSecondColumn);

    public string ColumnName => "MB/s";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 0;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => "Input bytes per second at the median time, in MB (10^6 bytes)";

    public bool IsAvailable(Summary summary) => true;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, summary.Style);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        double? medianNs = summary[benchmarkCase]?.ResultStatistics?.Median;
        return medianNs is > 0 && benchmarkCase.Parameters["Size"] is int bytes
            ? (bytes / (medianNs.Value / 1e9) / 1e6).ToString("N0", System.Globalization.CultureInfo.InvariantCulture)
            : "NA";
    }
}
