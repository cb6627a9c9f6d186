using Helios.Core.Errors;
using Helios.Core.Objects;
using Helios.Core.Refs;
using Helios.Core.Repositories;
using Helios.Core.Storage;

namespace Helios.Core.StateArrays;

/// <summary>The commit a registry's checkpoint was recorded in (null when nothing changed), and the checkpoint.</summary>
public sealed record StateArrayCommit(ObjectId? Commit, RegistryCheckpoint Checkpoint);

/// <summary>The outcome of <see cref="StateArrayRegistry.Restore"/>: each restored array's rollback by name, and the registered names the commit has no root for (left as they were).</summary>
public sealed record StateArrayRestore(IReadOnlyDictionary<string, StateArrayRollback> Restored, IReadOnlyList<string> NotInCommit);

public sealed partial class StateArrayRegistry
{
    private const int MaxCommitAttempts = 100;

    // The root of each array as last committed, restored or opened through a repository: the base its
    // changes apply to, so a commit never replaces a root someone else moved.
    private readonly Dictionary<string, ObjectId> _committed = new(StringComparer.Ordinal);

    /// <summary>
    /// Checkpoints every registered array and records each one's root as a named root
    /// (<see cref="ObjectType.StateArray"/>) in a new commit on <paramref name="branch"/> (files, other
    /// roots and metadata as on the branch head; a root commit with an empty tree on an unborn branch),
    /// in one ref transaction: the pages, roots and commit become visible exactly when the branch moves,
    /// and the arrays' checkpoints move only then. Because the roots live in commits, branch, checkout,
    /// reset and undo move them with the files; <see cref="Restore"/> brings live arrays to any commit.
    /// <para>
    /// When another writer moved the branch meanwhile, the commit is rebuilt on the new head, unless the
    /// head's root of one of these arrays is not the one this registry last committed, restored or opened
    /// (another writer, a reset or an undo moved it): that is a <see cref="HeliosErrorCode.Conflict"/>
    /// with nothing written and every array unchanged (its pages still dirty). No commit is made (<see cref="StateArrayCommit.Commit"/> null) when every root equals
    /// the head's. The registry must checkpoint into <c>repository.Objects.Store</c>.
    /// </para>
    /// </summary>
    public StateArrayCommit CommitTo(Repository repository, BranchName branch, string message, string agent = "")
    {
        ArgumentNullException.ThrowIfNull(repository);
        EnsureStoreOf(repository);
        var prepared = PrepareCheckpoint();
        for (int attempt = 0; attempt < MaxCommitAttempts; attempt++)
        {
            var head = repository.TryGetBranch(branch);
            var headCommit = head is { } h ? repository.ReadCommit(h) : null;
            if (ChangedSinceCommitted(headCommit) is { } changed)
            {
                throw new HeliosException(HeliosErrorCode.Conflict, $"The state array '{EntryName.Escape(changed)}' on branch '{branch}' is not the one this registry last committed or restored (another writer, a reset or an undo moved it); nothing was committed and the arrays keep their changes (Restore first to continue from the branch).");
            }

            var roots = (headCommit?.Roots ?? []).ToDictionary(r => r.Name, StringComparer.Ordinal);
            foreach (var (name, rootId) in prepared.Roots)
            {
                if (roots.TryGetValue(name, out var existing) && existing.Type != ObjectType.StateArray)
                {
                    throw new HeliosException(HeliosErrorCode.InvalidArgument, $"Branch '{branch}' has a collection named '{EntryName.Escape(name)}'; a state array cannot take its name.");
                }

                roots[name] = new StateRoot(name, ObjectType.StateArray, rootId);
            }

            if (headCommit is not null && roots.Values.Order(RootOrder.Instance).SequenceEqual(headCommit.Roots))
            {
                return new StateArrayCommit(null, Committed(CompleteCheckpoint(prepared)));
            }

            var objects = new List<EncodedObject>(prepared.Objects);
            ObjectId tree;
            if (headCommit is null)
            {
                var (emptyId, emptyBytes) = ObjectCodec.EncodeWithId(Tree.Empty);
                objects.Add(new EncodedObject(emptyId, emptyBytes));
                tree = emptyId;
            }
            else
            {
                tree = headCommit.Tree;
            }

            var now = repository.Now();
            var signature = repository.Options.DefaultIdentity with { When = now };
            var commit = new Commit(tree, head is { } parent ? [parent] : [], (headCommit?.Generation ?? 0) + 1, signature, signature,
                System.Text.Encoding.UTF8.GetBytes(message), null, roots.Values);
            var (id, bytes) = ObjectCodec.EncodeWithId(commit);
            objects.Add(new EncodedObject(id, bytes));
            var result = repository.Refs.Commit(new RefTransaction(
                [new RefUpdate(branch.Ref, head is { } expected ? RefTarget.To(expected) : null, RefTarget.To(id))],
                repository.Info("state-arrays", $"checkpoint {string.Join(", ", prepared.Roots.Keys)} in commit {id.ToShortString()} on {branch}: {commit.Subject}", agent, now))
            {
                Objects = objects,
            });
            if (result is RefTransactionResult.Committed)
            {
                repository.Objects.Remember(id, commit);
                return new StateArrayCommit(id, Committed(CompleteCheckpoint(prepared)));
            }
        }

        throw new HeliosException(HeliosErrorCode.Conflict, $"Branch '{branch}' kept moving while state arrays were committed; nothing was committed.");
    }

    /// <summary>
    /// Brings every registered array to its root in <paramref name="commit"/> (after a checkout, reset or
    /// undo moved the branch), rewriting only pages that differ (<see cref="StateArray.Rollback"/>). Every
    /// root is read and checked against its array (schema, record size, geometry) before any array
    /// changes; arrays the commit has no root for are left as they are and listed. Changes not yet
    /// checkpointed in a restored array are discarded, as by a rollback.
    /// </summary>
    public StateArrayRestore Restore(Repository repository, ObjectId commit)
    {
        ArgumentNullException.ThrowIfNull(repository);
        EnsureStoreOf(repository);
        var c = repository.ReadCommit(commit);
        var targets = new List<(string Name, StateArray Array, ObjectId Root)>();
        var missing = new List<string>();
        foreach (var (name, array) in _arrays)
        {
            var root = c.FindRoot(name);
            if (root is null)
            {
                missing.Add(name);
                continue;
            }

            if (root.Type != ObjectType.StateArray)
            {
                throw new HeliosException(HeliosErrorCode.InvalidArgument, $"'{EntryName.Escape(name)}' in commit {commit} is a collection, not a state array.");
            }

            array.Layout.EnsureMatches(StateArray.ReadRoot(Store, root.Id), root.Id);
            targets.Add((name, array, root.Id));
        }

        var restored = new SortedDictionary<string, StateArrayRollback>(StringComparer.Ordinal);
        foreach (var (name, array, root) in targets)
        {
            restored[name] = array.Rollback(root);
            _committed[name] = root;
        }

        // The commit has no root for these: the next commit adds them afresh rather than expecting
        // the root they had before (which the branch no longer holds).
        foreach (var name in missing)
        {
            _committed.Remove(name);
        }

        return new StateArrayRestore(restored, missing);
    }

    /// <summary>Loads the array named <paramref name="name"/> from <paramref name="commit"/> and registers it under that name.</summary>
    public StateArray<T> Open<T>(Repository repository, ObjectId commit, string name, string? schema = null, StateArrayOptions? options = null) where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(repository);
        EnsureStoreOf(repository);
        var root = repository.ReadCommit(commit).FindRoot(name) ?? throw new NotFoundException(name, $"Commit {commit} has no state array named '{EntryName.Escape(name)}'.");
        if (root.Type != ObjectType.StateArray)
        {
            throw new HeliosException(HeliosErrorCode.InvalidArgument, $"'{EntryName.Escape(name)}' in commit {commit} is a collection, not a state array.");
        }

        var array = StateArray.Load<T>(Store, root.Id, schema ?? name, options);
        Register(name, array);
        _committed[name] = root.Id;
        return array;
    }

    private void EnsureStoreOf(Repository repository)
    {
        if (!ReferenceEquals(repository.Objects.Store, Store))
        {
            throw new HeliosException(HeliosErrorCode.InvalidArgument, "The state array registry does not use this repository's object store (create it with repository.Objects.Store).");
        }
    }

    /// <summary>
    /// The first registered name whose root on the head is not the one this registry last committed,
    /// restored or opened (null: none, or an array never committed and absent from the head), or null
    /// when every array's root is as this registry left it. Committing over another root would silently
    /// drop whatever moved it.
    /// </summary>
    private string? ChangedSinceCommitted(Commit? head)
    {
        foreach (var name in _arrays.Keys)
        {
            var onHead = head?.FindRoot(name)?.Id;
            ObjectId? ours = _committed.TryGetValue(name, out var id) ? id : null;
            if (onHead != ours)
            {
                return name;
            }
        }

        return null;
    }

    private RegistryCheckpoint Committed(RegistryCheckpoint checkpoint)
    {
        foreach (var (name, root) in checkpoint.Roots)
        {
            _committed[name] = root;
        }

        return checkpoint;
    }

    private sealed class RootOrder : IComparer<StateRoot>
    {
        public static readonly RootOrder Instance = new();

        public int Compare(StateRoot? x, StateRoot? y) => Utf8NameComparer.Instance.Compare(x!.Name, y!.Name);
    }
}
