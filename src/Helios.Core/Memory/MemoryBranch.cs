using Helios.Core.Collections;
using Helios.Core.Collections.Search;
using Helios.Core.Errors;
using Helios.Core.Objects;
using Helios.Core.Refs;
using Helios.Core.Repositories;
using Helios.Core.Storage;

namespace Helios.Core.Memory;

/// <summary>
/// An agent's handle on the collections of one branch: reads see the branch head as of opening (or
/// the last commit) plus this handle's edits; <see cref="Commit"/> records every edited collection in
/// one commit on the branch (files unchanged), in one transaction. Not thread-safe: one agent owns a
/// handle; any number of handles (threads, processes) may work on one repository.
/// </summary>
public sealed class MemoryBranch
{
    private readonly Repository _repository;
    private readonly CollectionTree _tree;
    private readonly VectorBlockCache _blocks;
    private readonly Dictionary<string, MemoryCollection> _open = new(StringComparer.Ordinal);

    internal MemoryBranch(Repository repository, CollectionTree tree, VectorBlockCache blocks, BranchName branch)
    {
        _repository = repository;
        _tree = tree;
        _blocks = blocks;
        Branch = branch;
        Head = repository.TryGetBranch(branch) ?? throw new NotFoundException(branch.Value, $"Branch '{branch}' does not exist.");
    }

    public BranchName Branch { get; }

    /// <summary>The commit this handle reads from (its edits apply on top).</summary>
    public ObjectId Head { get; private set; }

    /// <summary>True when some collection has uncommitted edits.</summary>
    public bool HasChanges => _open.Values.Any(c => c.HasEdits);

    /// <summary>The names of the collections on the branch head, plus any created here.</summary>
    public IReadOnlyList<string> CollectionNames =>
        _repository.ReadCommit(Head).Roots.Where(r => r.Type == ObjectType.Collection).Select(r => r.Name)
            .Union(_open.Keys, StringComparer.Ordinal).Order(Utf8NameComparer.Instance).ToArray();

    /// <summary>The collection named <paramref name="name"/>; not-found when the branch has none.</summary>
    public MemoryCollection Collection(string name) =>
        TryCollection(name) ?? throw new NotFoundException(name, $"Branch '{Branch}' has no collection named '{name}' (create it with CreateCollection).");

    /// <summary>The collection named <paramref name="name"/>, or null.</summary>
    public MemoryCollection? TryCollection(string name)
    {
        if (_open.TryGetValue(name, out var open))
        {
            return open;
        }

        var root = _repository.ReadCommit(Head).FindRoot(name);
        if (root is null)
        {
            return null;
        }

        if (root.Type != ObjectType.Collection)
        {
            throw new HeliosException(HeliosErrorCode.InvalidArgument, $"'{name}' on branch '{Branch}' is a state array, not a collection.");
        }

        var collection = new MemoryCollection(_tree, _blocks, name, _tree.ReadHeader(root.Id).Dimension, root.Id);
        _open.Add(name, collection);
        return collection;
    }

    /// <summary>
    /// A new, empty collection of vectors of <paramref name="dimension"/> floats (0: no vectors), stored
    /// by the next <see cref="Commit"/>. Already-exists when the branch has one by that name.
    /// </summary>
    public MemoryCollection CreateCollection(string name, int dimension)
    {
        if (TryCollection(name) is not null)
        {
            throw new HeliosException(HeliosErrorCode.AlreadyExists, $"Branch '{Branch}' already has a collection named '{name}'.");
        }

        _ = new StateRoot(name, ObjectType.Collection, default); // Validates the name before anything is kept.
        if (CollectionHeader.ValidateDimension(dimension) is { } problem)
        {
            throw new HeliosException(HeliosErrorCode.InvalidArgument, $"Collection '{name}': {problem}.");
        }

        var collection = new MemoryCollection(_tree, _blocks, name, dimension, null);
        _open.Add(name, collection);
        return collection;
    }

    /// <summary>
    /// Records every edited collection in one commit on the branch, in one transaction, and returns it
    /// (null when nothing changed). When another writer moved the branch meanwhile, the edits are
    /// applied again on top of its new head (this handle's values win for the keys it wrote), so no
    /// acknowledged write of either writer is lost.
    /// </summary>
    public ObjectId? Commit(string message = "memory commit", string agent = "")
    {
        if (!HasChanges)
        {
            return null;
        }

        for (int attempt = 0; ; attempt++)
        {
            var head = _repository.TryGetBranch(Branch) ?? throw new NotFoundException(Branch.Value, $"Branch '{Branch}' was deleted; its memory edits cannot be committed.");
            var headCommit = _repository.ReadCommit(head);
            var objects = new List<EncodedObject>();
            var roots = headCommit.Roots.ToDictionary(r => r.Name, StringComparer.Ordinal);
            var versions = new Dictionary<string, ObjectId>(StringComparer.Ordinal);
            foreach (var c in _open.Values.Where(c => c.HasEdits))
            {
                // The edits go on top of the collection on the branch's current head: this handle's
                // version, or a newer one another writer committed meanwhile.
                var start = roots.TryGetValue(c.Name, out var existing) ? existing.Id : c.Committed;
                if (existing is { Type: not ObjectType.Collection })
                {
                    throw new HeliosException(HeliosErrorCode.Conflict, $"Another writer recorded a state array named '{c.Name}' on '{Branch}'; nothing was committed.");
                }

                if (existing is null && c.Committed is not null)
                {
                    throw new HeliosException(HeliosErrorCode.Conflict, $"Another writer removed collection '{c.Name}' from '{Branch}'; nothing was committed (Refresh to see the branch as it is).");
                }

                if (existing is not null && c.Committed is null && _tree.ReadHeader(existing.Id).Dimension != c.Dimension)
                {
                    throw new HeliosException(HeliosErrorCode.Conflict, $"Another writer created collection '{c.Name}' on '{Branch}' with another dimension; nothing was committed.");
                }

                if (start is null)
                {
                    // Stored now (two small objects) because Apply reads the header it starts from.
                    var empty = CollectionTree.Empty(c.Dimension);
                    _repository.Objects.Store.PutMany(empty.NewObjects);
                    start = empty.HeaderId;
                }

                var update = _tree.Apply(start.Value, c.Edits);
                objects.AddRange(update.NewObjects);
                versions[c.Name] = update.HeaderId;
                roots[c.Name] = new StateRoot(c.Name, ObjectType.Collection, update.HeaderId);
            }

            var result = CommitRoots(head, headCommit, roots.Values, objects, message, agent);
            if (result is { } committed)
            {
                foreach (var (name, version) in versions)
                {
                    _open[name].MarkCommitted(version);
                }

                // Collections this handle only read may have moved with the head (another writer's
                // commit): drop them, so the next read opens them at the new head.
                foreach (var name in _open.Keys.Where(n => !versions.ContainsKey(n)).ToArray())
                {
                    _open.Remove(name);
                }

                Head = committed;
                return committed;
            }

            if (attempt == AgentMemory.MaxAttempts)
            {
                throw new HeliosException(HeliosErrorCode.Conflict, $"Branch '{Branch}' kept moving while memory edits were committed; retry.");
            }
        }
    }

    /// <summary>Reads from the branch's current head from now on; edits not committed are dropped.</summary>
    public void Refresh()
    {
        Head = _repository.TryGetBranch(Branch) ?? throw new NotFoundException(Branch.Value, $"Branch '{Branch}' does not exist.");
        _open.Clear();
    }

    private ObjectId? CommitRoots(ObjectId head, Commit headCommit, IEnumerable<StateRoot> roots, List<EncodedObject> objects, string message, string agent)
    {
        var now = _repository.Now();
        var signature = _repository.Options.DefaultIdentity with { When = now };
        var commit = new Commit(headCommit.Tree, [head], headCommit.Generation + 1, signature, signature,
            System.Text.Encoding.UTF8.GetBytes(message), agent.Length > 0 ? new Dictionary<string, string> { ["memory.agent"] = agent } : null, roots);
        var (id, bytes) = ObjectCodec.EncodeWithId(commit);
        objects.Add(new EncodedObject(id, bytes));
        var result = _repository.Refs.Commit(new RefTransaction(
            [new RefUpdate(Branch.Ref, RefTarget.To(head), RefTarget.To(id))],
            _repository.Info("memory", $"commit {id.ToShortString()} on {Branch}: {commit.Subject}", agent, now))
        {
            Objects = objects,
        });
        if (result is RefTransactionResult.Conflict)
        {
            return null;
        }

        _repository.Objects.Remember(id, commit);
        _repository.Objects.AdmitStored(objects); // The agent that wrote them usually merges them next.
        return id;
    }
}
