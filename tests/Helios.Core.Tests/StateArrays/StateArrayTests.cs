using System.Runtime.CompilerServices;
using Helios.Core.Errors;
using Helios.Core.Objects;
using Helios.Core.StateArrays;
using static Helios.Core.Tests.StateArrays.StateArrayTestSupport;

namespace Helios.Core.Tests.StateArrays;

public class StateArrayTests
{
    // 4 KiB pages of 64-byte agents: 64 records per page, so a few thousand agents make many pages.
    private static readonly StateArrayOptions SmallPages = new() { PageSize = 4096 };

    [Fact]
    public void A_new_array_reads_zeroed_records_and_returns_what_was_set()
    {
        var array = StateArray.Create<Agent>(new ControllableStore(), "agents", 1000, SmallPages);
        Assert.Equal(default, array.Get(999));
        array.Set(999, AgentFor(999));
        array.GetForWrite(3).Health = 42;
        Assert.Equal(AgentFor(999), array[999]);
        Assert.Equal(42, array[3].Health);
        Assert.Equal(0, array[4].Health);
        Assert.Equal(64, array.RecordSize);
        Assert.Equal(64, array.RecordsPerPage);
        Assert.Equal(16, array.PageCount);
    }

    [Fact]
    public void Reading_or_writing_outside_the_array_is_refused()
    {
        var array = StateArray.Create<Agent>(new ControllableStore(), "agents", 10);
        Assert.Throws<ArgumentOutOfRangeException>(() => array.Get(10));
        Assert.Throws<ArgumentOutOfRangeException>(() => array.Set(-1, default));
        Assert.Throws<ArgumentOutOfRangeException>(() => array.Write(8, new Agent[3]));
        Assert.Throws<ArgumentException>(() => array.SetRecord(0, new byte[63]));
    }

    [Theory]
    [InlineData(4096, 1000)]   // whole pages of 64 records, a partial last page
    [InlineData(1000, 333)]    // 15 records per page: not a power of two, not dividing the page size
    [InlineData(65536, 1)]     // one record in one page
    [InlineData(65536, 0)]     // no pages at all
    public void A_checkpoint_loads_back_record_for_record(int pageSize, int count)
    {
        var store = new ControllableStore();
        var array = StateArray.Create<Agent>(store, "agents", count, new StateArrayOptions { PageSize = pageSize });
        for (int i = 0; i < count; i += 3)
        {
            array.Set(i, AgentFor(i));
        }

        var checkpoint = array.Checkpoint();
        var loaded = StateArray.Load<Agent>(store, checkpoint.Root, "agents", new StateArrayOptions { PageSize = pageSize });
        Assert.Equal(Snapshot(array), Snapshot(loaded));
        Assert.Equal(checkpoint.Root, loaded.LastCheckpoint);
        Assert.Equal(0, loaded.DirtyPageCount);
    }

    [Fact]
    public void A_raw_array_of_odd_record_size_round_trips()
    {
        var store = new ControllableStore();
        var array = StateArray.Create(store, "raw", recordSize: 7, count: 5000, new StateArrayOptions { PageSize = 512 });
        var rng = new Random(5);
        var record = new byte[7];
        for (int i = 0; i < 5000; i += 2)
        {
            rng.NextBytes(record);
            array.SetRecord(i, record);
        }

        var root = array.Checkpoint().Root;
        var loaded = StateArray.Load(store, root, "raw", 7);
        Assert.Equal(Snapshot(array), Snapshot(loaded));
        Assert.Equal(record, loaded.GetRecord(4998).ToArray());
    }

    [Fact]
    public void A_checkpoint_stores_only_pages_written_since_the_last_one()
    {
        var store = new ControllableStore();
        var array = StateArray.Create<Agent>(store, "agents", 64 * 100, SmallPages);
        var first = array.Checkpoint();
        Assert.Equal(100, first.DirtyPages);
        Assert.Equal(1, first.PagesStored); // every page is the zero page: stored once

        array.Set(0, AgentFor(0));
        array.Set(64 * 50 + 3, AgentFor(7));
        array.Set(64 * 50 + 4, AgentFor(8));
        Assert.Equal(2, array.DirtyPageCount);
        var second = array.Checkpoint();
        Assert.Equal(2, second.DirtyPages);
        Assert.Equal(2, second.PagesStored);
        Assert.Equal(2 * 4096, second.RawBytesStored);
        Assert.Equal(0, array.DirtyPageCount);
        Assert.Equal(2, store.PutCalls);
    }

    [Fact]
    public void A_page_written_back_to_its_checkpointed_bytes_is_not_stored_again()
    {
        var store = new ControllableStore();
        var array = StateArray.Create<Agent>(store, "agents", 640, SmallPages);
        array.Set(5, AgentFor(5));
        var first = array.Checkpoint();
        array.Set(5, AgentFor(5));
        var second = array.Checkpoint();
        Assert.Equal(1, second.DirtyPages);
        Assert.Equal(0, second.PagesStored);
        Assert.Equal(first.Root, second.Root);
    }

    [Fact]
    public void Checkpointing_an_unchanged_array_returns_the_same_root_without_storing()
    {
        var store = new ControllableStore();
        var array = StateArray.Create<Agent>(store, "agents", 640, SmallPages);
        var first = array.Checkpoint();
        var second = array.Checkpoint();
        Assert.Equal(first.Root, second.Root);
        Assert.Equal(1, store.PutCalls);
    }

    [Fact]
    public void A_failed_checkpoint_leaves_the_previous_one_current_and_the_pages_dirty()
    {
        var store = new ControllableStore();
        var array = StateArray.Create<Agent>(store, "agents", 640, SmallPages);
        var first = array.Checkpoint();
        array.Set(100, AgentFor(100));
        store.FailPuts = true;
        Assert.Throws<StorageException>(() => array.Checkpoint());
        Assert.Equal(first.Root, array.LastCheckpoint);
        Assert.Equal(1, array.DirtyPageCount);

        store.FailPuts = false;
        var second = array.Checkpoint();
        Assert.Equal(1, second.PagesStored);
        Assert.Equal(AgentFor(100), StateArray.Load<Agent>(store, second.Root, "agents", SmallPages)[100]);
    }

    [Fact]
    public void A_checkpoint_prepared_before_a_write_cannot_be_completed()
    {
        var store = new ControllableStore();
        var array = StateArray.Create<Agent>(store, "agents", 640, SmallPages);
        var prepared = array.PrepareCheckpoint();
        array.Set(1, AgentFor(1));
        store.PutMany(prepared.Objects);
        var e = Assert.Throws<HeliosException>(() => array.CompleteCheckpoint(prepared));
        Assert.Equal(HeliosErrorCode.InvalidState, e.Code);
        Assert.Null(array.LastCheckpoint);
    }

    [Fact]
    public void Range_writes_and_writable_segments_mark_every_covered_page_dirty()
    {
        var store = new ControllableStore();
        var array = StateArray.Create<Agent>(store, "agents", 640, SmallPages);
        array.Checkpoint();
        array.Write(60, Enumerable.Range(60, 10).Select(i => AgentFor(i)).ToArray());
        Assert.Equal(2, array.DirtyPageCount);
        int segments = 0;
        foreach (var segment in array.GetWritable(200, 200))
        {
            segments++;
            foreach (ref var agent in segment)
            {
                agent.Counter = 9;
            }
        }

        Assert.Equal(4, segments); // records 200..399 touch pages 3..6
        Assert.Equal(6, array.DirtyPageCount);
        var copy = new Agent[10];
        array.Read(60, copy);
        Assert.Equal(AgentFor(69), copy[9]);
        Assert.Equal(9, array[399].Counter);
        Assert.Equal(0, array[400].Counter);
    }

    [Fact]
    public void Typical_agent_pages_are_stored_shuffled_in_less_than_half_their_raw_size()
    {
        var store = new ControllableStore();
        var array = StateArray.Create<Agent>(store, "agents", 10_000);
        for (int i = 0; i < 10_000; i++)
        {
            array.Set(i, AgentFor(i, frame: i % 7));
        }

        var checkpoint = array.Checkpoint();
        Assert.True(checkpoint.CompressionRatio < 0.5, $"stored {checkpoint.StoredBytes} of {checkpoint.RawBytesStored} bytes");
        var root = (StateArrayRoot)ObjectCodec.Decode(checkpoint.Root, store.Raw(checkpoint.Root));
        var page = (StateArrayPage)ObjectCodec.Decode(root.Pages[0].Page, store.Raw(root.Pages[0].Page));
        Assert.Equal(StateArrayPageCodec.ShuffledLz4, page.Codec);
        Assert.Equal(64, page.ElementSize);
    }

    [Fact]
    public void Incompressible_pages_are_stored_raw()
    {
        var store = new ControllableStore();
        var array = StateArray.Create(store, "noise", 16, 256, SmallPages);
        var noise = new byte[16 * 256];
        new Random(3).NextBytes(noise);
        array.WriteRecords(0, noise);
        var checkpoint = array.Checkpoint();
        var root = StateArray.ReadRoot(store, checkpoint.Root);
        var page = (StateArrayPage)ObjectCodec.Decode(root.Pages[0].Page, store.Raw(root.Pages[0].Page));
        Assert.Equal(StateArrayPageCodec.Raw, page.Codec);
        Assert.Equal(noise.AsSpan(0, 4096).ToArray(), page.Decode(root.Pages[0].Page));
    }

    // ----- diff -----

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Diff_of_two_checkpoints_matches_a_record_by_record_comparison(int seed)
    {
        var rng = new Random(seed);
        var store = new ControllableStore();
        var array = StateArray.Create<Agent>(store, "agents", 3000, new StateArrayOptions { PageSize = 4096, ParallelPageThreshold = 2 });
        for (int i = 0; i < 3000; i++)
        {
            array.Set(i, AgentFor(i));
        }

        var a = array.Checkpoint().Root;
        var before = Snapshot(array);
        int writes = rng.Next(0, 300);
        for (int w = 0; w < writes; w++)
        {
            long i = rng.Next(3000);
            if (rng.Next(4) == 0)
            {
                array.Set(i, array[i]); // same bytes: the page is dirty but the record did not change
            }
            else
            {
                array.GetForWrite(i).Y += 1 + rng.Next(5);
            }
        }

        var b = array.Checkpoint().Root;
        var expected = NaiveDiff(before, Snapshot(array), 64);
        Assert.Equal(expected, array.Diff(a, b).Ranges);
        Assert.Equal(expected, StateArray.Diff(store, a, b).Ranges);
        Assert.Equal(NaiveDiff(Snapshot(array), before, 64), array.Diff(b, a).Ranges);

        // The live array against a checkpoint, including writes not yet checkpointed.
        array.GetForWrite(2999).Z = 1;
        Assert.Equal(NaiveDiff(before, Snapshot(array), 64), array.DiffFrom(a).Ranges);
    }

    [Fact]
    public void Diff_compares_pages_stored_raw_with_pages_stored_shuffled()
    {
        var store = new ControllableStore();
        var array = StateArray.Create(store, "mixed", 32, 512, SmallPages);
        var noise = new byte[32 * 512];
        new Random(9).NextBytes(noise);
        array.WriteRecords(0, noise);
        var noisy = array.Checkpoint().Root;
        var before = Snapshot(array);
        array.WriteRecords(129, new byte[32 * 127]); // zeros compress: page 1 is now stored shuffled
        var quieter = array.Checkpoint().Root;
        Assert.Equal(StateArrayPageCodec.Raw, PageCodec(store, noisy, 1));
        Assert.Equal(StateArrayPageCodec.ShuffledLz4, PageCodec(store, quieter, 1));
        var expected = NaiveDiff(before, Snapshot(array), 32);
        Assert.Equal([new RecordRange(129, 127)], expected);
        Assert.Equal(expected, StateArray.Diff(store, noisy, quieter).Ranges);
        Assert.Equal(expected, array.Diff(noisy, quieter).Ranges);
        Assert.Equal(expected, array.DiffFrom(noisy).Ranges);
    }

    private static StateArrayPageCodec PageCodec(ControllableStore store, ObjectId root, int page)
    {
        var id = StateArray.ReadRoot(store, root).Pages[page].Page;
        return ((StateArrayPage)ObjectCodec.Decode(id, store.Raw(id))).Codec;
    }

    [Fact]
    public void Diff_merges_adjacent_changed_records_across_pages_into_one_range()
    {
        var store = new ControllableStore();
        var array = StateArray.Create<Agent>(store, "agents", 640, SmallPages);
        var a = array.Checkpoint().Root;
        for (int i = 60; i < 70; i++)
        {
            array.GetForWrite(i).Counter = 1;
        }

        var b = array.Checkpoint().Root;
        var diff = array.Diff(a, b);
        Assert.Equal([new RecordRange(60, 10)], diff.Ranges);
        Assert.Equal(2, diff.PagesCompared);
        Assert.Equal(10, diff.ChangedRecords);
        Assert.True(array.Diff(b, b).IsEmpty);
    }

    [Fact]
    public void Diff_reading_a_corrupt_stored_page_is_corruption_naming_it()
    {
        var store = new ControllableStore();
        var array = StateArray.Create<Agent>(store, "agents", 640, SmallPages);
        var a = array.Checkpoint().Root;
        array.Set(70, AgentFor(70));
        var b = array.Checkpoint().Root;
        var page = StateArray.ReadRoot(store, b).Pages[1].Page;
        store.Raw(page)[^2] ^= 1;
        var e = Assert.Throws<CorruptObjectException>(() => StateArray.Diff(store, a, b));
        Assert.Equal(page, e.Expected);
    }

    [Fact]
    public void Diff_refuses_a_checkpoint_of_another_array()
    {
        var store = new ControllableStore();
        var agents = StateArray.Create<Agent>(store, "agents", 640, SmallPages);
        var other = StateArray.Create<Agent>(store, "monsters", 640, SmallPages);
        var a = agents.Checkpoint().Root;
        var m = other.Checkpoint().Root;
        var e = Assert.Throws<HeliosException>(() => agents.Diff(a, m));
        Assert.Equal(HeliosErrorCode.InvalidArgument, e.Code);
        Assert.Contains("monsters", e.Message, StringComparison.Ordinal);
        Assert.Throws<HeliosException>(() => StateArray.Diff(store, a, m));
    }

    // ----- validation and repair -----

    [Fact]
    public void Validate_finds_a_byte_flipped_in_memory_and_repair_restores_it()
    {
        var store = new ControllableStore();
        var array = StateArray.Create<Agent>(store, "agents", 1000, SmallPages);
        for (int i = 0; i < 1000; i++)
        {
            array.Set(i, AgentFor(i));
        }

        array.Checkpoint();
        Assert.True(array.Validate().IsValid);

        // A stray write that bypassed the array (a bug, a bit flip): the page is not marked dirty.
        Unsafe.AsRef(in array[130]).Health = -1;
        var validation = array.Validate();
        var problem = Assert.Single(validation.Problems);
        Assert.Equal(PageProblemKind.MemoryCorrupt, problem.Kind);
        Assert.Equal(2, problem.Page);
        Assert.Equal([new RecordRange(130, 1)], validation.AffectedRecords);

        var repair = array.Repair();
        Assert.True(repair.FullyRepaired);
        Assert.Equal([new RecordRange(130, 1)], repair.RepairedRecords);
        Assert.Equal(AgentFor(130), array[130]);
        Assert.True(array.Validate().IsValid);
    }

    [Fact]
    public void Validate_finds_a_byte_flipped_in_storage_and_repair_rewrites_it_from_memory()
    {
        var store = new ControllableStore();
        var array = StateArray.Create<Agent>(store, "agents", 1000, SmallPages);
        for (int i = 0; i < 1000; i++)
        {
            array.Set(i, AgentFor(i));
        }

        var root = StateArray.ReadRoot(store, array.Checkpoint().Root);
        var stored = store.Raw(root.Pages[5].Page);
        var original = stored.ToArray();
        stored[^1] ^= 0x10;

        var validation = array.Validate();
        var problem = Assert.Single(validation.Problems);
        Assert.Equal(PageProblemKind.StorageCorrupt, problem.Kind);
        Assert.Equal(root.Pages[5].Page, problem.PageId);
        Assert.Equal([new RecordRange(320, 64)], validation.AffectedRecords);
        Assert.True(array.Validate(includeStorage: false).IsValid);

        // The in-memory store keeps the corrupt array under the id; repair puts a fresh copy.
        store.Delete([root.Pages[5].Page]);
        var missing = Assert.Single(array.Validate().Problems);
        Assert.Equal(PageProblemKind.StorageMissing, missing.Kind);
        var repair = array.Repair();
        Assert.True(repair.FullyRepaired);
        Assert.Equal(original, store.Raw(root.Pages[5].Page));
        Assert.True(array.Validate().IsValid);
    }

    [Fact]
    public void A_page_corrupt_both_in_memory_and_in_storage_is_reported_unrepairable()
    {
        var store = new ControllableStore();
        var array = StateArray.Create<Agent>(store, "agents", 640, SmallPages);
        array.Set(1, AgentFor(1));
        var root = StateArray.ReadRoot(store, array.Checkpoint().Root);
        store.Delete([root.Pages[0].Page]);
        Unsafe.AsRef(in array[1]).Id = 77;
        var repair = array.Repair();
        Assert.False(repair.FullyRepaired);
        Assert.Equal(2, repair.Unrepairable.Count);
        Assert.Contains(repair.Unrepairable, p => p.Kind == PageProblemKind.MemoryCorrupt);
        Assert.Contains(repair.Unrepairable, p => p.Kind == PageProblemKind.StorageMissing);
    }

    [Fact]
    public void Loading_a_torn_page_is_corruption_naming_the_page()
    {
        var store = new ControllableStore();
        var array = StateArray.Create<Agent>(store, "agents", 640, SmallPages);
        for (int i = 0; i < 640; i++)
        {
            array.Set(i, AgentFor(i));
        }

        var rootId = array.Checkpoint().Root;
        var root = StateArray.ReadRoot(store, rootId);
        var id = root.Pages[3].Page;
        var bytes = store.Raw(id);
        // Tear the page: keep the first half, as a crash mid-write would.
        store.Delete([id]);
        store.PutMany([new Helios.Core.Storage.EncodedObject(id, bytes.AsSpan(0, bytes.Length / 2).ToArray())]);
        var e = Assert.Throws<CorruptObjectException>(() => StateArray.Load<Agent>(store, rootId, "agents", SmallPages));
        Assert.Equal(id, e.Expected);
        Assert.Equal(HeliosErrorCode.Corruption, e.Code);
    }

    // ----- rollback -----

    [Fact]
    public void Rollback_restores_a_checkpoint_rewriting_only_pages_that_differ()
    {
        var store = new ControllableStore();
        var array = StateArray.Create<Agent>(store, "agents", 640, SmallPages);
        for (int i = 0; i < 640; i++)
        {
            array.Set(i, AgentFor(i));
        }

        var a = array.Checkpoint().Root;
        var atA = Snapshot(array);
        array.GetForWrite(10).Counter = 5;
        array.GetForWrite(500).Counter = 5;
        var b = array.Checkpoint().Root;
        var atB = Snapshot(array);
        array.GetForWrite(300).Counter = 5; // dirty, never checkpointed

        var rollback = array.Rollback(a);
        Assert.Equal(3, rollback.PagesRewritten);
        Assert.Equal(atA, Snapshot(array));
        Assert.Equal(a, array.LastCheckpoint);
        Assert.Equal(0, array.DirtyPageCount);
        Assert.True(array.Validate().IsValid);

        Assert.Equal(2, array.Rollback(b).PagesRewritten);
        Assert.Equal(atB, Snapshot(array));
        Assert.Equal(0, array.Rollback(b).PagesRewritten);
    }

    [Fact]
    public void Rollback_and_load_refuse_checkpoints_of_another_array_or_record_size()
    {
        var store = new ControllableStore();
        var agents = StateArray.Create<Agent>(store, "agents", 640, SmallPages);
        var a = agents.Checkpoint().Root;
        var other = StateArray.Create<Agent>(store, "monsters", 640, SmallPages).Checkpoint().Root;
        var longer = StateArray.Create<Agent>(store, "agents", 641, SmallPages).Checkpoint().Root;

        Assert.Equal(HeliosErrorCode.InvalidArgument, Assert.Throws<HeliosException>(() => agents.Rollback(other)).Code);
        Assert.Equal(HeliosErrorCode.InvalidArgument, Assert.Throws<HeliosException>(() => agents.Rollback(longer)).Code);
        Assert.Equal(HeliosErrorCode.InvalidArgument, Assert.Throws<HeliosException>(() => StateArray.Load<Agent>(store, a, "monsters")).Code);
        var size = Assert.Throws<HeliosException>(() => StateArray.Load<long>(store, a, "agents"));
        Assert.Equal(HeliosErrorCode.InvalidArgument, size.Code);
        Assert.Contains("64 bytes, not 8", size.Message, StringComparison.Ordinal);
        Assert.Equal(HeliosErrorCode.InvalidArgument, Assert.Throws<HeliosException>(() => StateArray.Load(store, a, "agents", 63)).Code);

        var blob = ObjectCodec.EncodeWithId(new Blob(new byte[] { 1 }));
        store.PutMany([new Helios.Core.Storage.EncodedObject(blob.Id, blob.Bytes)]);
        Assert.Equal(HeliosErrorCode.InvalidArgument, Assert.Throws<HeliosException>(() => agents.Rollback(blob.Id)).Code);
        Assert.Throws<NotFoundException>(() => agents.Rollback(ObjectId.Of([9])));
        Assert.Equal(a, agents.LastCheckpoint);
    }

    // ----- forks -----

    [Fact]
    public void A_fork_and_its_parent_do_not_see_each_others_writes()
    {
        var store = new ControllableStore();
        var parent = StateArray.Create<Agent>(store, "agents", 640, SmallPages);
        parent.Set(1, AgentFor(1));
        parent.Checkpoint();
        var child = parent.Fork();
        var sibling = parent.Fork();

        child.GetForWrite(1).Health = 1;
        parent.GetForWrite(2).Health = 2;
        sibling.GetForWrite(1).Health = 3;

        Assert.Equal(1, child[1].Health);
        Assert.Equal(0, child[2].Health);
        Assert.Equal(AgentFor(1).Health, parent[1].Health);
        Assert.Equal(2, parent[2].Health);
        Assert.Equal(3, sibling[1].Health);
        Assert.Equal(0, sibling[2].Health);
        Assert.Equal(parent.LastCheckpoint, child.LastCheckpoint);
        Assert.Equal(1, child.DirtyPageCount);
    }

    [Fact]
    public void A_fork_checkpoints_independently_of_its_parent()
    {
        var store = new ControllableStore();
        var parent = StateArray.Create<Agent>(store, "agents", 640, SmallPages);
        var start = parent.Checkpoint().Root;
        var child = parent.Fork();
        child.Set(600, AgentFor(600));
        var childRoot = child.Checkpoint().Root;
        Assert.Equal(start, parent.LastCheckpoint);
        Assert.Equal(0, parent.DirtyPageCount);
        Assert.Equal([new RecordRange(600, 1)], parent.Diff(start, childRoot).Ranges);
    }

    [Fact]
    public void Collapsing_to_the_winning_fork_adopts_its_state_and_keeps_them_independent()
    {
        var store = new ControllableStore();
        var parent = StateArray.Create<Agent>(store, "agents", 640, SmallPages);
        parent.Checkpoint();
        var forks = Enumerable.Range(0, 4).Select(_ => parent.Fork()).ToArray();
        for (int f = 0; f < forks.Length; f++)
        {
            forks[f].GetForWrite(7).Counter = f;
        }

        parent.CollapseTo(forks[2]);
        foreach (var loser in forks.Where((_, f) => f != 2))
        {
            loser.Discard();
        }

        Assert.Equal(2, parent[7].Counter);
        parent.GetForWrite(7).Counter = 99;
        Assert.Equal(2, forks[2][7].Counter);
        Assert.Equal(HeliosErrorCode.InvalidState, Assert.Throws<HeliosException>(() => forks[0].Fork()).Code);
        Assert.Equal(HeliosErrorCode.InvalidState, Assert.Throws<HeliosException>(() => forks[1].Set(0, default)).Code);

        var stranger = StateArray.Create<Agent>(store, "monsters", 640, SmallPages);
        Assert.Equal(HeliosErrorCode.InvalidArgument, Assert.Throws<HeliosException>(() => parent.CollapseTo(stranger)).Code);
    }

    [Fact]
    public void Random_writes_to_a_tree_of_forks_match_independent_copies()
    {
        var rng = new Random(17);
        var store = new ControllableStore();
        var arrays = new List<StateArray<Agent>> { StateArray.Create<Agent>(store, "agents", 500, new StateArrayOptions { PageSize = 1024 }) };
        var models = new List<Agent[]> { new Agent[500] };
        for (int step = 0; step < 2000; step++)
        {
            int k = rng.Next(arrays.Count);
            switch (rng.Next(10))
            {
                case 0 when arrays.Count < 12:
                    arrays.Add(arrays[k].Fork());
                    models.Add((Agent[])models[k].Clone());
                    break;
                case 1:
                    arrays[k].Checkpoint();
                    break;
                case 2 when arrays[k].LastCheckpoint is not null:
                    var last = arrays[k].LastCheckpoint!.Value;
                    arrays[k].Rollback(last);
                    models[k] = StateArray.Load<Agent>(store, last, "agents", new StateArrayOptions { PageSize = 1024 }).ToArray();
                    break;
                default:
                    int i = rng.Next(500);
                    var value = AgentFor(i, frame: step);
                    arrays[k].Set(i, value);
                    models[k][i] = value;
                    break;
            }
        }

        for (int k = 0; k < arrays.Count; k++)
        {
            Assert.Equal(models[k], arrays[k].ToArray());
        }
    }
}

internal static class StateArrayExtensions
{
    public static Agent[] ToArray(this StateArray<Agent> array)
    {
        var all = new Agent[array.Count];
        array.Read(0, all);
        return all;
    }
}
