using System.Runtime.ExceptionServices;
using Helios.Core.Storage;

namespace Helios.Core.GitInterop;

/// <summary>
/// Stores batches of objects on a thread of its own, so the import parses, builds and hashes the
/// next commits while SQLite writes the previous ones (measured: the writes were about half of the
/// import's time). At most <see cref="MaxQueued"/> batches wait, which bounds memory. Each batch is
/// one <see cref="IObjectStore.PutMany"/> transaction, in submission order. A failed write is
/// rethrown by the next <see cref="Submit"/>, <see cref="Drain"/> or <see cref="Complete"/>, and
/// nothing after it is written. Used by one producer thread.
/// </summary>
internal sealed class BackgroundObjectWriter : IDisposable
{
    private const int MaxQueued = 2;

    private readonly IObjectStore _store;
    private readonly Queue<List<EncodedObject>> _queue = new();
    private readonly Thread _thread;
    private long _submitted;
    private long _written;
    private bool _completed;
    private ExceptionDispatchInfo? _failure;

    public BackgroundObjectWriter(IObjectStore store)
    {
        _store = store;
        _thread = new Thread(Run) { IsBackground = true, Name = "helios import writer" };
        _thread.Start();
    }

    /// <summary>Queues a batch (the writer owns it from now on); waits while <see cref="MaxQueued"/> batches are waiting.</summary>
    public void Submit(List<EncodedObject> batch)
    {
        lock (_queue)
        {
            while (_queue.Count >= MaxQueued && _failure is null)
            {
                Monitor.Wait(_queue);
            }

            _failure?.Throw();
            _queue.Enqueue(batch);
            _submitted++;
            Monitor.PulseAll(_queue);
        }
    }

    /// <summary>Waits until every batch submitted so far is stored.</summary>
    public void Drain()
    {
        lock (_queue)
        {
            while (_written < _submitted && _failure is null)
            {
                Monitor.Wait(_queue);
            }

            _failure?.Throw();
        }
    }

    /// <summary>Stores everything submitted, then stops the thread.</summary>
    public void Complete()
    {
        Drain();
        Dispose();
    }

    /// <summary>Stops the thread after the batch being written, dropping the rest (used when the import fails).</summary>
    public void Dispose()
    {
        lock (_queue)
        {
            _completed = true;
            _queue.Clear();
            Monitor.PulseAll(_queue);
        }

        _thread.Join();
    }

    private void Run()
    {
        while (true)
        {
            List<EncodedObject> batch;
            lock (_queue)
            {
                while (_queue.Count == 0 && !_completed)
                {
                    Monitor.Wait(_queue);
                }

                if (_queue.Count == 0)
                {
                    return;
                }

                batch = _queue.Peek();
            }

            try
            {
                _store.PutMany(batch);
            }
            catch (Exception e)
            {
                lock (_queue)
                {
                    _failure = ExceptionDispatchInfo.Capture(e);
                    _queue.Clear();
                    Monitor.PulseAll(_queue);
                }

                return;
            }

            lock (_queue)
            {
                if (_queue.Count > 0)
                {
                    _queue.Dequeue();
                }

                _written++;
                Monitor.PulseAll(_queue);
            }
        }
    }
}
