using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Helios.Core.Objects;
using Helios.Core.Repositories;

namespace Helios.Cli.Commands;

/// <summary>log, show, op log, undo: reading history and stepping back through it.</summary>
internal static class HistoryCommands
{
    public static void Add(RootCommand root, CliContext context)
    {
        var oneline = new Option<bool>("--oneline") { Description = "One line per commit: short id and subject." };
        var count = new Option<int?>("--max-count", "-n") { Description = "Show at most N commits." };
        var json = new Option<bool>("--json") { Description = "One JSON document (an array of commits)." };
        var start = new Argument<string?>("revision") { Arity = ArgumentArity.ZeroOrOne, Description = "Where to start (default HEAD)." };
        root.Subcommands.Add(CommandBuilder.Create("log", "Show commits reachable from a revision, newest first.",
            p => Log(context, p.GetValue(start), p.GetValue(oneline), p.GetValue(count), p.GetValue(json)), start, oneline, count, json));

        var showRevision = new Argument<string?>("revision") { Arity = ArgumentArity.ZeroOrOne, Description = "The commit to show (default HEAD)." };
        var showJson = new Option<bool>("--json") { Description = "One JSON document: the commit and its changed files." };
        var showStat = new Option<bool>("--stat") { Description = "A summary per file instead of the patch." };
        root.Subcommands.Add(CommandBuilder.Create("show", "Show a commit and the files it changed.",
            p => Show(context, p.GetValue(showRevision) ?? "HEAD", p.GetValue(showJson), p.GetValue(showStat)), showRevision, showJson, showStat));

        var opCount = new Option<int?>("--max-count", "-n") { Description = "Show at most N operations." };
        var opJson = new Option<bool>("--json") { Description = "One JSON document (an array of operations)." };
        var opLog = CommandBuilder.Create("log", "List operations (every ref change), newest first.",
            p => OperationLog(context, p.GetValue(opCount), p.GetValue(opJson)), opCount, opJson);
        var op = new Command("op", "The operation log.");
        op.Subcommands.Add(opLog);
        root.Subcommands.Add(op);

        root.Subcommands.Add(CommandBuilder.Create("undo", "Undo this worktree's last operation (refs and files); undoing an undo redoes.", _ =>
        {
            var record = context.Worktree.Undo();
            context.Out.WriteLine($"Undid: {record.Info.Description}");
            return ExitCodes.Success;
        }));
    }

    private static int Log(CliContext context, string? revision, bool oneline, int? count, bool json)
    {
        var repository = context.Repository;
        // An unborn branch has no history: print none rather than fail, as scripts poll new repositories.
        var startId = revision is null ? repository.HeadCommit : repository.ResolveRevision(revision);
        var commits = startId is { } id ? repository.Log(id) : [];
        if (count is { } n)
        {
            commits = commits.Take(Math.Max(0, n));
        }

        if (json)
        {
            WriteJson(context, w =>
            {
                w.WriteStartArray();
                foreach (var (commitId, commit) in commits)
                {
                    WriteCommit(w, commitId, commit);
                }

                w.WriteEndArray();
            });
            return ExitCodes.Success;
        }

        foreach (var (commitId, commit) in commits)
        {
            if (oneline)
            {
                context.Out.WriteLine($"{commitId.ToShortString()} {commit.Subject}");
            }
            else
            {
                WriteHeader(context.Out, commitId, commit);
                context.Out.WriteLine();
            }
        }

        return ExitCodes.Success;
    }

    private static int Show(CliContext context, string revision, bool json, bool stat)
    {
        var repository = context.Repository;
        var id = repository.ResolveRevision(revision);
        var commit = repository.ReadCommit(id);
        var parentTree = commit.Parents.Count > 0 ? repository.ReadCommit(commit.Parents[0]).Tree : TreeDiff.EmptyTree;
        var changes = TreeDiff.Diff(repository.Objects, parentTree, commit.Tree);
        if (json)
        {
            WriteJson(context, w =>
            {
                w.WriteStartObject();
                w.WritePropertyName("commit");
                WriteCommit(w, id, commit);
                w.WriteStartArray("changes");
                foreach (var change in changes)
                {
                    w.WriteStartObject();
                    w.WriteString("path", change.Path);
                    w.WriteString("status", change.Letter.ToString());
                    w.WriteEndObject();
                }

                w.WriteEndArray();
                w.WriteEndObject();
            });
            return ExitCodes.Success;
        }

        // As git show prints it: the log entry, then the patch against the first parent
        // (for a merge too, where git would print a combined diff).
        WriteHeader(context.Out, id, commit);
        if (changes.Count > 0)
        {
            context.Out.WriteLine();
            DiffCommand.Write(context, DiffCommand.BetweenTrees(repository, parentTree, commit.Tree), stat, contextLines: 3);
        }

        return ExitCodes.Success;
    }


    private static int OperationLog(CliContext context, int? count, bool json)
    {
        var operations = context.Repository.Operations(count ?? int.MaxValue);
        if (json)
        {
            WriteJson(context, w =>
            {
                w.WriteStartArray();
                foreach (var op in operations)
                {
                    w.WriteStartObject();
                    w.WriteNumber("sequence", op.Sequence);
                    w.WriteString("kind", op.Info.Kind);
                    w.WriteString("description", op.Info.Description);
                    w.WriteString("agent", op.Info.Agent);
                    w.WriteString("time", op.Info.Time.ToString("o", CultureInfo.InvariantCulture));
                    w.WriteStartArray("changes");
                    foreach (var change in op.Changes)
                    {
                        w.WriteStartObject();
                        w.WriteString("ref", change.Name.Value);
                        w.WriteString("old", change.Old?.ToString());
                        w.WriteString("new", change.New?.ToString());
                        w.WriteEndObject();
                    }

                    w.WriteEndArray();
                    w.WriteEndObject();
                }

                w.WriteEndArray();
            });
            return ExitCodes.Success;
        }

        foreach (var op in operations)
        {
            string agent = op.Info.Agent.Length > 0 ? $" [{op.Info.Agent}]" : "";
            context.Out.WriteLine($"{op.Sequence,6} {op.Info.Time.ToString("yyyy-MM-dd HH:mm:ss zzz", CultureInfo.InvariantCulture)}{agent} {op.Info.Kind}: {op.Info.Description}");
        }

        return ExitCodes.Success;
    }

    private static void WriteHeader(TextWriter output, ObjectId id, Commit commit)
    {
        output.WriteLine($"commit {id}");
        if (commit.Parents.Count > 1)
        {
            output.WriteLine($"Merge: {string.Join(' ', commit.Parents.Select(p => p.ToShortString()))}");
        }

        output.WriteLine($"Author: {commit.Author.Name} <{commit.Author.Email}>");
        output.WriteLine($"Date:   {commit.Author.When.ToString("ddd MMM d HH:mm:ss yyyy zzz", CultureInfo.InvariantCulture)}");
        foreach (var (key, value) in commit.Metadata)
        {
            output.WriteLine($"Meta:   {key}={value}");
        }

        output.WriteLine();
        foreach (var line in commit.MessageText.TrimEnd('\n').Split('\n'))
        {
            output.WriteLine($"    {line}");
        }
    }

    private static void WriteCommit(Utf8JsonWriter w, ObjectId id, Commit commit)
    {
        w.WriteStartObject();
        w.WriteString("id", id.ToString());
        w.WriteString("tree", commit.Tree.ToString());
        w.WriteStartArray("parents");
        foreach (var parent in commit.Parents)
        {
            w.WriteStringValue(parent.ToString());
        }

        w.WriteEndArray();
        WriteSignature(w, "author", commit.Author);
        WriteSignature(w, "committer", commit.Committer);
        w.WriteString("subject", commit.Subject);
        w.WriteString("message", commit.MessageText);
        w.WriteStartObject("metadata");
        foreach (var (key, value) in commit.Metadata)
        {
            w.WriteString(key, value);
        }

        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static void WriteSignature(Utf8JsonWriter w, string name, Signature signature)
    {
        w.WriteStartObject(name);
        w.WriteString("name", signature.Name);
        w.WriteString("email", signature.Email);
        w.WriteString("time", signature.When.ToString("o", CultureInfo.InvariantCulture));
        w.WriteEndObject();
    }

    internal static void WriteJson(CliContext context, Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            write(writer);
        }

        context.Out.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
    }
}
