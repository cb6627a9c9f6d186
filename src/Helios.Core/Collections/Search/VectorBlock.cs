using Helios.Core.Errors;

namespace Helios.Core.Collections.Search;

/// <summary>
/// An immutable, dense block of <see cref="Count"/> vectors of <see cref="Dimension"/> float32 components each,
/// stored row-major in one array, with their keys and L2 norms: the unit the similarity kernels scan. The
/// collection builds one block per leaf node and caches it by the leaf's id (<see cref="VectorBlockCache"/>).
/// </summary>
/// <remarks>
/// Immutable once built, so any number of threads may read one block at once. Norms are computed once, at build
/// time, in double precision (O(N × D)); a search then costs one pass over the vectors and nothing per row for
/// the norm. Keys need not be sorted or unique; the block does not interpret them. Components are stored as
/// given, NaN and infinities included (<see cref="VectorSearch"/> says how they score).
/// </remarks>
public sealed class VectorBlock
{
    private const int DefaultCapacity = 32;

    private readonly float[] _vectors;
    private readonly string[] _keys;
    private readonly float[] _norms;
    private readonly float[] _inverseNorms;

    private VectorBlock(int dimension, string[] keys, float[] vectors, float[] norms, float[] inverseNorms)
    {
        Dimension = dimension;
        _keys = keys;
        _vectors = vectors;
        _norms = norms;
        _inverseNorms = inverseNorms;
        ApproximateSize = EstimateSize(keys, vectors.Length);
    }

    /// <summary>Components per vector, at least 1.</summary>
    public int Dimension { get; }

    /// <summary>Number of vectors (rows), possibly 0.</summary>
    public int Count => _keys.Length;

    /// <summary>The keys, one per row, in row order.</summary>
    public ReadOnlySpan<string> Keys => _keys;

    /// <summary>All components, row-major: row <c>i</c> is <c>[i × Dimension, (i + 1) × Dimension)</c>.</summary>
    public ReadOnlySpan<float> Vectors => _vectors;

    /// <summary>The L2 norm of each row (NaN for a row holding NaN, infinity for one holding an infinity).</summary>
    public ReadOnlySpan<float> Norms => _norms;

    /// <summary>
    /// Estimated managed memory held by the block (vectors, norms, keys and their strings), in bytes; the
    /// weight <see cref="VectorBlockCache"/> bounds.
    /// </summary>
    public long ApproximateSize { get; }

    /// <summary>
    /// 1 / norm of each row, with 0 for a zero or infinite norm, so a cosine is one multiply and a zero vector
    /// scores 0 without a branch (an infinite row still scores NaN: its dot product is infinite or NaN).
    /// </summary>
    internal ReadOnlySpan<float> InverseNorms => _inverseNorms;

    /// <summary>The key of row <paramref name="row"/>.</summary>
    public string GetKey(int row) => _keys[row];

    /// <summary>The components of row <paramref name="row"/>.</summary>
    public ReadOnlySpan<float> GetVector(int row)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(row);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(row, Count);
        return _vectors.AsSpan(row * Dimension, Dimension);
    }

    /// <summary>Builds a block from (key, vector) pairs; see <see cref="Builder"/>.</summary>
    public static VectorBlock Create(int dimension, IEnumerable<KeyValuePair<string, float[]>> rows)
    {
        var builder = new Builder(dimension, rows.TryGetNonEnumeratedCount(out int count) ? count : DefaultCapacity);
        foreach (var (key, vector) in rows)
        {
            builder.Add(key, vector);
        }

        return builder.Build();
    }


    private static long EstimateSize(string[] keys, int components)
    {
        // Object headers and array lengths on 64-bit .NET: about 24 bytes per array, 22 plus two per char per string.
        const long ArrayOverhead = 24;
        long size = 64 + (3 * ArrayOverhead) + (4L * components) + (8L * keys.Length) + (2 * 4L * keys.Length);
        foreach (string key in keys)
        {
            size += 24 + (2L * key.Length);
        }

        return size;
    }

    /// <summary>
    /// Accumulates rows for one <see cref="VectorBlock"/>. Not thread-safe. After <see cref="Build"/> the builder
    /// is empty and may be reused.
    /// </summary>
    public sealed class Builder
    {
        private readonly int _initialCapacity;
        private float[] _vectors;
        private string[] _keys;
        private int _count;

        /// <param name="dimension">Components per vector, at least 1.</param>
        /// <param name="capacity">Expected number of rows (the arrays grow as needed).</param>
        public Builder(int dimension, int capacity = DefaultCapacity)
        {
            if (dimension < 1)
            {
                throw new HeliosException(HeliosErrorCode.InvalidArgument, $"A vector dimension must be at least 1, not {dimension}.");
            }

            ArgumentOutOfRangeException.ThrowIfNegative(capacity);
            Dimension = dimension;
            _initialCapacity = capacity;
            _keys = [];
            _vectors = [];
        }

        public int Dimension { get; }

        /// <summary>Rows added since the last <see cref="Build"/>.</summary>
        public int Count => _count;

        /// <summary>Appends a row, copying the vector. O(D) amortised.</summary>
        /// <exception cref="HeliosException"><see cref="HeliosErrorCode.InvalidArgument"/> when the vector's length is not <see cref="Dimension"/>.</exception>
        public void Add(string key, ReadOnlySpan<float> vector)
        {
            ArgumentNullException.ThrowIfNull(key);
            if (vector.Length != Dimension)
            {
                throw new HeliosException(HeliosErrorCode.InvalidArgument,
                    $"The vector for key '{key}' has {vector.Length} dimensions but the block's vectors have {Dimension}.");
            }

            if (_count == _keys.Length)
            {
                int capacity = Math.Max(Math.Max(_initialCapacity, 4), _count * 2);
                Array.Resize(ref _keys, capacity);
                Array.Resize(ref _vectors, checked(capacity * Dimension));
            }

            _keys[_count] = key;
            vector.CopyTo(_vectors.AsSpan(_count * Dimension));
            _count++;
        }

        /// <summary>The block of the rows added so far (computing their norms, O(N × D)); empties the builder.</summary>
        public VectorBlock Build()
        {
            string[] keys = _keys;
            float[] vectors = _vectors;
            Array.Resize(ref keys, _count);
            Array.Resize(ref vectors, _count * Dimension);

            var norms = new float[_count];
            var inverseNorms = new float[_count];
            for (int row = 0; row < _count; row++)
            {
                double sumOfSquares = 0;
                foreach (float x in vectors.AsSpan(row * Dimension, Dimension))
                {
                    sumOfSquares += (double)x * x;
                }

                double norm = Math.Sqrt(sumOfSquares);
                norms[row] = (float)norm;
                inverseNorms[row] = double.IsNaN(norm) ? float.NaN : norm is 0 or double.PositiveInfinity ? 0 : (float)(1 / norm);
            }

            _keys = [];
            _vectors = [];
            _count = 0;
            return new VectorBlock(Dimension, keys, vectors, norms, inverseNorms);
        }
    }
}
