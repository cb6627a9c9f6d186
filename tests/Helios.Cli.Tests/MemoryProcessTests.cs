using System.Text.Json;
using Helios.Core.Memory;
using Helios.Core.Refs;
using Helios.Storage.Sqlite;
using static Helios.Cli.Tests.HeliosProcess;

namespace Helios.Cli.Tests;

/// <summary>
/// <c>helios memory</c> run as real processes over a real SQLite repository. There is no command to
/// put values (agents write through the library), so each test seeds data with the library, closes the
/// repository, and then inspects, merges and audits it through the CLI as a human would.
/// </summary>
public sealed class MemoryProcessTests : IDisposable
{
    private const string Child = "agent-1/explore";
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void On_a_fresh_repository_list_and_log_print_nothing_and_verify_succeeds()
    {
        Succeed(_temp.Path, "init", "repo");
        string repo = _temp["repo"];

        Assert.Equal("", Succeed(repo, "memory", "list").Stdout);
        Assert.Equal("", Succeed(repo, "memory", "list", "--all").Stdout);
        Assert.Equal("[]", Succeed(repo, "memory", "list", "--json").Stdout.Trim());
        Assert.Equal("", Succeed(repo, "memory", "log").Stdout);
        Assert.Equal("[]", Succeed(repo, "memory", "log", "--json").Stdout.Trim());
        var verify = Succeed(repo, "memory", "verify");
        Assert.Contains("verifies: 0 records", verify.Stdout, StringComparison.Ordinal);
        Assert.Empty(verify.Stderr);
    }

    [Fact]
    public void A_derived_branch_is_shown_diffed_merged_with_child_wins_and_recorded_in_a_verifiable_log()
    {
        string repo = Seeded();
        Succeed(repo, "memory", "derive", "main", Child);
        WithMemory(repo, memory =>
        {
            var child = memory.Open(BranchName.Parse(Child));
            var patterns = child.Collection("patterns");
            patterns.PutVector("p001", [0.5f, -1, 2, 3], """{"source":"child"}""");
            patterns.PutVector("p003", [3, 3, 3, 3], """{"source":"child"}""");
            patterns.Delete("p002");
            patterns.PutVector("q-new", [1, 1, 1, 1], """{"source":"child","n":99}""");
            child.Collection("notes").Put("lesson", "retry with backoff"u8);
            child.Commit("explore", "agent-1");

            // The parent moves on too: one key of its own, one key both sides changed.
            var main = memory.Open(BranchName.Parse("main"));
            main.Collection("patterns").PutVector("p003", [-3, -3, -3, -3], """{"source":"parent"}""");
            main.Collection("notes").Put("parent-note", "kept"u8);
            main.Commit("parent work", "agent-0");
        });

        Assert.Equal(
            ["notes  2 keys  no vectors", "patterns  10 keys  4-dimension vectors"],
            Succeed(repo, "memory", "show", "main").Lines.Select(StripId).ToArray());
        Assert.Equal(
            ["notes  2 keys  no vectors", "patterns  10 keys  4-dimension vectors"],
            Succeed(repo, "memory", "show", Child).Lines.Select(StripId).ToArray());

        var keys = Succeed(repo, "memory", "show", Child, "-c", "patterns", "-n", "3").Lines;
        Assert.Equal(3, keys.Length);
        Assert.StartsWith("p000  vector[4] (0, 1, 2, 3) {\"n\":0}", keys[0], StringComparison.Ordinal);
        Assert.StartsWith("p001  vector[4] (0.5, -1, 2, 3) {\"source\":\"child\"}", keys[1], StringComparison.Ordinal);
        Assert.StartsWith("p003", keys[2], StringComparison.Ordinal);
        Assert.Equal("lesson  retry with backoff", Succeed(repo, "memory", "show", Child, "-c", "notes", "-k", "lesson").Stdout.Trim());

        var value = Assert.Single(JsonDocument.Parse(Succeed(repo, "memory", "show", Child, "-c", "patterns", "-k", "q-new", "--json").Stdout).RootElement.EnumerateArray());
        Assert.Equal("q-new", value.GetProperty("key").GetString());
        Assert.Equal([1f, 1f, 1f, 1f], value.GetProperty("vector").EnumerateArray().Select(e => e.GetSingle()));
        Assert.Equal(99, value.GetProperty("metadata").GetProperty("n").GetInt32());
        var bytes = Assert.Single(JsonDocument.Parse(Succeed(repo, "memory", "show", Child, "-c", "notes", "-k", "lesson", "--json").Stdout).RootElement.EnumerateArray());
        Assert.Equal("retry with backoff"u8.ToArray(), bytes.GetProperty("bytes").GetBytesFromBase64());

        // main to the child: main's own edits show as changes too (the diff is of two versions, not a merge).
        string[] expected =
        [
            "collection notes: 1 added, 0 changed, 1 deleted",
            "+ lesson",
            "- parent-note",
            "collection patterns: 1 added, 2 changed, 1 deleted",
            "M p001",
            "- p002",
            "M p003",
            "+ q-new",
        ];
        Assert.Equal(expected, Succeed(repo, "memory", "diff", "main", Child).Lines);
        Assert.Equal(
            ["M p001", "- p002", "M p003", "+ q-new"],
            Succeed(repo, "memory", "diff", "main", Child, "-c", "patterns").Lines.Skip(1).ToArray());
        var diff = JsonDocument.Parse(Succeed(repo, "memory", "diff", "main", Child, "--json").Stdout).RootElement;
        Assert.Equal(
            ["changed p001", "deleted p002", "changed p003", "added q-new"],
            diff.GetProperty("patterns").EnumerateArray().Select(c => $"{c.GetProperty("change").GetString()} {c.GetProperty("key").GetString()}"));

        string mainBefore = Succeed(repo, "rev-parse", "main").Stdout.Trim();
        var merge = JsonDocument.Parse(Succeed(repo, "memory", "merge", Child, "--strategy", "child-wins", "--json").Stdout).RootElement;

        Assert.Equal("child-wins", merge.GetProperty("strategy").GetString());
        Assert.False(merge.GetProperty("dryRun").GetBoolean());
        Assert.Equal(mainBefore, merge.GetProperty("parentBefore").GetString());
        string mainAfter = Succeed(repo, "rev-parse", "main").Stdout.Trim();
        Assert.NotEqual(mainBefore, mainAfter);
        Assert.Equal(mainAfter, merge.GetProperty("parentAfter").GetString());
        var collections = merge.GetProperty("collections").EnumerateArray().ToDictionary(c => c.GetProperty("name").GetString()!);
        Assert.Equal((1, 0, 0), Counts(collections["notes"]));
        Assert.Equal((1, 1, 1), Counts(collections["patterns"]));
        var conflict = Assert.Single(collections["patterns"].GetProperty("conflicts").EnumerateArray().ToArray());
        Assert.Equal("p003", conflict.GetProperty("key").GetString());
        Assert.Equal("child", conflict.GetProperty("resolution").GetString());
        string record = merge.GetProperty("logRecord").GetString()!;
        Assert.Matches("^[0-9a-f]{64}$", record);

        // The merged parent holds both sides' clean changes and the child's side of the conflict.
        Assert.Contains("{\"source\":\"child\"}", Succeed(repo, "memory", "show", "main", "-c", "patterns", "-k", "p003").Stdout, StringComparison.Ordinal);
        Assert.Equal("parent-note  kept", Succeed(repo, "memory", "show", "main", "-c", "notes", "-k", "parent-note").Stdout.Trim());
        Assert.Equal(2, Run(repo, "memory", "show", "main", "-c", "patterns", "-k", "p002").Code);

        var listed = Assert.Single(Succeed(repo, "memory", "list", "--all").Lines);
        Assert.StartsWith($"{Child}  merged  parent main from ", listed, StringComparison.Ordinal);
        var listedJson = Assert.Single(JsonDocument.Parse(Succeed(repo, "memory", "list", "--all", "--json").Stdout).RootElement.EnumerateArray());
        Assert.Equal("merged", listedJson.GetProperty("status").GetString());

        var log = Assert.Single(Succeed(repo, "memory", "log").Lines, l => l.StartsWith('#'));
        Assert.StartsWith($"#1 {record[..12]}  ", log, StringComparison.Ordinal);
        Assert.Contains($"merged {Child} into main (child-wins)  {mainBefore[..12]} -> {mainAfter[..12]}  1 conflict(s)", log, StringComparison.Ordinal);
        Assert.Contains("    patterns:p003 child", Succeed(repo, "memory", "log").Lines);
        var logJson = Assert.Single(JsonDocument.Parse(Succeed(repo, "memory", "log", "--json").Stdout).RootElement.EnumerateArray());
        Assert.Equal(record, logJson.GetProperty("id").GetString());
        Assert.Equal(1, logJson.GetProperty("sequence").GetInt64());
        Assert.Equal(mainAfter, logJson.GetProperty("parentAfter").GetString());
        Assert.Equal(merge.GetProperty("reportHash").GetString(), logJson.GetProperty("reportHash").GetString());

        Assert.Contains("verifies: 1 records", Succeed(repo, "memory", "verify").Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void A_conflicting_manual_merge_is_refused_naming_the_keys_and_writes_nothing_until_a_strategy_settles_it()
    {
        string repo = Seeded();
        Succeed(repo, "memory", "derive", "main", Child);
        WithMemory(repo, memory =>
        {
            var main = memory.Open(BranchName.Parse("main"));
            main.Collection("patterns").PutVector("p004", [-4, -4, -4, -4]);
            main.Collection("patterns").PutVector("p005", [-5, -5, -5, -5]);
            main.Commit("parent first", "agent-0");
            var child = memory.Open(BranchName.Parse(Child));
            child.Collection("patterns").PutVector("p004", [40, 40, 40, 40]);
            child.Collection("patterns").PutVector("p005", [50, 50, 50, 50]);
            child.Collection("patterns").PutVector("p006", [60, 60, 60, 60]);
            child.Commit("child later", "agent-1");
        });
        string mainBefore = Succeed(repo, "rev-parse", "main").Stdout;
        string opsBefore = Succeed(repo, "op", "log").Stdout;

        var refused = Run(repo, "memory", "merge", Child);

        Assert.True(refused.Code == 1, refused.ToString());
        Assert.Equal($"Not merged: {Child} into main (manual).", refused.Lines[0]);
        Assert.Contains("    conflict p004: unresolved", refused.Lines);
        Assert.Contains("    conflict p005: unresolved", refused.Lines);
        Assert.Contains("patterns:p004, patterns:p005", refused.Stderr, StringComparison.Ordinal);
        Assert.Contains("nothing was written", refused.Stderr, StringComparison.Ordinal);
        Assert.Single(refused.Stderr.Trim().Split('\n'));
        Assert.Equal(mainBefore, Succeed(repo, "rev-parse", "main").Stdout);
        Assert.Equal("", Succeed(repo, "memory", "log").Stdout);
        Assert.Equal(opsBefore, Succeed(repo, "op", "log").Stdout);

        var dryRun = JsonDocument.Parse(Run(repo, "memory", "merge", Child, "--strategy", "parent-wins", "--dry-run", "--json").Stdout).RootElement;
        Assert.True(dryRun.GetProperty("dryRun").GetBoolean());
        Assert.Equal(JsonValueKind.Null, dryRun.GetProperty("parentAfter").ValueKind);
        Assert.Equal(JsonValueKind.Null, dryRun.GetProperty("logRecord").ValueKind);
        Assert.Equal(2, dryRun.GetProperty("collections")[0].GetProperty("conflicts").GetArrayLength());
        Assert.StartsWith($"Would merge {Child} into main (parent-wins).", Succeed(repo, "memory", "merge", Child, "-s", "parent-wins", "--dry-run").Stdout, StringComparison.Ordinal);
        Assert.Equal(mainBefore, Succeed(repo, "rev-parse", "main").Stdout);
        Assert.Equal("", Succeed(repo, "memory", "log").Stdout);
        Assert.Equal(opsBefore, Succeed(repo, "op", "log").Stdout);
        Assert.Equal("active", JsonDocument.Parse(Succeed(repo, "memory", "list", "--json").Stdout).RootElement[0].GetProperty("status").GetString());

        var merged = Succeed(repo, "memory", "merge", Child, "--strategy", "newest-wins");

        // The child wrote both keys after the parent did, so its values win.
        Assert.Contains("    conflict p004: newest:child", merged.Lines);
        Assert.Contains("    conflict p005: newest:child", merged.Lines);
        Assert.StartsWith("p004  vector[4] (40, 40, 40, 40)", Succeed(repo, "memory", "show", "main", "-c", "patterns", "-k", "p004").Stdout, StringComparison.Ordinal);
        Assert.StartsWith("p006  vector[4] (60, 60, 60, 60)", Succeed(repo, "memory", "show", "main", "-c", "patterns", "-k", "p006").Stdout, StringComparison.Ordinal);
        Assert.Equal(
            ["    patterns:p004 newest:child", "    patterns:p005 newest:child"],
            Succeed(repo, "memory", "log").Lines.Where(l => l.StartsWith("    ", StringComparison.Ordinal)));
    }

    [Fact]
    public void An_exported_log_verifies_offline_and_a_flipped_byte_or_a_cut_off_end_is_named()
    {
        string repo = Seeded();
        foreach (var (name, key) in new[] { ("agent-1/a", "a"), ("agent-2/b", "b") })
        {
            Succeed(repo, "memory", "derive", "main", name);
            WithMemory(repo, memory =>
            {
                var child = memory.Open(BranchName.Parse(name));
                child.Collection("notes").Put(key, "learned"u8);
                child.Commit("learn", name);
            });
            Succeed(repo, "memory", "merge", name);
        }

        string log = _temp["log.bin"], keyFile = _temp["key.pem"];
        Assert.Contains("Exported 2 merge-log record(s)", Succeed(repo, "memory", "log", "--export", log).Stdout, StringComparison.Ordinal);
        string pem = Succeed(repo, "memory", "log", "--public-key").Stdout;
        Assert.StartsWith("-----BEGIN PUBLIC KEY-----\n", pem, StringComparison.Ordinal);
        Assert.EndsWith("-----END PUBLIC KEY-----\n", pem, StringComparison.Ordinal);
        File.WriteAllText(keyFile, pem);
        Assert.Contains("verifies: 2 records", Succeed(repo, "memory", "verify", log, "--key", keyFile).Stdout, StringComparison.Ordinal);
        Assert.Contains("verifies: 2 records", Succeed(repo, "memory", "verify", "--key", keyFile).Stdout, StringComparison.Ordinal);

        // The file is the header, record 1, record 2 and the trailer: flip a byte in the middle of record 2.
        int first = RecordLength(repo, sequence: 1), second = RecordLength(repo, sequence: 2);
        byte[] original = File.ReadAllBytes(log);
        byte[] flipped = (byte[])original.Clone();
        flipped[MergeLogFile.HeaderLength + first + (second / 2)] ^= 0x01;
        File.WriteAllBytes(log, flipped);

        var bad = Run(repo, "memory", "verify", log, "--key", keyFile);

        Assert.True(bad.Code == 4, bad.ToString());
        Assert.StartsWith("helios: Merge-log record 2 is bad", bad.Stderr, StringComparison.Ordinal);
        Assert.Single(bad.Stderr.Trim().Split('\n'));
        Assert.Empty(bad.Stdout);

        File.WriteAllBytes(log, original[..^10]);
        var cut = Run(repo, "memory", "verify", log, "--key", keyFile);
        Assert.True(cut.Code == 4, cut.ToString());
        Assert.Contains("Truncated", cut.Stderr, StringComparison.Ordinal);

        File.WriteAllBytes(log, original[..(MergeLogFile.HeaderLength + first)]);
        var dropped = Run(repo, "memory", "verify", log, "--key", keyFile);
        Assert.True(dropped.Code == 4 && dropped.Stderr.Contains("record 2", StringComparison.Ordinal), dropped.ToString());
    }

    [Fact]
    public void Discard_hides_a_branch_from_list_undo_brings_it_back_and_an_unknown_branch_is_one_clear_error()
    {
        string repo = Seeded();
        Succeed(repo, "memory", "derive", "main", Child);
        string head = Succeed(repo, "rev-parse", Child).Stdout;

        Assert.Equal($"Discarded {Child} ('helios undo' restores it until gc).", Succeed(repo, "memory", "discard", Child).Stdout.Trim());

        Assert.Equal("", Succeed(repo, "memory", "list").Stdout);
        Assert.StartsWith($"{Child}  discarded  ", Assert.Single(Succeed(repo, "memory", "list", "--all").Lines), StringComparison.Ordinal);
        Assert.Equal(2, Run(repo, "rev-parse", Child).Code);
        var again = Run(repo, "memory", "discard", Child);
        Assert.True(again.Code == 3 && again.Stderr.Contains("already discarded", StringComparison.Ordinal), again.ToString());
        var mergeDiscarded = Run(repo, "memory", "merge", Child);
        Assert.True(mergeDiscarded.Code == 3 && mergeDiscarded.Stderr.Contains("discarded", StringComparison.Ordinal), mergeDiscarded.ToString());

        Succeed(repo, "undo");

        Assert.StartsWith($"{Child}  active  ", Assert.Single(Succeed(repo, "memory", "list").Lines), StringComparison.Ordinal);
        Assert.Equal(head, Succeed(repo, "rev-parse", Child).Stdout);

        var nope = Run(repo, "memory", "discard", "nope");
        Assert.True(nope.Code == 2, nope.ToString());
        Assert.Equal("helios: No memory branch named 'nope' ('helios memory list --all' lists them).", nope.Stderr.Trim());
        Assert.Empty(nope.Stdout);
    }

    [Fact]
    public void Merging_a_branch_that_is_not_a_memory_branch_and_showing_a_missing_collection_are_refused()
    {
        string repo = Seeded();
        Succeed(repo, "branch", "plain");
        string mainBefore = Succeed(repo, "rev-parse", "main").Stdout;

        var plain = Run(repo, "memory", "merge", "plain");
        Assert.True(plain.Code == 2, plain.ToString());
        Assert.Equal("helios: 'plain' is a branch but not a memory branch (only branches made with 'helios memory derive' merge this way; 'helios merge plain' merges ordinary branches).", plain.Stderr.Trim());
        Assert.Equal(mainBefore, Succeed(repo, "rev-parse", "main").Stdout);

        var missing = Run(repo, "memory", "show", "main", "--collection", "missing");
        Assert.True(missing.Code == 2, missing.ToString());
        Assert.Equal("helios: main records no collection named 'missing'.", missing.Stderr.Trim());
        var missingKey = Run(repo, "memory", "show", "main", "-c", "patterns", "-k", "nope");
        Assert.True(missingKey.Code == 2 && missingKey.Stderr.Contains("no key 'nope'", StringComparison.Ordinal), missingKey.ToString());

        var negative = Run(repo, "memory", "show", "main", "-c", "patterns", "-n", "-1");
        Assert.True(negative.Code == 2 && negative.Stderr.Contains("-n takes a number of keys", StringComparison.Ordinal), negative.ToString());

        Succeed(repo, "memory", "derive", "main", Child);
        var strategy = Run(repo, "memory", "merge", Child, "--strategy", "octopus");
        Assert.True(strategy.Code == 2 && strategy.Stderr.Contains("octopus", StringComparison.Ordinal), strategy.ToString());
        var exists = Run(repo, "memory", "derive", "main", Child);
        Assert.True(exists.Code == 1 && exists.Stderr.Contains("already exists", StringComparison.Ordinal), exists.ToString());
        Assert.Equal("", Succeed(repo, "memory", "log").Stdout);
    }

    /// <summary>A repository with one file commit on main and two collections: patterns (p000..p009, 4-dimension vectors with metadata) and notes (bytes).</summary>
    private string Seeded()
    {
        Succeed(_temp.Path, "init", "repo");
        string repo = _temp["repo"];
        File.WriteAllText(Path.Combine(repo, "README"), "knowledge base\n");
        Succeed(repo, "commit", "-m", "first");
        WithMemory(repo, memory =>
        {
            var kb = memory.Open(BranchName.Parse("main"));
            var patterns = kb.CreateCollection("patterns", 4);
            for (int i = 0; i < 10; i++)
            {
                patterns.PutVector($"p{i:D3}", [i, i + 1, i + 2, i + 3], $$"""{"n":{{i}}}""");
            }

            kb.CreateCollection("notes", 0).Put("hello", "world"u8);
            kb.Commit("seed the knowledge base", "agent-0");
        });
        return repo;
    }

    /// <summary>Opens the repository with the library (as an agent would), runs <paramref name="work"/>, and closes it before any CLI process runs.</summary>
    private static void WithMemory(string repo, Action<AgentMemory> work)
    {
        using var repository = SqliteRepository.Open(repo);
        work(new AgentMemory(repository));
    }

    private static int RecordLength(string repo, long sequence)
    {
        using var repository = SqliteRepository.Open(repo);
        var id = new MergeLog(repository).Records().Single(r => r.Record.Sequence == sequence).Id;
        return repository.Objects.Store.TryGet(id)!.Length;
    }

    private static (int Added, int Changed, int Deleted) Counts(JsonElement collection) =>
        (collection.GetProperty("added").GetInt32(), collection.GetProperty("changed").GetInt32(), collection.GetProperty("deleted").GetInt32());

    /// <summary>Drops the trailing short id from a <c>memory show</c> line.</summary>
    private static string StripId(string line) => line[..line.LastIndexOf("  ", StringComparison.Ordinal)];
}
