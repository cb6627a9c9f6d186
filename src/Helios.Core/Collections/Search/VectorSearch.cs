using Helios.Core.Errors;

namespace Helios.Core.Collections.Search;

/// <summary>
/// Exact top-k similarity search: scores every vector of every block against the query and keeps the best k
/// (<see cref="TopK"/>: highest score first, equal scores by key in ordinal order).
/// </summary>
/// <remarks>
/// <para>Cost: one pass over the blocks' vectors, O(total rows × D) with the widest SIMD kernel the machine has
/// (<see cref="SimilarityKernels"/>), plus O(total rows) heap checks; with a key-prefix filter only the rows whose
/// key matches are scored. Memory: O(k) plus one score buffer as long as the largest block.</para>
/// <para>Threading: single-threaded by contract; the search runs entirely on the calling thread (callers wanting
/// parallelism split the blocks and merge the <see cref="TopK"/>s). Blocks are immutable, so concurrent searches
/// over shared blocks are safe.</para>
/// <para>Scores: under <see cref="SimilarityMetric.Cosine"/> a stored vector whose norm is zero scores 0, and so does
/// every vector for a zero query (the results are then the k smallest keys, each scoring 0). A stored vector with a
/// NaN component scores NaN under both metrics and so never appears in the results; under cosine an infinite
/// component also yields NaN. Under <see cref="SimilarityMetric.Dot"/> a vector with an infinite component may score
/// ±infinity, which ranks like any other number. The query itself must be finite.</para>
/// </remarks>
public static class VectorSearch
{
    /// <summary>The best <paramref name="k"/> vectors for <paramref name="query"/>, best first (fewer when fewer match).</summary>
    /// <param name="query">The query vector; its length must be every block's dimension and its components finite.</param>
    /// <param name="blocks">The blocks to scan, each enumerated once.</param>
    /// <param name="k">How many results to return at most, at least 1.</param>
    /// <param name="metric">How to score.</param>
    /// <param name="keyPrefix">When not null or empty, only vectors whose key starts with it (ordinal) are considered.</param>
    /// <exception cref="HeliosException">
    /// <see cref="HeliosErrorCode.InvalidArgument"/> when <paramref name="k"/> is less than 1, the query is empty or has
    /// a NaN or infinite component, the metric is unknown, or a block's dimension differs from the query's (thrown
    /// when that block is reached).
    /// </exception>
    public static IReadOnlyList<SearchHit> Search(
        ReadOnlySpan<float> query, IEnumerable<VectorBlock> blocks, int k, SimilarityMetric metric, string? keyPrefix = null) =>
        Search(query, blocks, k, metric, keyPrefix, SimilarityKernels.BestWidth);

    internal static SearchHit[] Search(
        ReadOnlySpan<float> query, IEnumerable<VectorBlock> blocks, int k, SimilarityMetric metric, string? keyPrefix, KernelWidth width)
    {
        ArgumentNullException.ThrowIfNull(blocks);
        var top = new TopK(k);
        ValidateQuery(query);
        if (metric is not (SimilarityMetric.Cosine or SimilarityMetric.Dot))
        {
            throw new HeliosException(HeliosErrorCode.InvalidArgument, $"Unknown similarity metric {(int)metric}; use Cosine or Dot.");
        }

        // The query is read once per row, so it gets a 64-byte aligned copy (unit length for cosine): each of its
        // vector loads then stays within one cache line, whatever array the caller passed.
        bool cosine = metric == SimilarityMetric.Cosine;
        Span<float> scratch = query.Length <= SimilarityKernels.MaxStackDimension
            ? stackalloc float[query.Length + SimilarityKernels.AlignmentSlack]
            : GC.AllocateUninitializedArray<float>(query.Length + SimilarityKernels.AlignmentSlack, pinned: true);
        Span<float> aligned = SimilarityKernels.AlignedSlice(scratch, query.Length);
        if (cosine)
        {
            SimilarityKernels.Normalize(query, aligned);
        }
        else
        {
            query.CopyTo(aligned);
        }

        bool filtered = !string.IsNullOrEmpty(keyPrefix);
        float[] scores = [];
        foreach (var block in blocks)
        {
            if (block.Dimension != aligned.Length)
            {
                throw SimilarityKernels.DimensionMismatch(aligned.Length, block.Dimension);
            }

            if (filtered)
            {
                OfferMatching(aligned, block, keyPrefix!, cosine, width, top);
                continue;
            }

            if (scores.Length < block.Count)
            {
                scores = new float[block.Count];
            }

            if (cosine)
            {
                SimilarityKernels.CosineOfUnit(aligned, block, scores, width);
            }
            else
            {
                SimilarityKernels.Dot(aligned, block, scores, width);
            }

            ReadOnlySpan<string> keys = block.Keys;
            for (int row = 0; row < keys.Length; row++)
            {
                // Most rows fail the threshold; checking it here skips the call (NaN fails the comparison too).
                if (scores[row] >= top.Threshold)
                {
                    top.Offer(keys[row], scores[row]);
                }
            }
        }

        return top.ToSortedArray();
    }

    private static void OfferMatching(
        ReadOnlySpan<float> query, VectorBlock block, string keyPrefix, bool cosine, KernelWidth width, TopK top)
    {
        ReadOnlySpan<string> keys = block.Keys;
        ReadOnlySpan<float> inverseNorms = block.InverseNorms;
        for (int row = 0; row < keys.Length; row++)
        {
            if (!keys[row].StartsWith(keyPrefix, StringComparison.Ordinal))
            {
                continue;
            }

            float score = SimilarityKernels.Dot(query, block.GetVector(row), width);
            if (cosine)
            {
                score *= inverseNorms[row];
            }

            top.Offer(keys[row], score);
        }
    }

    private static void ValidateQuery(ReadOnlySpan<float> query)
    {
        if (query.IsEmpty)
        {
            throw new HeliosException(HeliosErrorCode.InvalidArgument, "The query vector is empty; pass one component per dimension.");
        }

        for (int i = 0; i < query.Length; i++)
        {
            if (!float.IsFinite(query[i]))
            {
                throw new HeliosException(HeliosErrorCode.InvalidArgument,
                    $"The query vector's component {i} is {query[i]}; every component must be a finite number.");
            }
        }
    }
}
