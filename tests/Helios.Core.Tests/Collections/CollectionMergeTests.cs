using Helios.Core.Collections;
using Helios.Core.Errors;

namespace Helios.Core.Tests.Collections;

public class CollectionMergeTests
{
    private readonly CollectionTestKit _kit = new();

    private CollectionTree Tree => _kit.Tree;

    [Fact]
    public void The_report_lists_what_the_merge_adds_changes_and_deletes_in_ours_and_each_conflict_with_its_resolution()
    {
        var b = _kit.Apply(_kit.Empty(), CollectionEdit.PutBytes("changed", [1]), CollectionEdit.PutBytes("deleted", [1]), CollectionEdit.PutBytes("conflict", [1]),
            CollectionEdit.PutBytes("same", [1]), CollectionEdit.PutBytes("ours-only", [1]));
        var ours = _kit.Apply(b, CollectionEdit.PutBytes("conflict", [2]), CollectionEdit.PutBytes("same", [5]), CollectionEdit.Delete("ours-only"));
        var theirs = _kit.Apply(b, CollectionEdit.PutBytes("added", [9]), CollectionEdit.PutBytes("changed", [9]), CollectionEdit.Delete("deleted"),
            CollectionEdit.PutBytes("conflict", [3]), CollectionEdit.PutBytes("same", [5]));
        var conflicts = new List<CollectionConflict>();

        var result = Tree.Merge(b, ours, theirs, c =>
        {
            conflicts.Add(c);
            return KeyResolution.Theirs;
        });

        Assert.Equal(
            [
                new CollectionMergeEntry("added", CollectionMergeAction.Added),
                new CollectionMergeEntry("changed", CollectionMergeAction.Changed),
                new CollectionMergeEntry("conflict", CollectionMergeAction.Conflict, ConflictChoice.Theirs),
                new CollectionMergeEntry("deleted", CollectionMergeAction.Deleted),
            ],
            result.Report);
        var conflict = Assert.Single(conflicts);
        Assert.Equal("conflict", conflict.Key);
        Assert.Equal((byte[])[1], conflict.Base!.Value.Inline.ToArray());
        Assert.Equal((byte[])[2], conflict.Ours!.Value.Inline.ToArray());
        Assert.Equal((byte[])[3], conflict.Theirs!.Value.Inline.ToArray());

        _kit.Store.PutMany(result.NewObjects);
        var merged = _kit.Contents(result.HeaderId!.Value);
        Assert.Equal(["added", "changed", "conflict", "same"], merged.Keys);
        Assert.Equal((byte[])[3], merged["conflict"].Payload.ToArray());
        Assert.Equal((byte[])[9], merged["changed"].Payload.ToArray());
    }

    [Fact]
    public void An_unresolved_conflict_gives_no_collection_and_no_objects()
    {
        var b = _kit.Apply(_kit.Empty(), CollectionEdit.PutBytes("k", [1]));
        var ours = _kit.Apply(b, CollectionEdit.PutBytes("k", [2]));
        var theirs = _kit.Apply(b, CollectionEdit.Delete("k"), CollectionEdit.PutBytes("new", [1]));

        var result = Tree.Merge(b, ours, theirs, _ => KeyResolution.Unresolved);

        Assert.True(result.HasUnresolvedConflicts);
        Assert.Null(result.HeaderId);
        Assert.Empty(result.NewObjects);
        Assert.Contains(new CollectionMergeEntry("k", CollectionMergeAction.Conflict, ConflictChoice.Unresolved), result.Report);
    }

    [Fact]
    public void A_resolver_may_supply_a_new_value_which_must_fit_the_dimension()
    {
        var b = _kit.Apply(_kit.Empty(2), CollectionEdit.PutVector("v", [1, 1]));
        var ours = _kit.Apply(b, CollectionEdit.PutVector("v", [2, 2]));
        var theirs = _kit.Apply(b, CollectionEdit.PutVector("v", [3, 3]));

        var result = Tree.Merge(b, ours, theirs, _ => KeyResolution.Use(CollectionValue.FromVector([4, 4], """{"merged":true}""")));
        _kit.Store.PutMany(result.NewObjects);
        Assert.Equal([4f, 4f], Tree.TryGet(result.HeaderId!.Value, "v")!.GetVector(2));

        var e = Assert.Throws<HeliosException>(() => Tree.Merge(b, ours, theirs, _ => KeyResolution.Use(CollectionValue.FromVector([4]))));
        Assert.Equal(HeliosErrorCode.InvalidArgument, e.Code);
    }

    [Fact]
    public void Merging_collections_of_different_dimensions_is_refused()
    {
        var b = _kit.Empty(2);
        var e = Assert.Throws<HeliosException>(() => Tree.Merge(b, b, _kit.Empty(3), _ => KeyResolution.Ours));
        Assert.Equal(HeliosErrorCode.InvalidArgument, e.Code);
        Assert.Contains("different vector dimensions", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Merging_a_few_changes_into_a_large_collection_reads_few_nodes()
    {
        var b = _kit.Apply(_kit.Empty(), Enumerable.Range(0, 20_000).Select(i => CollectionEdit.PutBytes($"key-{i:D6}", BitConverter.GetBytes(i))));
        var ours = _kit.Apply(b, CollectionEdit.PutBytes("key-000001", "o"u8));
        var theirs = _kit.Apply(b, CollectionEdit.PutBytes("key-019999", "t"u8));
        var (cold, counter) = _kit.ColdView();

        var result = cold.Merge(b, ours, theirs, _ => KeyResolution.Unresolved);

        Assert.Equal([new CollectionMergeEntry("key-019999", CollectionMergeAction.Changed)], result.Report);
        Assert.InRange(counter.Statistics.Hits + counter.Statistics.Misses, 3, 40);
    }

    [Fact]
    public void Merging_a_few_changes_into_a_parent_that_changed_many_keys_reads_only_their_paths()
    {
        var b = _kit.Apply(_kit.Empty(), Enumerable.Range(0, 20_000).Select(i => CollectionEdit.PutBytes($"key-{i:D6}", BitConverter.GetBytes(i))));
        var ours = _kit.Apply(b, Enumerable.Range(0, 2_000).Select(i => CollectionEdit.PutBytes($"key-{i * 10:D6}", "o"u8)));
        var theirs = _kit.Apply(b, CollectionEdit.PutBytes("key-019999", "t"u8), CollectionEdit.PutBytes("key-010000", "t"u8));
        var (cold, counter) = _kit.ColdView();

        var result = cold.Merge(b, ours, theirs, _ => KeyResolution.Theirs);

        Assert.Equal(
            [new CollectionMergeEntry("key-010000", CollectionMergeAction.Conflict, ConflictChoice.Theirs), new CollectionMergeEntry("key-019999", CollectionMergeAction.Changed)],
            result.Report);
        // Walking our diff up to key-019999 would read every leaf ours changed: all of them.
        Assert.InRange(counter.Statistics.Hits + counter.Statistics.Misses, 3, 60);
    }
}
