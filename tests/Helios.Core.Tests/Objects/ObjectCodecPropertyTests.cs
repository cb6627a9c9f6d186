using FsCheck;
using FsCheck.Fluent;
using Helios.Core.Objects;

namespace Helios.Core.Tests.Objects;

public class ObjectCodecPropertyTests
{
    private static readonly Gen<ObjectId> Ids = Gen.ArrayOf(ArbMap.Default.GeneratorFor<byte>(), 32).Select(b => new ObjectId(b));

    private static readonly Gen<string> Names =
        ArbMap.Default.GeneratorFor<NonEmptyString>().Select(s => s.Get)
            .Where(s => EntryName.Validate(s) is null);

    [Fact]
    public void Tree_encoding_round_trips()
    {
        var entryGen = from name in Names
                       from kind in Gen.Elements(EntryKind.File, EntryKind.Executable, EntryKind.Symlink, EntryKind.Tree, EntryKind.Gitlink)
                       from id in Ids
                       select new TreeEntry(name, kind, id);
        var trees = Gen.ListOf(entryGen).Select(entries => new Tree(entries.DistinctBy(e => e.Name)));
        Prop.ForAll(trees.ToArbitrary(), tree =>
        {
            var bytes = ObjectCodec.Encode(tree);
            var decoded = (Tree)ObjectCodec.Decode(ObjectId.Of(bytes), bytes);
            return decoded.Entries.SequenceEqual(tree.Entries) && ObjectCodec.Encode(decoded).AsSpan().SequenceEqual(bytes);
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Commit_encoding_round_trips()
    {
        var signatures = from name in ArbMap.Default.GeneratorFor<NonEmptyString>()
                         from offset in Gen.Choose(-840, 840)
                         from seconds in Gen.Choose(0, int.MaxValue)
                         select new Signature(name.Get, "e@x", DateTimeOffset.FromUnixTimeSeconds(seconds).ToOffset(TimeSpan.FromMinutes(offset)));
        var commits = from tree in Ids
                      from parents in Gen.ListOf(Ids)
                      from signature in signatures
                      from message in ArbMap.Default.GeneratorFor<byte[]>()
                      select new Commit(tree, parents.ToArray(), parents.Count == 0 ? 1 : 2, signature, signature, message ?? []);
        Prop.ForAll(commits.ToArbitrary(), commit =>
        {
            var bytes = ObjectCodec.Encode(commit);
            var decoded = ObjectCodec.Decode(ObjectId.Of(bytes), bytes);
            return ObjectCodec.Encode(decoded).AsSpan().SequenceEqual(bytes);
        }).QuickCheckThrowOnFailure();
    }
}
