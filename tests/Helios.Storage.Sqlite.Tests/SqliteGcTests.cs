using System.Collections.Concurrent;
using Helios.Core.Gc;
using Helios.Core.Integrity;
using Helios.Core.Objects;
using Helios.Core.Refs;
using Helios.Core.Repositories;
using Helios.Core.Storage;

namespace Helios.Storage.Sqlite.Tests;

public sealed class SqliteGcTests : IDisposable
{
    private readonly TempDatabase _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Gc_running_over_and_over_while_threads_commit_loses_no_acknowledged_commit_and_leaves_fsck_clean()
    {
        string path = _temp.NewPath();
        using var repo = Repository.Init(_temp.Open(path));
        var init = repo.OpenHead();
        init.Write("seed.txt", "seed");
        var seed = repo.Commit(init, "seed").EnsureCommitted();
        const int writers = 3, commitsEach = 40;
        var acknowledged = new ConcurrentBag<(ObjectId Commit, string Path, string Content)>();
        using var done = new CancellationTokenSource();
        long collections = 0, deleted = 0;

        var gc = Task.Run(() =>
        {
            while (!done.IsCancellationRequested)
            {
                // Expire the whole log each time, so dropped commits really become garbage while writers run.
                var report = GarbageCollector.Collect(repo, new GcOptions { GracePeriod = TimeSpan.FromMilliseconds(50), ExpireBefore = DateTimeOffset.UtcNow, DeleteBatchSize = 7 });
                Interlocked.Increment(ref collections);
                Interlocked.Add(ref deleted, report.Deleted);
            }
        });
        var garbage = Task.Run(() =>
        {
            // Commits and drops them again, with the same contents the writers use, so writers keep re-creating
            // objects that are garbage (freshening must save them).
            var scratch = BranchName.Parse("scratch");
            repo.CreateBranch(scratch, seed);
            var ws = repo.OpenWorkspace(scratch);
            for (int i = 0; !done.IsCancellationRequested; i++)
            {
                ws.Write($"w{i % writers}/file.txt", $"content {i % 7}");
                repo.Commit(ws, "scratch").EnsureCommitted();
                repo.Reset(ws, seed, ResetMode.Hard);
            }
        });
        var writerTasks = Enumerable.Range(0, writers).Select(w => Task.Run(() =>
        {
            var branch = BranchName.Parse($"writer{w}");
            repo.CreateBranch(branch, seed);
            var ws = repo.OpenWorkspace(branch);
            // At least commitsEach commits, and on until gc has run several times alongside and deleted something.
            for (int i = 0; i < commitsEach || ((Interlocked.Read(ref collections) < 5 || Interlocked.Read(ref deleted) == 0) && i < 5000); i++)
            {
                string file = $"w{w}/file.txt", content = $"content {i % 7}";
                ws.Write(file, content);
                ws.Write($"w{w}/log-{i}.txt", $"{w}:{i}");
                var id = repo.Commit(ws, $"writer {w} commit {i}").EnsureCommitted();
                acknowledged.Add((id, file, content));
            }
        })).ToArray();

        await Task.WhenAll(writerTasks);
        await done.CancelAsync();
        await Task.WhenAll(gc, garbage);
        GarbageCollector.Collect(repo, new GcOptions { GracePeriod = TimeSpan.Zero, ExpireBefore = DateTimeOffset.UtcNow });

        Assert.True(Interlocked.Read(ref collections) >= 5);
        Assert.True(Interlocked.Read(ref deleted) > 0, "gc deleted nothing while writers ran; the test raced nothing");
        Assert.True(acknowledged.Count >= writers * commitsEach);
        using var reopened = Repository.Open(_temp.Open(path));
        Assert.Empty(Fsck.Check(reopened).Problems);
        foreach (var (commit, file, content) in acknowledged)
        {
            var ws = reopened.OpenWorkspaceAt(RefName.Parse("refs/heads/readback"), commit);
            Assert.Equal(content, System.Text.Encoding.UTF8.GetString(ws.Read(file).Span));
        }
    }

    [Fact]
    public void Gc_keeps_an_unreachable_delta_base_while_a_reachable_object_is_stored_against_it_and_deletes_both_once_neither_is_needed()
    {
        string path = _temp.NewPath();
        var storage = _temp.Open(path);
        using var repo = Repository.Init(storage);
        var text = string.Join("\n", Enumerable.Range(0, 400).Select(i => $"line {i} of a file agents keep editing"));
        var baseBytes = ObjectCodec.EncodeBlob(System.Text.Encoding.UTF8.GetBytes(text));
        var baseId = ObjectId.Of(baseBytes);
        storage.Objects.PutMany([new EncodedObject(baseId, baseBytes)]);
        var main = repo.OpenHead();
        main.Write("readme.txt", "main");
        var c0 = repo.Commit(main, "c0").EnsureCommitted();
        var side = BranchName.Parse("side");
        repo.CreateBranch(side, c0);
        var ws = repo.OpenWorkspace(side);
        var edited = text.Replace("line 200 ", "line two hundred ", StringComparison.Ordinal);
        var editedBytes = ObjectCodec.EncodeBlob(System.Text.Encoding.UTF8.GetBytes(edited));
        var editedId = ObjectId.Of(editedBytes);
        // Stored with the hint before the commit names it, as a commit path passing the previous version would.
        storage.Objects.PutMany([new EncodedObject(editedId, editedBytes, baseId)]);
        ws.Write("f.txt", edited);
        repo.Commit(ws, "edited").EnsureCommitted();
        Thread.Sleep(5);

        var report = GarbageCollector.Collect(repo, new GcOptions { GracePeriod = TimeSpan.Zero });

        Assert.Equal(1, report.KeptAsDeltaBase);
        Assert.True(storage.Objects.Contains(baseId));
        using (var reopened = Repository.Open(_temp.Open(path)))
        {
            Assert.Equal(edited, System.Text.Encoding.UTF8.GetString(reopened.OpenWorkspace(side).Read("f.txt").Span));
            Assert.Empty(Fsck.Check(reopened).Problems);
        }

        // Once the edited version is garbage too, both go in one run (the dependent first).
        repo.DeleteBranch(side);
        main.Write("g.txt", "so that the newest log record no longer names the edited commit");
        repo.Commit(main, "another").EnsureCommitted();
        Thread.Sleep(5);
        var second = GarbageCollector.Collect(repo, new GcOptions { GracePeriod = TimeSpan.Zero, ExpireBefore = DateTimeOffset.UtcNow });
        Assert.True(second.Deleted >= 4, $"{second}"); // base, edited blob, side's commit and trees
        Assert.False(storage.Objects.Contains(baseId));
        Assert.False(storage.Objects.Contains(editedId));
        Assert.Equal(0, second.KeptAsDeltaBase);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Gc_deletes_garbage_from_disk_and_returns_the_space_to_the_file_system_with_or_without_aggressive(bool aggressive)
    {
        string path = _temp.NewPath();
        var storage = _temp.Open(path);
        using var repo = Repository.Init(storage);
        var ws = repo.OpenHead();
        var random = new Random(7);
        var first = default(ObjectId);
        for (int i = 0; i < 20; i++)
        {
            var bytes = new byte[64 * 1024];
            random.NextBytes(bytes);
            ws.Write($"big-{i}.bin", bytes);
            var id = repo.Commit(ws, $"big {i}").EnsureCommitted();
            first = i == 0 ? id : first;
        }

        repo.Reset(ws, first, ResetMode.Hard);
        ws.Write("after.txt", "x");
        repo.Commit(ws, "after").EnsureCommitted();
        var before = storage.MeasureSpace();

        var report = GarbageCollector.Collect(repo, new GcOptions { GracePeriod = TimeSpan.Zero, ExpireBefore = DateTimeOffset.UtcNow.AddSeconds(1), Aggressive = aggressive });

        // At least the 18 oldest of the 19 unreachable 64 KiB blobs: objects written in the last moments before gc
        // may still be spared (the newest commit's objects were seen to survive one run in about six; see the
        // closing note of issue 9), which is safe and is left to the next gc.
        Assert.True(report.Deleted >= 18, $"deleted {report.Deleted}, reachable {report.Reachable}, before {report.ObjectsBefore}");
        Assert.True(report.DeletedStoredBytes >= 18 * 64 * 1024 * 9 / 10, $"deleted {report.DeletedStoredBytes} bytes");
        Assert.NotNull(report.SpaceAfter);
        Assert.True(report.SpaceAfter!.Value.FileBytes < before.FileBytes - 18 * 64 * 1024 * 8 / 10,
            $"files: {before.FileBytes} -> {report.SpaceAfter.Value.FileBytes}");
        Assert.Equal(0, new FileInfo(path + "-wal") is { Exists: true } wal ? wal.Length : 0);
        Assert.Empty(Fsck.Check(repo).Problems);
    }
}
