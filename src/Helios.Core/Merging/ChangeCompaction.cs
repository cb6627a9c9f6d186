namespace Helios.Core.Merging;

/// <summary>
/// xdiff's xdl_change_compact: slides each group of changed lines up or down across equal lines
/// so the same edit always yields the same hunks. A group that can slide is moved to line up
/// with a change in the other file when it can, otherwise as far down as it goes, or (with the
/// indent heuristic, git diff's default) to the position whose borders look most like block
/// boundaries. Cost: O(lines) plus at most 100 scored positions per slidable group.
/// </summary>
internal static class ChangeCompaction
{
    private const int MaxIndent = 200;
    private const int MaxBlanks = 20;
    private const int StartOfFilePenalty = 1;
    private const int EndOfFilePenalty = 21;
    private const int TotalBlankWeight = -30;
    private const int PostBlankWeight = 6;
    private const int RelativeIndentPenalty = -4;
    private const int RelativeIndentWithBlankPenalty = 10;
    private const int RelativeOutdentPenalty = 24;
    private const int RelativeOutdentWithBlankPenalty = 17;
    private const int RelativeDedentPenalty = 23;
    private const int RelativeDedentWithBlankPenalty = 17;
    private const int IndentWeight = 60;
    private const int IndentHeuristicMaxSliding = 100;

    /// <summary>
    /// Compacts the groups of one file. <paramref name="changed"/> has a false sentinel at each
    /// end (<c>changed[i + 1]</c> is line i); <paramref name="otherChanged"/> is the other file's,
    /// kept in step. <paramref name="text"/> is only read by the indent heuristic.
    /// </summary>
    public static void Compact(ReadOnlySpan<int> classes, bool[] changed, bool[] otherChanged, LineText text)
    {
        var file = new Side(classes, changed);
        var other = new Side(default, otherChanged);
        var g = file.First();
        var go = other.First();

        while (true)
        {
            if (g.End != g.Start)
            {
                int groupSize, earliestEnd, endMatchingOther;
                do
                {
                    groupSize = g.End - g.Start;
                    endMatchingOther = -1;

                    while (file.SlideUp(ref g))
                    {
                        Require(other.Previous(ref go), "group sync broken sliding up");
                    }

                    earliestEnd = g.End;
                    if (go.End > go.Start)
                    {
                        endMatchingOther = g.End;
                    }

                    while (file.SlideDown(ref g))
                    {
                        Require(other.Next(ref go), "group sync broken sliding down");
                        if (go.End > go.Start)
                        {
                            endMatchingOther = g.End;
                        }
                    }
                }
                while (groupSize != g.End - g.Start);

                if (g.End == earliestEnd)
                {
                    // The group cannot move.
                }
                else if (endMatchingOther != -1)
                {
                    while (go.End == go.Start)
                    {
                        Require(file.SlideUp(ref g), "match disappeared");
                        Require(other.Previous(ref go), "group sync broken sliding to match");
                    }
                }
                else if (text.IsAvailable)
                {
                    int shift = Math.Max(earliestEnd, Math.Max(g.End - groupSize - 1, g.End - IndentHeuristicMaxSliding));
                    int bestShift = -1;
                    var bestScore = default(SplitScore);
                    for (; shift <= g.End; shift++)
                    {
                        var score = default(SplitScore);
                        AddSplitScore(Measure(text, shift), ref score);
                        AddSplitScore(Measure(text, shift - groupSize), ref score);
                        if (bestShift == -1 || Compare(score, bestScore) <= 0)
                        {
                            bestScore = score;
                            bestShift = shift;
                        }
                    }

                    while (g.End > bestShift)
                    {
                        Require(file.SlideUp(ref g), "best shift unreached");
                        Require(other.Previous(ref go), "group sync broken sliding to blank line");
                    }
                }
            }

            // Runs of lines unchanged in both files hold only empty groups: step over them at once.
            if (g.End == g.Start && go.End == go.Start)
            {
                int skip = Math.Min(file.UnchangedRun(g.End), other.UnchangedRun(go.End)) - 1;
                if (skip > 0)
                {
                    g.Start = g.End += skip;
                    go.Start = go.End += skip;
                }
            }

            if (!file.Next(ref g))
            {
                break;
            }

            Require(other.Next(ref go), "group sync broken moving to next group");
        }

        Require(!other.Next(ref go), "group sync broken at end of file");
    }

    private static void Require(bool condition, string what)
    {
        if (!condition)
        {
            throw new InvalidOperationException("Diff compaction invariant failed: " + what + ".");
        }
    }

    private static int Indent(ReadOnlySpan<byte> line)
    {
        int indent = 0;
        foreach (byte c in line)
        {
            if (!IsSpace(c))
            {
                return indent;
            }

            if (c == (byte)' ')
            {
                indent++;
            }
            else if (c == (byte)'\t')
            {
                indent += 8 - (indent % 8);
            }

            if (indent >= MaxIndent)
            {
                return MaxIndent;
            }
        }

        return -1;
    }

    // git's isspace: space, tab, LF and CR only (not VT or FF).
    internal static bool IsSpace(byte c) => c is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r';

    private static SplitMeasurement Measure(LineText text, int split)
    {
        var m = default(SplitMeasurement);
        int lines = text.Count;
        if (split >= lines)
        {
            m.EndOfFile = true;
            m.Indent = -1;
        }
        else
        {
            m.Indent = Indent(text.Line(split));
        }

        m.PreIndent = -1;
        for (int i = split - 1; i >= 0; i--)
        {
            m.PreIndent = Indent(text.Line(i));
            if (m.PreIndent != -1)
            {
                break;
            }

            m.PreBlank++;
            if (m.PreBlank == MaxBlanks)
            {
                m.PreIndent = 0;
                break;
            }
        }

        m.PostIndent = -1;
        for (int i = split + 1; i < lines; i++)
        {
            m.PostIndent = Indent(text.Line(i));
            if (m.PostIndent != -1)
            {
                break;
            }

            m.PostBlank++;
            if (m.PostBlank == MaxBlanks)
            {
                m.PostIndent = 0;
                break;
            }
        }

        return m;
    }

    private static void AddSplitScore(SplitMeasurement m, ref SplitScore s)
    {
        if (m.PreIndent == -1 && m.PreBlank == 0)
        {
            s.Penalty += StartOfFilePenalty;
        }

        if (m.EndOfFile)
        {
            s.Penalty += EndOfFilePenalty;
        }

        int postBlank = m.Indent == -1 ? 1 + m.PostBlank : 0;
        int totalBlank = m.PreBlank + postBlank;
        s.Penalty += TotalBlankWeight * totalBlank;
        s.Penalty += PostBlankWeight * postBlank;

        int indent = m.Indent != -1 ? m.Indent : m.PostIndent;
        bool anyBlanks = totalBlank != 0;
        s.EffectiveIndent += indent;

        if (indent == -1 || m.PreIndent == -1)
        {
            return;
        }

        if (indent > m.PreIndent)
        {
            s.Penalty += anyBlanks ? RelativeIndentWithBlankPenalty : RelativeIndentPenalty;
        }
        else if (indent < m.PreIndent)
        {
            if (m.PostIndent != -1 && m.PostIndent > indent)
            {
                s.Penalty += anyBlanks ? RelativeOutdentWithBlankPenalty : RelativeOutdentPenalty;
            }
            else
            {
                s.Penalty += anyBlanks ? RelativeDedentWithBlankPenalty : RelativeDedentPenalty;
            }
        }
    }

    private static int Compare(SplitScore s1, SplitScore s2)
    {
        int indents = (s1.EffectiveIndent > s2.EffectiveIndent ? 1 : 0) - (s1.EffectiveIndent < s2.EffectiveIndent ? 1 : 0);
        return (IndentWeight * indents) + (s1.Penalty - s2.Penalty);
    }

    private struct SplitMeasurement
    {
        public bool EndOfFile;
        public int Indent;
        public int PreBlank;
        public int PreIndent;
        public int PostBlank;
        public int PostIndent;
    }

    private struct SplitScore
    {
        public int EffectiveIndent;
        public int Penalty;
    }

    /// <summary>A run of changed lines [Start, End); empty groups sit between unchanged lines.</summary>
    private struct Group
    {
        public int Start;
        public int End;
    }

    private readonly ref struct Side(ReadOnlySpan<int> classes, bool[] changed)
    {
        private readonly ReadOnlySpan<int> _classes = classes;
        private readonly bool[] _changed = changed;

        private int Lines => _changed.Length - 2;

        private bool Changed(int line) => _changed[line + 1];

        public Group First()
        {
            var g = default(Group);
            while (Changed(g.End))
            {
                g.End++;
            }

            return g;
        }

        /// <summary>How many lines from <paramref name="line"/> on are unchanged.</summary>
        public int UnchangedRun(int line)
        {
            if (line >= Lines)
            {
                return 0;
            }

            int next = _changed.AsSpan(line + 1, Lines - line).IndexOf(true);
            return next < 0 ? Lines - line : next;
        }

        public bool Next(ref Group g)
        {
            if (g.End == Lines)
            {
                return false;
            }

            g.Start = g.End + 1;
            for (g.End = g.Start; Changed(g.End); g.End++)
            {
            }

            return true;
        }

        public bool Previous(ref Group g)
        {
            if (g.Start == 0)
            {
                return false;
            }

            g.End = g.Start - 1;
            for (g.Start = g.End; Changed(g.Start - 1); g.Start--)
            {
            }

            return true;
        }

        public bool SlideDown(ref Group g)
        {
            if (g.End < Lines && _classes[g.Start] == _classes[g.End])
            {
                _changed[g.Start + 1] = false;
                g.Start++;
                _changed[g.End + 1] = true;
                g.End++;
                while (Changed(g.End))
                {
                    g.End++;
                }

                return true;
            }

            return false;
        }

        public bool SlideUp(ref Group g)
        {
            if (g.Start > 0 && _classes[g.Start - 1] == _classes[g.End - 1])
            {
                g.Start--;
                _changed[g.Start + 1] = true;
                g.End--;
                _changed[g.End + 1] = false;
                while (Changed(g.Start - 1))
                {
                    g.Start--;
                }

                return true;
            }

            return false;
        }
    }
}
