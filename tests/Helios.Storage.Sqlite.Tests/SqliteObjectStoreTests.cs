using Helios.Core.Storage;
using Helios.Storage.Conformance;

namespace Helios.Storage.Sqlite.Tests;

public sealed class SqliteObjectStoreTests : ObjectStoreContract
{
    private readonly TempDatabase _temp = new();

    protected override IObjectStore CreateEmptyStore(TimeProvider clock) =>
        _temp.Open(_temp.NewPath(), new SqliteStorageOptions { Durability = Durability.Fast, Clock = clock }).Objects;

    protected override void Settle(IObjectStore store) => ((SqliteObjectStore)store).FoldInbox();

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
