using System.Diagnostics;
using System.Globalization;
using Helios.Benchmarks.Support;
using Helios.Core.Collections.Search;
using Helios.Core.Memory;
using Helios.Core.Merging;
using Helios.Core.Refs;
using Helios.Core.Repositories;
using Helios.Storage.Sqlite;

namespace Helios.Benchmarks;

/// <summary>
/// Issue 5's seed-number benchmarks through the public library on the embedded SQLite store
/// (<c>-- agent-memory [--vectors N] [--search N] [--smoke]</c>; default 1,000,000 vectors of 384
/// floats with JSON metadata, and a 100,000-vector collection for search). It builds the knowledge
/// base on main with batched commits, then measures, each as a median over repeated runs:
/// derive and discard; the bytes 100 single-edit commits on a child add, against the store's size;
/// merging a child with 100 changed vectors into a parent that moved too; a warm get through a child
/// and a put; exact top-10 search. Timings are wall clock on whatever else the machine is doing:
/// run it on a quiet machine and quote the medians with the load average.
/// </summary>
internal static class AgentMemoryTiming
{
    private const int BatchSize = 50_000;

    public static int Run(string[] args)
    {
        bool smoke = args.Contains("--smoke");
        int vectors = smoke ? 5_000 : Option(args, "--vectors", 1_000_000);
        int searchVectors = smoke ? 2_000 : Option(args, "--search", 100_000);
        string root = Path.Combine(Path.GetTempPath(), $"helios-agent-memory-{Guid.NewGuid():N}");
        Directory.CreateDirectory(root);
        try
        {
            using var repository = SqliteRepository.Init(root, options: new RepositoryOptions { DecodedCacheBytes = 512L << 20 });
            var memory = new AgentMemory(repository);
            var main = Repository.DefaultBranch;
            Seed(repository);
            var clock = Stopwatch.StartNew();
            Load(memory, main, "kb", vectors);
            Console.WriteLine($"knowledge base: {vectors:N0} vectors x {VectorCollection.Dimension} loaded in {clock.Elapsed.TotalSeconds:F1} s; store {StoreBytes(root) / 1e6:F1} MB");

            Derive(memory, main, smoke ? 20 : 200);
            Storage(repository, memory, main, root, vectors);
            Merge(memory, main, vectors, smoke ? 3 : 15);
            GetAndPut(memory, main, vectors, smoke ? 2_000 : 20_000);
            Search(memory, main, searchVectors, smoke ? 5 : 31);
            return 0;
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static void Seed(Repository repository)
    {
        var workspace = repository.OpenHead();
        workspace.Write("README.md", "knowledge base\n");
        repository.Commit(workspace, "seed").EnsureCommitted();
    }

    private static void Load(AgentMemory memory, BranchName branch, string name, int count)
    {
        var handle = memory.Open(branch);
        var collection = handle.TryCollection(name) ?? handle.CreateCollection(name, VectorCollection.Dimension);
        for (int start = 0; start < count; start += BatchSize)
        {
            for (int i = start; i < Math.Min(count, start + BatchSize); i++)
            {
                collection.PutVector(VectorCollection.KeyOf(i), VectorCollection.Vector(i, 0), Metadata(i, 0));
            }

            handle.Commit($"load {name} {start}");
        }
    }

    private static void Derive(AgentMemory memory, BranchName main, int runs)
    {
        var derive = new List<double>();
        var discard = new List<double>();
        for (int r = 0; r < runs; r++)
        {
            var child = BranchName.Parse($"bench/derive-{r}");
            long start = Stopwatch.GetTimestamp();
            memory.Derive(main, child, "bench");
            derive.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            start = Stopwatch.GetTimestamp();
            memory.Discard(child, "bench");
            discard.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }

        Console.WriteLine($"derive: median {Median(derive):F3} ms, p95 {Percentile(derive, 0.95):F3} ms ({runs} runs; target <= 1 ms)");
        Console.WriteLine($"discard: median {Median(discard):F3} ms, p95 {Percentile(discard, 0.95):F3} ms ({runs} runs; target <= 1 ms)");
    }

    /// <summary>100 edits on a child, each committed on its own (the worst case for sharing), measured as the store's growth.</summary>
    private static void Storage(Repository repository, AgentMemory memory, BranchName main, string root, int vectors)
    {
        var before = repository.Objects.Store.Enumerate().ToHashSet();
        long parentBytes = before.Sum(id => (long)repository.Objects.Store.TryGet(id)!.Length);
        var child = BranchName.Parse("bench/storage");
        memory.Derive(main, child, "bench");
        var handle = memory.Open(child);
        for (int e = 0; e < 100; e++)
        {
            int key = (int)(((long)e * vectors / 100 + 13) % vectors);
            handle.Collection("kb").PutVector(VectorCollection.KeyOf(key), VectorCollection.Vector(key, 1), Metadata(key, 1));
            handle.Commit($"edit {e}");
        }

        var added = repository.Objects.Store.Enumerate().Where(id => !before.Contains(id)).ToList();
        long addedBytes = added.Sum(id => (long)repository.Objects.Store.TryGet(id)!.Length);
        Console.WriteLine($"storage: parent {parentBytes / 1e6:F1} MB of objects ({StoreBytes(root) / 1e6:F1} MB on disk); 100 single-edit commits on a child added {added.Count:N0} objects, {addedBytes / 1e3:F1} KB = {100.0 * addedBytes / parentBytes:F4}% (target <= 0.1%)");
        memory.Discard(child, "bench");
    }

    /// <summary>A child changes 100 vectors while the parent changes 10 others: a real three-way merge each run.</summary>
    private static void Merge(AgentMemory memory, BranchName main, int vectors, int runs)
    {
        var times = new List<double>();
        for (int r = 0; r < runs; r++)
        {
            var child = BranchName.Parse($"bench/merge-{r}");
            memory.Derive(main, child, "bench");
            var work = memory.Open(child);
            for (int j = 0; j < 100; j++)
            {
                int key = (int)((((long)j * vectors / 100) + 7 + r) % vectors);
                work.Collection("kb").PutVector(VectorCollection.KeyOf(key), VectorCollection.Vector(key, r + 2), Metadata(key, r + 2));
            }

            work.Commit("child work");
            var parent = memory.Open(main);
            for (int j = 0; j < 10; j++)
            {
                int key = (int)((((long)j * vectors / 10) + 3 + r) % vectors);
                parent.Collection("kb").PutVector(VectorCollection.KeyOf(key), VectorCollection.Vector(key, -r - 2), Metadata(key, -r - 2));
            }

            parent.Commit("parent work");
            long start = Stopwatch.GetTimestamp();
            var report = memory.Merge(child, new MemoryMergeOptions { Strategy = MergeStrategy.ChildWins, Agent = "bench" });
            times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            if (report.Collections.Single().Changed != 100)
            {
                throw new InvalidOperationException($"expected 100 changed vectors, the merge reported {report.Collections.Single().Changed}");
            }
        }

        Console.WriteLine($"merge of a child with 100 changed vectors (parent moved by 10): median {Median(times):F2} ms, min {times.Min():F2} ms ({runs} runs; target <= 10 ms)");
    }

    private static void GetAndPut(AgentMemory memory, BranchName main, int vectors, int operations)
    {
        var child = BranchName.Parse("bench/get-put");
        memory.Derive(main, child, "bench");
        var handle = memory.Open(child);
        var kb = handle.Collection("kb");
        var keys = Enumerable.Range(0, operations).Select(i => VectorCollection.KeyOf((int)((long)i * 7919 % vectors))).ToArray();
        foreach (var key in keys)
        {
            kb.Get(key); // Warm: the path and the value are cached.
        }

        var gets = new List<double>();
        for (int round = 0; round < 5; round++)
        {
            long start = Stopwatch.GetTimestamp();
            foreach (var key in keys)
            {
                if (kb.Get(key) is null) throw new InvalidOperationException($"{key} is missing");
            }

            gets.Add(Stopwatch.GetElapsedTime(start).TotalMicroseconds / keys.Length);
        }

        var values = keys.Select((k, i) => VectorCollection.Vector(i, 9)).ToArray();
        var puts = new List<double>();
        for (int round = 0; round < 5; round++)
        {
            long start = Stopwatch.GetTimestamp();
            for (int i = 0; i < keys.Length; i++)
            {
                kb.PutVector(keys[i], values[i]);
            }

            puts.Add(Stopwatch.GetElapsedTime(start).TotalMicroseconds / keys.Length);
        }

        long commitStart = Stopwatch.GetTimestamp();
        handle.Commit("puts");
        double commitMs = Stopwatch.GetElapsedTime(commitStart).TotalMilliseconds;
        Console.WriteLine($"get through a child (warm): median {Median(gets):F2} us per get over {keys.Length:N0} keys x 5 rounds (target <= 5 us)");
        Console.WriteLine($"put on a child: median {Median(puts):F2} us per put (buffered in the handle; target <= 20 us); committing the {keys.Length:N0} puts: {commitMs:F1} ms = {commitMs * 1000 / keys.Length:F1} us per put");
        memory.Discard(child, "bench");
    }

    private static void Search(AgentMemory memory, BranchName main, int count, int runs)
    {
        Load(memory, main, "search", count);
        var collection = memory.Open(main).Collection("search");
        var query = VectorCollection.Vector(-1, 7);
        long coldStart = Stopwatch.GetTimestamp();
        var first = collection.Search(query, 10);
        double cold = Stopwatch.GetElapsedTime(coldStart).TotalMilliseconds;
        var times = new List<double>();
        for (int r = 0; r < runs; r++)
        {
            long start = Stopwatch.GetTimestamp();
            var hits = collection.Search(query, 10);
            times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            if (!hits.SequenceEqual(first)) throw new InvalidOperationException("search results changed between runs");
        }

        Console.WriteLine($"exact top-10 cosine search over {count:N0} vectors, one thread: median {Median(times):F2} ms warm (min {times.Min():F2}), first (cold) {cold:F1} ms ({runs} runs; target <= 20 ms)");
    }

    private static string Metadata(int i, int version) => $$"""{"id":{{i}},"v":{{version}}}""";

    private static long StoreBytes(string root) =>
        Directory.EnumerateFiles(Path.Combine(root, SqliteRepository.MetadataDirectory), "store.db*").Sum(f => new FileInfo(f).Length);

    private static int Option(string[] args, string name, int fallback) =>
        args.SkipWhile(a => a != name).Skip(1).Select(a => int.Parse(a, CultureInfo.InvariantCulture)).FirstOrDefault(fallback);

    private static double Median(List<double> values) => Percentile(values, 0.5);

    private static double Percentile(List<double> values, double p)
    {
        var sorted = values.Order().ToArray();
        return sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))];
    }
}
