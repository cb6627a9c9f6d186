using System.Diagnostics;
using Helios.Benchmarks.Support;
using Helios.Core.Repositories;

namespace Helios.Benchmarks;

/// <summary>
/// The memory-footprint check (run with <c>-- memory</c>, or <c>-- memory --smoke</c> for a small
/// size): a workspace of 100,000 files plus 1,000 forks of it, each with one file changed, must
/// cost at most twice one workspace. Measured with <see cref="GC.GetTotalMemory(bool)"/> after full
/// collections, in two cases:
/// <list type="bullet">
/// <item>committed: the files were committed to an in-memory repository and the workspace reopened,
/// so its nodes hold object ids and every directory is loaded from stored trees (the repository's
/// own bytes are in the baseline);</item>
/// <item>uncommitted: the files exist only in the workspace, which holds their bytes.</item>
/// </list>
/// Prints both figures and the ratio; exits 1 if a ratio exceeds the limit. No timing is asserted.
/// </summary>
internal static class MemoryFootprint
{
    private const double MaxRatio = 2.0;

    public static int Run(string[] args)
    {
        bool smoke = args.Contains("--smoke");
        // 1,000 directories of 100 files of 64-512 bytes: small files make the tree structure, which
        // forks share, a large part of the total, so the check is not flattered by file content.
        var layout = smoke ? new TreeLayout(100, 100, 64, 512) : new TreeLayout(1000, 100, 64, 512);
        int forks = smoke ? 100 : 1000;
        Console.WriteLine($"Memory footprint: {layout.FileCount:N0} files in {layout.Directories:N0} directories, {forks:N0} forks with one file changed each{(smoke ? " (smoke size)" : "")}.");

        bool ok = Measure("committed", layout, forks, committed: true);
        ok &= Measure("uncommitted", layout, forks, committed: false);
        return ok ? 0 : 1;
    }

    private static bool Measure(string name, TreeLayout layout, int forkCount, bool committed)
    {
        using var repository = Repository.CreateInMemory();
        Workspace workspace;
        long before;
        if (committed)
        {
            CommitTree(repository, layout);
            before = Settle();
            workspace = repository.OpenWorkspace(Repository.DefaultBranch);
        }
        else
        {
            before = Settle();
            workspace = repository.OpenWorkspace(Repository.DefaultBranch);
            layout.WriteInto(workspace);
        }

        // Force-load every directory (a no-op for the uncommitted tree, which is all in memory).
        int files = workspace.ListFiles().Count();
        if (files != layout.FileCount)
        {
            throw new InvalidOperationException($"Expected {layout.FileCount} files, listed {files}.");
        }

        long one = Settle();

        var clock = Stopwatch.StartNew();
        var forks = new Workspace[forkCount];
        var random = new Random(5);
        for (int i = 0; i < forkCount; i++)
        {
            forks[i] = workspace.Fork();
            forks[i].Write(layout.PathOf(i * 7919L), SourceText.Generate(random, random.Next(layout.MinBytes, layout.MaxBytes)));
        }

        clock.Stop();
        long all = Settle();

        // The forks must really be independent copies: each sees its own change, the original none.
        var sample = layout.PathOf(0);
        if (forks[0].Read(sample).Span.SequenceEqual(workspace.Read(sample).Span))
        {
            throw new InvalidOperationException("A fork's write is visible in the original workspace.");
        }

        long workspaceBytes = one - before;
        long forkBytes = all - one;
        double ratio = (double)(all - before) / workspaceBytes;
        bool ok = ratio <= MaxRatio;
        Console.WriteLine(
            $"  {name,-11}: one workspace {Mib(workspaceBytes)}; with {forkCount:N0} forks {Mib(all - before)} " +
            $"(forks add {Mib(forkBytes)}, {forkBytes / forkCount:N0} B each; forking and writing took {clock.Elapsed.TotalMilliseconds:N1} ms); " +
            $"ratio {ratio:F3} (limit {MaxRatio:F1}): {(ok ? "ok" : "FAILED")}");
        GC.KeepAlive(forks);
        GC.KeepAlive(workspace);
        return ok;
    }

    // A separate method, so the writing workspace is unreachable once it returns (even in tier-0 code).
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static void CommitTree(Repository repository, TreeLayout layout)
    {
        var writer = repository.OpenWorkspace(Repository.DefaultBranch);
        layout.WriteInto(writer);
        repository.Commit(writer, "import").EnsureCommitted();
    }

    private static long Settle()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        return GC.GetTotalMemory(forceFullCollection: true);
    }

    private static string Mib(long bytes) => $"{bytes / (1024.0 * 1024):N1} MiB";
}
