using Helios.Core.Storage;
using Helios.Core.Storage.InMemory;
using Helios.Storage.Conformance;

namespace Helios.Core.Tests.Storage;

public sealed class InMemoryObjectStoreTests : ObjectStoreContract
{
    protected override IObjectStore CreateEmptyStore(TimeProvider clock) => new InMemoryObjectStore(clock);

    [Fact(Skip = "The in-memory store keeps nothing once disposed; persistence is tested on the persistent backends.")]
    public override void Objects_survive_reopening() { }
}
