using System.Diagnostics;
using Helios.Benchmarks.Support;
using Helios.Core.Collections;

namespace Helios.Benchmarks;

/// <summary>
/// The storage check (run with <c>-- collection-storage [--keys N]</c>, default 1,000,000; <c>--smoke</c>:
/// 20,000 keys, where the ratio is far above the target, so only the run is checked): builds a
/// collection of N vectors (384 floats plus JSON metadata), then applies 100 single-key edits one
/// after the other, each changing one vector at a spread-out key, and reports the bytes of the new
/// objects those edits created relative to the bytes of the whole tree. Target: at most 0.1%.
/// Prints the figures; exits 1 above the target. Timings printed are for orientation only.
/// </summary>
internal static class CollectionStorage
{
    private const double TargetPercent = 0.1;

    public static int Run(string[] args)
    {
        bool smoke = args.Contains("--smoke");
        int keys = smoke ? 20_000 : args is [.., "--keys", var n] ? int.Parse(n, System.Globalization.CultureInfo.InvariantCulture) : 1_000_000;
        var clock = Stopwatch.StartNew();
        var collection = VectorCollection.Build(keys);
        long treeBytes = collection.Store.Enumerate().Sum(id => (long)collection.Store.TryGet(id)!.Length);
        Console.WriteLine($"Built {keys:N0} vectors x {VectorCollection.Dimension} in {clock.Elapsed.TotalSeconds:F1} s: {collection.Store.Count:N0} objects, {treeBytes:N0} bytes.");

        var header = collection.Header;
        long added = 0;
        int objects = 0;
        for (int e = 0; e < 100; e++)
        {
            var update = collection.Tree.Apply(header, [VectorCollection.Put((int)((long)e * keys / 100 + 13) % keys, 1)]);
            added += update.NewObjects.Sum(o => (long)o.Bytes.Length);
            objects += update.NewObjects.Count;
            header = collection.Save(update);
        }

        double percent = 100.0 * added / treeBytes;
        Console.WriteLine($"100 single-key edits added {objects:N0} objects, {added:N0} bytes: {percent:F4}% of the tree (target <= {TargetPercent}%).");
        return smoke || percent <= TargetPercent ? 0 : 1;
    }
}
