using Helios.Core.Collections.Search;

namespace Helios.Core.Tests.Collections.Search;

/// <summary>Random vectors and the double-precision reference the kernels are checked against.</summary>
internal static class VectorData
{
    /// <summary>
    /// Every kernel width in float lanes (1, 4, 8, 16; <see cref="KernelWidth"/> is internal, so theories take the
    /// number), whether or not this machine accelerates it (an unaccelerated width runs in software).
    /// </summary>
    public static TheoryData<int> Widths => new(Enum.GetValues<KernelWidth>().Select(width => (int)width));

    public static float[] RandomVector(Random random, int dimension, float scale = 1)
    {
        var vector = new float[dimension];
        for (int i = 0; i < dimension; i++)
        {
            vector[i] = (float)((random.NextDouble() * 2) - 1) * scale;
        }

        return vector;
    }

    /// <summary>A block of <paramref name="rows"/> random vectors keyed <c>{prefix}{row:D5}</c>.</summary>
    public static VectorBlock RandomBlock(Random random, int rows, int dimension, string prefix = "k", float scale = 1)
    {
        var builder = new VectorBlock.Builder(dimension, rows);
        for (int row = 0; row < rows; row++)
        {
            builder.Add($"{prefix}{row:D5}", RandomVector(random, dimension, scale));
        }

        return builder.Build();
    }

    public static double ReferenceDot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double sum = 0;
        for (int i = 0; i < a.Length; i++)
        {
            sum += (double)a[i] * b[i];
        }

        return sum;
    }

    public static double ReferenceNorm(ReadOnlySpan<float> a) => Math.Sqrt(ReferenceDot(a, a));

    /// <summary>
    /// The forward error bound of a float32 dot product summed in any order: (D + 1) units of roundoff (2⁻²⁴) times
    /// Σ|aᵢbᵢ|, plus 4 more units for the normalisations of a cosine. A missed or doubled component is far outside it.
    /// </summary>
    public static double Tolerance(ReadOnlySpan<float> a, ReadOnlySpan<float> b, bool cosine)
    {
        double absoluteSum = 0;
        for (int i = 0; i < a.Length; i++)
        {
            absoluteSum += Math.Abs((double)a[i] * b[i]);
        }

        double unitRoundoff = Math.Pow(2, -24);
        if (!cosine)
        {
            return (a.Length + 1) * unitRoundoff * absoluteSum;
        }

        double norms = ReferenceNorm(a) * ReferenceNorm(b);
        return norms == 0 ? 0 : ((a.Length + 5) * unitRoundoff * absoluteSum / norms) + (4 * unitRoundoff);
    }
}
