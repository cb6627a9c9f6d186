using System.Diagnostics;
using System.Globalization;
using Helios.Core.Merging;
using Helios.Core.Refs;
using Helios.Storage.Sqlite;

namespace Helios.Benchmarks;

/// <summary>
/// The library half of the side-by-side merge benchmark (<c>bench/sidebyside/merge.sh</c>):
/// <c>-- merge ROOT REVISION [--runs N]</c> merges REVISION into a fresh branch at the SQLite
/// repository's HEAD through <see cref="Core.Repositories.Repository.Merge"/>, N times, and prints
/// the median wall time in milliseconds, first with a repository handle opened for each run (cold
/// caches, warm OS page cache: what a new process sees), then with one handle kept open (an agent
/// merging in-process). Each merge is a real merge commit; the branches are deleted afterwards.
/// </summary>
internal static class MergeTiming
{
    public static int Run(string[] args)
    {
        if (args.Length < 2)
        {
            Console.Error.WriteLine("usage: merge ROOT REVISION [--runs N]");
            return 2;
        }

        string root = args[0], revision = args[1];
        int runs = args.SkipWhile(a => a != "--runs").Skip(1).Select(a => int.Parse(a, CultureInfo.InvariantCulture)).FirstOrDefault(15);
        Once(root, revision, keepOpen: null); // JIT warm-up, not measured.
        var cold = Enumerable.Range(0, runs).Select(_ => Once(root, revision, keepOpen: null)).ToList();
        using var open = SqliteRepository.Open(root);
        var warm = Enumerable.Range(0, runs).Select(_ => Once(root, revision, open)).ToList();
        Console.WriteLine($"library merge, new handle per run: median {Median(cold):F2} ms (min {cold.Min():F2}, max {cold.Max():F2}, {runs} runs)");
        Console.WriteLine($"library merge, one open handle:    median {Median(warm):F2} ms (min {warm.Min():F2}, max {warm.Max():F2}, {runs} runs)");
        return 0;
    }

    private static double Once(string root, string revision, Core.Repositories.Repository? keepOpen)
    {
        var repository = keepOpen ?? SqliteRepository.Open(root);
        try
        {
            var branch = BranchName.Parse($"bench-merge-{Guid.NewGuid():N}");
            repository.CreateBranch(branch, repository.HeadCommit!.Value);
            long start = Stopwatch.GetTimestamp();
            var workspace = repository.OpenWorkspace(branch);
            var report = repository.Merge(workspace, repository.ResolveRevision(revision), new MergeOptions());
            double ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            if (report.Outcome != MergeOutcome.Merged)
            {
                throw new InvalidOperationException($"expected a merge commit, got {report.Outcome}");
            }

            repository.DeleteBranch(branch);
            return ms;
        }
        finally
        {
            if (keepOpen is null)
            {
                repository.Dispose();
            }
        }
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
