using System.CommandLine;
using System.Globalization;
using Helios.Core.Memory;
using Helios.Core.Refs;

namespace Helios.Cli.Commands;

/// <summary>memory list|derive|show|diff|merge|discard|log|verify: agent memory branches for humans.</summary>
internal static class MemoryCommands
{
    public static void Add(RootCommand root, CliContext context)
    {
        var memory = new Command("memory", "Agent memory branches: derive, inspect, merge back with a strategy or discard; audit the signed merge log.");

        var all = new Option<bool>("--all") { Description = "Include discarded branches." };
        var json = new Option<bool>("--json") { Description = "One JSON document." };
        var orphans = new Option<string?>("--orphans") { Description = "Only branches inactive for longer than this (e.g. 2h, 30m, 7d)." };
        memory.Subcommands.Add(CommandBuilder.Create("list", "Memory branches with their lineage: parent, derived-from commit, agent, created, last active, status.",
            p => List(context, p.GetValue(all), p.GetValue(json), p.GetValue(orphans)), all, json, orphans));

        var parent = new Argument<string>("parent") { Description = "The branch to derive from." };
        var child = new Argument<string>("child") { Description = "The new memory branch." };
        memory.Subcommands.Add(CommandBuilder.Create("derive", "Create a memory branch from a parent branch (O(1); reads fall through to the parent's state).",
            p => Derive(context, p.GetValue(parent)!, p.GetValue(child)!), parent, child));

        var discardChild = new Argument<string?>("child") { Description = "The memory branch to discard.", Arity = ArgumentArity.ZeroOrOne };
        var discardOrphans = new Option<string?>("--orphans") { Description = "Discard every branch inactive for longer than this (e.g. 2h) instead." };
        memory.Subcommands.Add(CommandBuilder.Create("discard", "Delete a memory branch without merging it (O(1); undo brings it back until gc).",
            p => Discard(context, p.GetValue(discardChild), p.GetValue(discardOrphans)), discardChild, discardOrphans));

        MemoryInspectCommands.Add(memory, context);
        root.Subcommands.Add(memory);
    }

    private static int List(CliContext context, bool all, bool json, string? orphans)
    {
        var memory = new AgentMemory(context.Repository);
        var branches = orphans is { } limit ? memory.Orphans(ParseDuration(limit)) : memory.List(all);
        if (json)
        {
            HistoryCommands.WriteJson(context, w =>
            {
                w.WriteStartArray();
                foreach (var b in branches)
                {
                    w.WriteStartObject();
                    w.WriteString("branch", b.Branch.Value);
                    w.WriteString("parent", b.Parent.Value);
                    w.WriteString("derivedFrom", b.DerivedFrom.ToString());
                    w.WriteString("agent", b.Agent);
                    w.WriteString("created", b.Created.ToString("o", CultureInfo.InvariantCulture));
                    w.WriteString("lastActive", b.LastActive.ToString("o", CultureInfo.InvariantCulture));
                    w.WriteString("status", Status(b.Status));
                    w.WriteString("head", b.Head?.ToString());
                    w.WriteEndObject();
                }

                w.WriteEndArray();
            });
            return ExitCodes.Success;
        }

        foreach (var b in branches)
        {
            context.Out.WriteLine($"{b.Branch}  {Status(b.Status)}  parent {b.Parent} from {b.DerivedFrom.ToShortString()}  agent {(b.Agent.Length > 0 ? b.Agent : "-")}  created {Time(b.Created)}  active {Time(b.LastActive)}  head {b.Head?.ToShortString() ?? "(deleted)"}");
        }

        return ExitCodes.Success;
    }

    private static int Derive(CliContext context, string parent, string child)
    {
        var info = new AgentMemory(context.Repository).Derive(BranchName.Parse(parent), BranchName.Parse(child), context.Agent);
        context.Out.WriteLine($"Derived {info.Branch} from {info.Parent} at {info.DerivedFrom.ToShortString()}.");
        return ExitCodes.Success;
    }

    private static int Discard(CliContext context, string? child, string? orphans)
    {
        var memory = new AgentMemory(context.Repository);
        if (child is null == orphans is null)
        {
            throw new Core.Errors.HeliosException(Core.Errors.HeliosErrorCode.InvalidArgument, "Name the memory branch to discard, or give --orphans DURATION (one of the two).");
        }

        var discarded = orphans is { } limit
            ? memory.DiscardOrphans(ParseDuration(limit), context.Agent)
            : [memory.Discard(BranchName.Parse(child!), context.Agent)];
        foreach (var d in discarded)
        {
            context.Out.WriteLine($"Discarded {d.Branch} ('helios undo' restores it until gc).");
        }

        return ExitCodes.Success;
    }

    private static TimeSpan ParseDuration(string text) =>
        Configuration.ConfigValues.TryParseDuration(text, out var duration)
            ? duration
            : throw new Core.Errors.HeliosException(Core.Errors.HeliosErrorCode.InvalidArgument, $"--orphans takes a duration such as 30m, 2h or 7d, not '{text}'.");

    private static string Status(MemoryBranchStatus status) => status.ToString().ToLowerInvariant();

    private static string Time(DateTimeOffset time) => time.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
}
