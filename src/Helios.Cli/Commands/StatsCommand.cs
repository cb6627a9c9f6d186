using System.CommandLine;
using System.Globalization;
using Helios.Cli.Configuration;
using Helios.Cli.Maintenance;
using Helios.Core.Statistics;

namespace Helios.Cli.Commands;

/// <summary>stats: storage, history and performance figures, one <c>name: value</c> per line (grep-able) or one JSON document.</summary>
internal static class StatsCommand
{
    private const string Description = "Print repository statistics (sizes, ratios, cache hit ratios, commit latency), one 'name: value' per line.";

    /// <summary>What each name means, printed after the usual help of <c>stats --help</c> (the root's list keeps one line).</summary>
    public const string Fields = """
        Fields:
          objects, logical_bytes, stored_bytes   stored objects; their canonical size; their size on disk (zstd, deltas)
          reachable_objects                      objects reachable from refs and the operation log (the rest await gc)
          dedup_ratio                            bytes every reachable commit would take as a full copy / bytes of the distinct objects they share
          compression_ratio                      logical_bytes / stored_bytes
          cache_hit_ratio[_l0|_l1|_l2]           over the last 1000 commands (.helios/metrics): share of object lookups served by L0+L1; per tier
          commit_latency_p50|p95|p99             over the last 1000 'helios commit' runs (time inside the commit, in ms)
          commits_per_hour                       commits and merges the operation log records in the last 60 minutes
          branches, experiments, active_snapshots  local branches; experiment records; experiments still active
          storage_utilization                    stored_bytes / bytes of the store's files (the rest: indexes, refs, log, free pages)
          disk_bytes, free_bytes                 the store's files (database + write-ahead log); free pages inside them
          memory_usage                           bytes this process holds (working set) after measuring; memory_cache_budget: L0 + L1 limits
        """;

    public static void Add(RootCommand root, CliContext context)
    {
        var json = new Option<bool>("--json") { Description = "One JSON document with the same names." };
        root.Subcommands.Add(CommandBuilder.Create("stats", Description, p => Run(context, p.GetValue(json)), json));
    }

    private static int Run(CliContext context, bool json)
    {
        context.SkipMetrics = true;
        var layout = context.Layout;
        var config = HeliosConfig.Load(layout.CommonDirectory);
        var (commits, tiers) = MetricsLog.Read(layout.CommonDirectory);
        var stats = RepositoryStatsCollector.Collect(context.Repository, new RepositoryStatsOptions { CommitLatencies = commits, CacheTiers = tiers });
        long lookups = tiers[0].Hits + tiers[0].Misses;
        double? overall = lookups == 0 ? null : (double)(tiers[0].Hits + tiers[1].Hits) / lookups;
        long budget = config.L0CacheBytes + config.L1CacheBytes;
        var values = new List<(string Name, object? Value)>
        {
            ("objects", stats.Objects),
            ("logical_bytes", stats.LogicalBytes),
            ("stored_bytes", stats.StoredBytes),
            ("reachable_objects", stats.ReachableObjects),
            ("snapshot_bytes", stats.SnapshotBytes),
            ("dedup_ratio", Round(stats.DedupRatio)),
            ("compression_ratio", Round(stats.CompressionRatio)),
            ("cache_hit_ratio", Round(overall)),
            ("cache_hit_ratio_l0", Round(tiers[0].HitRatio)),
            ("cache_hit_ratio_l1", Round(tiers[1].HitRatio)),
            ("cache_hit_ratio_l2", Round(tiers[2].HitRatio)),
            ("commit_latency_p50", Millis(stats.CommitLatency, stats.CommitLatency.P50)),
            ("commit_latency_p95", Millis(stats.CommitLatency, stats.CommitLatency.P95)),
            ("commit_latency_p99", Millis(stats.CommitLatency, stats.CommitLatency.P99)),
            ("commit_latency_samples", stats.CommitLatency.Count),
            ("commits_per_hour", stats.CommitsLastHour),
            ("branches", stats.Branches),
            ("experiments", stats.Experiments),
            ("active_snapshots", stats.ActiveExperiments),
            ("operations", stats.Operations),
            ("storage_utilization", Round(stats.StorageUtilization)),
            ("disk_bytes", stats.Disk?.FileBytes),
            ("free_bytes", stats.Disk?.FreeBytes),
            ("memory_usage", Environment.WorkingSet),
            ("memory_cache_budget", budget),
        };
        if (json)
        {
            HistoryCommands.WriteJson(context, w =>
            {
                w.WriteStartObject();
                foreach (var (name, value) in values)
                {
                    switch (value)
                    {
                        case null: w.WriteNull(name); break;
                        case double d: w.WriteNumber(name, d); break;
                        case long l: w.WriteNumber(name, l); break;
                        case int i: w.WriteNumber(name, i); break;
                    }
                }

                w.WriteEndObject();
            });
            return ExitCodes.Success;
        }

        foreach (var (name, value) in values)
        {
            context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name}: {(value is null ? "n/a" : value is double d ? d.ToString(CultureInfo.InvariantCulture) : Convert.ToString(value, CultureInfo.InvariantCulture))}"));
        }

        return ExitCodes.Success;
    }

    private static double? Round(double? value) => value is { } v ? Math.Round(v, 3) : null;

    private static double? Millis(LatencySummary summary, TimeSpan value) => summary.Count == 0 ? null : Math.Round(value.TotalMilliseconds, 3);
}
