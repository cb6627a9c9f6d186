using System.Diagnostics;
using System.Globalization;
using System.Text;
using Helios.Core.Objects;
using Helios.Core.Storage;
using Helios.Storage.Sqlite;

namespace Helios.Benchmarks;

/// <summary>
/// Storage encoding check (run with <c>-- store-deltas [--versions N] [--depths 0,1,2,4,8] [--smoke]</c>): a W1-like
/// history, N versions (default 1,000) of a 10 KiB source file, each replacing about 5% of its lines, put into a fresh
/// SQLite store one version per transaction with the previous version as delta-base hint. For raw storage, plain zstd
/// (depth 0) and each delta depth bound it prints: stored payload bytes and the database file against the raw bytes;
/// the median put; and the mean read of every version in random order with no base cache (each read decodes its whole
/// chain, the worst case) and newest-first with the default cache, relative to plain zstd. Timings are for orientation;
/// run on a quiet machine for figures.
/// </summary>
internal static class StoreDeltas
{
    public static int Run(string[] args)
    {
        bool smoke = args.Contains("--smoke");
        int versions = smoke ? 100 : Option(args, "--versions") is { } n ? int.Parse(n, CultureInfo.InvariantCulture) : 1000;
        int[] depths = Option(args, "--depths") is { } d
            ? d.Split(',').Select(x => int.Parse(x, CultureInfo.InvariantCulture)).ToArray()
            : [0, 1, 2, 4, 8, 16];
        var history = History(versions);
        long raw = history.Sum(o => (long)o.Bytes.Length);
        Console.WriteLine($"{versions:N0} versions of a {history[0].Bytes.Length:N0}-byte file, ~5% of lines changed each: {raw:N0} canonical bytes.");
        Console.WriteLine("setting            stored bytes   ratio   db file   put p50   read (no cache)   read newest-first");

        double? plainRead = null;
        Measure("raw", history, new SqliteStorageOptions { Durability = Durability.Fast, Compression = StorageCompression.None }, raw, ref plainRead, isBaseline: false);
        foreach (int depth in depths)
        {
            var options = new SqliteStorageOptions { Durability = Durability.Fast, MaxDeltaDepth = depth };
            Measure(depth == 0 ? "zstd, no deltas" : $"deltas, depth {depth}", history, options, raw, ref plainRead, isBaseline: depth == 0);
        }

        return 0;
    }

    private static void Measure(string name, EncodedObject[] history, SqliteStorageOptions options, long raw, ref double? plainRead, bool isBaseline)
    {
        string folder = Directory.CreateTempSubdirectory("helios-store-deltas-").FullName;
        try
        {
            string path = Path.Combine(folder, "store.db");
            var puts = new double[history.Length];
            long stored;
            using (var storage = SqliteRepositoryStorage.Open(path, options))
            {
                for (int i = 0; i < history.Length; i++)
                {
                    long start = Stopwatch.GetTimestamp();
                    storage.Objects.PutMany([history[i]]);
                    puts[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
                }

                stored = storage.Objects.EnumerateStored().Sum(i => i.StoredLength);
            }

            long file = new FileInfo(path).Length;
            Array.Sort(puts);
            double cold = ReadAll(path, options with { DeltaBaseCacheBytes = 0 }, history, shuffle: true);
            double warm = ReadAll(path, options, history, shuffle: false);
            if (isBaseline)
            {
                plainRead = cold;
            }

            string relative = plainRead is { } p ? $" ({cold / p:F2}x)" : "";
            string relativeWarm = plainRead is { } q ? $" ({warm / q:F2}x)" : "";
            Console.WriteLine(
                $"{name,-17} {stored,13:N0} {(double)raw / stored,6:F1}x {file,9:N0} {puts[puts.Length / 2],7:F1} µs {cold,8:F1} µs{relative,-8} {warm,8:F1} µs{relativeWarm}");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>Mean microseconds per read over every version, median of five passes (each on a freshly opened store).</summary>
    private static double ReadAll(string path, SqliteStorageOptions options, EncodedObject[] history, bool shuffle)
    {
        var order = history.Select(o => o.Id).Reverse().ToArray();
        if (shuffle)
        {
            new Random(1).Shuffle(order);
        }

        var passes = new double[5];
        for (int pass = 0; pass < passes.Length; pass++)
        {
            using var storage = SqliteRepositoryStorage.Open(path, options);
            long start = Stopwatch.GetTimestamp();
            foreach (var id in order)
            {
                if (storage.Objects.TryGet(id) is null)
                {
                    throw new InvalidOperationException($"Version {id} did not read back.");
                }
            }

            passes[pass] = Stopwatch.GetElapsedTime(start).TotalMicroseconds / order.Length;
        }

        Array.Sort(passes);
        return passes[passes.Length / 2];
    }

    /// <summary>The W1 history: each version replaces ~5% of the previous one's lines; ids are the real blob ids.</summary>
    public static EncodedObject[] History(int versions)
    {
        var random = new Random(42);
        var words = new[] { "var", "return", "if", "else", "for", "int", "string", "count", "index", "value", "result", "items", "config", "await", "async", "null" };
        string Line() => string.Join(' ', Enumerable.Range(0, random.Next(4, 9)).Select(_ => words[random.Next(words.Length)])) + $" {random.Next(1000)};";
        var lines = new List<string>();
        while (lines.Sum(l => l.Length + 1) < 10 * 1024)
        {
            lines.Add("    " + Line());
        }

        var result = new EncodedObject[versions];
        for (int v = 0; v < versions; v++)
        {
            if (v > 0)
            {
                for (int c = 0; c < Math.Max(1, lines.Count / 20); c++)
                {
                    lines[random.Next(lines.Count)] = "    " + Line();
                }
            }

            byte[] canonical = ObjectCodec.EncodeBlob(Encoding.UTF8.GetBytes(string.Join('\n', lines) + "\n"));
            result[v] = new EncodedObject(ObjectId.Of(canonical), canonical, v == 0 ? null : result[v - 1].Id);
        }

        return result;
    }

    private static string? Option(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
