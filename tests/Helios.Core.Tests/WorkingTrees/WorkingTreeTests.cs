using Helios.Core.Errors;
using Helios.Core.Merging;
using Helios.Core.Objects;
using Helios.Core.Refs;
using Helios.Core.Repositories;
using Helios.Core.WorkingTrees;

namespace Helios.Core.Tests.WorkingTrees;

[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class WorkingTreeTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("helios-worktree-").FullName;
    private readonly Repository _repository = Repository.CreateInMemory();
    private readonly WorkingTree _tree;

    public WorkingTreeTests()
    {
        Directory.CreateDirectory(Path.Combine(_root, ".helios"));
        _tree = Open(_root, _repository);
    }

    public void Dispose()
    {
        _repository.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public void Status_lists_untracked_modified_and_deleted_files_and_is_clean_after_commit()
    {
        Write("a.txt", "a");
        Write("dir/b.txt", "b");
        Assert.Equal(["?? a.txt", "?? dir/"], Porcelain());
        Assert.Equal(["?? a.txt", "?? dir/b.txt"], _tree.Status(UntrackedFiles.All).Entries.Select(e => e.Porcelain));

        Commit("first");
        Assert.Empty(Porcelain());

        Write("a.txt", "changed");
        File.Delete(Path.Combine(_root, "dir/b.txt"));
        Write("c.txt", "c");
        Assert.Equal([" M a.txt", " D dir/b.txt", "?? c.txt"], Porcelain());
    }

    [Fact]
    public void A_memory_commit_on_the_checked_out_branch_does_not_make_the_worktree_stale()
    {
        Write("a.txt", "a");
        Commit("first");
        var kb = new Helios.Core.Memory.AgentMemory(_repository).Open(Repository.DefaultBranch);
        kb.CreateCollection("notes", 0).Put("k", "v"u8);
        var memoryCommit = kb.Commit("memory")!.Value;

        var status = _tree.Status(UntrackedFiles.Normal);
        Assert.False(status.IsStale);
        Assert.Empty(status.Entries);

        Write("a.txt", "b");
        var next = Commit("files again");
        Assert.Equal([memoryCommit], _repository.ReadCommit(next).Parents);
        Assert.NotNull(_repository.ReadCommit(next).FindRoot("notes"));
    }

    [Fact]
    public void A_worktree_never_follows_a_move_that_changed_files_however_often_status_runs()
    {
        Write("a.txt", "a");
        Commit("first");
        var other = _repository.OpenWorkspace(Repository.DefaultBranch);
        other.Write("a.txt", "other agent");
        _repository.Commit(other, "another agent's edit").EnsureCommitted();

        Assert.True(_tree.Status(UntrackedFiles.Normal).IsStale);
        Assert.True(_tree.Status(UntrackedFiles.Normal).IsStale);
        Write("c.txt", "c");
        Assert.IsType<CommitResult.RefMoved>(_tree.Commit(System.Text.Encoding.UTF8.GetBytes("would revert the other agent")));
        Assert.Equal("other agent", System.Text.Encoding.UTF8.GetString(_repository.OpenWorkspace(Repository.DefaultBranch).TryRead("a.txt")!.Value.Span));
    }

    [Fact]
    public void A_file_deleted_here_and_modified_in_the_merged_branch_shows_only_as_unmerged()
    {
        Write("a.txt", "a");
        Write("data/blob.txt", "one\n");
        var first = Commit("first");
        _repository.CreateBranch(BranchName.Parse("side"), first);
        File.Delete(Path.Combine(_root, "data/blob.txt"));
        Commit("delete here");
        _tree.Checkout("side");
        Write("data/blob.txt", "two\n");
        Commit("modify there");
        _tree.Checkout("main");

        var report = _tree.Merge("side", new MergeOptions());

        Assert.Equal(MergeOutcome.Conflicted, report.Outcome);
        Assert.Equal("two\n", Read("data/blob.txt"));
        Assert.Equal(["DU data/blob.txt"], Porcelain()); // As git: not also "?? data/".
        Assert.Equal(["DU data/blob.txt"], _tree.Status(UntrackedFiles.All).Entries.Select(e => e.Porcelain));
    }

    [Fact]
    public void Commit_records_executable_bits_and_symlinks_and_checkout_restores_them()
    {
        Write("run.sh", "#!/bin/sh\n");
        File.SetUnixFileMode(Path.Combine(_root, "run.sh"), (UnixFileMode)0b111_101_101);
        File.CreateSymbolicLink(Path.Combine(_root, "link"), "run.sh");
        var first = Commit("tools");
        var tree = _repository.Objects.Read<Tree>(_repository.ReadCommit(first).Tree);
        Assert.Equal(EntryKind.Executable, tree.Find("run.sh")!.Value.Kind);
        Assert.Equal(EntryKind.Symlink, tree.Find("link")!.Value.Kind);

        File.Delete(Path.Combine(_root, "link"));
        File.Delete(Path.Combine(_root, "run.sh"));
        Commit("remove them");
        _tree.Checkout(first.ToString());

        Assert.True(File.GetUnixFileMode(Path.Combine(_root, "run.sh")).HasFlag(UnixFileMode.UserExecute));
        Assert.Equal("run.sh", new FileInfo(Path.Combine(_root, "link")).LinkTarget);
        Assert.Empty(Porcelain());
    }

    [Fact]
    public void Empty_directories_and_the_git_and_helios_directories_are_never_tracked()
    {
        Directory.CreateDirectory(Path.Combine(_root, "empty/nested"));
        Write(".git/config", "[core]");
        Write("kept.txt", "k");
        Commit("one file");

        var files = TreeDiff.Files(_repository.Objects, _repository.ReadCommit(_repository.HeadCommit!.Value).Tree).Select(f => f.Path);
        Assert.Equal(["kept.txt"], files);
    }

    [Fact]
    public void A_repository_or_worktree_nested_inside_is_not_walked()
    {
        Write("nested/.helios/worktree", "common=/elsewhere\nname=x\n");
        Write("nested/its-own.txt", "not ours");
        Write("ours.txt", "ours");

        Assert.Equal(["?? ours.txt"], Porcelain());
    }

    [Fact]
    public void Ignored_files_are_not_committed_but_a_tracked_file_stays_tracked_when_ignored_later()
    {
        Write("build.log", "tracked before the rule");
        Commit("log");
        Write(".gitignore", "*.log\nbin/\n");
        Write(".heliosignore", "secret.txt\n");
        Write("bin/out.dll", "binary");
        Write("secret.txt", "s");
        Write("new.log", "n");
        Write("build.log", "changed");

        Assert.Equal([" M build.log", "?? .gitignore", "?? .heliosignore"], Porcelain());
    }

    [Fact]
    public void Checkout_rewrites_only_the_files_that_differ_between_the_commits()
    {
        for (int i = 0; i < 20; i++)
        {
            Write($"f{i}.txt", $"version 1 of {i}");
        }

        var first = Commit("v1");
        Write("f3.txt", "version 2");
        Write("added.txt", "new");
        var second = Commit("v2");
        var untouchedInode = Inode("f7.txt");
        var changedInode = Inode("f3.txt");

        _tree.Checkout(first.ToString());

        Assert.Equal("version 1 of 3", Read("f3.txt"));
        Assert.False(File.Exists(Path.Combine(_root, "added.txt")));
        Assert.Equal(untouchedInode, Inode("f7.txt"));
        Assert.NotEqual(changedInode, Inode("f3.txt"));
        Assert.Equal(first, _repository.HeadCommit);
        Assert.Null(_repository.CurrentBranch);

        _tree.Checkout("main");
        Assert.Equal(second, _repository.HeadCommit);
        Assert.Equal("new", Read("added.txt"));
    }

    [Fact]
    public void Checkout_refuses_to_overwrite_local_changes_or_untracked_files_and_changes_nothing()
    {
        Write("a.txt", "base");
        var first = Commit("base");
        _repository.CreateBranch(BranchName.Parse("other"), first);
        _tree.Checkout("other");
        Write("a.txt", "other");
        Write("b.txt", "other's new file");
        Commit("other");
        _tree.Checkout("main");

        Write("a.txt", "local edit");
        Write("b.txt", "untracked here");
        var refused = Assert.Throws<LocalChangesException>(() => _tree.Checkout("other"));

        Assert.Equal(["a.txt", "b.txt"], refused.Paths);
        Assert.Equal(HeliosErrorCode.Conflict, refused.Code);
        Assert.Equal("local edit", Read("a.txt"));
        Assert.Equal("untracked here", Read("b.txt"));
        Assert.Equal(BranchName.Parse("main"), _repository.CurrentBranch);
    }

    [Fact]
    public void Checkout_carries_local_changes_to_files_the_switch_does_not_touch()
    {
        Write("a.txt", "a");
        Write("b.txt", "b");
        var first = Commit("base");
        _repository.CreateBranch(BranchName.Parse("other"), first);
        Write("a.txt", "a on main");
        Commit("main moves a");

        Write("b.txt", "local edit");
        _tree.Checkout("other");

        Assert.Equal("a", Read("a.txt"));
        Assert.Equal("local edit", Read("b.txt"));
        Assert.Equal([" M b.txt"], Porcelain());
    }

    [Fact]
    public void Checkout_copes_with_a_directory_the_user_already_deleted()
    {
        Write("keep.txt", "k");
        var first = Commit("without dir");
        Write("dir/sub/a.txt", "a");
        Commit("with dir");
        Directory.Delete(Path.Combine(_root, "dir"), recursive: true);

        _tree.Checkout(first.ToString());

        Assert.False(Directory.Exists(Path.Combine(_root, "dir")));
        Assert.Empty(Porcelain());
    }

    [Fact]
    public void Reset_hard_restores_tracked_files_and_leaves_untracked_files_alone()
    {
        Write("a.txt", "one");
        var first = Commit("one");
        Write("a.txt", "two");
        Write("b.txt", "two");
        Commit("two");
        Write("a.txt", "dirty");
        Write("untracked.txt", "keep me");

        _tree.Reset(first, ResetMode.Hard);

        Assert.Equal("one", Read("a.txt"));
        Assert.False(File.Exists(Path.Combine(_root, "b.txt")));
        Assert.Equal("keep me", Read("untracked.txt"));
        Assert.Equal(first, _repository.HeadCommit);
        Assert.Equal(["?? untracked.txt"], Porcelain());
    }

    [Fact]
    public void Reset_soft_keeps_the_files_which_then_show_as_changes()
    {
        Write("a.txt", "one");
        var first = Commit("one");
        Write("a.txt", "two");
        Commit("two");

        _tree.Reset(first, ResetMode.Soft);

        Assert.Equal("two", Read("a.txt"));
        Assert.Equal([" M a.txt"], Porcelain());
    }

    [Fact]
    public void When_paths_are_staged_only_they_are_committed()
    {
        Write("a.txt", "a");
        Write("b.txt", "b");
        Commit("base");
        Write("a.txt", "a2");
        Write("b.txt", "b2");
        Write("dir/c.txt", "c");

        _tree.Stage(["a.txt", "dir"]);
        Assert.Equal(["M  a.txt", " M b.txt", "A  dir/c.txt"], Porcelain());
        Write("a.txt", "edited after add");
        var id = Commit("staged only");

        var files = TreeDiff.Files(_repository.Objects, _repository.ReadCommit(id).Tree).ToDictionary(f => f.Path, f => f.File.Id);
        Assert.Equal(BlobId("a2"), files["a.txt"]);
        Assert.Equal(BlobId("b"), files["b.txt"]);
        Assert.Equal(BlobId("c"), files["dir/c.txt"]);
        Assert.Equal([" M a.txt", " M b.txt"], Porcelain());
    }

    [Fact]
    public void Staging_a_path_that_matches_nothing_is_an_error()
    {
        var error = Assert.Throws<NotFoundException>(() => _tree.Stage(["missing.txt"]));
        Assert.Contains("missing.txt", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_commit_based_on_a_branch_another_worktree_moved_reports_the_move_and_stores_nothing()
    {
        Write("a.txt", "a");
        var first = Commit("base");
        string otherRoot = Path.Combine(_root, "..", Path.GetFileName(_root) + "-other");
        Directory.CreateDirectory(Path.Combine(otherRoot, ".helios"));
        try
        {
            var head = RefName.Parse("worktrees/other/HEAD");
            _repository.CreateHead(head, RefTarget.Follow(BranchName.Parse("main").Ref));
            using var otherRepository = Repository.Open(StorageOf(_repository), _repository.Options with { Head = head });
            var other = Open(otherRoot, otherRepository);
            other.Populate();
            File.WriteAllText(Path.Combine(otherRoot, "a.txt"), "from the other worktree");
            var theirs = other.Commit("theirs"u8.ToArray()).EnsureCommitted();

            // This worktree still shows the first commit's files; its commit must not silently build on theirs.
            Write("b.txt", "mine");
            var result = _tree.Commit("mine"u8.ToArray());

            var moved = Assert.IsType<CommitResult.RefMoved>(result);
            Assert.Equal(first, moved.Expected);
            Assert.Equal(theirs, _repository.TryGetBranch(BranchName.Parse("main")));

            // Checking out the branch it is on brings the files forward, keeping the uncommitted file.
            _tree.Checkout("main");
            Assert.Equal("from the other worktree", Read("a.txt"));
            Assert.Equal("mine", Read("b.txt"));
            Assert.Equal(["?? b.txt"], Porcelain());
            var retried = _tree.Commit("mine again"u8.ToArray()).EnsureCommitted();
            var files = TreeDiff.Files(_repository.Objects, _repository.ReadCommit(retried).Tree).ToDictionary(f => f.Path, f => f.File.Id);
            Assert.Equal(BlobId("from the other worktree"), files["a.txt"]);
        }
        finally
        {
            Directory.Delete(otherRoot, recursive: true);
        }
    }

    [Fact]
    public void Undo_of_a_commit_moves_the_branch_back_and_restores_the_files()
    {
        Write("a.txt", "one");
        var first = Commit("one");
        Write("a.txt", "two");
        Write("b.txt", "two");
        Commit("two");

        _tree.Undo();

        Assert.Equal(first, _repository.HeadCommit);
        Assert.Equal("one", Read("a.txt"));
        Assert.False(File.Exists(Path.Combine(_root, "b.txt")));
        Assert.Empty(Porcelain());
    }

    [Fact]
    public void A_rewrite_that_keeps_size_and_modification_time_is_still_detected()
    {
        Write("a.txt", "aaaa");
        var old = DateTime.UtcNow.AddMinutes(-10);
        File.SetLastWriteTimeUtc(Path.Combine(_root, "a.txt"), old);
        Commit("one");
        Assert.Empty(Porcelain());

        Write("a.txt", "bbbb");
        File.SetLastWriteTimeUtc(Path.Combine(_root, "a.txt"), old);

        Assert.Equal([" M a.txt"], Porcelain());
    }

    [Fact]
    public void Populate_writes_every_file_of_head_into_an_empty_directory()
    {
        Write("a.txt", "a");
        Write("deep/er/b.txt", "b");
        Commit("files");
        string copy = Directory.CreateTempSubdirectory("helios-populate-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(copy, ".helios"));
            var tree = Open(copy, _repository);
            tree.Populate();

            Assert.Equal("b", File.ReadAllText(Path.Combine(copy, "deep/er/b.txt")));
            Assert.True(tree.Status().IsClean);
        }
        finally
        {
            Directory.Delete(copy, recursive: true);
        }
    }

    [Fact]
    public void A_damaged_index_is_reported_as_corruption_naming_the_file()
    {
        Write("a.txt", "a");
        Commit("one");
        string index = Path.Combine(_root, ".helios", "index");
        var bytes = File.ReadAllBytes(index);
        bytes[^12] ^= 0xFF;
        File.WriteAllBytes(index, bytes);

        var error = Assert.Throws<HeliosException>(() => _tree.Status());
        Assert.Equal(HeliosErrorCode.Corruption, error.Code);
        Assert.Contains(index, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("../outside.txt")]
    [InlineData("/etc/passwd")]
    [InlineData(".helios/index")]
    public void Paths_outside_the_worktree_or_inside_its_metadata_are_refused(string path)
    {
        var error = Assert.Throws<HeliosException>(() => _tree.ToTreePath(_root, path));
        Assert.Equal(HeliosErrorCode.InvalidArgument, error.Code);
    }

    [Fact]
    public void Paths_inside_the_worktree_are_made_relative_to_its_root()
    {
        Assert.Equal("dir/a.txt", _tree.ToTreePath(Path.Combine(_root, "dir"), "a.txt"));
        Assert.Equal("", _tree.ToTreePath(_root, "."));
    }

    private static WorkingTree Open(string root, Repository repository) =>
        new(repository, root, Path.Combine(root, ".helios", "index"), "test");

    private static Core.Storage.IRepositoryStorage StorageOf(Repository repository) => repository.Storage;

    private ObjectId Commit(string message) => _tree.Commit(System.Text.Encoding.UTF8.GetBytes(message)).EnsureCommitted();

    private string[] Porcelain() => _tree.Status().Entries.Select(e => e.Porcelain).ToArray();

    private void Write(string path, string content)
    {
        string full = Path.Combine(_root, path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllText(full, content);
    }

    private string Read(string path) => File.ReadAllText(Path.Combine(_root, path));

    private ulong Inode(string path) => NativeFileSystem.LStat(Path.Combine(_root, path))!.Value.Inode;

    private static ObjectId BlobId(string content) => ObjectId.Of(ObjectCodec.EncodeBlob(System.Text.Encoding.UTF8.GetBytes(content)));
}
