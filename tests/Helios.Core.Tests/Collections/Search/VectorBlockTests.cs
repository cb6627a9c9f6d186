using Helios.Core.Collections.Search;
using Helios.Core.Errors;

namespace Helios.Core.Tests.Collections.Search;

public sealed class VectorBlockTests
{
    [Fact]
    public void A_built_block_holds_the_rows_in_order_with_their_norms()
    {
        var builder = new VectorBlock.Builder(dimension: 2, capacity: 1);
        builder.Add("first", [3, 4]);
        builder.Add("second", [0, 0]);
        builder.Add("third", [-1, 0]);

        var block = builder.Build();

        Assert.Equal(3, block.Count);
        Assert.Equal(2, block.Dimension);
        Assert.Equal(["first", "second", "third"], block.Keys.ToArray());
        Assert.Equal([3f, 4f, 0f, 0f, -1f, 0f], block.Vectors.ToArray());
        Assert.Equal([-1f, 0f], block.GetVector(2).ToArray());
        Assert.Equal([5f, 0f, 1f], block.Norms.ToArray());
        Assert.Equal([0.2f, 0f, 1f], block.InverseNorms.ToArray());
    }

    [Fact]
    public void Norms_are_computed_in_double_precision()
    {
        // 1e-30 squared underflows float32 to zero; in double it does not, so the norm is not 0.
        var builder = new VectorBlock.Builder(4);
        builder.Add("tiny", [1e-30f, 1e-30f, 1e-30f, 1e-30f]);

        var block = builder.Build();

        Assert.Equal(2e-30f, block.Norms[0], 1e-36f);
    }

    [Fact]
    public void A_row_holding_NaN_has_a_NaN_norm_and_an_infinite_row_an_infinite_norm()
    {
        var builder = new VectorBlock.Builder(2);
        builder.Add("nan", [float.NaN, 1]);
        builder.Add("inf", [float.PositiveInfinity, 1]);

        var block = builder.Build();

        Assert.True(float.IsNaN(block.Norms[0]));
        Assert.True(float.IsNaN(block.InverseNorms[0]));
        Assert.Equal(float.PositiveInfinity, block.Norms[1]);
        Assert.Equal(0f, block.InverseNorms[1]);
    }

    [Fact]
    public void The_builder_is_empty_after_build_and_later_rows_do_not_change_the_built_block()
    {
        var builder = new VectorBlock.Builder(dimension: 1, capacity: 2);
        builder.Add("a", [1]);
        builder.Add("b", [2]);
        var first = builder.Build();

        Assert.Equal(0, builder.Count);
        builder.Add("c", [3]);
        var second = builder.Build();

        Assert.Equal(["a", "b"], first.Keys.ToArray());
        Assert.Equal([1f, 2f], first.Vectors.ToArray());
        Assert.Equal(["c"], second.Keys.ToArray());
    }

    [Fact]
    public void The_builder_copies_the_vector_it_is_given()
    {
        float[] vector = [1, 2];
        var builder = new VectorBlock.Builder(2);
        builder.Add("a", vector);
        vector[0] = 100;

        Assert.Equal([1f, 2f], builder.Build().GetVector(0).ToArray());
    }

    [Fact]
    public void Create_builds_the_same_block_as_the_builder()
    {
        var block = VectorBlock.Create(2, [new("x", [1f, 1f]), new("y", [2f, 0f])]);

        Assert.Equal(["x", "y"], block.Keys.ToArray());
        Assert.Equal([1f, 1f, 2f, 0f], block.Vectors.ToArray());
        Assert.Equal(2f, block.Norms[1]);
    }

    [Fact]
    public void A_vector_of_the_wrong_dimension_is_an_invalid_argument_naming_the_key()
    {
        var builder = new VectorBlock.Builder(3);

        var error = Assert.Throws<HeliosException>(() => builder.Add("k1", [1, 2]));

        Assert.Equal(HeliosErrorCode.InvalidArgument, error.Code);
        Assert.Contains("'k1'", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, builder.Count);
    }

    [Fact]
    public void A_dimension_below_one_is_an_invalid_argument()
    {
        Assert.Equal(HeliosErrorCode.InvalidArgument, Assert.Throws<HeliosException>(() => new VectorBlock.Builder(0)).Code);
    }

    [Fact]
    public void A_row_outside_the_block_is_rejected()
    {
        var block = VectorBlock.Create(1, [new("x", [1f])]);

        Assert.Throws<ArgumentOutOfRangeException>(() => block.GetVector(1));
        Assert.Throws<ArgumentOutOfRangeException>(() => block.GetVector(-1));
    }

    [Fact]
    public void Approximate_size_counts_the_components_and_the_keys()
    {
        var small = VectorData.RandomBlock(new Random(1), rows: 32, dimension: 384);
        var longKeys = VectorData.RandomBlock(new Random(1), rows: 32, dimension: 384, prefix: new string('p', 100)); // 99 chars longer than "k"

        Assert.InRange(small.ApproximateSize, 32 * 384 * 4, (32 * 384 * 4) + 4096);
        Assert.Equal(32 * 99 * 2, longKeys.ApproximateSize - small.ApproximateSize);
    }
}
