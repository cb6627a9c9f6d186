using Helios.Core.Refs;
using Helios.Core.Storage;

namespace Helios.Storage.Conformance;

/// <summary>
/// What a backend's object and ref stores promise together: objects carried by a ref transaction
/// become visible exactly when the refs move, and a transaction that loses its race stores none.
/// </summary>
public abstract class RepositoryStorageContract : IDisposable
{
    private readonly List<IRepositoryStorage> _storages = [];

    /// <summary>A new, empty backend stamping times from <paramref name="clock"/>. The contract disposes it at the end of the test.</summary>
    protected abstract IRepositoryStorage CreateEmptyStorage(TimeProvider clock);

    private IRepositoryStorage CreateStorage(TimeProvider? clock = null)
    {
        var storage = CreateEmptyStorage(clock ?? TimeProvider.System);
        _storages.Add(storage);
        return storage;
    }

    private static RefTransaction Tx(RefUpdate update, params EncodedObject[] objects) =>
        new([update], new OperationInfo("test", "objects with a ref", DateTimeOffset.UtcNow)) { Objects = objects };

    [Fact]
    public void Objects_carried_by_a_ref_transaction_are_stamped_and_freshened_like_put_many()
    {
        var clock = new ManualClock();
        var storage = CreateStorage(clock);
        var a = ObjectStoreContract.RandomObject(300);
        storage.Objects.PutMany([a]);
        clock.Advance(TimeSpan.FromHours(5));
        var b = ObjectStoreContract.RandomObject(300);
        var head = RefName.Parse("refs/heads/main");

        Assert.IsType<RefTransactionResult.Committed>(storage.Refs.Commit(Tx(new RefUpdate(head, null, RefTarget.To(b.Id)), a, b)));

        var infos = storage.Objects.EnumerateStored().ToDictionary(i => i.Id);
        Assert.Equal(clock.Now, infos[a.Id].StoredAt);
        Assert.Equal(clock.Now, infos[b.Id].StoredAt);
    }

    [Fact]
    public void Objects_carried_by_a_committed_ref_transaction_are_stored()
    {
        var storage = CreateStorage();
        var a = ObjectStoreContract.RandomObject(5000);
        var b = ObjectStoreContract.RandomObject(10);
        var head = RefName.Parse("refs/heads/main");
        Assert.IsType<RefTransactionResult.Committed>(storage.Refs.Commit(Tx(new RefUpdate(head, null, RefTarget.To(a.Id)), a, b)));
        Assert.Equal(a.Bytes.ToArray(), storage.Objects.TryGet(a.Id));
        Assert.Equal(b.Bytes.ToArray(), storage.Objects.TryGet(b.Id));
        Assert.Equal(RefTarget.To(a.Id), storage.Refs.Read(head));
    }

    [Fact]
    public void Objects_carried_by_a_conflicting_ref_transaction_are_not_stored()
    {
        var storage = CreateStorage();
        var head = RefName.Parse("refs/heads/main");
        var winner = ObjectStoreContract.RandomObject();
        storage.Refs.Commit(Tx(new RefUpdate(head, null, RefTarget.To(winner.Id)), winner));
        var loser = ObjectStoreContract.RandomObject();
        var result = storage.Refs.Commit(Tx(new RefUpdate(head, null, RefTarget.To(loser.Id)), loser));
        Assert.IsType<RefTransactionResult.Conflict>(result);
        Assert.False(storage.Objects.Contains(loser.Id));
        Assert.Single(storage.Refs.ReadOperations());
    }

    [Fact]
    public void A_ref_transaction_whose_object_fails_to_store_changes_nothing()
    {
        var storage = CreateStorage();
        var head = RefName.Parse("refs/heads/main");
        var good = ObjectStoreContract.RandomObject();
        Assert.ThrowsAny<Exception>(() => storage.Refs.Commit(Tx(new RefUpdate(head, null, RefTarget.To(good.Id)), good, ObjectStoreContract.FailingObject())));
        Assert.Null(storage.Refs.Read(head));
        Assert.False(storage.Objects.Contains(good.Id));
        Assert.Empty(storage.Refs.ReadOperations());
    }

    public void Dispose()
    {
        foreach (var storage in _storages)
        {
            storage.Dispose();
        }

        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases what the backend's test class holds (temp folders), after the storages are closed.</summary>
    protected virtual void Dispose(bool disposing) { }
}
