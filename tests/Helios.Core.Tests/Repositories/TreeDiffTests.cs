using Helios.Core.Repositories;

namespace Helios.Core.Tests.Repositories;

public class TreeDiffTests
{
    [Fact]
    public void Diff_against_the_empty_tree_works_in_a_repository_that_never_stored_it()
    {
        var repo = Repository.CreateInMemory();
        var ws = repo.OpenHead();
        ws.Write("a.txt", "1");
        ws.Write("dir/b.txt", "2");
        var tree = repo.ReadCommit(repo.Commit(ws, "first").EnsureCommitted()).Tree;
        Assert.False(repo.Objects.Contains(TreeDiff.EmptyTree));

        Assert.Equal(["a.txt", "dir/b.txt"], TreeDiff.Diff(repo.Objects, TreeDiff.EmptyTree, tree).Where(c => c.Old is null).Select(c => c.Path));
        Assert.Equal(["a.txt", "dir/b.txt"], TreeDiff.Diff(repo.Objects, tree, TreeDiff.EmptyTree).Where(c => c.New is null).Select(c => c.Path));
        Assert.Empty(TreeDiff.Files(repo.Objects, TreeDiff.EmptyTree));
    }
}
