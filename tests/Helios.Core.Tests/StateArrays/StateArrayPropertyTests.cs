using FsCheck;
using FsCheck.Fluent;
using Helios.Core.StateArrays;
using static Helios.Core.Tests.StateArrays.StateArrayTestSupport;

namespace Helios.Core.Tests.StateArrays;

public class StateArrayPropertyTests
{
    private const int Records = 300;

    // Writes of one byte (record, position in the record, value) to a raw array of 12-byte records in
    // 96-byte pages (8 records per page), so a few dozen writes span many pages and page edges.
    private static readonly Gen<(int Record, int Position, byte Value)[]> Writes =
        Gen.ArrayOf(from record in Gen.Choose(0, Records - 1)
                    from position in Gen.Choose(0, 11)
                    from value in Gen.Choose(0, 3)
                    select (record, position, (byte)value));

    [Fact]
    public void Diff_of_any_two_checkpoints_equals_the_naive_record_comparison()
    {
        Prop.ForAll(Writes.ToArbitrary(), Writes.ToArbitrary(), (first, second) =>
        {
            var store = new ControllableStore();
            var array = StateArray.Create(store, "p", 12, Records, new StateArrayOptions { PageSize = 96, ParallelPageThreshold = 4 });
            Apply(array, first);
            var a = array.Checkpoint().Root;
            var before = Snapshot(array);
            Apply(array, second);
            var b = array.Checkpoint().Root;
            var expected = NaiveDiff(before, Snapshot(array), 12);
            return expected.SequenceEqual(StateArray.Diff(store, a, b).Ranges)
                && expected.SequenceEqual(array.Diff(a, b).Ranges)
                && NaiveDiff(Snapshot(array), before, 12).SequenceEqual(array.Diff(b, a).Ranges);
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Writes_to_a_fork_and_its_parent_never_show_through_to_the_other()
    {
        var steps = Gen.ArrayOf(from toFork in Gen.Elements(true, false)
                                from write in Writes.Select(w => w.Length == 0 ? (0, 0, (byte)9) : w[0])
                                select (toFork, write));
        Prop.ForAll(Writes.ToArbitrary(), steps.ToArbitrary(), (initial, interleaved) =>
        {
            var array = StateArray.Create(new ControllableStore(), "p", 12, Records, new StateArrayOptions { PageSize = 96 });
            Apply(array, initial);
            array.Checkpoint();
            var fork = array.Fork();
            var parentModel = Snapshot(array);
            var forkModel = (byte[])parentModel.Clone();
            foreach (var (toFork, (record, position, value)) in interleaved)
            {
                (toFork ? fork : array).GetRecordForWrite(record)[position] = value;
                (toFork ? forkModel : parentModel)[record * 12 + position] = value;
            }

            return Snapshot(array).AsSpan().SequenceEqual(parentModel) && Snapshot(fork).AsSpan().SequenceEqual(forkModel);
        }).QuickCheckThrowOnFailure();
    }

    private static void Apply(StateArray array, (int Record, int Position, byte Value)[] writes)
    {
        foreach (var (record, position, value) in writes)
        {
            array.GetRecordForWrite(record)[position] = value;
        }
    }
}
