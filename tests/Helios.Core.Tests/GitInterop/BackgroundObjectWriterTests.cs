using System.Text;
using Helios.Core.GitInterop;
using Helios.Core.Objects;
using Helios.Core.Storage;
using Helios.Core.Storage.InMemory;

namespace Helios.Core.Tests.GitInterop;

public sealed class BackgroundObjectWriterTests
{
    [Fact]
    public void Drain_returns_once_every_submitted_batch_is_stored_in_order()
    {
        var inner = new InMemoryObjectStore();
        var store = new RecordingStore(inner);
        using var writer = new BackgroundObjectWriter(store);
        var batches = Enumerable.Range(0, 10).Select(i => new List<EncodedObject> { Blob($"object {i}") }).ToList();
        foreach (var batch in batches)
        {
            writer.Submit(batch);
        }

        writer.Drain();

        Assert.All(batches, b => Assert.True(inner.Contains(b[0].Id)));
        Assert.Equal(batches.Select(b => b[0].Id), store.Stored);
    }

    [Fact]
    public void A_failed_write_is_rethrown_and_nothing_after_it_is_written()
    {
        var inner = new InMemoryObjectStore();
        var store = new RecordingStore(inner) { FailOnCall = 2 };
        var writer = new BackgroundObjectWriter(store);
        var first = Blob("first");
        var second = Blob("second");
        var third = Blob("third");

        writer.Submit([first]);
        writer.Submit([second]);
        var error = Record.Exception(() =>
        {
            writer.Submit([third]);
            writer.Complete();
        });
        writer.Dispose();

        Assert.IsType<IOException>(error);
        Assert.True(inner.Contains(first.Id));
        Assert.False(inner.Contains(second.Id));
        Assert.False(inner.Contains(third.Id));
    }

    private static EncodedObject Blob(string text)
    {
        var bytes = ObjectCodec.EncodeBlob(Encoding.UTF8.GetBytes(text));
        return new EncodedObject(ObjectId.Of(bytes), bytes);
    }

    private sealed class RecordingStore(IObjectStore inner) : ObjectStoreDecorator(inner)
    {
        private int _calls;

        public int FailOnCall { get; init; }

        public List<ObjectId> Stored { get; } = [];

        public override void PutMany(IReadOnlyList<EncodedObject> objects)
        {
            if (++_calls == FailOnCall)
            {
                throw new IOException("disk full");
            }

            base.PutMany(objects);
            Stored.AddRange(objects.Select(o => o.Id));
        }
    }
}
