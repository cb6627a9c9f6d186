using System.Text;

namespace Helios.Core.Tests.Merging;

/// <summary>
/// Seeded random files and edits for the differential tests: lines mix unique text with a small
/// pool of repeated lines (blank lines, braces, indented statements) so diffs have ambiguous
/// alignments to slide, and edits (modify, insert, delete) can be drawn near earlier ones so the
/// two sides of a merge touch, overlap or coincide.
/// </summary>
internal sealed class RandomText(int seed)
{
    private static readonly string[] Repeated =
    [
        "", "}", "{", "    }", "\t}", "    return 0;", "        i++;", "    if (x) {", "end", "int main()", "        call();", "/* note */",
    ];

    private readonly Random _random = new(seed);
    private int _unique;

    public Random Random => _random;

    public List<string> Lines(int maxCount, double repeatedShare = 0.35)
    {
        int count = _random.Next(maxCount + 1);
        var lines = new List<string>(count);
        for (int i = 0; i < count; i++)
        {
            lines.Add(NewLine(repeatedShare));
        }

        return lines;
    }

    public string NewLine(double repeatedShare = 0.35) =>
        _random.NextDouble() < repeatedShare ? Repeated[_random.Next(Repeated.Length)] : $"line {++_unique} {(char)('a' + _random.Next(26))}";

    /// <summary>
    /// A copy of <paramref name="lines"/> with up to <paramref name="maxEdits"/> edits. Half of the
    /// edits land within two lines of a position in <paramref name="near"/>; every edit position is
    /// added to <paramref name="used"/>.
    /// </summary>
    public List<string> Edit(List<string> lines, int maxEdits, IReadOnlyList<int> near, List<int> used)
    {
        var result = new List<string>(lines);
        int edits = _random.Next(maxEdits + 1);
        for (int e = 0; e < edits; e++)
        {
            int position = near.Count > 0 && _random.Next(2) == 0
                ? near[_random.Next(near.Count)] + _random.Next(-2, 3)
                : _random.Next(result.Count + 1);
            position = Math.Clamp(position, 0, result.Count);
            used.Add(position);
            switch (_random.Next(3))
            {
                case 0 when position < result.Count:
                    result[position] = NewLine();
                    break;
                case 1 when position < result.Count:
                    result.RemoveRange(position, Math.Min(_random.Next(1, 4), result.Count - position));
                    break;
                default:
                    int count = _random.Next(1, 4);
                    for (int i = 0; i < count; i++)
                    {
                        result.Insert(position, NewLine());
                    }

                    break;
            }
        }

        return result;
    }

    /// <summary>C-like text: functions with nested blocks, blank lines and many repeated lines.</summary>
    public List<string> CodeLines(int functions)
    {
        var lines = new List<string>();
        for (int f = 0; f < functions; f++)
        {
            lines.Add($"int f{++_unique}(int x)");
            lines.Add("{");
            int statements = _random.Next(1, 6);
            for (int s = 0; s < statements; s++)
            {
                switch (_random.Next(6))
                {
                    case 4:
                        lines.Add("    for (;;) {");
                        lines.Add("        if (y) {");
                        lines.Add("            break;");
                        lines.Add("        }");
                        lines.Add("");
                        lines.Add("        y--;");
                        lines.Add("    }");
                        break;
                    case 5:
                        lines.Add("  // note");
                        lines.Add("");
                        lines.Add("");
                        break;
                    case 0:
                        lines.Add("    if (x) {");
                        lines.Add(_random.Next(2) == 0 ? "        call();" : $"        call{_random.Next(5)}();");
                        lines.Add("    }");
                        break;
                    case 1:
                        lines.Add("");
                        break;
                    case 2:
                        lines.Add("	x++;");
                        break;
                    default:
                        lines.Add($"    y = {_random.Next(4)};");
                        break;
                }
            }

            lines.Add("    return 0;");
            lines.Add("}");
            lines.Add("");
        }

        return lines;
    }

    /// <summary>
    /// A copy with up to <paramref name="maxEdits"/> chunk edits: a run of existing lines copied
    /// elsewhere (which makes slidable, ambiguous hunks), a run deleted, or a line replaced.
    /// </summary>
    public List<string> EditChunks(List<string> lines, int maxEdits)
    {
        var result = new List<string>(lines);
        int edits = _random.Next(1, maxEdits + 1);
        for (int e = 0; e < edits; e++)
        {
            int position = _random.Next(result.Count + 1);
            int length = _random.Next(1, 7);
            switch (_random.Next(3))
            {
                case 0 when result.Count > 0:
                    int from = _random.Next(result.Count);
                    var chunk = result.GetRange(from, Math.Min(length, result.Count - from));
                    result.InsertRange(position, chunk);
                    break;
                case 1 when position < result.Count:
                    result.RemoveRange(position, Math.Min(length, result.Count - position));
                    break;
                default:
                    if (position < result.Count)
                    {
                        result[position] = NewLine();
                    }

                    break;
            }
        }

        return result;
    }

    /// <summary>Short lines of assorted indentation (spaces, tabs, blank and whitespace-only lines), for the indent heuristic.</summary>
    public List<string> IndentedLines(int maxCount)
    {
        string[] pool = ["", "x", " x", "  x", "    x", "\tx", "        x", "  ", "\t", "y", "    y", "\t\ty", "   z", "z"];
        int count = _random.Next(maxCount + 1);
        var lines = new List<string>(count);
        for (int i = 0; i < count; i++)
        {
            lines.Add(pool[_random.Next(pool.Length)]);
        }

        return lines;
    }

    /// <summary>Lines drawn from only <paramref name="pool"/> distinct texts.</summary>
    public List<string> PoolLines(int count, int pool)
    {
        var lines = new List<string>(count);
        for (int i = 0; i < count; i++)
        {
            lines.Add(Repeated[_random.Next(pool)]);
        }

        return lines;
    }

    /// <summary>Replaces each line with probability <paramref name="share"/>: a heavy rewrite with short common runs.</summary>
    public List<string> Rewrite(List<string> lines, double share, int runLength)
    {
        var result = new List<string>(lines.Count);
        for (int i = 0; i < lines.Count; i += runLength)
        {
            bool replace = _random.NextDouble() < share;
            for (int j = i; j < Math.Min(i + runLength, lines.Count); j++)
            {
                result.Add(replace ? NewLine(0.2) : lines[j]);
            }
        }

        return result;
    }

    public static byte[] Render(IReadOnlyList<string> lines, bool finalNewline, bool crlf)
    {
        var text = new StringBuilder();
        string eol = crlf ? "\r\n" : "\n";
        for (int i = 0; i < lines.Count; i++)
        {
            text.Append(lines[i]);
            if (i < lines.Count - 1 || finalNewline)
            {
                text.Append(eol);
            }
        }

        return Encoding.UTF8.GetBytes(text.ToString());
    }

    /// <summary>Shows bytes with escapes, for failure messages.</summary>
    public static string Show(ReadOnlySpan<byte> bytes)
    {
        var text = new StringBuilder();
        foreach (byte b in bytes)
        {
            text.Append(b switch
            {
                (byte)'\n' => "\\n\n",
                (byte)'\r' => "\\r",
                (byte)'\t' => "\\t",
                < 0x20 or >= 0x7F => $"\\x{b:x2}",
                _ => ((char)b).ToString(),
            });
        }

        return text.ToString();
    }
}
