using Helios.Core.Errors;
using Helios.Core.Memory;
using Helios.Core.Refs;
using Helios.Core.Repositories;
using Helios.Core.Storage;

namespace Helios.Storage.Sqlite.Tests;

public sealed class SqliteRepositoryTests : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("helios-repo-");

    public void Dispose() => _root.Delete(recursive: true);

    [Fact]
    public void A_repository_on_disk_keeps_commits_branches_and_the_operation_log_across_reopening()
    {
        ObjectIdHolder ids;
        using (var repo = SqliteRepository.Init(_root.FullName, new SqliteStorageOptions { Durability = Durability.Durable }))
        {
            var ws = repo.OpenHead();
            ws.Write("src/app.py", "print('hi')\n");
            ws.Write("README.md", "# demo\n");
            var first = repo.Commit(ws, "first").EnsureCommitted();
            repo.CreateBranch(BranchName.Parse("experiment"), first);
            ws.Write("src/app.py", "print('bye')\n");
            var second = repo.Commit(ws, "second").EnsureCommitted();
            ids = new ObjectIdHolder(first, second);
        }

        using (var repo = SqliteRepository.Open(_root.FullName))
        {
            Assert.Equal(ids.Second, repo.HeadCommit);
            Assert.Equal(ids.First, repo.TryGetBranch(BranchName.Parse("experiment")));
            Assert.Equal("print('bye')\n", System.Text.Encoding.UTF8.GetString(repo.OpenHead().Read("src/app.py").Span));
            Assert.Equal(["commit", "branch", "commit", "init"], repo.Operations().Select(o => o.Info.Kind));
            Assert.Equal(ids.First, repo.ResolveRevision("HEAD~1"));
            repo.Undo();
            Assert.Equal(ids.First, repo.HeadCommit);
        }
    }

    [Fact]
    public void Init_creates_the_merge_log_key_that_opened_handles_sign_with_and_an_older_repository_gets_one_on_first_need()
    {
        var keyPath = SqliteRepository.MergeLogKeyPath(_root.FullName);
        Core.Objects.ObjectId keyId;
        using (var repo = SqliteRepository.Init(_root.FullName))
        {
            Assert.True(File.Exists(keyPath));
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyPath));
            }

            keyId = repo.Options.MergeLogSigner!.Value.PublicKey.KeyId;
        }

        using (var repo = SqliteRepository.Open(_root.FullName))
        {
            Assert.Equal(keyId, repo.Options.MergeLogSigner!.Value.PublicKey.KeyId);
        }

        // A repository made before merge-log keys existed has no key file until a handle needs to sign.
        File.Delete(keyPath);
        using (var repo = SqliteRepository.Open(_root.FullName))
        {
            Assert.False(File.Exists(keyPath));
            var log = new MergeLog(repo);
            Assert.True(log.Verify().IsValid);
            Assert.False(File.Exists(keyPath));
            Assert.Contains("PUBLIC KEY", log.ExportPublicKeyPem(), StringComparison.Ordinal);
            Assert.True(File.Exists(keyPath));
        }
    }

    [Fact]
    public void Init_twice_and_open_of_a_missing_repository_give_clear_errors()
    {
        SqliteRepository.Init(_root.FullName).Dispose();
        Assert.Equal(HeliosErrorCode.AlreadyExists, Assert.Throws<HeliosException>(() => SqliteRepository.Init(_root.FullName)).Code);
        var empty = Directory.CreateTempSubdirectory("helios-none-");
        try
        {
            var e = Assert.Throws<HeliosException>(() => SqliteRepository.Open(empty.FullName));
            Assert.Equal(HeliosErrorCode.RepositoryNotFound, e.Code);
            Assert.Contains("helios init", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            empty.Delete(recursive: true);
        }
    }

    [Fact]
    public void A_corrupted_object_on_disk_is_reported_with_its_id_and_other_commits_stay_readable()
    {
        Core.Objects.ObjectId damaged;
        using (var repo = SqliteRepository.Init(_root.FullName))
        {
            var ws = repo.OpenHead();
            ws.Write("keep.txt", "safe");
            repo.Commit(ws, "safe").EnsureCommitted();
            ws.Write("victim.txt", new string('v', 5000));
            repo.Commit(ws, "victim").EnsureCommitted();
            damaged = repo.Objects.Store.FindByPrefix("", int.MaxValue)
                .Single(id => repo.Objects.TryRead(id) is Core.Objects.Blob b && b.Content.Length == 5000);
        }

        using (var db = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={SqliteRepository.DatabasePath(_root.FullName)};Pooling=False"))
        {
            db.Open();
            using var cmd = db.CreateCommand();
            // Flip one byte of the stored blob, as a bad disk sector would.
            cmd.CommandText = "UPDATE objects SET data = substr(data, 1, 100) || X'00' || substr(data, 102) WHERE id = $id";
            cmd.Parameters.AddWithValue("$id", damaged.ToByteArray());
            Assert.Equal(1, cmd.ExecuteNonQuery());
        }

        using (var repo = SqliteRepository.Open(_root.FullName))
        {
            var ws = repo.OpenHead();
            var e = Assert.Throws<Core.Errors.CorruptObjectException>(() => ws.Read("victim.txt"));
            Assert.Equal(damaged, e.Expected);
            Assert.Equal(HeliosErrorCode.Corruption, e.Code);
            Assert.Contains(damaged.ToString(), e.Message, StringComparison.Ordinal);
            Assert.Equal("safe", System.Text.Encoding.UTF8.GetString(ws.Read("keep.txt").Span));
        }
    }

    [Fact]
    public void A_full_disk_gives_a_storage_error_and_keeps_every_acknowledged_commit()
    {
        // A real full disk: a 2 MiB tmpfs (the tests run as root, as CI does).
        var mountPoint = Directory.CreateTempSubdirectory("helios-full-").FullName;
        var mount = System.Diagnostics.Process.Start("mount", ["-t", "tmpfs", "-o", "size=2m", "tmpfs", mountPoint])!;
        mount.WaitForExit();
        Assert.True(mount.ExitCode == 0, "mounting a 2 MiB tmpfs failed: this test needs root (as in CI).");
        try
        {
            var acknowledged = new List<Core.Objects.ObjectId>();
            HeliosException? failure = null;
            using (var repo = SqliteRepository.Init(mountPoint, new SqliteStorageOptions { Durability = Durability.Fast }))
            {
                var ws = repo.OpenHead();
                var random = new Random(5);
                for (int i = 0; i < 10_000 && failure is null; i++)
                {
                    var content = new byte[16 * 1024];
                    random.NextBytes(content);
                    ws.Write($"f{i}.bin", content);
                    try
                    {
                        acknowledged.Add(repo.Commit(ws, $"commit {i}").EnsureCommitted());
                    }
                    catch (HeliosException e)
                    {
                        failure = e;
                    }
                }
            }

            Assert.NotNull(failure);
            Assert.Equal(HeliosErrorCode.Storage, failure.Code);
            Assert.Contains("full", failure.Message, StringComparison.Ordinal);
            Assert.NotEmpty(acknowledged);

            using var reopened = SqliteRepository.Open(mountPoint);
            Assert.Equal(acknowledged[^1], reopened.HeadCommit);
            Assert.Equal(acknowledged.Count, reopened.Log(acknowledged[^1]).Count());
        }
        finally
        {
            System.Diagnostics.Process.Start("umount", [mountPoint])!.WaitForExit();
            Directory.Delete(mountPoint, recursive: true);
        }
    }

    private sealed record ObjectIdHolder(Core.Objects.ObjectId First, Core.Objects.ObjectId Second);
}
