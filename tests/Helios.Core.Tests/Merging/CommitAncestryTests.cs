using System.Text;
using Helios.Core.Merging;
using Helios.Core.Objects;
using Helios.Core.Repositories;

namespace Helios.Core.Tests.Merging;

public sealed class CommitAncestryTests : IDisposable
{
    private readonly Repository _repo = Repository.CreateInMemory();
    private readonly ObjectId _emptyTree;
    private int _clock;

    public CommitAncestryTests() => _emptyTree = _repo.Objects.Write(Tree.Empty);

    public void Dispose() => _repo.Dispose();

    [Fact]
    public void The_merge_base_of_a_commit_and_its_descendant_is_the_commit()
    {
        var a = Add();
        var b = Add(a);
        var c = Add(b);

        Assert.Equal([a], CommitAncestry.MergeBases(_repo.Objects, a, c));
        Assert.Equal([a], CommitAncestry.MergeBases(_repo.Objects, c, a));
        Assert.True(CommitAncestry.IsAncestor(_repo.Objects, a, c));
        Assert.False(CommitAncestry.IsAncestor(_repo.Objects, c, a));
    }

    [Fact]
    public void Two_branches_meet_at_their_fork_point()
    {
        var root = Add();
        var fork = Add(root);
        var left = Add(Add(fork));
        var right = Add(Add(Add(fork)));

        Assert.Equal([fork], CommitAncestry.MergeBases(_repo.Objects, left, right));
        Assert.False(CommitAncestry.IsAncestor(_repo.Objects, left, right));
    }

    [Fact]
    public void A_criss_cross_history_has_two_merge_bases()
    {
        var root = Add();
        var a1 = Add(root);
        var b1 = Add(root);
        var a2 = Add(a1, b1);
        var b2 = Add(b1, a1);

        var bases = CommitAncestry.MergeBases(_repo.Objects, a2, b2);
        Assert.Equal(new[] { a1, b1 }.Order(), bases.Order());
    }

    [Fact]
    public void Unrelated_histories_have_no_merge_base()
    {
        var a = Add(Add());
        var b = Add(Add());

        Assert.Empty(CommitAncestry.MergeBases(_repo.Objects, a, b));
        Assert.False(CommitAncestry.IsAncestor(_repo.Objects, a, b));
    }

    [Fact]
    public void Merge_bases_and_ancestry_agree_with_git_on_random_histories()
    {
        var random = new Random(20261122);
        using var git = new GitScratchRepository();
        var shapes = new HashSet<int>();
        for (int round = 0; round < 3; round++)
        {
            const int count = 70;
            var ids = new ObjectId[count];
            var stream = new StringBuilder();
            for (int i = 0; i < count; i++)
            {
                var parents = RandomParents(random, i);
                ids[i] = Add(parents.Select(p => ids[p]).ToArray());
                stream.Append($"commit refs/heads/r{round}c{i}\nmark :{i + 1}\ncommitter T <t@example.com> {1_000_000 + (round * count) + i} +0000\ndata 0\n");
                if (parents.Length > 0)
                {
                    stream.Append($"from :{parents[0] + 1}\n");
                }

                foreach (var p in parents.Skip(1))
                {
                    stream.Append($"merge :{p + 1}\n");
                }

                stream.Append('\n');
            }

            git.Run(["fast-import", "--quiet"], Encoding.UTF8.GetBytes(stream.ToString()));
            var index = ids.Select((id, i) => (id, i)).ToDictionary(x => x.id, x => x.i);
            string prefix = $"refs/heads/r{round}c";
            var gitIndex = git.RunText(["for-each-ref", "--format=%(objectname) %(refname)", "refs/heads/"])
                .Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(line => line.Split(' '))
                .Where(parts => parts[1].StartsWith(prefix, StringComparison.Ordinal))
                .ToDictionary(parts => parts[0], parts => int.Parse(parts[1][prefix.Length..], System.Globalization.CultureInfo.InvariantCulture));
            for (int q = 0; q < 40; q++)
            {
                int x = random.Next(count), y = random.Next(count);
                // Exit code 1 with no output: no merge base.
                var expected = git.RunText(["merge-base", "--all", $"r{round}c{x}", $"r{round}c{y}"], null, 0, 1)
                    .Split('\n', StringSplitOptions.RemoveEmptyEntries)
                    .Select(sha => gitIndex[sha]).Order().ToArray();
                var actual = CommitAncestry.MergeBases(_repo.Objects, ids[x], ids[y]).Select(id => index[id]).Order().ToArray();
                shapes.Add(Math.Min(actual.Length, 2));
                Assert.True(expected.SequenceEqual(actual), $"round {round}, c{x} and c{y}: git says [{string.Join(' ', expected)}], helios [{string.Join(' ', actual)}]");

                // x is an ancestor of y exactly when it is their only merge base.
                bool gitAncestor = expected.SequenceEqual([x]);
                Assert.Equal(gitAncestor, CommitAncestry.IsAncestor(_repo.Objects, ids[x], ids[y]));
            }
        }

        // The histories exercised unrelated pairs, single bases and criss-crosses.
        Assert.Equal([0, 1, 2], shapes.Order());
    }

    /// <summary>Mostly one recent parent, sometimes a merge of two or three, now and then a new root.</summary>
    private static int[] RandomParents(Random random, int i)
    {
        if (i == 0 || random.NextDouble() < 0.03)
        {
            return [];
        }

        int n = random.NextDouble() switch { < 0.65 => 1, < 0.95 => 2, _ => 3 };
        var parents = new List<int>();
        for (int k = 0; k < n; k++)
        {
            int p = Math.Max(0, i - 1 - (int)Math.Abs(random.NextDouble() * random.NextDouble() * 20));
            if (!parents.Contains(p))
            {
                parents.Add(p);
            }
        }

        return parents.ToArray();
    }

    private ObjectId Add(params ObjectId[] parents)
    {
        var when = DateTimeOffset.FromUnixTimeSeconds(1_000_000 + _clock++);
        var signature = new Signature("T", "t@example.com", when);
        long generation = Commit.GenerationAfter(parents.Select(_repo.ReadCommit));
        return _repo.Objects.Write(new Commit(_emptyTree, parents, generation, signature, signature, Encoding.UTF8.GetBytes($"c{_clock}")));
    }
}
