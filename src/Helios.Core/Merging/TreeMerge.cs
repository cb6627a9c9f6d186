using Helios.Core.Objects;
using Helios.Core.Repositories;
using Helios.Core.Storage;

namespace Helios.Core.Merging;

/// <summary>How <see cref="TreeMerge"/> settles conflicts and labels conflict markers.</summary>
internal sealed record TreeMergeOptions(MergeStrategy Strategy, string ParentLabel, string ChildLabel)
{
    /// <summary>For <see cref="MergeStrategy.NewestWins"/>: which side changed a path last.</summary>
    public Func<string, ConflictResolution>? NewestSide { get; init; }

    /// <summary>
    /// 0 for the merge asked for; 1 and up when merging the merge bases of a criss-cross history
    /// into a virtual base (one more per level of recursion). There, as in git's recursive merge,
    /// text conflicts keep their markers, 2 characters longer per level, and other conflicts keep
    /// the base's version.
    /// </summary>
    public int Depth { get; init; }

    public bool VirtualBase => Depth > 0;

    /// <summary>Conflict markers with the base's lines too (git's diff3 style).</summary>
    public bool Diff3 { get; init; }

    /// <summary>The label of the base's lines in diff3 style: the base's short id, or "merged common ancestors" for a virtual base.</summary>
    public string BaseLabel { get; init; } = "merged common ancestors";
}

/// <summary>What <see cref="TreeMerge.Apply"/> did to the parent's tree.</summary>
internal sealed class TreeMergeResult
{
    /// <summary>Paths changed relative to the parent without conflict.</summary>
    public List<string> MergedPaths { get; } = [];

    public List<MergeConflict> Conflicts { get; } = [];

    /// <summary>Every path written or deleted in the workspace: its version in the parent's tree (Old) and now (New; null: deleted).</summary>
    public List<FileChange> Edits { get; } = [];
}

/// <summary>
/// Three-way merge of trees, path by path: what only one side changed is taken, what both changed
/// the same way is kept, and what both changed differently is merged line by line (text files) or
/// settled by the strategy. The cost grows with the paths either side changed: equal subtrees are
/// skipped by the tree diffs.
/// </summary>
internal static class TreeMerge
{
    /// <summary>A path's outcome: its new version (null: deleted), the new blob's encoding when the merge made it, and which side it came from.</summary>
    private sealed record Decision(string Path, FileVersion? Version, Objects.Chunking.EncodedContent? Encoding, bool FromParent);

    /// <summary>
    /// Merges the changes from <paramref name="baseTree"/> to <paramref name="childTree"/> into
    /// <paramref name="target"/>, a workspace showing the parent's tree <paramref name="parentTree"/>.
    /// </summary>
    public static TreeMergeResult Apply(ObjectDatabase objects, ObjectId baseTree, ObjectId parentTree, ObjectId childTree, Workspace target, TreeMergeOptions options)
    {
        var result = new TreeMergeResult();
        var parentChanges = TreeDiff.Diff(objects, baseTree, parentTree).ToDictionary(c => c.Path, StringComparer.Ordinal);
        var decisions = new List<Decision>();
        foreach (var child in TreeDiff.Diff(objects, baseTree, childTree))
        {
            var path = child.Path;
            if (!parentChanges.TryGetValue(path, out var parent))
            {
                decisions.Add(new Decision(path, child.New, null, FromParent: false));
                result.MergedPaths.Add(path);
                continue;
            }

            if (parent.New == child.New)
            {
                continue; // The same change on both sides.
            }

            MergePath(objects, path, child.Old, parent.New, child.New, options, result, decisions);
        }

        Write(objects, parentTree, target, decisions, options, result);
        result.MergedPaths.Sort(StringComparer.Ordinal);
        result.Conflicts.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));
        return result;
    }

    private static void MergePath(
        ObjectDatabase objects,
        string path,
        FileVersion? @base,
        FileVersion? parent,
        FileVersion? child,
        TreeMergeOptions options,
        TreeMergeResult result,
        List<Decision> decisions)
    {
        if (parent is null || child is null)
        {
            // Modified on one side, deleted on the other.
            var kind = parent is null ? ConflictKind.DeleteModify : ConflictKind.ModifyDelete;
            var settled = Resolve(path, options);
            var keep = settled switch
            {
                ConflictResolution.Parent => parent,
                ConflictResolution.Child => child,
                _ when options.VirtualBase => @base,
                _ => parent ?? child, // The modified version stays for someone to look at.
            };
            Conflict(kind, settled, 0, new Decision(path, keep, null, false), parent, result, decisions, options);
            return;
        }

        var (p, c) = (parent.Value, child.Value);
        if (!IsRegular(p.Kind) || !IsRegular(c.Kind) || @base is { Kind: var baseKind } && !IsRegular(baseKind))
        {
            var kind = p.Kind == EntryKind.Gitlink || c.Kind == EntryKind.Gitlink ? ConflictKind.Binary : ConflictKind.Symlink;
            SettleWholeFile(path, kind, @base, p, c, options, result, decisions);
            return;
        }

        var mode = MergeMode(@base?.Kind, p.Kind, c.Kind);
        ObjectId? content = p.Id == c.Id ? p.Id
            : @base?.Id == p.Id ? c.Id
            : @base?.Id == c.Id ? p.Id
            : null;
        if (content is { } same)
        {
            Clean(new Decision(path, new FileVersion(mode, same), null, false), p, result, decisions);
            return;
        }

        var baseBytes = @base is { } b ? objects.ReadContent(b.Id) : ReadOnlyMemory<byte>.Empty;
        var parentBytes = objects.ReadContent(p.Id);
        var childBytes = objects.ReadContent(c.Id);
        if (TextMerge.IsBinary(baseBytes.Span) || TextMerge.IsBinary(parentBytes.Span) || TextMerge.IsBinary(childBytes.Span))
        {
            SettleWholeFile(path, @base is null ? ConflictKind.AddAdd : ConflictKind.Binary, @base, p, c, options, result, decisions);
            return;
        }

        var merged = MergeText(baseBytes, parentBytes, childBytes, options, TextMergeFavor.None);
        if (merged.IsClean)
        {
            Clean(NewBlob(objects, path, merged.Content, mode), p, result, decisions);
            return;
        }

        int hunks = merged.ConflictCount;
        var resolution = Resolve(path, options);
        if (resolution != ConflictResolution.Unresolved)
        {
            var favor = resolution == ConflictResolution.Parent ? TextMergeFavor.Ours : TextMergeFavor.Theirs;
            merged = MergeText(baseBytes, parentBytes, childBytes, options, favor);
        }

        Conflict(@base is null ? ConflictKind.AddAdd : ConflictKind.Content, resolution, hunks, NewBlob(objects, path, merged.Content, mode), p, result, decisions, options);
    }

    /// <summary>A conflict over a binary file, a symlink or a submodule: one side is taken whole.</summary>
    private static void SettleWholeFile(
        string path,
        ConflictKind kind,
        FileVersion? @base,
        FileVersion parent,
        FileVersion child,
        TreeMergeOptions options,
        TreeMergeResult result,
        List<Decision> decisions)
    {
        var resolution = Resolve(path, options);
        var keep = resolution switch
        {
            ConflictResolution.Child => child,
            _ when options.VirtualBase => @base,
            _ => parent, // git leaves the parent's version in place too.
        };
        Conflict(kind, resolution, 0, new Decision(path, keep, null, false), parent, result, decisions, options);
    }

    /// <summary>A decision to write content the merge made (its blob is stored with the workspace).</summary>
    private static Decision NewBlob(ObjectDatabase objects, string path, byte[] content, EntryKind kind)
    {
        var encoded = objects.EncodeContent(content);
        return new Decision(path, new FileVersion(kind, encoded.Id), encoded, false);
    }

    private static void Clean(Decision outcome, FileVersion? parent, TreeMergeResult result, List<Decision> decisions)
    {
        if (outcome.Version != parent)
        {
            decisions.Add(outcome);
            result.MergedPaths.Add(outcome.Path);
        }
    }

    private static void Conflict(
        ConflictKind kind,
        ConflictResolution resolution,
        int hunks,
        Decision keep,
        FileVersion? parent,
        TreeMergeResult result,
        List<Decision> decisions,
        TreeMergeOptions options)
    {
        if (keep.Version != parent)
        {
            decisions.Add(keep with { FromParent = resolution == ConflictResolution.Parent });
        }

        if (!options.VirtualBase)
        {
            result.Conflicts.Add(new MergeConflict(keep.Path, kind, resolution, hunks));
        }
    }

    private static ConflictResolution Resolve(string path, TreeMergeOptions options) => options.VirtualBase ? ConflictResolution.Unresolved : options.Strategy switch
    {
        MergeStrategy.ParentWins => ConflictResolution.Parent,
        MergeStrategy.ChildWins => ConflictResolution.Child,
        MergeStrategy.NewestWins => options.NewestSide!(path),
        _ => ConflictResolution.Unresolved,
    };

    private static bool IsRegular(EntryKind kind) => kind is EntryKind.File or EntryKind.Executable;

    /// <summary>The executable bit merges on its own: a side that changed it wins; both changed it the same way (there is only one other value).</summary>
    private static EntryKind MergeMode(EntryKind? @base, EntryKind parent, EntryKind child) =>
        @base == parent ? child : parent;

    private static TextMergeResult MergeText(ReadOnlyMemory<byte> @base, ReadOnlyMemory<byte> parent, ReadOnlyMemory<byte> child, TreeMergeOptions options, TextMergeFavor favor)
    {
        var labels = new TextMergeLabels(options.ParentLabel, options.ChildLabel, options.BaseLabel) { MarkerSize = 7 + (2 * options.Depth) };
        var style = options.Diff3 ? ConflictStyle.Diff3 : ConflictStyle.Merge;
        return TextMerge.Merge(@base.Span, parent.Span, child.Span, labels, style, favor);
    }

    /// <summary>
    /// Applies the decisions to the workspace. A file on one side where the other has a directory
    /// cannot both stay: the strategy keeps one side's, and the manual strategy keeps the directory
    /// and moves the file aside to <c>PATH~LABEL</c>, as git does.
    /// </summary>
    private static void Write(ObjectDatabase objects, ObjectId parentTree, Workspace target, List<Decision> decisions, TreeMergeOptions options, TreeMergeResult result)
    {
        var byPath = new Dictionary<string, Decision>(StringComparer.Ordinal);
        foreach (var d in decisions)
        {
            byPath[d.Path] = d;
        }

        foreach (var (file, fileFromParent) in FindFileDirectoryCollisions(objects, parentTree, byPath))
        {
            var resolution = Resolve(file, options);
            bool keepFile = resolution == (fileFromParent ? ConflictResolution.Parent : ConflictResolution.Child);
            bool keepDirectory = resolution != ConflictResolution.Unresolved && !keepFile;
            if (resolution == ConflictResolution.Unresolved || keepDirectory)
            {
                var version = byPath.TryGetValue(file, out var d) ? d : new Decision(file, Lookup(objects, parentTree, file), null, true);
                byPath[file] = new Decision(file, null, null, fileFromParent);
                if (resolution == ConflictResolution.Unresolved)
                {
                    string aside = $"{file}~{(fileFromParent ? options.ParentLabel : options.ChildLabel).Replace('/', '_')}";
                    byPath[aside] = version with { Path = aside };
                }
            }
            else
            {
                // The file stays: the directory's paths go back to what the file's side had (none).
                foreach (var (path, decision) in byPath.Where(kv => kv.Key.StartsWith(file + "/", StringComparison.Ordinal)).ToList())
                {
                    byPath[path] = decision with { Version = null, Encoding = null };
                }

                if (Lookup(objects, parentTree, file) is null && Subtree(objects, parentTree, file) is { } directory)
                {
                    foreach (var (path, _) in TreeDiff.Files(objects, directory))
                    {
                        byPath[file + "/" + path] = new Decision(file + "/" + path, null, null, false);
                    }
                }
            }

            result.MergedPaths.RemoveAll(p => p == file || p.StartsWith(file + "/", StringComparison.Ordinal));
            if (!options.VirtualBase)
            {
                result.Conflicts.RemoveAll(c => c.Path == file);
                result.Conflicts.Add(new MergeConflict(file, ConflictKind.FileDirectory, resolution));
            }
        }

        // Deletions first, so a path can change from a file to a directory and back.
        foreach (var d in byPath.Values.OrderBy(d => d.Version is null ? 0 : 1).ThenBy(d => d.Path, StringComparer.Ordinal))
        {
            var existing = Lookup(objects, parentTree, d.Path);
            if (d.Version is { } v)
            {
                if (d.Encoding is { } encoding)
                {
                    target.WriteEncoded(d.Path, v.Kind, encoding);
                }
                else
                {
                    target.WriteStored(d.Path, v.Kind, v.Id);
                }
            }
            else if (existing is null)
            {
                continue; // Never in the parent's tree: nothing to delete.
            }
            else
            {
                target.Delete(d.Path);
            }

            if (d.Version != existing)
            {
                result.Edits.Add(new FileChange(d.Path, existing, d.Version));
            }
        }

        result.Edits.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));
    }

    /// <summary>Files the merge would leave where the other side has a directory, and whether each file is the parent's.</summary>
    private static List<(string File, bool FromParent)> FindFileDirectoryCollisions(ObjectDatabase objects, ObjectId parentTree, Dictionary<string, Decision> byPath)
    {
        var collisions = new List<(string, bool)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var d in byPath.Values.Where(d => d.Version is not null))
        {
            // A parent directory of a written path that ends up a file.
            for (int slash = d.Path.IndexOf('/'); slash > 0; slash = d.Path.IndexOf('/', slash + 1))
            {
                string prefix = d.Path[..slash];
                bool isFile = byPath.TryGetValue(prefix, out var p) ? p.Version is not null : Lookup(objects, parentTree, prefix) is not null;
                if (isFile && seen.Add(prefix))
                {
                    collisions.Add((prefix, byPath.TryGetValue(prefix, out var pd) ? pd.FromParent : true));
                }
            }

            // A written file where the parent has a directory that keeps some of its files.
            if (Subtree(objects, parentTree, d.Path) is { } directory && seen.Add(d.Path)
                && TreeDiff.Files(objects, directory).Any(f => !byPath.TryGetValue(d.Path + "/" + f.Path, out var gone) || gone.Version is not null))
            {
                collisions.Add((d.Path, d.FromParent));
            }
        }

        return collisions;
    }

    /// <summary>The file (not directory) at <paramref name="path"/> in a tree, or null.</summary>
    internal static FileVersion? Lookup(ObjectDatabase objects, ObjectId tree, string path) =>
        Find(objects, tree, path) is { Kind: not EntryKind.Tree } e ? new FileVersion(e.Kind, e.Id) : null;

    /// <summary>The directory at <paramref name="path"/> in a tree, or null.</summary>
    private static ObjectId? Subtree(ObjectDatabase objects, ObjectId tree, string path) =>
        Find(objects, tree, path) is { Kind: EntryKind.Tree } e ? e.Id : null;

    private static TreeEntry? Find(ObjectDatabase objects, ObjectId tree, string path)
    {
        TreeEntry? entry = null;
        foreach (var name in path.Split('/'))
        {
            if (entry is { Kind: not EntryKind.Tree } || tree == TreeDiff.EmptyTree)
            {
                return null;
            }

            entry = objects.Read<Tree>(entry?.Id ?? tree).Find(name);
            if (entry is null)
            {
                return null;
            }
        }

        return entry;
    }
}
