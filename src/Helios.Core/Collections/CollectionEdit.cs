using Helios.Core.Objects;
using Helios.Core.Storage;

namespace Helios.Core.Collections;

/// <summary>One change to a collection: put <see cref="Value"/> under <see cref="Key"/>, or delete the key when the value is null.</summary>
public readonly record struct CollectionEdit(string Key, CollectionValue? Value)
{
    public static CollectionEdit Put(string key, CollectionValue value) => new(key, value ?? throw new ArgumentNullException(nameof(value)));

    public static CollectionEdit PutBytes(string key, ReadOnlySpan<byte> bytes) => new(key, CollectionValue.FromBytes(bytes));

    public static CollectionEdit PutVector(string key, ReadOnlySpan<float> vector, string? metadataJson = null) =>
        new(key, CollectionValue.FromVector(vector, metadataJson));

    public static CollectionEdit Delete(string key) => new(key, null);
}

/// <summary>
/// A new collection version, not yet stored: its header id and header, and the objects it needs
/// that the edit created (new nodes, new value blobs, the header). The caller stores
/// <see cref="NewObjects"/> in the same ref transaction that publishes <see cref="HeaderId"/>
/// (<see cref="RefTransaction.Objects"/>); some may already be stored, which is harmless.
/// </summary>
public sealed record CollectionUpdate(ObjectId HeaderId, CollectionHeader Header, IReadOnlyList<EncodedObject> NewObjects)
{
    /// <summary>True when the edits changed nothing: the header is the one edited and no objects are new.</summary>
    public bool Unchanged => NewObjects.Count == 0;
}

/// <summary>A key whose value differs between two collection versions; a side where the key is absent is null.</summary>
public sealed record CollectionChange(string Key, StoredValue? Old, StoredValue? New);
