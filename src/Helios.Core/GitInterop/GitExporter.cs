using System.Globalization;
using System.Text;
using Helios.Core.Objects;
using Helios.Core.Refs;
using Helios.Core.Repositories;

namespace Helios.Core.GitInterop;

/// <summary>What an export should report.</summary>
public sealed class GitExportOptions
{
    /// <summary>Called with one line per thing git cannot hold (non-git metadata, sub-second times).</summary>
    public Action<string>? Warning { get; init; }

    /// <summary>Told after each exported commit how many were exported so far (on the exporting thread).</summary>
    public IProgress<GitProgress>? Progress { get; init; }

    /// <summary>
    /// The git id of a Helios commit or tag the target repository already holds, or null (an
    /// incremental export: known commits are referred to by git id, neither they nor their
    /// ancestors are sent again, and known tags are not written again).
    /// </summary>
    public Func<ObjectId, string?>? KnownGitId { get; init; }
}

/// <summary>What an export wrote: the commits and annotated tags, each with its stream mark.</summary>
public sealed class GitExportResult
{
    public List<ExportedCommit> Commits { get; } = [];

    public List<ExportedCommit> Tags { get; } = [];
}

/// <summary>A Helios commit (or tag) and the mark the export stream gave it (git's id is known from fast-import's marks file).</summary>
public sealed class ExportedCommit(long mark, ObjectId id)
{
    public long Mark { get; } = mark;

    public ObjectId Id { get; } = id;
}

/// <summary>
/// Writes a repository's branches and tags (<c>refs/tags/*</c>) as a <c>git fast-import</c> stream:
/// commits parents first, each with its changed files against its first parent (a root lists every
/// file), author and committer lines rebuilt exactly (or restored verbatim from <c>git.author</c> /
/// <c>git.committer</c> metadata), the message bytes as stored, and a closing <c>reset</c> per ref.
/// A commit imported from git therefore gets its original git id back. Each blob is written once.
/// Cost: O(commits + changed paths + blob bytes written); memory holds marks, not content.
/// </summary>
public sealed class GitExporter
{
    private readonly Repository _repository;
    private readonly Stream _output;
    private readonly GitExportOptions _options;
    private readonly Dictionary<ObjectId, long> _blobMarks = [];
    private readonly Dictionary<ObjectId, long> _commitMarks = [];
    private readonly Dictionary<ObjectId, long> _tagMarks = [];
    private readonly GitExportResult _result = new();
    private readonly Dictionary<ObjectId, string?> _known = [];
    private long _nextMark = 1;

    private GitExporter(Repository repository, Stream output, GitExportOptions options)
    {
        _repository = repository;
        _output = output;
        _options = options;
    }

    /// <summary>Writes the stream for every branch and tag, ending with <c>done</c>; returns the commits and tags written with their marks.</summary>
    public static GitExportResult Export(Repository repository, Stream output, GitExportOptions? options = null)
    {
        var exporter = new GitExporter(repository, output, options ?? new GitExportOptions());
        exporter.Write("feature done\n");
        var refs = repository.Refs.List(BranchName.RefPrefix).Concat(repository.Refs.List("refs/tags/"))
            .Where(r => r.Target.Id is not null)
            .ToList();
        var commitRefs = new Dictionary<string, ObjectId>(StringComparer.Ordinal);
        foreach (var entry in refs)
        {
            if (exporter.ExportRef(entry.Target.Id!.Value, entry.Name.Value))
            {
                commitRefs[entry.Name.Value] = entry.Target.Id!.Value;
            }
        }

        // fast-import's tag command sets the ref of an annotated tag itself, and a reset cannot name a tag.
        foreach (var (name, id) in commitRefs)
        {
            exporter.Write($"reset {name}\nfrom {exporter.CommitRef(id)}\n\n");
        }

        exporter.Write("done\n");
        output.Flush();
        return exporter._result;
    }

    /// <summary>
    /// Exports what a ref names: its history, and for an annotated tag the tag itself (tags of
    /// tags inner first). True when the ref names a commit (and so needs a <c>reset</c>).
    /// </summary>
    private bool ExportRef(ObjectId id, string refName)
    {
        var obj = _repository.Objects.Read<HeliosObject>(id);
        if (obj is not Tag)
        {
            ExportHistory(id, refName);
            return true;
        }

        ExportTag(id, (Tag)obj, refName);
        return false;
    }

    /// <summary>Writes an annotated tag (after its target); returns how the stream refers to it, or null for a tag of a tree or blob, which is reported and skipped.</summary>
    private string? ExportTag(ObjectId id, Tag tag, string refName)
    {
        if (_tagMarks.TryGetValue(id, out long written))
        {
            return ":" + written.ToString(CultureInfo.InvariantCulture);
        }

        if (Known(id) is { } gitId)
        {
            return gitId;
        }

        string target;
        switch (tag.TargetType)
        {
            case ObjectType.Commit:
                ExportHistory(tag.Target, refName);
                target = CommitRef(tag.Target);
                break;
            case ObjectType.Tag when ExportTag(tag.Target, _repository.Objects.Read<Tag>(tag.Target), refName) is { } inner:
                target = inner;
                break;
            default:
                Warn($"{refName}: tag '{tag.Name}' names a {tag.TargetType.ToString().ToLowerInvariant()}, which export does not support; not exported");
                return null;
        }

        if (refName != "refs/tags/" + tag.Name)
        {
            Warn($"{refName}: names tag '{tag.Name}', which git fast-import can only write as refs/tags/{tag.Name}");
        }

        long mark = _nextMark++;
        _tagMarks[id] = mark;
        Write($"tag {tag.Name}\nmark :{mark}\nfrom {target}\n");
        if (tag.Metadata.TryGetValue(GitIdent.TaggerKey, out var rawTagger))
        {
            WriteLine("tagger ", Convert.FromBase64String(rawTagger));
        }
        else if (tag.Tagger is { } tagger)
        {
            WriteLine("tagger ", Ident(tagger, id.ToShortString(), "tagger"));
        }

        foreach (var key in tag.Metadata.Keys)
        {
            if (key != GitIdent.TaggerKey)
            {
                Warn($"tag {tag.Name}: metadata '{key}' has no place in git and was not exported");
            }
        }

        Write($"data {tag.Message.Length}\n");
        _output.Write(tag.Message.Span);
        Write("\n");
        _result.Tags.Add(new ExportedCommit(mark, id));
        return ":" + mark.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>How the stream names an exported or known commit: <c>:MARK</c> or its git id.</summary>
    private string CommitRef(ObjectId id) =>
        _commitMarks.TryGetValue(id, out long mark) ? ":" + mark.ToString(CultureInfo.InvariantCulture) : Known(id)!;

    /// <summary>The git id of a commit or tag the target holds already (asked once per id), or null.</summary>
    private string? Known(ObjectId id)
    {
        if (_options.KnownGitId is null)
        {
            return null;
        }

        if (!_known.TryGetValue(id, out var gitId))
        {
            gitId = _options.KnownGitId(id);
            _known[id] = gitId;
        }

        return gitId;
    }

    /// <summary>Exports the commits reachable from <paramref name="tip"/> not yet exported, parents first (iterative: deep histories do not overflow the stack).</summary>
    private void ExportHistory(ObjectId tip, string refName)
    {
        if (_commitMarks.ContainsKey(tip) || Known(tip) is not null)
        {
            return;
        }

        var stack = new Stack<Frame>();
        stack.Push(new Frame(tip, _repository.ReadCommit(tip)));
        var onStack = new HashSet<ObjectId> { tip };
        while (stack.TryPeek(out var frame))
        {
            if (frame.NextParent < frame.Commit.Parents.Count)
            {
                var parent = frame.Commit.Parents[frame.NextParent++];
                if (!_commitMarks.ContainsKey(parent) && Known(parent) is null && onStack.Add(parent))
                {
                    stack.Push(new Frame(parent, _repository.ReadCommit(parent)));
                }

                continue;
            }

            stack.Pop();
            WriteCommit(frame.Id, frame.Commit, refName);
        }
    }

    private void WriteCommit(ObjectId id, Commit commit, string refName)
    {
        var parentTree = commit.Parents.Count > 0 ? _repository.ReadCommit(commit.Parents[0]).Tree : TreeDiff.EmptyTree;
        var changes = TreeDiff.Diff(_repository.Objects, parentTree, commit.Tree);
        foreach (var change in changes)
        {
            if (change.New is { } file && file.Kind != EntryKind.Gitlink && !_blobMarks.ContainsKey(file.Id))
            {
                long blobMark = _nextMark++;
                _blobMarks[file.Id] = blobMark;
                // A chunked blob is one git blob: its chunks are streamed in order.
                Write($"blob\nmark :{blobMark}\ndata {_repository.Objects.ContentLength(file.Id)}\n");
                _repository.Objects.CopyContent(file.Id, _output);
                Write("\n");
            }
        }

        long mark = _nextMark++;
        _commitMarks[id] = mark;
        string who = id.ToShortString();
        if (commit.Parents.Count == 0)
        {
            // fast-import would otherwise continue the ref's current tip.
            Write($"reset {refName}\n\n");
        }

        Write($"commit {refName}\nmark :{mark}\n");
        var metadata = commit.Metadata;
        if (metadata.TryGetValue(GitIdent.AuthorKey, out var rawAuthor))
        {
            if (rawAuthor.Length > 0)
            {
                WriteLine("author ", Convert.FromBase64String(rawAuthor));
            }
        }
        else
        {
            WriteLine("author ", Ident(commit.Author, who, "author"));
        }

        WriteLine("committer ", metadata.TryGetValue(GitIdent.CommitterKey, out var rawCommitter)
            ? Convert.FromBase64String(rawCommitter)
            : Ident(commit.Committer, who, "committer"));
        if (metadata.TryGetValue(GitIdent.EncodingKey, out var encoding))
        {
            Write($"encoding {encoding}\n");
        }

        foreach (var key in metadata.Keys)
        {
            if (key is not (GitIdent.AuthorKey or GitIdent.CommitterKey or GitIdent.EncodingKey))
            {
                Warn($"commit {who}: metadata '{key}' has no place in git and was not exported");
            }
        }

        Write($"data {commit.Message.Length}\n");
        _output.Write(commit.Message.Span);
        Write("\n");
        for (int i = 0; i < commit.Parents.Count; i++)
        {
            Write($"{(i == 0 ? "from" : "merge")} {CommitRef(commit.Parents[i])}\n");
        }

        // Deletions first: a file replaced by a directory (or the reverse) must be gone before its replacement arrives.
        foreach (var change in changes)
        {
            if (change.New is null)
            {
                Write("D ");
                WritePath(change.Path);
                Write("\n");
            }
        }

        foreach (var change in changes)
        {
            if (change.New is { } file)
            {
                string mode = file.Kind switch
                {
                    EntryKind.Executable => "100755",
                    EntryKind.Symlink => "120000",
                    EntryKind.Gitlink => "160000",
                    _ => "100644",
                };
                string dataRef = file.Kind == EntryKind.Gitlink ? GitlinkHex(file.Id) : ":" + _blobMarks[file.Id].ToString(CultureInfo.InvariantCulture);
                Write($"M {mode} {dataRef} ");
                WritePath(change.Path);
                Write("\n");
            }
        }

        Write("\n");
        _result.Commits.Add(new ExportedCommit(mark, id));
        _options.Progress?.Report(new GitProgress(_result.Commits.Count));
    }

    private byte[] Ident(Signature signature, string who, string role)
    {
        if (signature.When.Ticks % TimeSpan.TicksPerSecond != 0)
        {
            Warn($"commit {who}: the {role} time {signature.When:O} has fractions of a second, which git cannot hold; exported rounded down");
        }

        return GitIdent.Format(signature);
    }

    /// <summary>The 40-hex git id a gitlink entry holds in its first 20 bytes.</summary>
    private static string GitlinkHex(ObjectId id)
    {
        Span<byte> bytes = stackalloc byte[ObjectId.Size];
        id.CopyTo(bytes);
        return Convert.ToHexStringLower(bytes[..20]);
    }

    private void WritePath(string path)
    {
        // Helios names hold no control characters; only a leading quote or a backslash-quote mix needs git's quoting.
        if (path.StartsWith('"'))
        {
            Write("\"" + path.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"");
        }
        else
        {
            Write(path);
        }
    }

    private void WriteLine(string prefix, byte[] value)
    {
        Write(prefix);
        _output.Write(value);
        Write("\n");
    }

    private void Write(string text) => _output.Write(Encoding.UTF8.GetBytes(text));

    private void Warn(string message) => _options.Warning?.Invoke(message);

    private sealed class Frame(ObjectId id, Commit commit)
    {
        public ObjectId Id { get; } = id;

        public Commit Commit { get; } = commit;

        public int NextParent { get; set; }
    }
}
