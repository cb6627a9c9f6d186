using System.Globalization;
using System.Text;
using Helios.Core.Repositories;
using Helios.Core.Statistics;

namespace Helios.Cli.Maintenance;

/// <summary>
/// <c>.helios/metrics</c>: one line per CLI process that opened the repository, appended when it ends, so
/// <c>helios stats</c> can report what no single short-lived process sees: commit latency percentiles and cache
/// hit ratios over recent commands. A line is
/// <c>1 UNIX_MS commit_us|- L0HITS L0MISSES L1HITS L1MISSES L2HITS L2MISSES</c>, written with one append
/// (lines under the pipe-buffer size are not interleaved by concurrent appenders). Metrics are best effort: a
/// failed append is ignored and a malformed line skipped. When the file grows past <see cref="MaxBytes"/>, the
/// reader keeps its newest half (an append racing that rewrite may be lost; these are metrics, not history).
/// </summary>
internal static class MetricsLog
{
    public const string FileName = "metrics";
    private const long MaxBytes = 1 << 20;

    /// <summary>How many of the newest lines stats reads.</summary>
    public const int RecentLines = 1000;

    public static void Append(string commonDirectory, TimeSpan? commit, CacheStatistics cache)
    {
        var line = string.Create(CultureInfo.InvariantCulture,
            $"1 {DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()} {(commit is { } c ? ((long)(c.Ticks / 10)).ToString(CultureInfo.InvariantCulture) : "-")} " +
            $"{cache.L0.Hits} {cache.L0.Misses} {cache.L1.Hits} {cache.L1.Misses} {cache.L2.Hits} {cache.L2.Misses}\n");
        try
        {
            using var file = new FileStream(Path.Combine(commonDirectory, FileName), FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.None);
            file.Write(Encoding.ASCII.GetBytes(line));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Metrics never fail a command.
        }
    }

    /// <summary>Commit latencies and summed cache counts (L0, L1, L2) of the newest <see cref="RecentLines"/> lines.</summary>
    public static (List<TimeSpan> Commits, TierCounts[] Tiers) Read(string commonDirectory)
    {
        string path = Path.Combine(commonDirectory, FileName);
        var commits = new List<TimeSpan>();
        var sums = new long[6];
        string[] lines;
        try
        {
            lines = File.Exists(path) ? File.ReadAllLines(path) : [];
            if (new FileInfo(path) is { Exists: true, Length: > MaxBytes })
            {
                string temp = path + ".tmp";
                File.WriteAllLines(temp, lines[(lines.Length / 2)..]);
                File.Move(temp, path, overwrite: true);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            lines = [];
        }

        foreach (var line in lines.Length > RecentLines ? lines[^RecentLines..] : lines)
        {
            var parts = line.Split(' ');
            if (parts.Length != 9 || parts[0] != "1")
            {
                continue;
            }

            var counts = new long[6];
            bool ok = true;
            for (int i = 0; i < 6 && ok; i++)
            {
                ok = long.TryParse(parts[3 + i], NumberStyles.None, CultureInfo.InvariantCulture, out counts[i]);
            }

            if (!ok)
            {
                continue;
            }

            for (int i = 0; i < 6; i++)
            {
                sums[i] += counts[i];
            }

            if (long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out long micros))
            {
                commits.Add(TimeSpan.FromTicks(micros * 10));
            }
        }

        return (commits, [new(sums[0], sums[1]), new(sums[2], sums[3]), new(sums[4], sums[5])]);
    }
}
