using Helios.Core.Errors;
using Helios.Core.StateArrays;
using static Helios.Core.Tests.StateArrays.StateArrayTestSupport;

namespace Helios.Core.Tests.StateArrays;

public class StateArrayRegistryTests
{
    private static readonly StateArrayOptions SmallPages = new() { PageSize = 4096 };

    [Fact]
    public void A_registry_checkpoints_every_array_in_one_store_transaction()
    {
        var store = new ControllableStore();
        var registry = new StateArrayRegistry(store);
        var agents = registry.Create<Agent>("agents", 1000, options: SmallPages);
        var scores = registry.Create<double>("scores", 1000, schema: "scores/v1", options: SmallPages);
        agents.Set(5, AgentFor(5));
        scores.Set(999, 0.5);

        var checkpoint = registry.Checkpoint();
        Assert.Equal(1, store.PutCalls);
        Assert.Equal(["agents", "scores"], checkpoint.Roots.Keys);
        Assert.Equal(agents.LastCheckpoint, checkpoint.Roots["agents"]);
        Assert.Equal(0.5, StateArray.Load<double>(store, checkpoint.Roots["scores"], "scores/v1", SmallPages)[999]);
        Assert.True(checkpoint.StoredBytes > 0);

        scores.Set(0, 1);
        var second = registry.Checkpoint();
        Assert.Equal(0, second.Arrays["agents"].DirtyPages);
        Assert.Equal(1, second.Arrays["scores"].PagesStored);
        Assert.Equal(checkpoint.Roots["agents"], second.Roots["agents"]);
    }

    [Fact]
    public void A_failed_registry_checkpoint_changes_no_array()
    {
        var store = new ControllableStore();
        var registry = new StateArrayRegistry(store);
        var agents = registry.Create<Agent>("agents", 100);
        var scores = registry.Create<double>("scores", 100);
        var first = registry.Checkpoint();
        agents.Set(1, AgentFor(1));
        scores.Set(1, 2);
        store.FailPuts = true;
        Assert.Throws<StorageException>(() => registry.Checkpoint());
        Assert.Equal(first.Roots["agents"], agents.LastCheckpoint);
        Assert.Equal(first.Roots["scores"], scores.LastCheckpoint);
        Assert.Equal(1, agents.DirtyPageCount);
        Assert.Equal(1, scores.DirtyPageCount);
    }

    [Fact]
    public void A_stale_prepared_registry_checkpoint_completes_no_array()
    {
        var store = new ControllableStore();
        var registry = new StateArrayRegistry(store);
        var agents = registry.Create<Agent>("agents", 100);
        var scores = registry.Create<double>("scores", 100);
        var prepared = registry.PrepareCheckpoint();
        store.PutMany(prepared.Objects);
        scores.Set(3, 1);
        Assert.Equal(HeliosErrorCode.InvalidState, Assert.Throws<HeliosException>(() => registry.CompleteCheckpoint(prepared)).Code);
        Assert.Null(agents.LastCheckpoint);
        Assert.Null(scores.LastCheckpoint);
    }

    [Fact]
    public void Registering_a_taken_or_invalid_name_or_an_array_on_another_store_is_refused()
    {
        var store = new ControllableStore();
        var registry = new StateArrayRegistry(store);
        registry.Create<Agent>("agents", 10);
        Assert.Equal(HeliosErrorCode.AlreadyExists, Assert.Throws<HeliosException>(() => registry.Create<Agent>("agents", 10)).Code);
        Assert.Equal(HeliosErrorCode.InvalidArgument, Assert.Throws<HeliosException>(() => registry.Create<Agent>("a/b", 10)).Code);
        var elsewhere = StateArray.Create<Agent>(new ControllableStore(), "other", 10);
        Assert.Equal(HeliosErrorCode.InvalidArgument, Assert.Throws<HeliosException>(() => registry.Register("other", elsewhere)).Code);
        Assert.Equal(HeliosErrorCode.InvalidArgument, Assert.Throws<HeliosException>(() => registry.Get<double>("agents")).Code);
        Assert.Throws<NotFoundException>(() => registry.Get<Agent>("missing"));
        Assert.True(registry.Unregister("agents"));
        Assert.Empty(registry.Names);
    }
}
