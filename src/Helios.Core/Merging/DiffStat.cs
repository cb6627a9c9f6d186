using System.Text;

namespace Helios.Core.Merging;

/// <summary>
/// One file of a <see cref="DiffStat"/>: lines added and deleted, or for a binary file its old and
/// new size in bytes.
/// </summary>
public readonly record struct DiffStatEntry(string Path, int Added, int Deleted, bool IsBinary = false, long OldSize = 0, long NewSize = 0)
{
    /// <summary>A text file with the line counts of <paramref name="changes"/>.</summary>
    public static DiffStatEntry ForText(string path, IReadOnlyList<LineChange> changes)
    {
        ArgumentNullException.ThrowIfNull(changes);
        int added = 0, deleted = 0;
        foreach (var change in changes)
        {
            added += change.NewCount;
            deleted += change.OldCount;
        }

        return new DiffStatEntry(path, added, deleted);
    }

    /// <summary>A binary file, shown as <c>Bin OLD -&gt; NEW bytes</c>.</summary>
    public static DiffStatEntry ForBinary(string path, long oldSize, long newSize) => new(path, 0, 0, true, oldSize, newSize);
}

/// <summary>
/// <c>git diff --stat</c> output for a list of files, in the given order:
/// <c> path | 12 ++++----</c> lines scaled to the total width as git scales them (names get at
/// most 5/8 of it and are shortened from the left with <c>...</c>, the graph keeps at least one
/// mark per non-zero side), <c>Bin 10 -&gt; 20 bytes</c> for binary files, then the summary line
/// <c> N files changed, X insertions(+), Y deletions(-)</c>. Paths are quoted as git quotes them.
/// Pure; O(files).
/// </summary>
public static class DiffStat
{
    /// <summary>The stat text, each line ending in <c>\n</c>. <paramref name="width"/> is git's terminal width (80 when output is not a terminal).</summary>
    public static string Format(IReadOnlyList<DiffStatEntry> files, int width = 80)
    {
        ArgumentNullException.ThrowIfNull(files);
        var names = new string[files.Count];
        long maxChange = 0;
        int maxLength = 0, binaryWidth = 0, numberWidth = 0;
        for (int i = 0; i < files.Count; i++)
        {
            var file = files[i];
            names[i] = Encoding.UTF8.GetString(GitQuote.Path(file.Path));
            maxLength = Math.Max(maxLength, names[i].Length);
            if (file.IsBinary)
            {
                binaryWidth = Math.Max(binaryWidth, 14 + DecimalWidth(file.NewSize) + DecimalWidth(file.OldSize));
                numberWidth = 3;
                continue;
            }

            maxChange = Math.Max(maxChange, (long)file.Added + file.Deleted);
        }

        var output = new StringBuilder();
        if (files.Count == 0)
        {
            return output.ToString();
        }

        numberWidth = Math.Max(numberWidth, DecimalWidth(maxChange));
        if (width < 16 + 6 + numberWidth)
        {
            width = 16 + 6 + numberWidth;
        }

        long graphWidth = maxChange + 4 > binaryWidth ? maxChange : binaryWidth - 4;
        long nameWidth = maxLength;
        if (nameWidth + numberWidth + 6 + graphWidth > width)
        {
            if (graphWidth > (width * 3 / 8) - numberWidth - 6)
            {
                graphWidth = Math.Max((width * 3 / 8) - numberWidth - 6, 6);
            }

            if (nameWidth > width - numberWidth - 6 - graphWidth)
            {
                nameWidth = width - numberWidth - 6 - graphWidth;
            }
            else
            {
                graphWidth = width - numberWidth - 6 - nameWidth;
            }
        }

        long insertions = 0, deletions = 0;
        for (int i = 0; i < files.Count; i++)
        {
            var file = files[i];
            string name = names[i];
            string prefix = "";
            int length = (int)nameWidth;
            if (nameWidth < name.Length)
            {
                prefix = "...";
                length = Math.Max(length - 3, 0);
                name = name[(name.Length - length)..];
                int slash = name.IndexOf('/', StringComparison.Ordinal);
                if (slash >= 0)
                {
                    name = name[slash..];
                }
            }

            output.Append(' ').Append(prefix).Append(name.PadRight(length)).Append(" |");
            if (file.IsBinary)
            {
                output.Append(' ').Append("Bin".PadLeft(numberWidth));
                if (file.OldSize != 0 || file.NewSize != 0)
                {
                    output.Append(' ').Append(file.OldSize).Append(" -> ").Append(file.NewSize).Append(" bytes");
                }

                output.Append('\n');
                continue;
            }

            insertions += file.Added;
            deletions += file.Deleted;
            long add = file.Added, del = file.Deleted;
            if (graphWidth <= maxChange)
            {
                long total = Scale(add + del, graphWidth, maxChange);
                if (total < 2 && add > 0 && del > 0)
                {
                    total = 2;
                }

                if (add < del)
                {
                    add = Scale(add, graphWidth, maxChange);
                    del = total - add;
                }
                else
                {
                    del = Scale(del, graphWidth, maxChange);
                    add = total - del;
                }
            }

            long changed = (long)file.Added + file.Deleted;
            output.Append(' ').Append(changed.ToString().PadLeft(numberWidth)).Append(changed > 0 ? " " : "");
            output.Append('+', (int)Math.Max(add, 0)).Append('-', (int)Math.Max(del, 0)).Append('\n');
        }

        output.Append(' ').Append(files.Count).Append(files.Count == 1 ? " file changed" : " files changed");
        if (insertions > 0 || deletions == 0)
        {
            output.Append(", ").Append(insertions).Append(insertions == 1 ? " insertion(+)" : " insertions(+)");
        }

        if (deletions > 0 || insertions == 0)
        {
            output.Append(", ").Append(deletions).Append(deletions == 1 ? " deletion(-)" : " deletions(-)");
        }

        return output.Append('\n').ToString();
    }

    // At least one mark for any non-zero count: scale as if one column narrower, then add one.
    private static long Scale(long it, long width, long maxChange) => it == 0 ? 0 : 1 + (it * (width - 1) / maxChange);

    private static int DecimalWidth(long n)
    {
        int width = 1;
        for (; n >= 10; n /= 10)
        {
            width++;
        }

        return width;
    }
}
