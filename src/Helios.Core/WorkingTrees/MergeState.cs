using System.Text;
using Helios.Core.Errors;
using Helios.Core.Merging;
using Helios.Core.Objects;

namespace Helios.Core.WorkingTrees;

/// <summary>
/// A merge left with conflicts in a worktree (git's MERGE_HEAD and friends): what was merged, the
/// message the merge commit will get, the conflicting paths and every path the merge wrote, so
/// <c>merge --abort</c> can put each back. Kept as a small text file beside the worktree's index.
/// </summary>
internal sealed record MergeState(
    ObjectId Parent,
    ObjectId Child,
    string Label,
    MergeStrategy Strategy,
    string Message,
    string Summary,
    IReadOnlyList<MergeConflict> Conflicts,
    IReadOnlyList<string> Touched)
{
    public static MergeState? Load(string file)
    {
        if (!File.Exists(file))
        {
            return null;
        }

        try
        {
            var values = new Dictionary<string, string>(StringComparer.Ordinal);
            var conflicts = new List<MergeConflict>();
            var touched = new List<string>();
            foreach (var line in File.ReadAllLines(file, Encoding.UTF8))
            {
                var (key, value) = line.IndexOf('=', StringComparison.Ordinal) is var eq and > 0 ? (line[..eq], line[(eq + 1)..]) : throw new FormatException(line);
                switch (key)
                {
                    case "conflict":
                        var parts = value.Split('\t', 3);
                        conflicts.Add(new MergeConflict(parts[2], Enum.Parse<ConflictKind>(parts[0]), ConflictResolution.Unresolved, int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture)));
                        break;
                    case "touched":
                        touched.Add(value);
                        break;
                    default:
                        values[key] = value;
                        break;
                }
            }

            return new MergeState(
                ObjectId.Parse(values["parent"]),
                ObjectId.Parse(values["child"]),
                values["label"],
                MergeStrategies.Parse(values["strategy"]),
                Encoding.UTF8.GetString(Convert.FromBase64String(values["message"])),
                values["summary"],
                conflicts,
                touched);
        }
        catch (Exception e) when (e is FormatException or KeyNotFoundException or ArgumentException or IndexOutOfRangeException or HeliosException)
        {
            throw new HeliosException(HeliosErrorCode.InvalidState, $"The merge state in {file} is damaged ({e.Message}); delete it to give up the merge, then reset --hard.");
        }
    }

    public void Save(string file)
    {
        var text = new StringBuilder();
        text.Append("parent=").Append(Parent).Append('\n');
        text.Append("child=").Append(Child).Append('\n');
        text.Append("label=").Append(Label.ReplaceLineEndings(" ")).Append('\n');
        text.Append("strategy=").Append(Strategy.Name()).Append('\n');
        text.Append("message=").Append(Convert.ToBase64String(Encoding.UTF8.GetBytes(Message))).Append('\n');
        text.Append("summary=").Append(Summary.ReplaceLineEndings(" ")).Append('\n');
        foreach (var c in Conflicts)
        {
            text.Append("conflict=").Append(c.Kind).Append('\t').Append(c.Hunks).Append('\t').Append(c.Path).Append('\n');
        }

        foreach (var path in Touched)
        {
            text.Append("touched=").Append(path).Append('\n');
        }

        string temp = file + ".tmp";
        File.WriteAllText(temp, text.ToString());
        File.Move(temp, file, overwrite: true);
    }
}
