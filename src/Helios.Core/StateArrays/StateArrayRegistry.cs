using System.Diagnostics;
using Helios.Core.Errors;
using Helios.Core.Objects;
using Helios.Core.Storage;

namespace Helios.Core.StateArrays;

/// <summary>
/// The named state arrays of one runtime (each module registers its own), checkpointed together:
/// <see cref="Checkpoint"/> stores every array's dirty pages and new root in one
/// <see cref="IObjectStore.PutMany"/>, so either all arrays move to their new checkpoint or none does.
/// Names follow the rules of tree entry names (they become the names of roots in a commit). Every
/// array must use the registry's store. Not thread-safe: one owner thread, like the arrays.
/// </summary>
public sealed partial class StateArrayRegistry
{
    private readonly SortedDictionary<string, StateArray> _arrays = new(StringComparer.Ordinal);

    public StateArrayRegistry(IObjectStore store) => Store = store;

    /// <summary>The store every registered array checkpoints into.</summary>
    public IObjectStore Store { get; }

    /// <summary>Registered names, sorted (ordinal).</summary>
    public IReadOnlyCollection<string> Names => _arrays.Keys;

    /// <summary>Registered arrays by name, sorted (ordinal).</summary>
    public IReadOnlyDictionary<string, StateArray> Arrays => _arrays;

    /// <summary>Registers <paramref name="array"/> under <paramref name="name"/>; refuses a taken or invalid name or an array on another store.</summary>
    public void Register(string name, StateArray array)
    {
        ArgumentNullException.ThrowIfNull(array);
        EntryName.EnsureValid(name);
        if (!ReferenceEquals(array.Store, Store))
        {
            throw new HeliosException(HeliosErrorCode.InvalidArgument, $"The state array '{EntryName.Escape(name)}' checkpoints into another store than the registry's.");
        }

        if (!_arrays.TryAdd(name, array))
        {
            throw new HeliosException(HeliosErrorCode.AlreadyExists, $"A state array named '{EntryName.Escape(name)}' is already registered.");
        }
    }

    /// <summary>Creates, registers and returns a new array of <typeparamref name="T"/> named <paramref name="name"/> (also its schema label unless one is given).</summary>
    public StateArray<T> Create<T>(string name, long count, string? schema = null, StateArrayOptions? options = null) where T : unmanaged
    {
        var array = StateArray.Create<T>(Store, schema ?? name, count, options);
        Register(name, array);
        return array;
    }

    /// <summary>Removes the array named <paramref name="name"/>; false when none was registered.</summary>
    public bool Unregister(string name)
    {
        _committed.Remove(name);
        return _arrays.Remove(name);
    }

    /// <summary>The array named <paramref name="name"/>; not-found when none is registered, invalid-argument when it holds another record type.</summary>
    public StateArray<T> Get<T>(string name) where T : unmanaged =>
        _arrays.TryGetValue(name, out var array)
            ? array as StateArray<T> ?? throw new HeliosException(HeliosErrorCode.InvalidArgument, $"The state array '{EntryName.Escape(name)}' does not hold {typeof(T).Name} records.")
            : throw new NotFoundException(name, $"No state array named '{EntryName.Escape(name)}' is registered.");

    /// <summary>Checkpoints every array in one store transaction; on failure no array changes.</summary>
    public RegistryCheckpoint Checkpoint()
    {
        var started = Stopwatch.GetTimestamp();
        var prepared = PrepareCheckpoint();
        if (prepared.Objects.Count > 0)
        {
            Store.PutMany(prepared.Objects);
        }

        return CompleteCheckpoint(prepared, Stopwatch.GetElapsedTime(started));
    }

    /// <summary>Prepares every array's checkpoint without storing anything (see <see cref="PreparedCheckpoint"/>), for a caller that stores the objects itself, for example in a ref transaction.</summary>
    public PreparedRegistryCheckpoint PrepareCheckpoint()
    {
        var started = Stopwatch.GetTimestamp();
        var arrays = new List<(string Name, PreparedCheckpoint Prepared)>(_arrays.Count);
        var objects = new List<EncodedObject>();
        foreach (var (name, array) in _arrays)
        {
            var prepared = array.PrepareCheckpoint();
            arrays.Add((name, prepared));
            objects.AddRange(prepared.Objects);
        }

        return new PreparedRegistryCheckpoint(this, arrays, objects, Stopwatch.GetElapsedTime(started));
    }

    /// <summary>Completes every array's prepared checkpoint, once <see cref="PreparedRegistryCheckpoint.Objects"/> are stored.</summary>
    public RegistryCheckpoint CompleteCheckpoint(PreparedRegistryCheckpoint prepared) => CompleteCheckpoint(prepared, prepared.Elapsed);

    private RegistryCheckpoint CompleteCheckpoint(PreparedRegistryCheckpoint prepared, TimeSpan elapsed)
    {
        ArgumentNullException.ThrowIfNull(prepared);
        if (!ReferenceEquals(prepared.Registry, this))
        {
            throw new HeliosException(HeliosErrorCode.InvalidArgument, "The prepared checkpoint belongs to another state array registry.");
        }

        // Check every array first, so a stale preparation changes none of them.
        foreach (var (name, p) in prepared.Arrays)
        {
            if (!p.Array.CanComplete(p))
            {
                throw new HeliosException(HeliosErrorCode.InvalidState, $"The state array '{EntryName.Escape(name)}' changed after its checkpoint was prepared; prepare the registry checkpoint again.");
            }
        }

        var metrics = new SortedDictionary<string, StateArrayCheckpoint>(StringComparer.Ordinal);
        foreach (var (name, p) in prepared.Arrays)
        {
            metrics[name] = p.Array.CompleteCheckpoint(p);
        }

        return new RegistryCheckpoint(metrics, elapsed);
    }
}

/// <summary>A registry checkpoint computed but not stored: every array's new objects (pages, then roots) and roots by name.</summary>
public sealed class PreparedRegistryCheckpoint
{
    internal PreparedRegistryCheckpoint(StateArrayRegistry registry, IReadOnlyList<(string Name, PreparedCheckpoint Prepared)> arrays, IReadOnlyList<EncodedObject> objects, TimeSpan elapsed)
    {
        Registry = registry;
        Arrays = arrays;
        Objects = objects;
        Elapsed = elapsed;
        Roots = arrays.ToDictionary(a => a.Name, a => a.Prepared.RootId, StringComparer.Ordinal);
    }

    internal IReadOnlyList<(string Name, PreparedCheckpoint Prepared)> Arrays { get; }

    internal TimeSpan Elapsed { get; }

    internal StateArrayRegistry Registry { get; }

    /// <summary>Every object to store, in one transaction.</summary>
    public IReadOnlyList<EncodedObject> Objects { get; }

    /// <summary>Each array's new root, by name.</summary>
    public IReadOnlyDictionary<string, ObjectId> Roots { get; }
}

/// <summary>The outcome of a registry checkpoint: each array's metrics (and root) by name, and the total time.</summary>
public sealed record RegistryCheckpoint(IReadOnlyDictionary<string, StateArrayCheckpoint> Arrays, TimeSpan Elapsed)
{
    /// <summary>Each array's root, by name.</summary>
    public IReadOnlyDictionary<string, ObjectId> Roots => Arrays.ToDictionary(a => a.Key, a => a.Value.Root, StringComparer.Ordinal);

    public int DirtyPages => Arrays.Values.Sum(a => a.DirtyPages);

    public long RawBytesStored => Arrays.Values.Sum(a => a.RawBytesStored);

    public long StoredBytes => Arrays.Values.Sum(a => a.StoredBytes);
}
