namespace Helios.Core.Collections.Search;

/// <summary>How a stored vector is scored against a query; higher scores are better under both.</summary>
public enum SimilarityMetric
{
    /// <summary>
    /// The cosine of the angle between the query and the vector, in [-1, 1]. A vector (or query) whose
    /// L2 norm is zero has no direction and scores 0, not NaN.
    /// </summary>
    Cosine = 1,

    /// <summary>The dot product of the query and the vector, unnormalised.</summary>
    Dot = 2,
}
