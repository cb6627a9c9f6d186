using System.Diagnostics;
using Helios.Benchmarks.Support;
using Helios.Core.Objects;
using Helios.Core.Refs;
using Helios.Core.Repositories;
using Helios.Core.Storage;
using Helios.Storage.Sqlite;

namespace Helios.Benchmarks;

/// <summary>
/// Where a commit's microseconds go (run with <c>-- breakdown</c>; <c>--smoke</c> for a few
/// commits, <c>--hot</c> to edit the same file every time instead of walking the directories). Replays the steps of <see cref="Repository.Commit(Workspace, string, CommitOptions?)"/>
/// on the same 10,000-file tree as <see cref="CommitBenchmarks"/>, timing each step with
/// <see cref="Stopwatch.GetTimestamp"/>, and times the real method on the same repository for
/// comparison. The replay mirrors the method's code as of writing; if they drift apart the
/// "sum of steps" and "Repository.Commit" lines stop agreeing. Diagnostic only: nothing is asserted.
/// </summary>
internal static class CommitBreakdown
{
    private static readonly string[] Steps =
    [
        "hash+encode changed blob and trees (Workspace.Save)",
        "build+encode+hash commit object",
        "one storage transaction: objects + ref compare-and-swap + op-log record (IRefStore.Commit)",
        "mark stored, L0 remember",
    ];

    public static int Run(string[] args)
    {
        bool smoke = args.Contains("--smoke");
        bool hot = args.Contains("--hot");
        // --no-inbox: SQLite encodes every commit's objects in its transaction, as before the object inbox.
        bool inbox = !args.Contains("--no-inbox");
        // --pause-ms N: an agent's think time between commits, during which SQLite folds its inbox in the background.
        int pauseMs = int.Parse(args.SkipWhile(a => a != "--pause-ms").Skip(1).FirstOrDefault() ?? "0", System.Globalization.CultureInfo.InvariantCulture);
        // --compression none: the SQLite store keeps objects raw, as before zstd and deltas at rest (issue 9).
        StorageCompression? compression = args.SkipWhile(a => a != "--compression").Skip(1).FirstOrDefault() switch
        {
            null => null,
            "none" => StorageCompression.None,
            "zstd" => StorageCompression.Zstd,
            var other => throw new ArgumentException($"--compression takes none or zstd, not '{other}'."),
        };
        if (!smoke)
        {
            // Let tiered compilation reach optimised code first, or the first backend measures the JIT.
            Measure(Backend.InMemory, 2000, hot, compression, inbox, 0, TextWriter.Null);
        }

        foreach (var backend in Enum.GetValues<Backend>())
        {
            int commits = smoke ? 20 : backend == Backend.SqliteDurable || pauseMs > 0 ? 300 : 3000;
            Measure(backend, commits, hot, compression, inbox, pauseMs, Console.Out);
        }

        MeasurePrimitives(smoke ? 100 : 20_000);
        return 0;
    }

    private static void Measure(Backend backend, int commits, bool hot, StorageCompression? compression, bool inbox, int pauseMs, TextWriter output)
    {
        var layout = TreeLayout.TenThousandFiles;
        var (bench, workspace) = BenchRepository.CreateWithTree(backend, layout, compression, inbox);
        using var _ = bench;
        var repository = bench.Repository;
        var template = SourceText.Generate(new Random(7), 10 * 1024);
        var samples = new double[Steps.Length][];
        for (int s = 0; s < samples.Length; s++)
        {
            samples[s] = new double[commits];
        }

        var totals = new double[commits];
        var real = new double[commits];
        long revision = 0;
        for (int i = 0; i < commits; i++)
        {
            workspace.Write(layout.PathOf(hot ? 0 : revision), SourceText.Revision(template, revision));
            revision++;
            totals[i] = ReplayCommit(repository, workspace, samples, i);
            Pause(pauseMs);

            workspace.Write(layout.PathOf(hot ? 0 : revision), SourceText.Revision(template, revision));
            revision++;
            long start = Stopwatch.GetTimestamp();
            repository.Commit(workspace, "edit one file").EnsureCommitted();
            real[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
            Pause(pauseMs);
        }

        string settings = backend == Backend.InMemory ? "" : (compression is { } c ? $" (compression {c})" : "") + (inbox ? "" : " (no inbox)");
        string pause = pauseMs > 0 ? $", {pauseMs} ms pause after each commit" : "";
        output.WriteLine($"{backend}{settings}: {commits:N0} replayed commits, one changed 10 KiB file in {layout.FileCount:N0}, {(hot ? "always the same file" : "a different directory each time")}{pause} (medians, µs)");
        for (int s = 0; s < Steps.Length; s++)
        {
            output.WriteLine($"  {Median(samples[s]),9:F1}  {Steps[s]}");
        }

        output.WriteLine($"  {Median(totals),9:F1}  sum of steps (median of per-commit sums)");
        output.WriteLine($"  {Median(real),9:F1}  Repository.Commit itself (interleaved, same repository)");
        // The median hides work a store defers (SQLite folds its object inbox every so many writes); the mean pays
        // it. Over both kinds of commit: the deferred work lands on every n-th write, which may always be one kind.
        double[] every = [.. totals, .. real];
        output.WriteLine($"  {every.Average(),9:F1}  mean of all {every.Length:N0} commits, deferred work included (p99 {Percentile(every, 0.99):F0}, worst {every.Max():F0})");
        output.WriteLine($"  {Median(MeasureRefOnly(repository, workspace, commits)),9:F1}  for scale: the same transaction without objects (ref compare-and-swap + op-log record only)");
    }

    /// <summary>
    /// The floor under step 3: transactions that move a scratch branch between the last two commits, carrying no
    /// objects. What a commit could cost at best if its objects reached the store some other way.
    /// </summary>
    private static double[] MeasureRefOnly(Repository repository, Workspace workspace, int count)
    {
        var name = BranchName.Parse("breakdown-floor").Ref;
        ObjectId[] targets = [workspace.BaseCommit!.Value, repository.ReadCommit(workspace.BaseCommit!.Value).Parents[0]];
        RefTarget? current = null;
        var samples = new double[count];
        for (int i = 0; i < count; i++)
        {
            var next = RefTarget.To(targets[i % 2]);
            long start = Stopwatch.GetTimestamp();
            var result = repository.Refs.Commit(new RefTransaction(
                [new RefUpdate(name, current, next)],
                new OperationInfo("branch", "move breakdown-floor", DateTimeOffset.Now, "")));
            samples[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
            if (result is not RefTransactionResult.Committed)
            {
                throw new InvalidOperationException("The ref-only transaction lost its ref race.");
            }

            current = next;
        }

        return samples;
    }

    private static double ReplayCommit(Repository repository, Workspace workspace, double[][] samples, int i)
    {
        long t0 = Stopwatch.GetTimestamp();
        var batch = new SaveBatch();
        var tree = workspace.Save(batch);

        long t1 = Stopwatch.GetTimestamp();
        var now = DateTimeOffset.Now;
        now = now.AddTicks(-(now.Ticks % 10));
        var author = repository.Options.DefaultIdentity with { When = now };
        ObjectId[] parents = workspace.BaseCommit is { } parent ? [parent] : [];
        var commit = new Commit(tree, parents, Commit.GenerationAfter(parents.Select(repository.ReadCommit)), author, author, "edit one file"u8.ToArray(), null);
        var (id, bytes) = ObjectCodec.EncodeWithId(commit);
        batch.Objects.Add(new EncodedObject(id, bytes));

        long t2 = Stopwatch.GetTimestamp();
        var expected = workspace.BaseCommit is { } b ? RefTarget.To(b) : (RefTarget?)null;
        var result = repository.Refs.Commit(new RefTransaction(
            [new RefUpdate(workspace.Target, expected, RefTarget.To(id))],
            new OperationInfo("commit", $"commit {id.ToShortString()} on branch main: {commit.Subject}", now, ""))
        {
            Objects = batch.Objects,
        });
        if (result is not RefTransactionResult.Committed)
        {
            throw new InvalidOperationException("The replayed commit lost its ref race.");
        }

        long t3 = Stopwatch.GetTimestamp();
        batch.MarkStored();
        repository.Objects.Remember(id, commit);
        workspace.BaseCommit = id;
        workspace.BaseTree = tree;
        long t4 = Stopwatch.GetTimestamp();

        long[] marks = [t0, t1, t2, t3, t4];
        for (int s = 0; s < Steps.Length; s++)
        {
            samples[s][i] = Stopwatch.GetElapsedTime(marks[s], marks[s + 1]).TotalMicroseconds;
        }

        return Stopwatch.GetElapsedTime(t0, t4).TotalMicroseconds;
    }

    /// <summary>The pieces inside Workspace.Save, timed alone: the blob, one 100-entry tree.</summary>
    private static void MeasurePrimitives(int rounds)
    {
        var content = SourceText.Generate(new Random(7), 10 * 1024);
        var random = new Random(9);
        var entries = Enumerable.Range(0, 100)
            .Select(i =>
            {
                var idBytes = new byte[ObjectId.Size];
                random.NextBytes(idBytes);
                return new TreeEntry($"file{i:D3}.cs", EntryKind.File, new ObjectId(idBytes));
            })
            .ToArray();
        var tree = Tree.FromSorted(entries);
        var blob = new double[rounds];
        var treeEncode = new double[rounds];
        var treeHash = new double[rounds];
        for (int i = 0; i < rounds; i++)
        {
            long t0 = Stopwatch.GetTimestamp();
            var bytes = ObjectCodec.EncodeBlob(content);
            _ = ObjectId.Of(bytes);
            long t1 = Stopwatch.GetTimestamp();
            var encoded = ObjectCodec.Encode(tree);
            long t2 = Stopwatch.GetTimestamp();
            _ = ObjectId.Of(encoded);
            long t3 = Stopwatch.GetTimestamp();
            blob[i] = Stopwatch.GetElapsedTime(t0, t1).TotalMicroseconds;
            treeEncode[i] = Stopwatch.GetElapsedTime(t1, t2).TotalMicroseconds;
            treeHash[i] = Stopwatch.GetElapsedTime(t2, t3).TotalMicroseconds;
        }

        Console.WriteLine($"Primitives ({rounds:N0} rounds, medians, µs; a tree of 100 entries encodes to {ObjectCodec.Encode(tree).Length:N0} bytes)");
        Console.WriteLine($"  {Median(blob),9:F1}  encode + BLAKE3 of a 10 KiB blob");
        Console.WriteLine($"  {Median(treeEncode),9:F1}  encode a 100-entry tree");
        Console.WriteLine($"  {Median(treeHash),9:F1}  BLAKE3 of that tree's encoding");
    }

    /// <summary>An agent's think time between commits; none by default (a zero sleep would still yield the thread).</summary>
    private static void Pause(int milliseconds)
    {
        if (milliseconds > 0)
        {
            Thread.Sleep(milliseconds);
        }
    }

    private static double Median(double[] values) => Percentile(values, 0.5);

    private static double Percentile(double[] values, double fraction)
    {
        var sorted = (double[])values.Clone();
        Array.Sort(sorted);
        return sorted[Math.Min(sorted.Length - 1, (int)(sorted.Length * fraction))];
    }
}
