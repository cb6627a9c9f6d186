using System.Diagnostics.CodeAnalysis;

namespace Helios.Core.Objects;

/// <summary>
/// A commit's metadata: a read-only map whose keys enumerate in UTF-8 byte order, kept as two
/// sorted arrays (lookups by binary search). A plain class rather than a SortedDictionary, whose
/// generic code every CLI process committing metadata would otherwise compile at start-up.
/// </summary>
internal sealed class CommitMetadata : IReadOnlyDictionary<string, string>
{
    private readonly string[] _keys;
    private readonly string[] _values;

    private CommitMetadata(string[] keys, string[] values)
    {
        _keys = keys;
        _values = values;
    }

    /// <summary>Copies and sorts <paramref name="source"/>; <paramref name="validateKey"/> checks each key first.</summary>
    public static CommitMetadata From(IReadOnlyDictionary<string, string>? source, Action<string> validateKey)
    {
        int count = source?.Count ?? 0;
        var keys = new string[count];
        var values = new string[count];
        int i = 0;
        foreach (var (key, value) in source ?? Enumerable.Empty<KeyValuePair<string, string>>())
        {
            validateKey(key);
            keys[i] = key;
            values[i++] = value;
        }

        Array.Sort(keys, values, Utf8NameComparer.Instance);
        return new CommitMetadata(keys, values);
    }

    public int Count => _keys.Length;

    public IEnumerable<string> Keys => _keys;

    public IEnumerable<string> Values => _values;

    public string this[string key] => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException($"No metadata key '{key}'.");

    public bool ContainsKey(string key) => IndexOf(key) >= 0;

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out string value)
    {
        int i = IndexOf(key);
        value = i >= 0 ? _values[i] : null;
        return i >= 0;
    }

    public IEnumerator<KeyValuePair<string, string>> GetEnumerator()
    {
        for (int i = 0; i < _keys.Length; i++)
        {
            yield return new KeyValuePair<string, string>(_keys[i], _values[i]);
        }
    }

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

    private int IndexOf(string key) => Array.BinarySearch(_keys, key, Utf8NameComparer.Instance);
}
