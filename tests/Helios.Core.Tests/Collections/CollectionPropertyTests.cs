using FsCheck;
using FsCheck.Fluent;
using Helios.Core.Collections;
using Helios.Core.Objects;

namespace Helios.Core.Tests.Collections;

/// <summary>
/// Collections against a sorted-dictionary model. FsCheck draws the shape of each scenario (a seed,
/// sizes, batch counts); the seed then drives the edits, so a failure names a reproducible case.
/// Sizes reach a few thousand keys so trees have two or three levels.
/// </summary>
public class CollectionPropertyTests
{
    private static readonly Config Runs = Config.QuickThrowOnFailure.WithMaxTest(30);

    private static readonly Gen<(int Seed, int Initial, int Batches)> Scenarios =
        from seed in Gen.Choose(0, int.MaxValue)
        from initial in Gen.OneOf(Gen.Choose(0, 40), Gen.Choose(500, 3000))
        from batches in Gen.Choose(1, 4)
        select (seed, initial, batches);

    [Fact]
    public void Random_edits_in_random_batches_give_the_model_and_the_same_id_as_a_build_from_scratch()
    {
        Prop.ForAll(Scenarios.ToArbitrary(), s =>
        {
            var kit = new CollectionTestKit();
            var rng = new Random(s.Seed);
            var model = CollectionTestKit.NewModel();
            var header = kit.Empty();
            // The initial contents arrive in shuffled, unevenly sized batches.
            var initial = RandomEdits(rng, s.Initial, deleteShare: 0);
            for (int at = 0; at < initial.Count;)
            {
                int take = rng.Next(1, initial.Count - at + 1);
                header = ApplyBoth(kit, header, model, initial.GetRange(at, take));
                at += take;
            }

            for (int b = 0; b < s.Batches; b++)
            {
                header = ApplyBoth(kit, header, model, RandomEdits(rng, rng.Next(0, 300), deleteShare: 0.4));
            }

            Assert.Equal(model, kit.Contents(header));
            Assert.Equal(model.Count, kit.Tree.Count(header));
            Assert.Equal(CollectionTestKit.ReferenceHeaderId(model), header);
        }).Check(Runs);
    }

    [Fact]
    public void Diff_equals_the_difference_of_the_models()
    {
        Prop.ForAll(Scenarios.ToArbitrary(), s =>
        {
            var kit = new CollectionTestKit();
            var rng = new Random(s.Seed);
            var (baseModel, baseHeader) = Build(kit, RandomEdits(rng, s.Initial, deleteShare: 0));
            var (aModel, a) = Derive(kit, rng, baseModel, baseHeader, s.Batches);
            var (bModel, b) = Derive(kit, rng, baseModel, baseHeader, s.Batches);

            var expected = aModel.Keys.Union(bModel.Keys).Order(Utf8NameComparer.Instance)
                .Select(k => (Key: k, Old: aModel.GetValueOrDefault(k), New: bModel.GetValueOrDefault(k)))
                .Where(c => !Equals(c.Old, c.New))
                .ToList();
            var actual = kit.Tree.Diff(a, b)
                .Select(c => (c.Key, Old: c.Old is { } o ? kit.Tree.Load(o) : null, New: c.New is { } n ? kit.Tree.Load(n) : null))
                .ToList();
            Assert.Equal(expected, actual);
        }).Check(Runs);
    }

    [Fact]
    public void Merge_takes_one_sided_changes_and_reports_conflicts_exactly_where_both_sides_differ()
    {
        Prop.ForAll(Scenarios.ToArbitrary(), s =>
        {
            var kit = new CollectionTestKit();
            var rng = new Random(s.Seed);
            var (baseModel, baseHeader) = Build(kit, RandomEdits(rng, s.Initial, deleteShare: 0));
            var (oursModel, ours) = Derive(kit, rng, baseModel, baseHeader, s.Batches);
            var (theirsModel, theirs) = Derive(kit, rng, baseModel, baseHeader, s.Batches);
            var resolved = CollectionTestKit.Bytes("resolved");

            var expected = CollectionTestKit.NewModel();
            var expectedConflicts = new List<string>();
            foreach (var key in baseModel.Keys.Union(oursModel.Keys).Union(theirsModel.Keys).Order(Utf8NameComparer.Instance))
            {
                var (b, o, t) = (baseModel.GetValueOrDefault(key), oursModel.GetValueOrDefault(key), theirsModel.GetValueOrDefault(key));
                var merged = o;
                if (Equals(o, b)) merged = t;
                else if (!Equals(t, b) && !Equals(o, t))
                {
                    expectedConflicts.Add(key);
                    merged = Resolve(key).Choice switch
                    {
                        ConflictChoice.Ours => o,
                        ConflictChoice.Theirs => t,
                        ConflictChoice.Delete => null,
                        _ => resolved,
                    };
                }

                if (merged is not null) expected[key] = merged;
            }

            Func<CollectionConflict, KeyResolution> resolver = c =>
            {
                var choice = Resolve(c.Key);
                return choice.Choice == ConflictChoice.Value ? KeyResolution.Use(resolved) : choice;
            };
            var result = kit.Tree.Merge(baseHeader, ours, theirs, resolver);
            // Their diff is small here, so ours was read by lookups; walking both diffs must agree exactly.
            var walked = CollectionMerge.Run(kit.Tree, baseHeader, ours, theirs, resolver, lookupLimit: 0);
            Assert.Equal(result.HeaderId, walked.HeaderId);
            Assert.Equal(result.Report, walked.Report);
            Assert.Equal(expectedConflicts, result.Report.Where(r => r.Action == CollectionMergeAction.Conflict).Select(r => r.Key));
            Assert.Equal(expectedConflicts.Select(k => Resolve(k).Choice), result.Report.Where(r => r.Action == CollectionMergeAction.Conflict).Select(r => r.Resolution!.Value));
            kit.Store.PutMany(result.NewObjects);
            var mergedHeader = result.HeaderId!.Value;
            Assert.Equal(expected, kit.Contents(mergedHeader));
            Assert.Equal(CollectionTestKit.ReferenceHeaderId(expected), mergedHeader);
        }).Check(Runs);
    }

    [Fact]
    public void Merge_obeys_its_laws()
    {
        Prop.ForAll(Scenarios.ToArbitrary(), s =>
        {
            var kit = new CollectionTestKit();
            var rng = new Random(s.Seed);
            var (baseModel, b) = Build(kit, RandomEdits(rng, s.Initial, deleteShare: 0));
            var (_, x) = Derive(kit, rng, baseModel, b, s.Batches);
            var (_, y) = Derive(kit, rng, baseModel, b, s.Batches);
            Func<CollectionConflict, KeyResolution> fail = c => throw new InvalidOperationException($"unexpected conflict on {c.Key}");

            Assert.Equal(x, kit.Tree.Merge(b, x, b, fail).HeaderId);
            Assert.Equal(x, kit.Tree.Merge(b, b, x, fail).HeaderId);
            Assert.Equal(x, kit.Tree.Merge(b, x, x, fail).HeaderId);
            // Taking our side of every conflict merging y into x is taking their side merging x into y.
            var xy = kit.Tree.Merge(b, x, y, _ => KeyResolution.Ours);
            var yx = kit.Tree.Merge(b, y, x, _ => KeyResolution.Theirs);
            Assert.Equal(xy.HeaderId, yx.HeaderId);
        }).Check(Runs);
    }

    private static KeyResolution Resolve(string key) => (key.GetHashCode(StringComparison.Ordinal) & 3) switch
    {
        0 => KeyResolution.Ours,
        1 => KeyResolution.Theirs,
        2 => KeyResolution.Delete,
        _ => KeyResolution.Use(CollectionTestKit.Bytes("placeholder")),
    };

    /// <summary>Edits over a small key space and a tiny value space, so keys collide and sides often make the same change.</summary>
    private static List<CollectionEdit> RandomEdits(Random rng, int count, double deleteShare)
    {
        var edits = new Dictionary<string, CollectionEdit>();
        for (int i = 0; i < count; i++)
        {
            string key = $"k{rng.Next(0, 4000)}";
            edits[key] = rng.NextDouble() < deleteShare ? CollectionEdit.Delete(key) : CollectionEdit.Put(key, Value(rng.Next(0, 6)));
        }

        var list = edits.Values.ToList();
        rng.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(list));
        return list;
    }

    // Even values are 70 bytes (stored as blobs), odd ones 3 bytes (inline).
    private static CollectionValue Value(int v) => CollectionValue.FromBytes(Enumerable.Repeat((byte)v, v % 2 == 0 ? 70 : 3).ToArray());

    private static ObjectId ApplyBoth(CollectionTestKit kit, ObjectId header, SortedDictionary<string, CollectionValue> model, List<CollectionEdit> edits)
    {
        foreach (var e in edits)
        {
            if (e.Value is null) model.Remove(e.Key);
            else model[e.Key] = e.Value;
        }

        return kit.Apply(header, edits);
    }

    private static (SortedDictionary<string, CollectionValue> Model, ObjectId Header) Build(CollectionTestKit kit, List<CollectionEdit> edits)
    {
        var model = CollectionTestKit.NewModel();
        return (model, ApplyBoth(kit, kit.Empty(), model, edits));
    }

    private static (SortedDictionary<string, CollectionValue> Model, ObjectId Header) Derive(CollectionTestKit kit, Random rng, SortedDictionary<string, CollectionValue> baseModel, ObjectId header, int batches)
    {
        var model = new SortedDictionary<string, CollectionValue>(baseModel, Utf8NameComparer.Instance);
        for (int b = 0; b < batches; b++)
        {
            header = ApplyBoth(kit, header, model, RandomEdits(rng, rng.Next(0, 60), deleteShare: 0.4));
        }

        return (model, header);
    }
}
