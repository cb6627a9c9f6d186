using Helios.Core.Storage;
using Helios.Core.Storage.InMemory;
using Helios.Storage.Conformance;

namespace Helios.Core.Tests.Storage;

public sealed class InMemoryRefStoreTests : RefStoreContract
{
    protected override IRefStore CreateEmptyStore() => new InMemoryRefStore();

    [Fact(Skip = "The in-memory store keeps nothing once disposed; persistence is tested on the persistent backends.")]
    public override void Committed_refs_and_records_survive_reopening() { }

    [Fact(Skip = "The in-memory store lives inside one process; it cannot be shared by several.")]
    public override void Many_processes_committing_at_once_lose_nothing() { }
}
