using Helios.Core.Collections;
using Helios.Core.Errors;
using Helios.Core.Merging;
using Helios.Core.Objects;
using Helios.Core.Refs;
using Helios.Core.Serialization;
using Helios.Core.Storage;

namespace Helios.Core.Memory;

public sealed partial class AgentMemory
{
    /// <summary>
    /// Merges memory branch <paramref name="child"/> into the branch it was derived from: each
    /// collection three-way against the merge base (cost O(keys the child changed × log n) for a child
    /// of up to a few thousand changes, however far the parent moved; else O(keys either side changed ×
    /// log n)), keys both sides changed settled by the strategy; files and state arrays are taken from
    /// the side that changed them. A fast-forward when the parent has not moved, else a merge commit with
    /// both heads as parents. The parent's move, the lineage record and the signed merge-log record
    /// commit in one transaction; a lost race is retried from the new heads. A manual merge with an
    /// unresolved key, or branches without common history, fail with nothing written; a dry run
    /// writes nothing and returns the report; a child already contained in the parent is up to date
    /// (an empty report, nothing written, no log record).
    /// </summary>
    public MemoryMergeReport Merge(BranchName child, MemoryMergeOptions? options = null)
    {
        options ??= new MemoryMergeOptions();
        var log = new MergeLog(repository);
        for (int attempt = 0; ; attempt++)
        {
            var info = Find(child) ?? throw NotMemoryBranch(child, $"merge this way; 'helios merge {child}' merges ordinary branches");
            if (info.Status == MemoryBranchStatus.Discarded || info.Head is not { } childHead)
            {
                throw new HeliosException(HeliosErrorCode.InvalidState, $"Memory branch '{child}' was discarded; there is nothing to merge.");
            }

            var parentHead = repository.TryGetBranch(info.Parent)
                ?? throw new NotFoundException(info.Parent.Value, $"Branch '{info.Parent}', which '{child}' was derived from, no longer exists.");
            var bases = CommitAncestry.MergeBases(repository.Objects, parentHead, childHead);
            if (bases.Count == 0)
            {
                throw new HeliosException(HeliosErrorCode.InvalidState, $"'{child}' and '{info.Parent}' share no history; they cannot be merged.");
            }

            var plan = Plan(info, parentHead, childHead, bases[0], options);
            var report = plan.Report;
            if (bases[0] == childHead)
            {
                // Already merged (or never written to): nothing to do, nothing to record.
                return report with { ParentAfter = options.DryRun ? null : parentHead };
            }

            if (options.DryRun)
            {
                return report;
            }

            if (report.HasUnresolvedConflicts)
            {
                var keys = report.Collections.SelectMany(c => c.Unresolved.Select(e => $"{c.Collection}:{e.Key}")).ToArray();
                throw new HeliosException(HeliosErrorCode.Conflict,
                    $"Merging '{child}' into '{info.Parent}' leaves {keys.Length} conflicting key(s) unresolved ({string.Join(", ", keys.Take(10))}{(keys.Length > 10 ? ", …" : "")}); nothing was written. Merge with a strategy (parent-wins, child-wins, newest-wins) or give a value for each.");
            }

            var now = repository.Now();
            var objects = plan.Objects;
            var after = plan.FastForward ? childHead : MergeCommit(parentHead, childHead, plan, child, options, now, objects);
            var head = log.ReadHead();
            var append = log.Prepare(head, new MergeLogEntry(
                options.Agent,
                report.Collections.Select(c => c.Collection).Concat(report.Roots.Select(r => r.Name)).Distinct(StringComparer.Ordinal),
                info.Parent,
                child,
                parentHead,
                after,
                childHead,
                childHead,
                options.Strategy,
                plan.LogConflicts,
                report.ReportHash));
            objects.AddRange(append.Objects);
            var merged = info with { Status = MemoryBranchStatus.Merged, LastActive = now };
            var record = Record(merged, info.Record, objects, new Dictionary<string, string> { [Key + "merge-record"] = append.Id.ToString() });
            var updates = new List<RefUpdate>
            {
                new(info.Parent.Ref, RefTarget.To(parentHead), RefTarget.To(after)),
                new(LineageRef(child), RefTarget.To(info.Record), RefTarget.To(record)),
            };
            updates.AddRange(append.Updates);
            var result = repository.Refs.Commit(new RefTransaction(updates, repository.Info("memory",
                $"merge {child} into {info.Parent} ({options.Strategy.Name()}): {Summary(report)}", options.Agent, now))
            {
                Objects = objects,
            });
            if (result is RefTransactionResult.Committed)
            {
                repository.Objects.AdmitStored(objects);
                return report with { ParentAfter = after, LogRecord = append.Id };
            }

            if (attempt == MaxAttempts)
            {
                throw new HeliosException(HeliosErrorCode.Conflict, $"'{info.Parent}' kept moving while '{child}' was merged into it; retry.");
            }
        }
    }

    /// <summary>The key changes from collection version <paramref name="from"/> to <paramref name="to"/>; O(differences × log n).</summary>
    public IEnumerable<CollectionChange> Diff(ObjectId from, ObjectId to) => _tree.Diff(from, to);

    private sealed record MergePlan(MemoryMergeReport Report, bool FastForward, ObjectId Tree, IReadOnlyList<StateRoot> Roots, List<EncodedObject> Objects, IReadOnlyList<MergeLogConflict> LogConflicts);

    private MergePlan Plan(MemoryBranchInfo info, ObjectId parentHead, ObjectId childHead, ObjectId mergeBase, MemoryMergeOptions options)
    {
        var parent = repository.ReadCommit(parentHead);
        var childCommit = repository.ReadCommit(childHead);
        var baseCommit = repository.ReadCommit(mergeBase);
        var tree = parent.Tree == childCommit.Tree || childCommit.Tree == baseCommit.Tree ? parent.Tree
            : parent.Tree == baseCommit.Tree ? childCommit.Tree
            : throw new HeliosException(HeliosErrorCode.Conflict,
                $"Both '{info.Parent}' and '{info.Branch}' changed files since they diverged; merge them with 'helios merge {info.Branch}' (memory merges merge collections, not files).");

        var objects = new List<EncodedObject>();
        var summaries = new List<CollectionMergeSummary>();
        var logConflicts = new List<MergeLogConflict>();
        var roots = new List<StateRoot>();
        var rootChanges = new List<RootMergeChange>();
        var names = parent.Roots.Concat(childCommit.Roots).Concat(baseCommit.Roots).Select(r => r.Name).Distinct(StringComparer.Ordinal).Order(Utf8NameComparer.Instance);
        foreach (var name in names)
        {
            var b = baseCommit.FindRoot(name);
            var o = parent.FindRoot(name);
            var t = childCommit.FindRoot(name);
            if (o == t || t == b)
            {
                Add(o);
                continue;
            }

            if (o is { Type: ObjectType.Collection } && t is { Type: ObjectType.Collection } && b is null or { Type: ObjectType.Collection })
            {
                var merged = MergeCollection(name, b, o, t, parentHead, childHead, mergeBase, options, objects, logConflicts, summaries);
                Add(merged is { } id ? new StateRoot(name, ObjectType.Collection, id) : o);
                continue;
            }

            string change = t is null ? "deleted" : b is null ? "added" : "replaced";
            var type = (t ?? o ?? b)!.Type;
            if (o == b)
            {
                // Only the child changed it (created, replaced or deleted).
                Add(t);
                if (t is { Type: ObjectType.Collection } && o is null or { Type: ObjectType.Collection })
                {
                    summaries.Add(new CollectionMergeSummary(name, ChangesAsEntries(o?.Id, t.Id)));
                }
                else
                {
                    rootChanges.Add(new RootMergeChange(name, type, change, "child"));
                }

                continue;
            }

            var kept = options.Strategy switch
            {
                MergeStrategy.ParentWins => o,
                MergeStrategy.ChildWins => t,
                _ => throw new HeliosException(HeliosErrorCode.Conflict,
                    $"Both '{info.Parent}' and '{info.Branch}' replaced or deleted '{name}'; merge with parent-wins or child-wins to keep one side's."),
            };
            Add(kept);
            rootChanges.Add(new RootMergeChange(name, type, change, kept == t ? "child" : "parent"));
        }

        bool fastForward = mergeBase == parentHead;
        var report = new MemoryMergeReport(info.Parent, info.Branch, options.Strategy, options.DryRun, mergeBase, parentHead, null, childHead, summaries, rootChanges, default, null);
        report = report with { ReportHash = ObjectId.Of(Encode(report)) };
        return new MergePlan(report, fastForward, tree, roots, objects, logConflicts);

        void Add(StateRoot? root)
        {
            if (root is not null) roots.Add(root);
        }
    }

    private ObjectId? MergeCollection(
        string name, StateRoot? b, StateRoot ours, StateRoot theirs, ObjectId parentHead, ObjectId childHead, ObjectId mergeBase,
        MemoryMergeOptions options, List<EncodedObject> objects, List<MergeLogConflict> logConflicts, List<CollectionMergeSummary> summaries)
    {
        int dimension = _tree.ReadHeader(ours.Id).Dimension;
        if (_tree.ReadHeader(theirs.Id).Dimension != dimension)
        {
            throw new HeliosException(HeliosErrorCode.Conflict, $"Collection '{name}' holds vectors of {dimension} floats on the parent but {_tree.ReadHeader(theirs.Id).Dimension} on the child; they cannot be merged.");
        }

        var baseId = CollectionMergeRules.BaseOrEmpty(_tree, b, dimension);
        var resolutions = options.Resolutions?.GetValueOrDefault(name);
        var result = _tree.Merge(baseId, ours.Id, theirs.Id, conflict => Resolve(conflict));
        summaries.Add(new CollectionMergeSummary(name, result.Report));
        objects.AddRange(result.NewObjects);
        foreach (var entry in result.Report.Where(e => e.Action == CollectionMergeAction.Conflict && e.Resolution != ConflictChoice.Unresolved))
        {
            logConflicts.Add(LogConflict(name, entry));
        }

        return result.HeaderId;

        KeyResolution Resolve(CollectionConflict conflict) =>
            CollectionMergeRules.ByStrategy(options.Strategy, repository, _tree, name, conflict.Key, parentHead, childHead, mergeBase)
            ?? (resolutions is not null && resolutions.TryGetValue(conflict.Key, out var value)
                ? value is null ? KeyResolution.Delete : KeyResolution.Use(value)
                : KeyResolution.Unresolved);

        MergeLogConflict LogConflict(string collection, CollectionMergeEntry entry) => (options.Strategy, entry.Resolution) switch
        {
            (MergeStrategy.ParentWins, _) => new(collection, entry.Key, MergeLogResolution.Parent),
            (MergeStrategy.ChildWins, _) => new(collection, entry.Key, MergeLogResolution.Child),
            (MergeStrategy.NewestWins, ConflictChoice.Ours) => new(collection, entry.Key, MergeLogResolution.NewestParent),
            (MergeStrategy.NewestWins, _) => new(collection, entry.Key, MergeLogResolution.NewestChild),
            (_, ConflictChoice.Delete) => new(collection, entry.Key, MergeLogResolution.Delete),
            _ => MergeLogConflict.Manual(collection, entry.Key, resolutions![entry.Key]!.Payload.Span),
        };
    }

    private List<CollectionMergeEntry> ChangesAsEntries(ObjectId? from, ObjectId to)
    {
        var entries = new List<CollectionMergeEntry>();
        if (from is null)
        {
            entries.AddRange(_tree.Scan(to, "").Select(kv => new CollectionMergeEntry(kv.Key, CollectionMergeAction.Added)));
            return entries;
        }

        foreach (var change in _tree.Diff(from.Value, to))
        {
            var action = change.Old is null ? CollectionMergeAction.Added : change.New is null ? CollectionMergeAction.Deleted : CollectionMergeAction.Changed;
            entries.Add(new CollectionMergeEntry(change.Key, action));
        }

        return entries;
    }

    private ObjectId MergeCommit(ObjectId parentHead, ObjectId childHead, MergePlan plan, BranchName child, MemoryMergeOptions options, DateTimeOffset now, List<EncodedObject> objects)
    {
        var signature = repository.Options.DefaultIdentity with { When = now };
        ObjectId[] parents = [parentHead, childHead];
        var metadata = new Dictionary<string, string>
        {
            ["merge.strategy"] = options.Strategy.Name(),
            [Key + "report"] = plan.Report.ReportHash.ToString(),
        };
        if (options.Agent.Length > 0)
        {
            metadata[Key + "agent"] = options.Agent;
        }

        var commit = new Commit(plan.Tree, parents, Commit.GenerationAfter(parents.Select(repository.ReadCommit)), signature, signature,
            System.Text.Encoding.UTF8.GetBytes($"Merge memory branch {child} ({options.Strategy.Name()})\n"), metadata, plan.Roots);
        var (id, bytes) = ObjectCodec.EncodeWithId(commit);
        objects.Add(new EncodedObject(id, bytes));
        return id;
    }

    private static string Summary(MemoryMergeReport report)
    {
        if (report.Collections.Count == 0 && report.Roots.Count == 0)
        {
            return "no collection changes";
        }

        return string.Join("; ", report.Collections.Select(c =>
            $"{c.Collection}: {c.Added} added, {c.Changed} changed, {c.Deleted} deleted, {c.Conflicts.Count()} conflicts")
            .Concat(report.Roots.Select(r => $"{r.Name}: {r.Change} by the child, {r.Resolution}'s kept")));
    }

    /// <summary>The report's canonical encoding, hashed into the merge log: branches, heads, strategy and every entry in order.</summary>
    private static byte[] Encode(MemoryMergeReport report)
    {
        var w = new CanonicalWriter(1024);
        w.WriteString(report.Parent.Value);
        w.WriteString(report.Child.Value);
        w.WriteString(report.Strategy.Name());
        w.WriteId(report.Base);
        w.WriteId(report.ParentBefore);
        w.WriteId(report.ChildHead);
        w.WriteVarUInt((ulong)report.Collections.Count);
        foreach (var c in report.Collections)
        {
            w.WriteString(c.Collection);
            w.WriteVarUInt((ulong)c.Entries.Count);
            foreach (var e in c.Entries)
            {
                w.WriteString(e.Key);
                w.WriteByte((byte)e.Action);
                w.WriteByte(e.Resolution is { } r ? (byte)(r + 1) : (byte)0);
            }
        }

        w.WriteVarUInt((ulong)report.Roots.Count);
        foreach (var r in report.Roots)
        {
            w.WriteString(r.Name);
            w.WriteByte((byte)r.Type);
            w.WriteString(r.Change);
            w.WriteString(r.Resolution);
        }

        return w.ToArray();
    }
}
