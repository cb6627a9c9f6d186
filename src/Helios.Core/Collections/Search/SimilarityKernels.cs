using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Helios.Core.Errors;

namespace Helios.Core.Collections.Search;

/// <summary>
/// Dot product and cosine of a query against every row of a <see cref="VectorBlock"/>, vectorised with
/// <see cref="System.Runtime.Intrinsics"/> at the widest width the hardware accelerates (512, 256 or 128 bits,
/// else scalar), chosen once per process.
/// </summary>
/// <remarks>
/// Cost: one pass over the block's N × D components, O(N × D); no allocation. Stateless and thread-safe.
/// Each row is summed in float32 with four independent vector accumulators (so consecutive fused multiply-adds
/// do not wait on each other's latency), a one-vector loop and a scalar tail for a dimension that is not a multiple
/// of the width; the sum order therefore depends on the width, and results agree with an exact sum within the
/// usual float32 summation bound (about D × 2⁻²⁴ × Σ|qᵢvᵢ|) rather than bit for bit. Fused multiply-add is used
/// where the hardware has it (<c>MultiplyAddEstimate</c>), a multiply and an add elsewhere.
/// </remarks>
public static class SimilarityKernels
{
    private const int Unroll = 4;

    /// <summary>The width the public methods run at on this machine.</summary>
    internal static KernelWidth BestWidth { get; } =
        Vector512.IsHardwareAccelerated ? KernelWidth.Vector512
        : Vector256.IsHardwareAccelerated ? KernelWidth.Vector256
        : Vector128.IsHardwareAccelerated ? KernelWidth.Vector128
        : KernelWidth.Scalar;

    /// <summary>The dot product of two vectors of equal length.</summary>
    public static float Dot(ReadOnlySpan<float> left, ReadOnlySpan<float> right) => Dot(left, right, BestWidth);

    /// <summary>Writes the dot product of <paramref name="query"/> and row <c>i</c> of the block to <c>scores[i]</c>.</summary>
    /// <exception cref="HeliosException"><see cref="HeliosErrorCode.InvalidArgument"/> when the query's length is not the block's dimension.</exception>
    public static void Dot(ReadOnlySpan<float> query, VectorBlock block, Span<float> scores) => Dot(query, block, scores, BestWidth);

    /// <summary>
    /// Writes the cosine of <paramref name="query"/> and row <c>i</c> of the block to <c>scores[i]</c>; a zero query
    /// or a zero row scores 0. Normalises the query first (O(D), into an aligned copy on the stack up to 1,024 dimensions);
    /// <see cref="VectorSearch"/> does that once per search instead of once per block.
    /// </summary>
    /// <exception cref="HeliosException"><see cref="HeliosErrorCode.InvalidArgument"/> when the query's length is not the block's dimension.</exception>
    public static void Cosine(ReadOnlySpan<float> query, VectorBlock block, Span<float> scores) => Cosine(query, block, scores, BestWidth);

    internal static float Dot(ReadOnlySpan<float> left, ReadOnlySpan<float> right, KernelWidth width)
    {
        if (left.Length != right.Length)
        {
            throw new ArgumentException($"The vectors have different lengths ({left.Length} and {right.Length}).", nameof(right));
        }

        ref float a = ref MemoryMarshal.GetReference(left);
        ref float b = ref MemoryMarshal.GetReference(right);
        nuint length = (nuint)left.Length;
        return width switch
        {
            KernelWidth.Vector512 => Lanes512.Dot(ref a, ref b, length),
            KernelWidth.Vector256 => Lanes256.Dot(ref a, ref b, length),
            KernelWidth.Vector128 => Lanes128.Dot(ref a, ref b, length),
            _ => Scalar.Dot(ref a, ref b, length),
        };
    }

    internal static void Dot(ReadOnlySpan<float> query, VectorBlock block, Span<float> scores, KernelWidth width)
    {
        Check(query, block, scores);
        switch (width)
        {
            case KernelWidth.Vector512: Rows<Lanes512>(query, block, scores); break;
            case KernelWidth.Vector256: Rows<Lanes256>(query, block, scores); break;
            case KernelWidth.Vector128: Rows<Lanes128>(query, block, scores); break;
            default: Rows<Scalar>(query, block, scores); break;
        }
    }

    internal static void Cosine(ReadOnlySpan<float> query, VectorBlock block, Span<float> scores, KernelWidth width)
    {
        Check(query, block, scores);
        Span<float> scratch = query.Length <= MaxStackDimension
            ? stackalloc float[query.Length + AlignmentSlack]
            : GC.AllocateUninitializedArray<float>(query.Length + AlignmentSlack, pinned: true);
        Span<float> unit = AlignedSlice(scratch, query.Length);
        Normalize(query, unit);
        CosineOfUnit(unit, block, scores, width);
    }

    /// <summary>Longest query copied to the stack rather than to a pinned array.</summary>
    internal const int MaxStackDimension = 1024;

    /// <summary>Extra floats a buffer needs for <see cref="AlignedSlice"/> to find a 64-byte boundary in it.</summary>
    internal const int AlignmentSlack = 64 / sizeof(float);

    /// <summary>
    /// The first <paramref name="length"/> floats of <paramref name="buffer"/> that start on a 64-byte boundary (a cache
    /// line, and the width of a Vector512 load). The buffer must not move: on the stack or pinned.
    /// </summary>
    internal static unsafe Span<float> AlignedSlice(Span<float> buffer, int length)
    {
        nuint address = (nuint)Unsafe.AsPointer(ref MemoryMarshal.GetReference(buffer));
        int skip = (int)((64 - (address % 64)) % 64) / sizeof(float);
        return buffer.Slice(skip, length);
    }

    /// <summary>
    /// Cosines given the query already scaled to length 1 (or all zeros for a zero query): the dot product times the
    /// row's precomputed 1 / norm (0 for a zero row). Scaling the query rather than the dot product keeps the float32
    /// sum within range for any vectors whose norms are.
    /// </summary>
    internal static void CosineOfUnit(ReadOnlySpan<float> unitQuery, VectorBlock block, Span<float> scores, KernelWidth width)
    {
        Dot(unitQuery, block, scores, width);
        ReadOnlySpan<float> inverseNorms = block.InverseNorms;
        for (int row = 0; row < inverseNorms.Length; row++)
        {
            scores[row] *= inverseNorms[row];
        }
    }

    /// <summary>Writes <paramref name="vector"/> / ‖vector‖ (norm computed in double precision), or zeros for a zero vector.</summary>
    internal static void Normalize(ReadOnlySpan<float> vector, Span<float> unit)
    {
        double sumOfSquares = 0;
        foreach (float x in vector)
        {
            sumOfSquares += (double)x * x;
        }

        double inverseNorm = sumOfSquares == 0 ? 0 : 1 / Math.Sqrt(sumOfSquares);
        for (int i = 0; i < vector.Length; i++)
        {
            unit[i] = (float)(vector[i] * inverseNorm);
        }
    }

    private static void Check(ReadOnlySpan<float> query, VectorBlock block, Span<float> scores)
    {
        if (query.Length != block.Dimension)
        {
            throw DimensionMismatch(query.Length, block.Dimension);
        }

        if (scores.Length < block.Count)
        {
            throw new ArgumentException($"The score buffer holds {scores.Length} scores but the block has {block.Count} rows.", nameof(scores));
        }
    }

    internal static HeliosException DimensionMismatch(int queryDimension, int blockDimension) =>
        new(HeliosErrorCode.InvalidArgument,
            $"The query vector has {queryDimension} dimensions but the collection's vectors have {blockDimension}; pass a query of {blockDimension}.");

    private static void Rows<TLanes>(ReadOnlySpan<float> query, VectorBlock block, Span<float> scores)
        where TLanes : struct, IRowDot
    {
        ref float q = ref MemoryMarshal.GetReference(query);
        ref float row = ref MemoryMarshal.GetReference(block.Vectors);
        nuint dimension = (nuint)block.Dimension;
        int count = block.Count;
        for (int i = 0; i < count; i++)
        {
            scores[i] = TLanes.Dot(ref q, ref row, dimension);
            row = ref Unsafe.Add(ref row, dimension);
        }
    }

    /// <summary>One width's dot product of two rows; a static abstract so <see cref="Rows"/> is compiled once per width, inlined.</summary>
    private interface IRowDot
    {
        static abstract float Dot(ref float a, ref float b, nuint length);
    }

    private readonly struct Lanes512 : IRowDot
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float Dot(ref float a, ref float b, nuint length)
        {
            nuint width = (nuint)Vector512<float>.Count;
            var s0 = Vector512<float>.Zero;
            var s1 = Vector512<float>.Zero;
            var s2 = Vector512<float>.Zero;
            var s3 = Vector512<float>.Zero;
            nuint i = 0;
            for (; i + (Unroll * width) <= length; i += Unroll * width)
            {
                s0 = Vector512.MultiplyAddEstimate(Vector512.LoadUnsafe(ref a, i), Vector512.LoadUnsafe(ref b, i), s0);
                s1 = Vector512.MultiplyAddEstimate(Vector512.LoadUnsafe(ref a, i + width), Vector512.LoadUnsafe(ref b, i + width), s1);
                s2 = Vector512.MultiplyAddEstimate(Vector512.LoadUnsafe(ref a, i + (2 * width)), Vector512.LoadUnsafe(ref b, i + (2 * width)), s2);
                s3 = Vector512.MultiplyAddEstimate(Vector512.LoadUnsafe(ref a, i + (3 * width)), Vector512.LoadUnsafe(ref b, i + (3 * width)), s3);
            }

            for (; i + width <= length; i += width)
            {
                s0 = Vector512.MultiplyAddEstimate(Vector512.LoadUnsafe(ref a, i), Vector512.LoadUnsafe(ref b, i), s0);
            }

            return Scalar.Tail(ref a, ref b, i, length, Vector512.Sum((s0 + s1) + (s2 + s3)));
        }
    }

    private readonly struct Lanes256 : IRowDot
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float Dot(ref float a, ref float b, nuint length)
        {
            nuint width = (nuint)Vector256<float>.Count;
            var s0 = Vector256<float>.Zero;
            var s1 = Vector256<float>.Zero;
            var s2 = Vector256<float>.Zero;
            var s3 = Vector256<float>.Zero;
            nuint i = 0;
            for (; i + (Unroll * width) <= length; i += Unroll * width)
            {
                s0 = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref a, i), Vector256.LoadUnsafe(ref b, i), s0);
                s1 = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref a, i + width), Vector256.LoadUnsafe(ref b, i + width), s1);
                s2 = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref a, i + (2 * width)), Vector256.LoadUnsafe(ref b, i + (2 * width)), s2);
                s3 = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref a, i + (3 * width)), Vector256.LoadUnsafe(ref b, i + (3 * width)), s3);
            }

            for (; i + width <= length; i += width)
            {
                s0 = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref a, i), Vector256.LoadUnsafe(ref b, i), s0);
            }

            return Scalar.Tail(ref a, ref b, i, length, Vector256.Sum((s0 + s1) + (s2 + s3)));
        }
    }

    private readonly struct Lanes128 : IRowDot
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float Dot(ref float a, ref float b, nuint length)
        {
            nuint width = (nuint)Vector128<float>.Count;
            var s0 = Vector128<float>.Zero;
            var s1 = Vector128<float>.Zero;
            var s2 = Vector128<float>.Zero;
            var s3 = Vector128<float>.Zero;
            nuint i = 0;
            for (; i + (Unroll * width) <= length; i += Unroll * width)
            {
                s0 = Vector128.MultiplyAddEstimate(Vector128.LoadUnsafe(ref a, i), Vector128.LoadUnsafe(ref b, i), s0);
                s1 = Vector128.MultiplyAddEstimate(Vector128.LoadUnsafe(ref a, i + width), Vector128.LoadUnsafe(ref b, i + width), s1);
                s2 = Vector128.MultiplyAddEstimate(Vector128.LoadUnsafe(ref a, i + (2 * width)), Vector128.LoadUnsafe(ref b, i + (2 * width)), s2);
                s3 = Vector128.MultiplyAddEstimate(Vector128.LoadUnsafe(ref a, i + (3 * width)), Vector128.LoadUnsafe(ref b, i + (3 * width)), s3);
            }

            for (; i + width <= length; i += width)
            {
                s0 = Vector128.MultiplyAddEstimate(Vector128.LoadUnsafe(ref a, i), Vector128.LoadUnsafe(ref b, i), s0);
            }

            return Scalar.Tail(ref a, ref b, i, length, Vector128.Sum((s0 + s1) + (s2 + s3)));
        }
    }

    private readonly struct Scalar : IRowDot
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float Dot(ref float a, ref float b, nuint length)
        {
            // Four accumulators here too: the scalar path is the fallback for machines without SIMD, not a
            // deliberately slow reference (the tests' reference is a double-precision sum).
            float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
            nuint i = 0;
            for (; i + Unroll <= length; i += Unroll)
            {
                s0 = float.MultiplyAddEstimate(Unsafe.Add(ref a, i), Unsafe.Add(ref b, i), s0);
                s1 = float.MultiplyAddEstimate(Unsafe.Add(ref a, i + 1), Unsafe.Add(ref b, i + 1), s1);
                s2 = float.MultiplyAddEstimate(Unsafe.Add(ref a, i + 2), Unsafe.Add(ref b, i + 2), s2);
                s3 = float.MultiplyAddEstimate(Unsafe.Add(ref a, i + 3), Unsafe.Add(ref b, i + 3), s3);
            }

            return Tail(ref a, ref b, i, length, (s0 + s1) + (s2 + s3));
        }

        /// <summary>Adds the products of components <paramref name="start"/>..<paramref name="length"/> to <paramref name="sum"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float Tail(ref float a, ref float b, nuint start, nuint length, float sum)
        {
            for (nuint i = start; i < length; i++)
            {
                sum = float.MultiplyAddEstimate(Unsafe.Add(ref a, i), Unsafe.Add(ref b, i), sum);
            }

            return sum;
        }
    }
}
