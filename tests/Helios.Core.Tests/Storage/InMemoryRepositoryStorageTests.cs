using Helios.Core.Storage;
using Helios.Core.Storage.InMemory;
using Helios.Storage.Conformance;

namespace Helios.Core.Tests.Storage;

public sealed class InMemoryRepositoryStorageTests : RepositoryStorageContract
{
    protected override IRepositoryStorage CreateEmptyStorage(TimeProvider clock) => new InMemoryRepositoryStorage(clock);
}
