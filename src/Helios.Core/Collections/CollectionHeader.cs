using Helios.Core.Errors;
using Helios.Core.Objects;

namespace Helios.Core.Collections;

/// <summary>
/// The object a commit root names for a collection (type 5): the vector dimension (0 when the
/// collection holds no vectors), the number of keys, and the id of the top <see cref="CollectionNode"/>.
/// Immutable and thread-safe.
/// </summary>
public sealed class CollectionHeader : HeliosObject
{
    /// <summary>The largest vector dimension a collection may declare.</summary>
    public const int MaxDimension = 65_536;

    public CollectionHeader(int dimension, long count, ObjectId root)
    {
        if (ValidateDimension(dimension) is { } problem)
        {
            throw new HeliosException(HeliosErrorCode.InvalidArgument, problem);
        }

        ArgumentOutOfRangeException.ThrowIfNegative(count);
        Dimension = dimension;
        Count = count;
        Root = root;
    }

    public override ObjectType Type => ObjectType.Collection;

    /// <summary>Floats per vector value; 0 means the collection holds no vectors.</summary>
    public int Dimension { get; }

    /// <summary>The number of keys.</summary>
    public long Count { get; }

    /// <summary>The top node of the tree.</summary>
    public ObjectId Root { get; }

    internal override int ApproximateSize => 80;

    internal static string? ValidateDimension(long dimension) =>
        dimension is < 0 or > MaxDimension
            ? $"A collection's vector dimension must be between 0 and {MaxDimension}, not {dimension}."
            : null;
}
