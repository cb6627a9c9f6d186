using System.Diagnostics;
using System.Globalization;
using Helios.Core.Objects;
using Helios.Core.Repositories;
using Helios.Core.Storage.InMemory;

namespace Helios.Benchmarks;

/// <summary>
/// Chunk-level dedup of a large binary (run with <c>-- chunk-dedup [--mib 64] [--versions 50]
/// [--runs 64] [--run-bytes 100] [--smoke]</c>): commits a random file, then versions that each
/// overwrite <c>runs</c> scattered runs of <c>run-bytes</c> random bytes, and reports per version the
/// new chunks and their bytes, and the store's total against one copy. Deterministic (seeded), in
/// memory, no compression or deltas: what chunking alone saves. Timings are for orientation only.
/// </summary>
internal static class ChunkDedup
{
    public static int Run(string[] args)
    {
        bool smoke = args.Contains("--smoke");
        int mib = Option(args, "--mib", smoke ? 4 : 64);
        int versions = Option(args, "--versions", smoke ? 3 : 50);
        int runs = Option(args, "--runs", 64);
        int runBytes = Option(args, "--run-bytes", 100);

        var storage = new InMemoryRepositoryStorage();
        using var repo = Repository.Init(storage);
        var random = new Random(20261122);
        var content = new byte[mib << 20];
        random.NextBytes(content);
        var ws = repo.OpenHead();
        var seen = new HashSet<ObjectId>();
        var newChunks = new List<int>();
        var newBytes = new List<long>();
        var commitMs = new List<double>();
        for (int v = 0; v <= versions; v++)
        {
            if (v > 0)
            {
                for (int r = 0; r < runs; r++)
                {
                    int at = random.Next(content.Length - runBytes);
                    random.NextBytes(content.AsSpan(at, runBytes));
                }
            }

            ws.Write("model.bin", content.ToArray());
            var clock = Stopwatch.StartNew();
            var commit = repo.Commit(ws, $"v{v}").EnsureCommitted();
            commitMs.Add(clock.Elapsed.TotalMilliseconds);
            var file = repo.Objects.Read<Tree>(repo.ReadCommit(commit).Tree).Find("model.bin")!.Value.Id;
            var listing = repo.Objects.Read<ChunkedBlob>(file);
            int chunks = 0;
            long bytes = 0;
            foreach (var chunk in listing.Chunks)
            {
                if (seen.Add(chunk.Id))
                {
                    chunks++;
                    bytes += chunk.Length;
                }
            }

            if (v == 0)
            {
                Console.WriteLine($"v0: {listing.Chunks.Count:N0} chunks, {listing.Length:N0} bytes, mean chunk {listing.Length / listing.Chunks.Count:N0} bytes.");
            }
            else
            {
                newChunks.Add(chunks);
                newBytes.Add(bytes);
            }
        }

        long stored = storage.Objects.Enumerate().Sum(id => (long)storage.Objects.TryGet(id)!.Length);
        long changed = (long)versions * runs * runBytes;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{versions} versions, each {runs} runs of {runBytes} bytes ({100.0 * runs * runBytes / content.Length:F3}% of the file):"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  new chunks per version: mean {newChunks.Average():F1}, min {newChunks.Min()}, max {newChunks.Max()}; new chunk bytes per version: mean {newBytes.Average() / 1024:F0} KiB ({100.0 * newBytes.Average() / content.Length:F2}% of the file)"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  store (uncompressed, no deltas): {stored / 1048576.0:F1} MiB = {(double)stored / content.Length:F2}x one copy; one copy plus the changed bytes would be {(content.Length + changed) / 1048576.0:F1} MiB"));
        commitMs.Sort();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  commit of the whole file, in memory: median {commitMs[commitMs.Count / 2]:F0} ms (orientation only)"));
        return 0;
    }

    private static int Option(string[] args, string name, int fallback)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
    }
}
