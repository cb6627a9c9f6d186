using System.Text;
using Helios.Core.Merging;

namespace Helios.Core.Tests.Merging;

public class LineClassifierTests
{
    [Fact]
    public void Lines_share_a_class_exactly_when_their_bytes_are_equal()
    {
        var random = new RandomText(77);
        var r = random.Random;
        for (int round = 0; round < 500; round++)
        {
            // Small pools and shared prefixes/suffixes exercise the aligned fast paths and duplicates.
            var baseLines = random.PoolLines(r.Next(0, 12), 1 + r.Next(4));
            var ours = Render(random.EditChunks(baseLines, 3), r);
            var theirs = Render(r.Next(2) == 0 ? baseLines : random.Edit(baseLines, 3, [], []), r);
            var @base = Render(baseLines, r);

            int classes = LineClassifier.Classify(@base, ours, theirs, out var baseFile, out var oursFile, out var theirsFile);
            var all = Lines(@base, baseFile).Concat(Lines(ours, oursFile)).Concat(Lines(theirs, theirsFile)).ToList();
            Assert.All(all, x => Assert.InRange(x.Class, 0, classes - 1));
            foreach (var x in all)
            {
                foreach (var y in all)
                {
                    Assert.Equal(x.Bytes == y.Bytes, x.Class == y.Class);
                }
            }

            LineClassifier.Classify(@base, ours, out var twoA, out var twoB);
            Assert.Equal(
                Lines(@base, twoA).Concat(Lines(ours, twoB)).GroupBy(x => x.Bytes).Count(),
                Lines(@base, twoA).Concat(Lines(ours, twoB)).Select(x => x.Class).Distinct().Count());
        }
    }

    private static byte[] Render(List<string> lines, Random r) => RandomText.Render(lines, r.Next(3) != 0, r.Next(5) == 0);

    private static IEnumerable<(string Bytes, int Class)> Lines(byte[] text, LineFile file) =>
        Enumerable.Range(0, file.Count).Select(i => (Encoding.Latin1.GetString(text, file.LineStart(i), file.LineLength(i)), file.Classes[i]));
}
