using Helios.Core.Errors;
using Helios.Core.Objects;
using Helios.Core.Repositories;
using Helios.Core.WorkingTrees;

namespace Helios.Core.Tests.WorkingTrees;

public sealed class WorkingTreeIndexTests : IDisposable
{
    private static readonly DateTimeOffset LongAfter = DateTimeOffset.UtcNow.AddDays(1);

    private readonly string _dir = Directory.CreateTempSubdirectory("helios-index-").FullName;

    private string File => Path.Combine(_dir, "index");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void A_lazy_save_after_touching_a_few_paths_keeps_every_other_entry_exactly()
    {
        var full = new WorkingTreeIndex { BaseTree = Id("tree"), BaseCommit = Id("commit") };
        for (int i = 0; i < 500; i++)
        {
            var entry = full.GetOrAdd($"dir{i % 7}/file{i}.txt");
            entry.Head = new FileVersion(EntryKind.File, Id($"head {i}"));
            entry.Seen = i % 3 == 0 ? entry.Head : new FileVersion(EntryKind.Executable, Id($"seen {i}"));
            entry.SeenStat = new FileStat(i, i * 1000L, i * 2000L, (ulong)i, 0x81A4);
        }

        full.Save(File, LongAfter, TimeSpan.Zero);

        var lazy = WorkingTreeIndex.Load(File);
        lazy.TryGet("dir3/file10.txt")!.Head = new FileVersion(EntryKind.Symlink, Id("changed"));
        lazy.GetOrAdd("aaa-new.txt").Head = new FileVersion(EntryKind.File, Id("new"));
        Assert.Null(lazy.TryGet("missing.txt"));
        lazy.Save(File, LongAfter, TimeSpan.Zero);

        var reloaded = WorkingTreeIndex.Load(File).Entries;
        Assert.Equal(501, reloaded.Count);
        Assert.Equal(Id("changed"), reloaded["dir3/file10.txt"].Head!.Value.Id);
        Assert.Equal(Id("new"), reloaded["aaa-new.txt"].Head!.Value.Id);
        foreach (var (path, original) in full.Entries.Where(e => e.Key != "dir3/file10.txt"))
        {
            var copy = reloaded[path];
            Assert.Equal(original.Head, copy.Head);
            Assert.Equal(original.Seen, copy.Seen);
            Assert.Equal(original.SeenStat, copy.SeenStat);
        }
    }

    [Fact]
    public void Entries_looked_up_before_a_full_decode_keep_their_edits()
    {
        var index = new WorkingTreeIndex();
        index.GetOrAdd("b").Head = new FileVersion(EntryKind.File, Id("b"));
        index.GetOrAdd("a").Head = new FileVersion(EntryKind.File, Id("a"));
        index.Save(File, LongAfter, TimeSpan.Zero);

        var lazy = WorkingTreeIndex.Load(File);
        var a = lazy.TryGet("a")!;
        a.Staged = new FileVersion(EntryKind.File, Id("staged"));

        Assert.Same(a, lazy.Entries["a"]);
        Assert.Equal(2, lazy.Entries.Count);
    }

    [Fact]
    public void Stat_data_inside_the_racy_window_is_not_saved()
    {
        var index = new WorkingTreeIndex();
        var now = DateTimeOffset.UtcNow;
        var entry = index.GetOrAdd("fresh.txt");
        entry.Seen = new FileVersion(EntryKind.File, Id("x"));
        entry.SeenStat = new FileStat(1, now.ToUnixTimeMilliseconds() * 1_000_000, 0, 1, 0x81A4);
        index.Save(File, now, TimeSpan.FromSeconds(2));

        Assert.Null(WorkingTreeIndex.Load(File).TryGet("fresh.txt"));
    }

    [Fact]
    public void A_truncated_index_is_reported_as_corruption()
    {
        var index = new WorkingTreeIndex();
        index.GetOrAdd("a").Head = new FileVersion(EntryKind.File, Id("a"));
        index.Save(File, LongAfter, TimeSpan.Zero);
        var bytes = System.IO.File.ReadAllBytes(File);
        System.IO.File.WriteAllBytes(File, bytes[..^3]);

        var error = Assert.Throws<HeliosException>(() => WorkingTreeIndex.Load(File));
        Assert.Equal(HeliosErrorCode.Corruption, error.Code);
    }

    private static ObjectId Id(string text) => ObjectId.Of(System.Text.Encoding.UTF8.GetBytes(text));
}
