using System.Diagnostics;
using System.Globalization;
using System.Text;
using Helios.Core.Objects;
using Helios.Core.Storage;
using Helios.Storage.Sqlite;

namespace Helios.Benchmarks;

/// <summary>
/// Storage encoding check (run with <c>-- store-deltas [--versions N] [--depths 1,2,4,8,16] [--smoke]</c>): a W1-like
/// history, N versions (default 1,000) of a 10 KiB source file, each replacing about 5% of its lines, put into a fresh
/// SQLite store one version per transaction with the previous version as delta-base hint. For raw storage, plain zstd
/// and each delta depth bound it prints: stored payload bytes and the database file against the raw bytes; the median
/// put; and mean reads relative to the same objects read from a plain-zstd store: every version in random order with no
/// base cache (each read decodes its whole chain), only the deepest versions (the worst case a bound must keep within
/// 2x), and in history order (newest first, then oldest first) with the default base cache. Timings are for orientation; run on a quiet machine for figures.
/// </summary>
internal static class StoreDeltas
{
    public static int Run(string[] args)
    {
        bool smoke = args.Contains("--smoke");
        int versions = smoke ? 100 : Option(args, "--versions") is { } n ? int.Parse(n, CultureInfo.InvariantCulture) : 1000;
        int[] depths = Option(args, "--depths") is { } d
            ? d.Split(',').Select(x => int.Parse(x, CultureInfo.InvariantCulture)).ToArray()
            : [1, 2, 4, 8, 16];
        bool independent = args.Contains("--independent");
        var history = History(versions, independent);
        long raw = history.Sum(o => (long)o.Bytes.Length);
        Console.WriteLine($"{versions:N0} versions of a {history[0].Bytes.Length:N0}-byte file, ~5% of lines changed each {(independent ? "from one original" : "from the previous version")}: {raw:N0} canonical bytes.");
        Console.WriteLine("Reads: mean per object, fastest of 9 passes, each on a freshly opened store; 'x' is relative to the same objects read from the plain-zstd store.");
        Console.WriteLine($"{"setting",-17} {"stored bytes",13} {"ratio",7} {"db file",10} {"put p50",10} {"read all, no cache",20} {"deepest, no cache",22} {"newest first, cached",22} {"oldest first, cached",22}");

        string folder = Directory.CreateTempSubdirectory("helios-store-deltas-").FullName;
        try
        {
            var plain = new SqliteStorageOptions { Durability = Durability.Fast, MaxDeltaDepth = 0 };
            string plainPath = Fill(Path.Combine(folder, "plain.db"), plain, history, out _, out _);
            Report("raw", folder, history, raw, new SqliteStorageOptions { Durability = Durability.Fast, Compression = StorageCompression.None }, plainPath, plain);
            Report("zstd, no deltas", folder, history, raw, plain, plainPath, plain);
            foreach (int depth in depths)
            {
                Report($"deltas, depth {depth}", folder, history, raw, plain with { MaxDeltaDepth = depth }, plainPath, plain);
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }

        return 0;
    }

    private static void Report(string name, string folder, EncodedObject[] history, long raw, SqliteStorageOptions options, string plainPath, SqliteStorageOptions plain)
    {
        string path = Fill(Path.Combine(folder, Guid.NewGuid().ToString("N") + ".db"), options, history, out var puts, out var infos);
        long stored = infos.Values.Sum(i => i.StoredLength);
        int Depth(ObjectId id) => infos[id].DeltaBase is { } b ? 1 + Depth(b) : 0;
        int max = history.Max(o => Depth(o.Id));
        var deepest = history.Where(o => Depth(o.Id) == max).ToArray();
        var noCache = options with { DeltaBaseCacheBytes = 0 };

        double all = ReadAll(path, noCache, history, shuffle: true);
        double allPlain = ReadAll(plainPath, plain with { DeltaBaseCacheBytes = 0 }, history, shuffle: true);
        double deep = ReadAll(path, noCache, deepest, shuffle: true);
        double deepPlain = ReadAll(plainPath, plain with { DeltaBaseCacheBytes = 0 }, deepest, shuffle: true);
        double warm = ReadAll(path, options, history, shuffle: false);
        double warmPlain = ReadAll(plainPath, plain, history, shuffle: false);
        var oldestFirst = history.Reverse().ToArray();
        double forward = ReadAll(path, options, oldestFirst, shuffle: false);
        double forwardPlain = ReadAll(plainPath, plain, oldestFirst, shuffle: false);
        Console.WriteLine(
            $"{name,-17} {stored,13:N0} {(double)raw / stored,6:F1}x {new FileInfo(path).Length,10:N0} {puts[puts.Length / 2],7:F1} µs " +
            $"{all,8:F1} µs ({all / allPlain,4:F2}x) {deep,8:F1} µs ({deep / deepPlain,4:F2}x) d={max,-2} {warm,8:F1} µs ({warm / warmPlain,4:F2}x) {forward,8:F1} µs ({forward / forwardPlain,4:F2}x)");
    }

    /// <summary>Puts the history into a new store one version per transaction; returns the path (closed, WAL checkpointed).</summary>
    private static string Fill(string path, SqliteStorageOptions options, EncodedObject[] history, out double[] puts, out Dictionary<ObjectId, StoredObjectInfo> infos)
    {
        puts = new double[history.Length];
        using (var storage = SqliteRepositoryStorage.Open(path, options))
        {
            for (int i = 0; i < history.Length; i++)
            {
                long start = Stopwatch.GetTimestamp();
                storage.Objects.PutMany([history[i]]);
                puts[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
            }

            infos = storage.Objects.EnumerateStored().ToDictionary(i => i.Id);
        }

        Array.Sort(puts);
        return path;
    }

    /// <summary>
    /// Mean microseconds per read over the given versions: the fastest of nine passes (each on a freshly opened store),
    /// the figure least disturbed by other work on the machine.
    /// </summary>
    private static double ReadAll(string path, SqliteStorageOptions options, EncodedObject[] history, bool shuffle)
    {
        var order = history.Select(o => o.Id).Reverse().ToArray();
        if (shuffle)
        {
            new Random(1).Shuffle(order);
        }

        var passes = new double[9];
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

        return passes.Min();
    }

    /// <summary>
    /// The W1 history: each version replaces ~5% of the lines of the previous one (drifting), or with
    /// <paramref name="independent"/> of one original (variants); ids are the real blob ids, hints the previous version.
    /// </summary>
    public static EncodedObject[] History(int versions, bool independent = false)
    {
        var random = new Random(42);
        var words = new[] { "var", "return", "if", "else", "for", "int", "string", "count", "index", "value", "result", "items", "config", "await", "async", "null" };
        string Line() => string.Join(' ', Enumerable.Range(0, random.Next(4, 9)).Select(_ => words[random.Next(words.Length)])) + $" {random.Next(1000)};";
        var lines = new List<string>();
        while (lines.Sum(l => l.Length + 1) < 10 * 1024)
        {
            lines.Add("    " + Line());
        }

        var original = lines.ToList();
        var result = new EncodedObject[versions];
        for (int v = 0; v < versions; v++)
        {
            if (independent)
            {
                lines = original.ToList();
            }

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
