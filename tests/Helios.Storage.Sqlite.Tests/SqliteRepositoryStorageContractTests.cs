using Helios.Core.Storage;
using Helios.Storage.Conformance;

namespace Helios.Storage.Sqlite.Tests;

public sealed class SqliteRepositoryStorageContractTests : RepositoryStorageContract
{
    private readonly TempDatabase _temp = new();

    protected override IRepositoryStorage CreateEmptyStorage(TimeProvider clock) =>
        _temp.Open(_temp.NewPath(), new SqliteStorageOptions { Durability = Durability.Fast, Clock = clock });

    protected override void Dispose(bool disposing)
    {
        _temp.Dispose();
        base.Dispose(disposing);
    }
}
