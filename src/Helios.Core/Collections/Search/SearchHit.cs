namespace Helios.Core.Collections.Search;

/// <summary>One result of a similarity search: the key of a stored vector and its score (higher is better).</summary>
public readonly record struct SearchHit(string Key, float Score);
