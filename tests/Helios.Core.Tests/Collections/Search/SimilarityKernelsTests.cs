using Helios.Core.Collections.Search;
using Helios.Core.Errors;

namespace Helios.Core.Tests.Collections.Search;

public sealed class SimilarityKernelsTests
{
    public static TheoryData<int, int> WidthsAndDimensions()
    {
        var data = new TheoryData<int, int>();
        foreach (var width in Enum.GetValues<KernelWidth>())
        {
            // 1 and 7: shorter than every vector; 384: a multiple of every width; 385: one past it; the others sit
            // on and around the unrolled loop's boundaries (4 × 16 = 64 lanes at 512 bits).
            foreach (int dimension in new[] { 1, 3, 7, 15, 16, 17, 63, 64, 65, 384, 385 })
            {
                data.Add((int)width, dimension);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(WidthsAndDimensions))]
    public void Dot_of_each_row_agrees_with_the_double_precision_reference(int lanes, int dimension)
    {
        var width = (KernelWidth)lanes;
        var random = new Random(dimension * 31 + (int)width);
        var block = VectorData.RandomBlock(random, rows: 37, dimension);
        float[] query = VectorData.RandomVector(random, dimension);
        var scores = new float[block.Count];

        SimilarityKernels.Dot(query, block, scores, width);

        for (int row = 0; row < block.Count; row++)
        {
            var vector = block.GetVector(row);
            double expected = VectorData.ReferenceDot(query, vector);
            Assert.InRange(scores[row] - expected, -VectorData.Tolerance(query, vector, cosine: false), VectorData.Tolerance(query, vector, cosine: false));
        }
    }

    [Theory]
    [MemberData(nameof(WidthsAndDimensions))]
    public void Cosine_of_each_row_agrees_with_the_double_precision_reference(int lanes, int dimension)
    {
        var width = (KernelWidth)lanes;
        var random = new Random(dimension * 17 + (int)width);
        var block = VectorData.RandomBlock(random, rows: 37, dimension, scale: 3);
        float[] query = VectorData.RandomVector(random, dimension, scale: 0.25f);
        var scores = new float[block.Count];

        SimilarityKernels.Cosine(query, block, scores, width);

        for (int row = 0; row < block.Count; row++)
        {
            var vector = block.GetVector(row);
            double expected = VectorData.ReferenceDot(query, vector) / (VectorData.ReferenceNorm(query) * VectorData.ReferenceNorm(vector));
            double tolerance = VectorData.Tolerance(query, vector, cosine: true);
            Assert.InRange(scores[row] - expected, -tolerance, tolerance);
        }
    }

    [Theory]
    [MemberData(nameof(WidthsAndDimensions))]
    public void Dot_of_two_vectors_agrees_with_the_double_precision_reference(int lanes, int dimension)
    {
        var width = (KernelWidth)lanes;
        var random = new Random(dimension + (100 * (int)width));
        float[] a = VectorData.RandomVector(random, dimension, scale: 1000);
        float[] b = VectorData.RandomVector(random, dimension, scale: 0.001f);

        float dot = SimilarityKernels.Dot(a, b, width);

        double tolerance = VectorData.Tolerance(a, b, cosine: false);
        Assert.InRange(dot - VectorData.ReferenceDot(a, b), -tolerance, tolerance);
    }

    [Theory]
    [MemberData(nameof(VectorData.Widths), MemberType = typeof(VectorData))]
    public void Cosine_stays_accurate_for_vectors_whose_dot_product_overflows_float32(int lanes)
    {
        var width = (KernelWidth)lanes;
        // Components near 1e20 over 384 dimensions: the raw dot product (~1e42) is beyond float32's range, the cosine is not.
        var random = new Random(5);
        var block = VectorData.RandomBlock(random, rows: 8, dimension: 384, scale: 1e20f);
        float[] query = VectorData.RandomVector(random, 384, scale: 1e20f);
        var scores = new float[block.Count];

        SimilarityKernels.Cosine(query, block, scores, width);

        for (int row = 0; row < block.Count; row++)
        {
            var vector = block.GetVector(row);
            double expected = VectorData.ReferenceDot(query, vector) / (VectorData.ReferenceNorm(query) * VectorData.ReferenceNorm(vector));
            Assert.InRange(scores[row] - expected, -1e-5, 1e-5);
        }
    }

    [Theory]
    [MemberData(nameof(VectorData.Widths), MemberType = typeof(VectorData))]
    public void Cosine_with_a_zero_row_or_a_zero_query_is_zero(int lanes)
    {
        var width = (KernelWidth)lanes;
        var builder = new VectorBlock.Builder(dimension: 20);
        builder.Add("zero", new float[20]);
        builder.Add("ones", Enumerable.Repeat(1f, 20).ToArray());
        var block = builder.Build();
        var scores = new float[2];

        SimilarityKernels.Cosine(Enumerable.Repeat(-2f, 20).ToArray(), block, scores, width);
        Assert.Equal(0f, scores[0]);
        Assert.Equal(-1f, scores[1], 1e-6f);

        SimilarityKernels.Cosine(new float[20], block, scores, width);
        Assert.Equal([0f, 0f], scores);
    }

    [Fact]
    public void Every_width_gives_the_same_dot_product_on_integers_that_sum_exactly()
    {
        // Small integers multiply and add exactly in float32, so every summation order gives the same bits.
        var random = new Random(3);
        var a = Enumerable.Range(0, 385).Select(_ => (float)random.Next(-100, 100)).ToArray();
        var b = Enumerable.Range(0, 385).Select(_ => (float)random.Next(-100, 100)).ToArray();
        double expected = VectorData.ReferenceDot(a, b);

        foreach (var width in Enum.GetValues<KernelWidth>())
        {
            Assert.Equal(expected, SimilarityKernels.Dot(a, b, width));
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(15)]
    public unsafe void An_aligned_slice_starts_on_a_64_byte_boundary(int offset)
    {
        Span<float> buffer = stackalloc float[100 + SimilarityKernels.AlignmentSlack + 16];

        var slice = SimilarityKernels.AlignedSlice(buffer[offset..], 100);

        Assert.Equal(100, slice.Length);
        Assert.Equal(0u, (nuint)System.Runtime.CompilerServices.Unsafe.AsPointer(ref slice[0]) % 64);
    }

    [Fact]
    public void Cosine_of_a_query_too_long_for_the_stack_agrees_with_the_reference()
    {
        int dimension = SimilarityKernels.MaxStackDimension + 77;
        var random = new Random(1101);
        var block = VectorData.RandomBlock(random, rows: 5, dimension);
        float[] query = VectorData.RandomVector(random, dimension);
        var scores = new float[block.Count];

        SimilarityKernels.Cosine(query, block, scores);

        for (int row = 0; row < block.Count; row++)
        {
            var vector = block.GetVector(row);
            double expected = VectorData.ReferenceDot(query, vector) / (VectorData.ReferenceNorm(query) * VectorData.ReferenceNorm(vector));
            double tolerance = VectorData.Tolerance(query, vector, cosine: true);
            Assert.InRange(scores[row] - expected, -tolerance, tolerance);
        }
    }

    [Fact]
    public void A_query_of_the_wrong_dimension_is_an_invalid_argument()
    {
        var block = VectorData.RandomBlock(new Random(1), rows: 2, dimension: 8);

        var error = Assert.Throws<HeliosException>(() => SimilarityKernels.Dot(new float[7], block, new float[2]));

        Assert.Equal(HeliosErrorCode.InvalidArgument, error.Code);
        Assert.Contains("7", error.Message, StringComparison.Ordinal);
        Assert.Contains("8", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_score_buffer_shorter_than_the_block_is_rejected()
    {
        var block = VectorData.RandomBlock(new Random(1), rows: 3, dimension: 4);

        Assert.Throws<ArgumentException>(() => SimilarityKernels.Cosine(new float[4], block, new float[2]));
    }

    [Fact]
    public void Dot_product_of_vectors_of_different_lengths_is_rejected()
    {
        Assert.Throws<ArgumentException>(() => SimilarityKernels.Dot(new float[4], new float[5]));
    }
}
