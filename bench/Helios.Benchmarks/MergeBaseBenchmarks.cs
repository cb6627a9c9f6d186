using BenchmarkDotNet.Attributes;
using Helios.Benchmarks.Support;
using Helios.Core.Merging;
using Helios.Core.Objects;
using Helios.Core.Refs;
using Helios.Core.Repositories;
using Helios.Core.Storage;

namespace Helios.Benchmarks;

/// <summary>
/// Merge bases on a 100,000-commit history (target: at most 1 ms). Two branches of 10 commits fork
/// from the history's tip, two more from 50,000 commits back, and two of 1,000 commits each from
/// the tip; the worst case for the generation cut-off, "is the root an ancestor of the tip",
/// walks the whole history. Commits are in the repository's decoded-object cache, as in a process
/// that has just walked them (an agent's warm repository handle).
/// </summary>
[Config(typeof(BenchConfig))]
[BenchmarkCategory("MergeBase")]
public class MergeBaseBenchmarks
{
    private const int HistoryLength = 100_000;

    private Repository _repository = null!;
    private ObjectId _root;
    private ObjectId _tip;
    private (ObjectId A, ObjectId B) _nearTip;
    private (ObjectId A, ObjectId B) _deepFork;
    private (ObjectId A, ObjectId B) _longBranches;

    [GlobalSetup]
    public void BuildHistory()
    {
        _repository = Repository.CreateInMemory(new RepositoryOptions { DecodedCacheBytes = 256L << 20 });
        var tree = _repository.Objects.Write(new Tree([new TreeEntry("f", EntryKind.File, _repository.Objects.Write(new Blob("x"u8.ToArray())))]));
        var history = new ObjectId[HistoryLength];
        ObjectId? parent = null;
        for (int i = 0; i < HistoryLength; i++)
        {
            history[i] = Add(tree, parent, i);
            parent = history[i];
        }

        (_root, _tip) = (history[0], history[^1]);
        _nearTip = (Branch(tree, _tip, 10, 1), Branch(tree, _tip, 10, 2));
        _deepFork = (Branch(tree, history[HistoryLength / 2], 10, 3), Branch(tree, history[HistoryLength / 2], 10, 4));
        _longBranches = (Branch(tree, _tip, 1000, 5), Branch(tree, _tip, 1000, 6));
        _repository.Refs.Commit(new RefTransaction([new RefUpdate(RefName.Parse("refs/heads/main"), null, RefTarget.To(_tip))], new OperationInfo("bench", "history", DateTimeOffset.UnixEpoch)));
    }

    [GlobalCleanup]
    public void Dispose() => _repository.Dispose();

    [Benchmark]
    public IReadOnlyList<ObjectId> Merge_base_of_10_commit_branches_forked_at_the_tip() => CommitAncestry.MergeBases(_repository.Objects, _nearTip.A, _nearTip.B);

    [Benchmark]
    public IReadOnlyList<ObjectId> Merge_base_of_10_commit_branches_forked_50000_commits_back() => CommitAncestry.MergeBases(_repository.Objects, _deepFork.A, _deepFork.B);

    [Benchmark]
    public IReadOnlyList<ObjectId> Merge_base_of_1000_commit_branches() => CommitAncestry.MergeBases(_repository.Objects, _longBranches.A, _longBranches.B);

    [Benchmark]
    public bool Is_the_root_an_ancestor_of_the_tip() => CommitAncestry.IsAncestor(_repository.Objects, _root, _tip);

    private ObjectId Branch(ObjectId tree, ObjectId from, int length, int salt)
    {
        var head = from;
        for (int i = 0; i < length; i++)
        {
            head = Add(tree, head, (salt * 1_000_000) + i);
        }

        return head;
    }

    private ObjectId Add(ObjectId tree, ObjectId? parent, int n)
    {
        var when = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000 + n);
        var who = new Signature("bench", "bench@example.com", when);
        ObjectId[] parents = parent is { } p ? [p] : [];
        long generation = parent is { } q ? _repository.ReadCommit(q).Generation + 1 : 1;
        return _repository.Objects.Write(new Commit(tree, parents, generation, who, who, BitConverter.GetBytes(n)));
    }
}
