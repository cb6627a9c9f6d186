using Helios.Core.Storage;
using Helios.Storage.Conformance;

namespace Helios.Storage.Sqlite.Tests;

public sealed class SqliteObjectStoreTests : ObjectStoreContract
{
    private readonly TempDatabase _temp = new();

    protected override IObjectStore CreateEmptyStore(TimeProvider clock) =>
        _temp.Open(_temp.NewPath(), new SqliteStorageOptions { Durability = Durability.Fast, Clock = clock }).Objects;

    [Fact(Skip = "Deltas are not written yet (store branch, step 4); the retention rule is tested by the delta-agnostic contract tests meanwhile.")]
    public override void A_similar_object_put_with_a_hint_to_a_stored_base_is_kept_as_a_delta_against_it() { }

    [Fact(Skip = "Deltas are not written yet (store branch, step 4); the retention rule is tested by the delta-agnostic contract tests meanwhile.")]
    public override void Delete_unused_keeps_a_base_while_its_dependent_stays_and_deletes_both_together() { }

    protected override IObjectStore Reopen(IObjectStore store)
    {
        var owner = _temp.OwnerOf(store);
        owner.Dispose();
        return _temp.Open(owner.Path).Objects;
    }

    protected override void Dispose(bool disposing)
    {
        _temp.Dispose();
        base.Dispose(disposing);
    }
}
