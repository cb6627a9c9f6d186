using Helios.Core.Errors;
using Helios.Core.Hashing;
using Helios.Core.Objects;

namespace Helios.Core.Memory;

/// <summary>How one conflicting key was settled. Values are frozen by the merge-log record's golden tests.</summary>
public enum MergeLogResolution : byte
{
    /// <summary>The parent's value was kept (parent-wins).</summary>
    Parent = 1,

    /// <summary>The child's value was taken (child-wins).</summary>
    Child = 2,

    /// <summary>Newest-wins chose the parent's value.</summary>
    NewestParent = 3,

    /// <summary>Newest-wins chose the child's value.</summary>
    NewestChild = 4,

    /// <summary>Someone supplied a value by hand; the record keeps the value's hash.</summary>
    Manual = 5,

    /// <summary>The key was deleted.</summary>
    Delete = 6,
}

/// <summary>
/// One conflict of a memory merge and its resolution: the collection, the key, and how it was settled.
/// A manual resolution carries the BLAKE3 of the chosen value's bytes rather than the value itself, so
/// a record stays small whatever the values are (a 384-dimension vector is 1.5 KB); the value is in
/// the merged collection, and the hash proves which one was chosen.
/// </summary>
public sealed record MergeLogConflict
{
    /// <summary>Builds a conflict; a manual resolution needs <paramref name="manualValueHash"/>, every other must not have one.</summary>
    public MergeLogConflict(string collection, string key, MergeLogResolution resolution, ObjectId? manualValueHash = null)
    {
        MergeLogText.EnsureValid(collection, "collection name", allowEmpty: false);
        MergeLogText.EnsureValid(key, "key", allowEmpty: false);
        if (!Enum.IsDefined(resolution))
        {
            throw new HeliosException(HeliosErrorCode.InvalidArgument, $"Conflict resolution {(int)resolution} for key '{EntryName.Escape(key)}' is not one of parent, child, newest:parent, newest:child, manual, delete.");
        }

        if ((resolution == MergeLogResolution.Manual) != manualValueHash.HasValue)
        {
            throw new HeliosException(HeliosErrorCode.InvalidArgument, $"Key '{EntryName.Escape(key)}': a manual resolution needs the hash of the chosen value, and only a manual one has it.");
        }

        Collection = collection;
        Key = key;
        Resolution = resolution;
        ManualValueHash = manualValueHash;
    }

    /// <summary>A manual resolution to <paramref name="value"/> (its bytes as the collection stores them).</summary>
    public static MergeLogConflict Manual(string collection, string key, ReadOnlySpan<byte> value)
    {
        Span<byte> hash = stackalloc byte[ObjectId.Size];
        Blake3.Hash(value, hash);
        return new MergeLogConflict(collection, key, MergeLogResolution.Manual, new ObjectId(hash));
    }

    public string Collection { get; }

    public string Key { get; }

    public MergeLogResolution Resolution { get; }

    /// <summary>BLAKE3 of the value chosen by hand; null unless <see cref="Resolution"/> is manual.</summary>
    public ObjectId? ManualValueHash { get; }

    /// <summary>The resolution as the CLI and JSON show it: parent, child, newest:parent, newest:child, manual, delete.</summary>
    public static string Name(MergeLogResolution resolution) => resolution switch
    {
        MergeLogResolution.Parent => "parent",
        MergeLogResolution.Child => "child",
        MergeLogResolution.NewestParent => "newest:parent",
        MergeLogResolution.NewestChild => "newest:child",
        MergeLogResolution.Manual => "manual",
        MergeLogResolution.Delete => "delete",
        _ => throw new ArgumentOutOfRangeException(nameof(resolution)),
    };

    /// <summary>Canonical order: by collection, then key, each by UTF-8 bytes.</summary>
    internal static int Compare(MergeLogConflict a, MergeLogConflict b)
    {
        int c = Utf8NameComparer.Instance.Compare(a.Collection, b.Collection);
        return c != 0 ? c : Utf8NameComparer.Instance.Compare(a.Key, b.Key);
    }
}

/// <summary>The text rule for names kept in a merge-log record: valid Unicode without control characters.</summary>
internal static class MergeLogText
{
    public static string? Validate(string value, bool allowEmpty)
    {
        if (value.Length == 0)
        {
            return allowEmpty ? null : "it is empty";
        }

        for (int i = 0; i < value.Length; i++)
        {
            char c = value[i];
            if (c < 0x20 || c == 0x7f)
            {
                return $"it contains the control character U+{(int)c:X4}";
            }

            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                return "it is not valid Unicode";
            }
        }

        return null;
    }

    public static void EnsureValid(string value, string what, bool allowEmpty)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (Validate(value, allowEmpty) is { } problem)
        {
            throw new HeliosException(HeliosErrorCode.InvalidArgument, $"The {what} '{EntryName.Escape(value)}' cannot be recorded in the merge log: {problem}.");
        }
    }
}
