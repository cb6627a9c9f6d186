using Helios.Core.Collections;
using Helios.Core.Memory;
using Helios.Core.Objects;
using Helios.Core.StateArrays;

namespace Helios.Core.Integrity;

/// <summary>Which field of an object a <see cref="ObjectLink"/> comes from.</summary>
public enum LinkKind : byte
{
    /// <summary>A commit's root tree.</summary>
    CommitTree,

    /// <summary>One of a commit's parents.</summary>
    CommitParent,

    /// <summary>A named root of a commit (a memory collection or a state array); the name is <see cref="ObjectLink.Name"/>.</summary>
    CommitRoot,

    /// <summary>A tree entry (file, executable, symlink or subtree); the entry name is <see cref="ObjectLink.Name"/>.</summary>
    TreeEntry,

    /// <summary>The object an annotated tag names.</summary>
    TagTarget,

    /// <summary>The merge-log record before this one.</summary>
    LogPrevious,

    /// <summary>A collection header's root node.</summary>
    CollectionRoot,

    /// <summary>A child of an inner collection node.</summary>
    CollectionChild,

    /// <summary>A value blob of a collection leaf; the key is <see cref="ObjectLink.Name"/>.</summary>
    CollectionValue,

    /// <summary>A page of a state array checkpoint; the page index is <see cref="ObjectLink.Name"/>.</summary>
    StateArrayPage,

    /// <summary>A chunk of a chunked blob (a plain blob); its position is <see cref="ObjectLink.Name"/>.</summary>
    Chunk,
}

/// <summary>
/// One reference from an object to another: the id, the type the referrer expects, where it comes from.
/// A file entry expects <see cref="ObjectType.Blob"/> (a chunked blob may stand in for a blob).
/// </summary>
public readonly record struct ObjectLink(ObjectId Id, ObjectType Expected, LinkKind Kind, string? Name = null);

/// <summary>
/// The one place that knows which objects an object refers to. fsck's connectivity check and the
/// garbage collector's mark phase both walk the object graph through it, so a new object type is
/// taught to both at once. What is not a link: a merge-log record's heads (a discarded child may be
/// gone; only the chain of records must stay) and a tree's gitlinks (commits of another repository).
/// Thread-safe; O(links) per call.
/// </summary>
public static class ObjectLinks
{
    /// <summary>
    /// Every object <paramref name="obj"/> refers to, in a fixed order (parents, tree, roots for a commit). An object
    /// type this table does not know is an <see cref="Errors.HeliosErrorCode.InvalidState"/> error, never "no links".
    /// </summary>
    public static IEnumerable<ObjectLink> Of(HeliosObject obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        switch (obj)
        {
            case Commit commit:
                foreach (var parent in commit.Parents)
                {
                    yield return new ObjectLink(parent, ObjectType.Commit, LinkKind.CommitParent);
                }

                yield return new ObjectLink(commit.Tree, ObjectType.Tree, LinkKind.CommitTree);
                foreach (var root in commit.Roots)
                {
                    yield return new ObjectLink(root.Id, root.Type, LinkKind.CommitRoot, root.Name);
                }

                break;
            case Tree tree:
                foreach (var entry in tree.Entries)
                {
                    if (entry.Kind != EntryKind.Gitlink)
                    {
                        yield return new ObjectLink(entry.Id, entry.Kind == EntryKind.Tree ? ObjectType.Tree : ObjectType.Blob, LinkKind.TreeEntry, entry.Name);
                    }
                }

                break;
            case ChunkedBlob chunked:
                for (int i = 0; i < chunked.Chunks.Count; i++)
                {
                    yield return new ObjectLink(chunked.Chunks[i].Id, ObjectType.Blob, LinkKind.Chunk, i.ToString(System.Globalization.CultureInfo.InvariantCulture));
                }

                break;
            case Tag tag:
                yield return new ObjectLink(tag.Target, tag.TargetType, LinkKind.TagTarget);
                break;
            case CollectionHeader header:
                yield return new ObjectLink(header.Root, ObjectType.CollectionNode, LinkKind.CollectionRoot);
                break;
            case CollectionNode node:
                for (int i = 0; i < node.Count; i++)
                {
                    if (!node.IsLeaf)
                    {
                        yield return new ObjectLink(node.Child(i), ObjectType.CollectionNode, LinkKind.CollectionChild);
                    }
                    else if (!node.Value(i).IsInline)
                    {
                        yield return new ObjectLink(node.Value(i).Blob, ObjectType.Blob, LinkKind.CollectionValue, node.Key(i));
                    }
                }

                break;
            case StateArrayRoot stateArray:
                for (int page = 0; page < stateArray.Pages.Count; page++)
                {
                    yield return new ObjectLink(stateArray.Pages[page].Page, ObjectType.StateArrayPage, LinkKind.StateArrayPage,
                        page.ToString(System.Globalization.CultureInfo.InvariantCulture));
                }

                break;
            case MergeLogRecord record:
                if (record.Previous != default)
                {
                    yield return new ObjectLink(record.Previous, ObjectType.MergeLogRecord, LinkKind.LogPrevious);
                }

                break;
            case Blob:
            case StateArrayPage:
                break;
            default:
                // A type added without its links here would make gc delete what it names; refuse instead.
                throw new Errors.HeliosException(Errors.HeliosErrorCode.InvalidState,
                    $"This build does not know which objects a {obj.Type} object refers to; teach Integrity/ObjectLinks before walking it.");
        }
    }

    /// <summary>
    /// True when an object of <paramref name="type"/> can refer to nothing, so a walk need not read it.
    /// A blob expected by a tree entry may turn out to be a chunked blob, which does refer to chunks:
    /// callers that must see those read the object to learn its actual type.
    /// </summary>
    public static bool IsLeaf(ObjectType type) => type is ObjectType.Blob or ObjectType.StateArrayPage;
}
