using Helios.Core.Errors;

namespace Helios.Core.Merging;

/// <summary>
/// How a merge decides what both sides changed differently. A strategy decides only conflicting
/// hunks and paths: changes made on one side only, and separated edits to the same text file,
/// are always kept from both. The parent is the branch merged into (git's "ours"), the child the
/// branch merged in ("theirs").
/// </summary>
public enum MergeStrategy
{
    /// <summary>Leave conflicts for someone to resolve: conflict markers in text files, the merge left in progress.</summary>
    Manual,

    /// <summary>Each conflict takes the parent's side (alias <c>ours</c>).</summary>
    ParentWins,

    /// <summary>Each conflict takes the child's side (alias <c>theirs</c>).</summary>
    ChildWins,

    /// <summary>
    /// Each conflicting path takes the side whose last change to it has the newer commit time;
    /// equal times go to the side whose changing commit has the greater id.
    /// </summary>
    NewestWins,
}

/// <summary>The names strategies go by in the CLI, the JSON report and the operation log.</summary>
public static class MergeStrategies
{
    private static readonly (string Name, MergeStrategy Strategy)[] Names =
    [
        ("manual", MergeStrategy.Manual),
        ("parent-wins", MergeStrategy.ParentWins),
        ("ours", MergeStrategy.ParentWins),
        ("child-wins", MergeStrategy.ChildWins),
        ("theirs", MergeStrategy.ChildWins),
        ("newest-wins", MergeStrategy.NewestWins),
    ];

    /// <summary>The strategy called <paramref name="name"/> (or one of its aliases); invalid-argument otherwise.</summary>
    public static MergeStrategy Parse(string name)
    {
        foreach (var (n, strategy) in Names)
        {
            if (n == name)
            {
                return strategy;
            }
        }

        throw new HeliosException(HeliosErrorCode.InvalidArgument,
            $"Unknown merge strategy '{name}'; use one of: manual, parent-wins (ours), child-wins (theirs), newest-wins.");
    }

    /// <summary>The canonical name: manual, parent-wins, child-wins or newest-wins.</summary>
    public static string Name(this MergeStrategy strategy) => strategy switch
    {
        MergeStrategy.Manual => "manual",
        MergeStrategy.ParentWins => "parent-wins",
        MergeStrategy.ChildWins => "child-wins",
        MergeStrategy.NewestWins => "newest-wins",
        _ => throw new ArgumentOutOfRangeException(nameof(strategy)),
    };
}
