using Helios.Core.Errors;
using Helios.Core.Objects;
using Helios.Core.Repositories;

namespace Helios.Core.Tests.Repositories;

public class WorkspaceTests
{
    private readonly Repository _repo = Repository.CreateInMemory();

    [Fact]
    public void Written_files_read_back_and_list_sorted()
    {
        var ws = _repo.OpenHead();
        ws.Write("b.txt", "B");
        ws.Write("a/deep/x.txt", "X");
        ws.Write("a/y.txt", "Y");
        Assert.Equal("X", Text(ws, "a/deep/x.txt"));
        Assert.Equal(["a/deep/x.txt", "a/y.txt", "b.txt"], ws.ListFiles());
        Assert.Equal(["a/deep/x.txt", "a/y.txt"], ws.ListFiles("a"));
        Assert.Equal(EntryKind.Tree, ws.KindOf("a"));
        Assert.Null(ws.TryRead("missing"));
    }

    [Fact]
    public void Deleting_the_last_file_of_a_directory_removes_the_directory()
    {
        var ws = _repo.OpenHead();
        ws.Write("d/only.txt", "1");
        ws.Write("keep.txt", "2");
        Assert.True(ws.Delete("d/only.txt"));
        Assert.False(ws.Delete("d/only.txt"));
        Assert.Null(ws.KindOf("d"));
        Assert.Equal(["keep.txt"], ws.ListFiles());
    }

    [Fact]
    public void A_fork_is_independent_of_its_source()
    {
        var ws = _repo.OpenHead();
        ws.Write("shared.txt", "s");
        var fork = ws.Fork();
        fork.Write("shared.txt", "changed");
        fork.Write("new.txt", "n");
        ws.Delete("shared.txt");
        Assert.Equal("changed", Text(fork, "shared.txt"));
        Assert.Null(ws.TryRead("shared.txt"));
        Assert.Null(ws.TryRead("new.txt"));
    }

    [Theory]
    [InlineData("../escape")]
    [InlineData(".helios/store")]
    [InlineData("a//b")]
    [InlineData("")]
    [InlineData("a/./b")]
    public void Unsafe_paths_are_rejected(string path)
    {
        var ws = _repo.OpenHead();
        var e = Assert.Throws<HeliosException>(() => ws.Write(path, "x"));
        Assert.Equal(HeliosErrorCode.InvalidArgument, e.Code);
    }

    [Fact]
    public void A_file_cannot_be_used_as_a_directory_and_a_directory_cannot_be_overwritten()
    {
        var ws = _repo.OpenHead();
        ws.Write("a/b", "1");
        Assert.Throws<HeliosException>(() => ws.Write("a/b/c", "2"));
        Assert.Throws<HeliosException>(() => ws.Write("a", "3"));
    }

    [Fact]
    public void Has_changes_tracks_content_not_writes()
    {
        var ws = _repo.OpenHead();
        ws.Write("f.txt", "one");
        _repo.Commit(ws, "first").EnsureCommitted();
        Assert.False(ws.HasChanges);
        ws.Write("f.txt", "two");
        Assert.True(ws.HasChanges);
        ws.Write("f.txt", "one");
        Assert.False(ws.HasChanges);
    }

    [Fact]
    public void Hashing_for_has_changes_does_not_stop_the_next_commit_storing_the_blob()
    {
        var ws = _repo.OpenHead();
        ws.Write("f.txt", "content only hashed so far");
        Assert.True(ws.HasChanges);
        var id = _repo.Commit(ws, "c").EnsureCommitted();
        var reopened = _repo.OpenWorkspace(Repository.DefaultBranch);
        Assert.Equal(id, reopened.BaseCommit);
        Assert.Equal("content only hashed so far", Text(reopened, "f.txt"));
    }

    [Fact]
    public void Every_change_is_stored_when_hashing_for_status_happened_between_edits()
    {
        var storage = new Core.Storage.InMemory.InMemoryRepositoryStorage();
        var repo = Repository.Init(storage);
        var ws = repo.OpenHead();
        ws.Write("a/x", "x1");
        ws.Write("a/y", "y1");
        repo.Commit(ws, "first").EnsureCommitted();
        ws.Write("a/y", "y2");
        Assert.True(ws.HasChanges);
        ws.Write("a/x", "x2");
        repo.Commit(ws, "second").EnsureCommitted();

        var reopened = Repository.Open(storage).OpenHead();
        Assert.Equal("x2", Text(reopened, "a/x"));
        Assert.Equal("y2", Text(reopened, "a/y"));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Trees_saved_incrementally_equal_trees_built_from_scratch(int seed)
    {
        // Saves patch previous encodings where they can; the ids must be exactly those of a full rebuild.
        var random = new Random(seed);
        var storage = new Core.Storage.InMemory.InMemoryRepositoryStorage();
        var repo = Repository.Init(storage);
        var ws = repo.OpenHead();
        var paths = new List<string>();
        for (int step = 0; step < 400; step++)
        {
            int op = random.Next(10);
            if (op < 5 && paths.Count > 0)
            {
                var path = paths[random.Next(paths.Count)];
                ws.Write(path, new byte[] { (byte)random.Next(256), (byte)step }, random.Next(5) == 0 ? EntryKind.Executable : EntryKind.File);
            }
            else if (op < 8)
            {
                var path = $"d{random.Next(4)}/s{random.Next(3)}/f{random.Next(30)}";
                if (!paths.Contains(path)) paths.Add(path);
                ws.Write(path, $"{step}");
            }
            else if (paths.Count > 0)
            {
                var path = paths[random.Next(paths.Count)];
                ws.Delete(path);
                paths.Remove(path);
            }

            if (random.Next(5) == 0)
            {
                _ = ws.HasChanges; // hashes without storing, as status does
            }

            if (random.Next(4) == 0)
            {
                if (random.Next(3) == 0)
                {
                    ws = ws.Fork();
                }

                var result = repo.Commit(ws, $"step {step}", new CommitOptions { AllowEmpty = true });
                var committed = Assert.IsType<CommitResult.Committed>(result).Id;
                var tree = repo.ReadCommit(committed).Tree;
                Assert.Equal(RebuiltTree(ws), tree);
                // Read back through a fresh repository on the same storage: every object must be there.
                var reopened = Repository.Open(storage).OpenWorkspace(Repository.DefaultBranch);
                Assert.Equal(tree, RebuiltTree(reopened));
                if (random.Next(2) == 0)
                {
                    ws = repo.OpenWorkspace(Repository.DefaultBranch);
                }
            }
        }
    }

    private static ObjectId RebuiltTree(Workspace source)
    {
        using var fresh = Repository.CreateInMemory();
        var ws = fresh.OpenHead();
        foreach (var path in source.ListFiles())
        {
            ws.Write(path, source.Read(path), source.KindOf(path)!.Value);
        }

        var id = fresh.Commit(ws, "rebuilt", new CommitOptions { AllowEmpty = true }).EnsureCommitted();
        return fresh.ReadCommit(id).Tree;
    }

    private static string Text(Workspace ws, string path) => System.Text.Encoding.UTF8.GetString(ws.Read(path).Span);
}
