using Helios.Core.Refs;
using Helios.Core.Repositories;

namespace Helios.Storage.Sqlite.Tests;

/// <summary>The library example in README.md, kept compiling and true.</summary>
public sealed class ReadmeExampleTests : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("helios-readme-");

    public void Dispose() => _root.Delete(recursive: true);

    [Fact]
    public void The_readme_library_example_runs_as_described()
    {
        using var repo = SqliteRepository.Init(_root.FullName);
        var ws = repo.OpenHead();
        ws.Write("src/solver.py", "print('v1')\n");
        var baseline = repo.Commit(ws, "baseline").EnsureCommitted();

        repo.CreateBranch(BranchName.Parse("try-2"), baseline);
        var attempt = repo.OpenWorkspace(BranchName.Parse("try-2"));
        attempt.Write("src/solver.py", "print('v2')\n");
        var result = repo.Commit(attempt, "faster solver",
            new CommitOptions { Metadata = new Dictionary<string, string> { ["score"] = "0.93" } });
        var improved = Assert.IsType<CommitResult.Committed>(result).Id;

        repo.Reset(attempt, baseline, ResetMode.Hard);
        Assert.Equal(baseline, repo.TryGetBranch(BranchName.Parse("try-2")));
        repo.Undo();
        Assert.Equal(improved, repo.TryGetBranch(BranchName.Parse("try-2")));
        var fork = ws.Fork();
        fork.Write("notes.txt", "only in the fork");
        Assert.Null(ws.TryRead("notes.txt"));
    }
}
