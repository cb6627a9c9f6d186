using System.CommandLine;
using System.Globalization;
using Helios.Cli.Configuration;
using Helios.Cli.Maintenance;
using Helios.Core.Errors;
using Helios.Core.Gc;
using Helios.Core.WorkingTrees;

namespace Helios.Cli.Commands;

/// <summary>gc: deletes unreachable objects older than the grace period; optionally expires old log records and discarded experiments.</summary>
internal static class GcCommand
{
    public static void Add(RootCommand root, CliContext context)
    {
        var before = new Option<string?>("--before") { Description = "Also forget operation-log records and discarded experiments older than this (e.g. 48h), so what only they kept is collected." };
        var removeOld = new Option<bool>("--remove-old-snapshots") { Description = "The seed's spelling: with --before, the same as --before alone; without it, uses cleanup.snapshot_ttl." };
        var aggressive = new Option<bool>("--aggressive") { Description = "Also recompress and re-delta every kept object (when the store can) and rewrite the store compactly (SQLite VACUUM); O(store size)." };
        var dryRun = new Option<bool>("--dry-run") { Description = "Report what would be expired and deleted (counts and bytes); change nothing." };
        var grace = new Option<string?>("--grace") { Description = "Keep every object stored less than this long ago, with all it reaches (default 1h). Shorter is safe only when no one else is writing." };
        var json = new Option<bool>("--json") { Description = "One JSON document with the figures." };
        var auto = new Option<bool>("--auto") { Description = "Run as automatic gc does (started in the background by other commands): --before cleanup.snapshot_ttl, silent, and do nothing when another gc holds the lock.", Hidden = true };
        root.Subcommands.Add(CommandBuilder.Create("gc",
            "Delete objects nothing reaches (refs, the operation log, worktrees) that are older than the grace period; reclaim disk space.",
            p => Run(context, p.GetValue(before), p.GetValue(removeOld), p.GetValue(aggressive), p.GetValue(dryRun), p.GetValue(grace), p.GetValue(json), p.GetValue(auto)),
            before, removeOld, aggressive, dryRun, grace, json, auto));
    }

    private static int Run(CliContext context, string? before, bool removeOld, bool aggressive, bool dryRun, string? grace, bool json, bool auto)
    {
        context.SkipMetrics = true;
        var layout = context.Layout;
        var config = HeliosConfig.Load(layout.CommonDirectory);
        TimeSpan? expireAge = before is { } text ? Duration("--before", text) : removeOld || auto ? config.SnapshotTtl : null;
        using var gcLock = dryRun ? null : AutoGc.TryLock(layout.CommonDirectory);
        if (!dryRun && gcLock is null)
        {
            if (auto)
            {
                return ExitCodes.Success;
            }

            throw new HeliosException(HeliosErrorCode.Conflict, $"Another gc is running in this repository (it holds {Path.Combine(layout.CommonDirectory, AutoGc.LockFile)}); wait for it to finish.");
        }

        var repository = context.Repository;
        var options = new GcOptions
        {
            GracePeriod = grace is { } g ? Duration("--grace", g) : GcOptions.DefaultGracePeriod,
            ExpireBefore = expireAge is { } age ? repository.Options.Clock.GetUtcNow() - age : null,
            DryRun = dryRun,
            Aggressive = aggressive,
            ExtraRoots = WorktreeGcRoots.Collect(layout),
            Agent = context.Agent,
        };
        var progress = !auto && CliContext.IsInteractive && !Console.IsErrorRedirected ? new TerminalProgress(context.Error) : null;
        var report = GarbageCollector.Collect(repository, options, progress);
        progress?.Done();
        if (auto)
        {
            return ExitCodes.Success;
        }

        if (json)
        {
            HistoryCommands.WriteJson(context, w =>
            {
                w.WriteStartObject();
                w.WriteBoolean("dry_run", report.DryRun);
                w.WriteNumber("objects_before", report.ObjectsBefore);
                w.WriteNumber("objects_after", report.ObjectsAfter);
                w.WriteNumber("stored_bytes_before", report.StoredBytesBefore);
                w.WriteNumber("stored_bytes_after", report.StoredBytesAfter);
                w.WriteNumber("reachable", report.Reachable);
                w.WriteNumber("kept_young", report.KeptYoung);
                w.WriteNumber("kept_as_delta_base", report.KeptAsDeltaBase);
                w.WriteNumber("deleted", report.Deleted);
                w.WriteNumber("deleted_stored_bytes", report.DeletedStoredBytes);
                w.WriteNumber("deleted_logical_bytes", report.DeletedLogicalBytes);
                w.WriteNumber("operations_expired", report.OperationsExpired);
                w.WriteNumber("rewritten", report.Rewritten);
                w.WriteNumber("rewritten_stored_bytes_before", report.RewrittenStoredBytesBefore);
                w.WriteNumber("rewritten_stored_bytes_after", report.RewrittenStoredBytesAfter);
                w.WriteStartArray("experiments_expired");
                foreach (var name in report.ExperimentsExpired)
                {
                    w.WriteStringValue(name);
                }

                w.WriteEndArray();
                if (report.SpaceBefore is { } sb && report.SpaceAfter is { } sa)
                {
                    w.WriteNumber("disk_bytes_before", sb.FileBytes);
                    w.WriteNumber("disk_bytes_after", sa.FileBytes);
                    w.WriteNumber("free_bytes_after", sa.FreeBytes);
                }

                w.WriteNumber("grace_period_seconds", options.GracePeriod.TotalSeconds);
                w.WriteNumber("seconds", Math.Round(report.Elapsed.TotalSeconds, 3));
                w.WriteEndObject();
            });
            return ExitCodes.Success;
        }

        var o = context.Out;
        string verb = report.DryRun ? "would delete" : "deleted";
        o.WriteLine($"objects: {report.ObjectsBefore} before, {report.ObjectsAfter} after ({Size(report.StoredBytesBefore)} -> {Size(report.StoredBytesAfter)} stored)");
        o.WriteLine($"{verb}: {report.Deleted} objects ({Size(report.DeletedStoredBytes)} stored, {Size(report.DeletedLogicalBytes)} uncompressed)");
        o.WriteLine($"kept: {report.Reachable} reachable, {report.KeptYoung} younger than the grace period ({Format(options.GracePeriod)}), {report.KeptAsDeltaBase} as delta bases");
        if (options.ExpireBefore is not null)
        {
            string forget = report.DryRun ? "would expire" : "expired";
            o.WriteLine($"{forget}: {report.OperationsExpired} operation-log records, {report.ExperimentsExpired.Count} discarded experiments" +
                (report.ExperimentsExpired.Count > 0 ? $" ({string.Join(", ", report.ExperimentsExpired)})" : ""));
        }

        if (report.Rewritten > 0)
        {
            o.WriteLine($"rewritten: {report.Rewritten} objects, {Size(report.RewrittenStoredBytesBefore)} -> {Size(report.RewrittenStoredBytesAfter)} stored");
        }

        if (report.SpaceBefore is { } before0 && report.SpaceAfter is { } after0)
        {
            o.WriteLine($"disk: {Size(before0.FileBytes)} -> {Size(after0.FileBytes)} ({Size(after0.FreeBytes)} free inside the store{(aggressive || report.DryRun ? "" : "; --aggressive returns it to the disk")})");
        }

        o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"took {report.Elapsed.TotalSeconds:0.000} s"));
        return ExitCodes.Success;
    }

    private static TimeSpan Duration(string option, string text) =>
        ConfigValues.TryParseDuration(text, out var duration)
            ? duration
            : throw new HeliosException(HeliosErrorCode.InvalidArgument, $"{option} takes a duration such as 30m, 48h or 7d, not '{text}'.");

    private static string Format(TimeSpan span) =>
        span == TimeSpan.Zero ? "0s"
        : span.Ticks % TimeSpan.TicksPerHour == 0 ? string.Create(CultureInfo.InvariantCulture, $"{(long)span.TotalHours}h")
        : span.Ticks % TimeSpan.TicksPerMinute == 0 ? string.Create(CultureInfo.InvariantCulture, $"{(long)span.TotalMinutes}m")
        : string.Create(CultureInfo.InvariantCulture, $"{span.TotalSeconds:0.###}s");

    internal static string Size(long bytes) => bytes switch
    {
        < 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes} B"),
        < 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.0} KiB"),
        < 1024L * 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024):0.0} MiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024 * 1024):0.00} GiB"),
    };

    /// <summary>One self-overwriting status line on a terminal's stderr, reported on the calling thread.</summary>
    private sealed class TerminalProgress(TextWriter error) : IProgress<GcProgress>
    {
        public void Report(GcProgress value)
        {
            string phase = value.Phase switch
            {
                GcPhase.Expire => "expiring old records",
                GcPhase.Mark => "marking reachable objects",
                GcPhase.Sweep => "deleting unreachable objects",
                GcPhase.Rewrite => "recompressing kept objects",
                _ => "reclaiming disk space",
            };
            error.Write(value.Total is { } total
                ? $"\rgc: {phase}: {value.Completed}/{total}\u001b[K"
                : $"\rgc: {phase}: {value.Completed}\u001b[K");
        }

        public void Done() => error.Write("\r\u001b[K");
    }
}
