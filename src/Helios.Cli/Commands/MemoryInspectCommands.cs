using System.CommandLine;
using System.Text;
using System.Text.Json;
using Helios.Core.Collections;
using Helios.Core.Errors;
using Helios.Core.Memory;
using Helios.Core.Merging;
using Helios.Core.Objects;
using Helios.Core.Refs;

namespace Helios.Cli.Commands;

/// <summary>memory show|diff|merge|log|verify: reading collections, merging memory branches, auditing the merge log.</summary>
internal static class MemoryInspectCommands
{
    public static void Add(Command memory, CliContext context)
    {
        var json = new Option<bool>("--json") { Description = "One JSON document." };

        var revision = new Argument<string>("revision") { Description = "The branch or commit (default HEAD).", Arity = ArgumentArity.ZeroOrOne, DefaultValueFactory = _ => "HEAD" };
        var collection = new Option<string?>("--collection", "-c") { Description = "Show this collection's keys (or one key with --key)." };
        var key = new Option<string?>("--key", "-k") { Description = "Show this key's value." };
        var limit = new Option<int>("-n") { Description = "At most this many keys (default 20).", DefaultValueFactory = _ => 20 };
        memory.Subcommands.Add(CommandBuilder.Create("show", "The collections a commit records (name, dimension, keys), a collection's keys, or one value.",
            p => Show(context, p.GetValue(revision)!, p.GetValue(collection), p.GetValue(key), p.GetValue(limit), p.GetValue(json)), revision, collection, key, limit, json));

        var from = new Argument<string>("from") { Description = "The older branch or commit." };
        var to = new Argument<string>("to") { Description = "The newer branch or commit." };
        var diffCollection = new Option<string?>("--collection", "-c") { Description = "Only this collection." };
        memory.Subcommands.Add(CommandBuilder.Create("diff", "Keys added (+), changed (M) and deleted (-) in each collection from one commit to another.",
            p => Diff(context, p.GetValue(from)!, p.GetValue(to)!, p.GetValue(diffCollection), p.GetValue(json)), from, to, diffCollection, json));

        var child = new Argument<string>("child") { Description = "The memory branch to merge into the branch it was derived from." };
        var strategy = new Option<string>("--strategy", "-s") { Description = "parent-wins, child-wins, newest-wins or manual (default: conflicts are refused).", DefaultValueFactory = _ => "manual" };
        var dryRun = new Option<bool>("--dry-run") { Description = "Print the report; write nothing." };
        memory.Subcommands.Add(CommandBuilder.Create("merge", "Merge a memory branch back into its parent with a strategy; records a signed merge-log entry.",
            p => Merge(context, p.GetValue(child)!, p.GetValue(strategy)!, p.GetValue(dryRun), p.GetValue(json)), child, strategy, dryRun, json));

        var export = new Option<string?>("--export") { Description = "Write the log to this file (records plus a signed trailer) for offline verification." };
        var publicKey = new Option<bool>("--public-key") { Description = "Print the repository's merge-log public key (PEM)." };
        memory.Subcommands.Add(CommandBuilder.Create("log", "The memory merge log, newest first: who merged what, when, with which strategy and conflicts.",
            p => Log(context, p.GetValue(json), p.GetValue(export), p.GetValue(publicKey)), json, export, publicKey));

        var file = new Argument<string?>("file") { Description = "An exported log file (default: the repository's log).", Arity = ArgumentArity.ZeroOrOne };
        var keyFile = new Option<string?>("--key") { Description = "The public key (PEM) to verify with (default: the key the repository stores)." };
        memory.Subcommands.Add(CommandBuilder.Create("verify", "Check every merge-log record's hash chain and signature; names the first bad record.",
            p => Verify(context, p.GetValue(file), p.GetValue(keyFile)), file, keyFile));
    }

    private static int Show(CliContext context, string revision, string? collection, string? key, int limit, bool json)
    {
        if (limit < 0)
        {
            throw new HeliosException(HeliosErrorCode.InvalidArgument, $"-n takes a number of keys (0 or more), not {limit}.");
        }

        var repository = context.Repository;
        var memory = new AgentMemory(repository);
        var commit = repository.ReadCommit(repository.ResolveRevision(revision));
        var tree = memory.Collections;
        if (collection is null)
        {
            var roots = commit.Roots.Where(r => r.Type == ObjectType.Collection).ToArray();
            if (json)
            {
                HistoryCommands.WriteJson(context, w =>
                {
                    w.WriteStartArray();
                    foreach (var r in roots)
                    {
                        var h = tree.ReadHeader(r.Id);
                        w.WriteStartObject();
                        w.WriteString("name", r.Name);
                        w.WriteNumber("dimension", h.Dimension);
                        w.WriteNumber("count", h.Count);
                        w.WriteString("id", r.Id.ToString());
                        w.WriteEndObject();
                    }

                    w.WriteEndArray();
                });
                return ExitCodes.Success;
            }

            foreach (var r in roots)
            {
                var h = tree.ReadHeader(r.Id);
                context.Out.WriteLine($"{r.Name}  {h.Count} keys  {(h.Dimension > 0 ? $"{h.Dimension}-dimension vectors" : "no vectors")}  {r.Id.ToShortString()}");
            }

            return ExitCodes.Success;
        }

        var root = commit.FindRoot(collection) is { Type: ObjectType.Collection } found ? found
            : throw new NotFoundException(collection, $"{revision} records no collection named '{collection}'.");
        int dimension = tree.ReadHeader(root.Id).Dimension;
        var entries = key is not null
            ? (tree.TryGet(root.Id, key) is { } value ? [new(key, value)] : throw new NotFoundException(key, $"Collection '{collection}' at {revision} has no key '{key}'."))
            : tree.Scan(root.Id, "").Take(limit).ToArray();
        if (json)
        {
            HistoryCommands.WriteJson(context, w =>
            {
                w.WriteStartArray();
                foreach (var (k, v) in entries)
                {
                    w.WriteStartObject();
                    w.WriteString("key", k);
                    WriteValue(w, v, dimension);
                    w.WriteEndObject();
                }

                w.WriteEndArray();
            });
            return ExitCodes.Success;
        }

        foreach (var (k, v) in entries)
        {
            context.Out.WriteLine($"{k}  {Describe(v, dimension)}");
        }

        return ExitCodes.Success;
    }

    private static int Diff(CliContext context, string from, string to, string? only, bool json)
    {
        var repository = context.Repository;
        var memory = new AgentMemory(repository);
        var a = repository.ReadCommit(repository.ResolveRevision(from));
        var b = repository.ReadCommit(repository.ResolveRevision(to));
        var names = a.Roots.Concat(b.Roots).Where(r => r.Type == ObjectType.Collection && (only is null || r.Name == only))
            .Select(r => r.Name).Distinct(StringComparer.Ordinal).Order(Utf8NameComparer.Instance).ToArray();
        var changes = names.Select(name => (Name: name, Changes: Changes(memory, a.FindRoot(name), b.FindRoot(name)))).ToArray();
        if (json)
        {
            HistoryCommands.WriteJson(context, w =>
            {
                w.WriteStartObject();
                foreach (var (name, list) in changes)
                {
                    w.WriteStartArray(name);
                    foreach (var (kind, k) in list)
                    {
                        w.WriteStartObject();
                        w.WriteString("change", kind switch { '+' => "added", '-' => "deleted", _ => "changed" });
                        w.WriteString("key", k);
                        w.WriteEndObject();
                    }

                    w.WriteEndArray();
                }

                w.WriteEndObject();
            });
            return ExitCodes.Success;
        }

        foreach (var (name, list) in changes.Where(c => c.Changes.Count > 0))
        {
            context.Out.WriteLine($"collection {name}: {list.Count(c => c.Kind == '+')} added, {list.Count(c => c.Kind == 'M')} changed, {list.Count(c => c.Kind == '-')} deleted");
            foreach (var (kind, k) in list)
            {
                context.Out.WriteLine($"{kind} {k}");
            }
        }

        return ExitCodes.Success;
    }

    private static List<(char Kind, string Key)> Changes(AgentMemory memory, StateRoot? a, StateRoot? b)
    {
        var tree = memory.Collections;
        if (a?.Type != ObjectType.Collection) a = null;
        if (b?.Type != ObjectType.Collection) b = null;
        return (a, b) switch
        {
            (null, null) => [],
            (null, { } added) => tree.Scan(added.Id, "").Select(kv => ('+', kv.Key)).ToList(),
            ({ } removed, null) => tree.Scan(removed.Id, "").Select(kv => ('-', kv.Key)).ToList(),
            ({ } x, { } y) => tree.Diff(x.Id, y.Id).Select(c => (c.Old is null ? '+' : c.New is null ? '-' : 'M', c.Key)).ToList(),
        };
    }

    private static int Merge(CliContext context, string child, string strategyName, bool dryRun, bool json)
    {
        var memory = new AgentMemory(context.Repository);
        var options = new MemoryMergeOptions { Strategy = MergeStrategies.Parse(strategyName), DryRun = dryRun, Agent = context.Agent };
        MemoryMergeReport report;
        try
        {
            report = memory.Merge(BranchName.Parse(child), options);
        }
        catch (HeliosException e) when (e.Code == HeliosErrorCode.Conflict && options.Strategy == MergeStrategy.Manual)
        {
            // Show which keys conflict (a dry run writes nothing), then fail with the merge's own message.
            report = memory.Merge(BranchName.Parse(child), options with { DryRun = true });
            if (!report.HasUnresolvedConflicts)
            {
                throw; // Not a refusal over conflicts (another kind of conflict, such as a branch that kept moving).
            }

            Print(context, report, json, refused: true);
            context.Error.WriteLine($"helios: {e.Message}");
            return ExitCodes.NotDone;
        }

        Print(context, report, json);
        return report.HasUnresolvedConflicts ? ExitCodes.NotDone : ExitCodes.Success;
    }

    // refused: the report is a dry run standing in for a merge that was asked for and refused, so its
    // heading must not read as "would merge".
    private static void Print(CliContext context, MemoryMergeReport report, bool json, bool refused = false)
    {
        if (json)
        {
            HistoryCommands.WriteJson(context, w =>
            {
                w.WriteStartObject();
                w.WriteString("parent", report.Parent.Value);
                w.WriteString("child", report.Child.Value);
                w.WriteString("strategy", report.Strategy.Name());
                w.WriteBoolean("dryRun", report.DryRun);
                w.WriteString("base", report.Base.ToString());
                w.WriteString("parentBefore", report.ParentBefore.ToString());
                w.WriteString("parentAfter", report.ParentAfter?.ToString());
                w.WriteString("childHead", report.ChildHead.ToString());
                w.WriteString("reportHash", report.ReportHash.ToString());
                w.WriteString("logRecord", report.LogRecord?.ToString());
                w.WriteStartArray("collections");
                foreach (var c in report.Collections)
                {
                    w.WriteStartObject();
                    w.WriteString("name", c.Collection);
                    w.WriteNumber("added", c.Added);
                    w.WriteNumber("changed", c.Changed);
                    w.WriteNumber("deleted", c.Deleted);
                    w.WriteStartArray("conflicts");
                    foreach (var e in c.Conflicts)
                    {
                        w.WriteStartObject();
                        w.WriteString("key", e.Key);
                        w.WriteString("resolution", Resolution(report.Strategy, e.Resolution));
                        w.WriteEndObject();
                    }

                    w.WriteEndArray();
                    w.WriteEndObject();
                }

                w.WriteEndArray();
                w.WriteStartArray("roots");
                foreach (var r in report.Roots)
                {
                    w.WriteStartObject();
                    w.WriteString("name", r.Name);
                    w.WriteString("type", r.Type == ObjectType.Collection ? "collection" : "state-array");
                    w.WriteString("change", r.Change);
                    w.WriteString("resolution", r.Resolution);
                    w.WriteEndObject();
                }

                w.WriteEndArray();
                w.WriteEndObject();
            });
            return;
        }

        string outcome = refused ? "Not merged:" : report.DryRun ? "Would merge" : "Merged";
        context.Out.WriteLine($"{outcome} {report.Child} into {report.Parent} ({report.Strategy.Name()}){(report.ParentAfter is { } after ? $": {report.Parent} is now {after.ToShortString()}" : "")}.");
        foreach (var c in report.Collections)
        {
            context.Out.WriteLine($"  {c.Collection}: {c.Added} added, {c.Changed} changed, {c.Deleted} deleted, {c.Conflicts.Count()} conflicts");
            foreach (var e in c.Conflicts)
            {
                context.Out.WriteLine($"    conflict {e.Key}: {Resolution(report.Strategy, e.Resolution)}");
            }
        }

        foreach (var r in report.Roots)
        {
            context.Out.WriteLine($"  {r.Name}: {(r.Type == ObjectType.Collection ? "collection" : "state array")} {r.Change} by the child; the {r.Resolution}'s kept");
        }

        if (report.LogRecord is { } record)
        {
            context.Out.WriteLine($"  merge-log record {record.ToShortString()}, report {report.ReportHash.ToShortString()}");
        }
    }

    private static int Log(CliContext context, bool json, string? export, bool publicKey)
    {
        var log = new MergeLog(context.Repository);
        if (publicKey)
        {
            // PEM from .NET ends without a newline; a file redirected from stdout should end with one.
            context.Out.WriteLine(log.ExportPublicKeyPem().TrimEnd('\n'));
            return ExitCodes.Success;
        }

        if (export is not null)
        {
            // Written beside the target and renamed into place, so a failed export leaves no partial file.
            string temporary = export + ".tmp";
            try
            {
                using (var stream = File.Create(temporary))
                {
                    log.Export(stream);
                }

                File.Move(temporary, export, overwrite: true);
            }
            finally
            {
                File.Delete(temporary);
            }

            context.Out.WriteLine($"Exported {log.Records().Count()} merge-log record(s) to {export}; verify with 'helios memory verify {export} --key KEY.pem'.");
            return ExitCodes.Success;
        }

        var records = log.Records().ToArray();
        if (json)
        {
            HistoryCommands.WriteJson(context, w =>
            {
                w.WriteStartArray();
                foreach (var (id, r) in records)
                {
                    var e = r.Entry;
                    w.WriteStartObject();
                    w.WriteString("id", id.ToString());
                    w.WriteNumber("sequence", r.Sequence);
                    w.WriteString("time", r.Time.ToString("o", System.Globalization.CultureInfo.InvariantCulture));
                    w.WriteString("agent", e.Agent);
                    w.WriteString("parent", e.ParentBranch.Value);
                    w.WriteString("child", e.ChildBranch.Value);
                    w.WriteString("parentBefore", e.ParentBefore?.ToString());
                    w.WriteString("parentAfter", e.ParentAfter?.ToString());
                    w.WriteString("childBefore", e.ChildBefore?.ToString());
                    w.WriteString("childAfter", e.ChildAfter?.ToString());
                    w.WriteString("strategy", e.Strategy.Name());
                    w.WriteString("reportHash", e.ReportHash.ToString());
                    w.WriteStartArray("conflicts");
                    foreach (var c in e.Conflicts)
                    {
                        w.WriteStartObject();
                        w.WriteString("collection", c.Collection);
                        w.WriteString("key", c.Key);
                        w.WriteString("resolution", MergeLogConflict.Name(c.Resolution));
                        w.WriteEndObject();
                    }

                    w.WriteEndArray();
                    w.WriteEndObject();
                }

                w.WriteEndArray();
            });
            return ExitCodes.Success;
        }

        foreach (var (id, r) in records)
        {
            var e = r.Entry;
            context.Out.WriteLine($"#{r.Sequence} {id.ToShortString()}  {r.Time.ToLocalTime():yyyy-MM-dd HH:mm:ss}  {(e.Agent.Length > 0 ? e.Agent : "-")}  merged {e.ChildBranch} into {e.ParentBranch} ({e.Strategy.Name()})  {e.ParentBefore?.ToShortString() ?? "-"} -> {e.ParentAfter?.ToShortString() ?? "-"}  {e.Conflicts.Count} conflict(s)");
            foreach (var c in e.Conflicts)
            {
                context.Out.WriteLine($"    {c.Collection}:{c.Key} {MergeLogConflict.Name(c.Resolution)}");
            }
        }

        return ExitCodes.Success;
    }

    private static int Verify(CliContext context, string? file, string? keyFile)
    {
        MergeLogVerification result;
        using var key = keyFile is null ? null : MergeLogPublicKey.FromPem(File.ReadAllText(keyFile));
        if (file is not null)
        {
            if (key is null)
            {
                throw new HeliosException(HeliosErrorCode.InvalidArgument, "Verifying an exported log needs the public key: --key KEY.pem (from 'helios memory log --public-key').");
            }

            result = MergeLogVerifier.VerifyFile(File.ReadAllBytes(file), key);
        }
        else
        {
            result = new AgentMemory(context.Repository).VerifyLog(key);
        }

        if (!result.IsValid)
        {
            context.Error.WriteLine($"helios: {result}");
            return ExitCodes.Corruption;
        }

        context.Out.WriteLine(result.ToString());
        return ExitCodes.Success;
    }

    /// <summary>The words the merge log uses (<see cref="MergeLogConflict.Name"/>), so a report and its record read alike.</summary>
    private static string Resolution(MergeStrategy strategy, ConflictChoice? choice) => choice switch
    {
        ConflictChoice.Ours => strategy == MergeStrategy.NewestWins ? "newest:parent" : "parent",
        ConflictChoice.Theirs => strategy == MergeStrategy.NewestWins ? "newest:child" : "child",
        ConflictChoice.Delete => "delete",
        ConflictChoice.Value => "manual",
        _ => "unresolved",
    };

    private static string Describe(CollectionValue value, int dimension)
    {
        if (value.Kind == CollectionValueKind.Vector)
        {
            var vector = value.VectorSpan(dimension);
            string head = string.Join(", ", vector[..Math.Min(4, vector.Length)].ToArray().Select(f => f.ToString("G6", System.Globalization.CultureInfo.InvariantCulture)));
            return $"vector[{dimension}] ({head}{(dimension > 4 ? ", …" : "")}){(value.GetMetadataJson(dimension) is { } m ? " " + m : "")}";
        }

        var bytes = value.Payload.Span;
        return System.Text.Unicode.Utf8.IsValid(bytes) && !bytes.ContainsAnyInRange((byte)0, (byte)8)
            ? Encoding.UTF8.GetString(bytes)
            : $"{bytes.Length} bytes";
    }

    private static void WriteValue(Utf8JsonWriter w, CollectionValue value, int dimension)
    {
        if (value.Kind == CollectionValueKind.Vector)
        {
            w.WriteStartArray("vector");
            foreach (var f in value.VectorSpan(dimension))
            {
                w.WriteNumberValue(f);
            }

            w.WriteEndArray();
            if (value.GetMetadataJson(dimension) is { } metadata)
            {
                w.WritePropertyName("metadata");
                w.WriteRawValue(metadata);
            }

            return;
        }

        w.WriteBase64String("bytes", value.Payload.Span);
    }
}
