using Helios.Core.Objects;
using Helios.Core.Refs;

namespace Helios.Core.Storage.InMemory;

/// <summary>
/// The reference ref store: a sorted map and a list of operation records under one lock.
/// Objects carried by a transaction go to <paramref name="objects"/>, under the same lock.
/// </summary>
public sealed class InMemoryRefStore(InMemoryObjectStore? objects = null) : IRefStore
{
    private readonly Lock _lock = new();
    private readonly SortedDictionary<string, RefTarget> _refs = new(StringComparer.Ordinal);
    private readonly List<OperationRecord> _operations = [];
    private OperationLogStart _start = OperationLogStart.Untrimmed;

    public RefTarget? Read(RefName name)
    {
        lock (_lock)
        {
            return _refs.TryGetValue(name.Value, out var target) ? target : null;
        }
    }

    public IReadOnlyList<RefEntry> List(string prefix)
    {
        lock (_lock)
        {
            return _refs.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal))
                .Select(kv => new RefEntry(RefName.Parse(kv.Key), kv.Value))
                .ToArray();
        }
    }

    public RefTransactionResult Commit(RefTransaction transaction)
    {
        lock (_lock)
        {
            var changes = new List<RefChange>(transaction.Updates.Count);
            foreach (var update in transaction.Updates)
            {
                RefTarget? actual = _refs.TryGetValue(update.Name.Value, out var t) ? t : null;
                if (actual != update.Expected)
                {
                    return new RefTransactionResult.Conflict(update.Name, update.Expected, actual);
                }

                changes.Add(new RefChange(update.Name, actual, update.New));
            }

            if (transaction.Objects.Count > 0)
            {
                (objects ?? throw new InvalidOperationException("This ref store has no object store; open it through InMemoryRepositoryStorage to commit objects with refs."))
                    .PutMany(transaction.Objects);
            }

            var previous = _operations.Count == 0 ? _start.Previous : _operations[^1].Hash;
            var record = OperationRecord.Create(_start.Sequence + _operations.Count, previous, transaction.Operation, changes);
            foreach (var update in transaction.Updates)
            {
                if (update.New is { } target)
                {
                    _refs[update.Name.Value] = target;
                }
                else
                {
                    _refs.Remove(update.Name.Value);
                }
            }

            _operations.Add(record);
            return new RefTransactionResult.Committed(record);
        }
    }

    public IReadOnlyList<OperationRecord> ReadOperations(long? before = null, int limit = int.MaxValue)
    {
        lock (_lock)
        {
            // _operations[i] holds sequence _start.Sequence + i.
            int end = before is { } b ? (int)Math.Clamp(b - _start.Sequence, 0, _operations.Count) : _operations.Count;
            var result = new List<OperationRecord>();
            for (int i = end - 1; i >= 0 && result.Count < limit; i--)
            {
                result.Add(_operations[i]);
            }

            return result;
        }
    }

    public OperationLogStart ReadOperationLogStart()
    {
        lock (_lock)
        {
            return _start;
        }
    }

    public long TrimOperations(DateTimeOffset before)
    {
        lock (_lock)
        {
            int count = 0;
            while (count < _operations.Count - 1 && _operations[count].Info.Time < before)
            {
                count++;
            }

            if (count > 0)
            {
                _start = new OperationLogStart(_operations[count - 1].Sequence + 1, _operations[count - 1].Hash);
                _operations.RemoveRange(0, count);
            }

            return count;
        }
    }

    public void Dispose() { }
}
