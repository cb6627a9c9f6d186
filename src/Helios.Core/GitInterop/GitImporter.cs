using System.Globalization;
using System.Text;
using Helios.Core.Errors;
using Helios.Core.Objects;
using Helios.Core.Refs;
using Helios.Core.Repositories;
using Helios.Core.Storage;

namespace Helios.Core.GitInterop;

/// <summary>What an import should do besides reading the stream.</summary>
public sealed class GitImportOptions
{
    /// <summary>Called with one line per thing git has that Helios cannot keep exactly (never dropped silently).</summary>
    public Action<string>? Warning { get; init; }

    /// <summary>Told after each imported commit how many were imported so far (on the importing thread).</summary>
    public IProgress<GitProgress>? Progress { get; init; }

    /// <summary>Resolves a git commit id (40 hex) the stream refers to but does not contain (an incremental import's known commits).</summary>
    public Func<string, ObjectId?>? KnownCommit { get; init; }

    /// <summary>Recorded in the operation log.</summary>
    public string Agent { get; init; } = "";

    /// <summary>
    /// Called after the stream ended and before any ref moves; throw to abandon the import (the
    /// caller checks there that the exporting process succeeded).
    /// </summary>
    public Action? BeforeMovingRefs { get; init; }
}

/// <summary>Progress of an import or export: commits done so far (the total is unknown while streaming).</summary>
public readonly record struct GitProgress(long Commits);

/// <summary>A git commit id and the Helios commit imported from it.</summary>
public sealed class GitIdPair(string gitId, ObjectId heliosId)
{
    /// <summary>40 lowercase hex digits.</summary>
    public string GitId { get; } = gitId;

    public ObjectId HeliosId { get; } = heliosId;
}

/// <summary>The outcome of an import: counts, the refs moved and the git ids of the new commits.</summary>
public sealed class GitImportResult
{
    public long Commits { get; internal set; }

    public long Blobs { get; internal set; }

    /// <summary>Annotated tags imported.</summary>
    public long Tags { get; internal set; }

    /// <summary>Refs set by the import (branches, lightweight and annotated tags), by full ref name.</summary>
    public SortedDictionary<string, ObjectId> Refs { get; } = new(StringComparer.Ordinal);

    /// <summary>Every imported commit and annotated tag that carried its original git id.</summary>
    public List<GitIdPair> GitIds { get; } = [];

    public List<string> Warnings { get; } = [];
}

/// <summary>
/// Imports a <c>git fast-export</c> stream into a repository. Streaming: blobs are stored as they
/// arrive (in batches), commits are built on a workspace at their first parent, and memory grows
/// with the number of marks, not with content or history. Objects are stored as the stream is read;
/// refs move only at the end, all in one compare-and-swap transaction, so a failed import leaves
/// every ref as it was (unreferenced objects remain until gc). Cost: O(stream) plus, per commit,
/// O(changed paths) hashing and one storage write per batch.
/// </summary>
public sealed class GitImporter
{
    private const int FlushObjects = 4096;
    private const long FlushBytes = 16L << 20;
    private const string ZeroId = "0000000000000000000000000000000000000000";

    private readonly Repository _repository;
    private readonly GitImportOptions _options;
    private readonly FastStreamReader _reader;
    private readonly Dictionary<long, ObjectId> _marks = [];

    // Chunks already queued by this import: versions of a large file share most of them, and
    // sending each again would push the whole file through the writer per version.
    private readonly HashSet<ObjectId> _queuedChunks = [];
    private readonly HashSet<long> _commitMarks = [];
    private readonly HashSet<long> _tagMarks = [];
    private readonly Dictionary<ObjectId, long> _generations = [];
    private readonly Dictionary<string, ObjectId?> _branches = new(StringComparer.Ordinal);
    private List<EncodedObject> _pending = [];
    private readonly GitImportResult _result = new();
    private long _pendingBytes;
    private readonly BackgroundObjectWriter _writer;
    private Workspace? _workspace;

    private GitImporter(Repository repository, Stream stream, GitImportOptions options, BackgroundObjectWriter writer)
    {
        _repository = repository;
        _options = options;
        _reader = new FastStreamReader(stream);
        _writer = writer;
    }

    /// <summary>
    /// Reads the whole stream, stores its objects, then moves every branch (<c>refs/heads/*</c>) and
    /// tag (<c>refs/tags/*</c>, lightweight or naming an annotated <see cref="Tag"/>) it sets in one transaction. Throws (moving no ref) on a
    /// malformed stream, a path Helios refuses (naming the commit's git id and the path) or a ref
    /// that another process moved meanwhile.
    /// </summary>
    public static GitImportResult Import(Repository repository, Stream stream, GitImportOptions? options = null)
    {
        using var writer = new BackgroundObjectWriter(repository.Objects.Store);
        var importer = new GitImporter(repository, stream, options ?? new GitImportOptions(), writer);
        importer.ReadAll();
        importer.Flush();
        writer.Complete();
        importer._options.BeforeMovingRefs?.Invoke();
        importer.MoveRefs();
        return importer._result;
    }

    private void ReadAll()
    {
        bool needsDone = false;
        while (_reader.ReadText() is { } line)
        {
            if (line == "feature done")
            {
                needsDone = true;
                continue;
            }

            if (line.Length == 0 || line.StartsWith("feature ", StringComparison.Ordinal) || line.StartsWith("option ", StringComparison.Ordinal)
                || line.StartsWith("progress ", StringComparison.Ordinal) || line.StartsWith('#'))
            {
                continue;
            }

            if (line == "done")
            {
                return;
            }

            if (line == "blob")
            {
                ReadBlob();
            }
            else if (line.StartsWith("commit ", StringComparison.Ordinal))
            {
                ReadCommit(line[7..]);
            }
            else if (line.StartsWith("reset ", StringComparison.Ordinal))
            {
                ReadReset(line[6..]);
            }
            else if (line.StartsWith("tag ", StringComparison.Ordinal))
            {
                ReadTag(line[4..]);
            }
            else
            {
                throw _reader.Malformed($"the unknown command '{line}'");
            }
        }

        if (needsDone)
        {
            throw _reader.Malformed("the end of the stream before 'done' (the exporting process stopped early)");
        }
    }

    /// <summary>
    /// Queues file content as a commit from a worktree would store it: chunked above the repository's
    /// threshold, so importing and committing the same bytes give the same id.
    /// </summary>
    private ObjectId QueueContent(ReadOnlySpan<byte> content)
    {
        var encoded = _repository.Objects.EncodeContent(content);
        foreach (var obj in encoded.Objects())
        {
            if (encoded.Chunked is null || obj.Id == encoded.Id || _queuedChunks.Add(obj.Id))
            {
                Queue(obj);
            }
        }

        return encoded.Id;
    }

    private void ReadBlob()
    {
        long mark = 0;
        while (_reader.ReadText() is { } line)
        {
            if (line.StartsWith("mark :", StringComparison.Ordinal))
            {
                mark = ParseMark(line[5..]);
            }
            else if (line.StartsWith("original-oid ", StringComparison.Ordinal))
            {
                continue;
            }
            else if (line.StartsWith("data ", StringComparison.Ordinal))
            {
                var id = QueueContent(_reader.ReadData(ParseLength(line)));
                if (mark != 0)
                {
                    _marks[mark] = id;
                }

                _result.Blobs++;
                return;
            }
            else
            {
                throw _reader.Malformed($"'{line}' inside a blob");
            }
        }

        throw _reader.Malformed("the end of the stream inside a blob");
    }

    private void ReadCommit(string refName)
    {
        long mark = 0;
        string? originalId = null;
        byte[]? authorRaw = null;
        byte[]? committerRaw = null;
        string? encoding = null;
        byte[]? message = null;
        ObjectId? from = null;
        bool hasFrom = false;
        var merges = new List<ObjectId>();
        while (_reader.ReadLine() is { } raw)
        {
            if (StartsWith(raw, "mark :"))
            {
                mark = ParseMark(Ascii(raw, 5));
            }
            else if (StartsWith(raw, "original-oid "))
            {
                originalId = Ascii(raw, 13).ToLowerInvariant();
            }
            else if (StartsWith(raw, "author "))
            {
                authorRaw = raw[7..];
            }
            else if (StartsWith(raw, "committer "))
            {
                committerRaw = raw[10..];
            }
            else if (StartsWith(raw, "encoding "))
            {
                encoding = Encoding.UTF8.GetString(raw, 9, raw.Length - 9);
            }
            else if (StartsWith(raw, "data "))
            {
                message = _reader.ReadData(ParseLength(Ascii(raw, 0)));
            }
            else if (StartsWith(raw, "from "))
            {
                from = ResolveCommit(Ascii(raw, 5), originalId);
                hasFrom = true;
            }
            else if (StartsWith(raw, "merge "))
            {
                merges.Add(ResolveCommit(Ascii(raw, 6), originalId));
            }
            else
            {
                _reader.PushBack(raw);
                break;
            }
        }

        if (committerRaw is null || message is null)
        {
            throw _reader.Malformed($"a commit on {refName} without {(committerRaw is null ? "a committer" : "a message")}");
        }

        string who = originalId ?? $"mark :{mark}";
        var parent = hasFrom ? from : _branches.GetValueOrDefault(refName);
        var workspace = WorkspaceAt(parent);
        ApplyFileOps(workspace, who);

        var metadata = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var committer = GitIdent.Parse(committerRaw, out bool committerExact);
        var author = committer;
        if (authorRaw is not null)
        {
            author = GitIdent.Parse(authorRaw, out bool authorExact);
            if (!authorExact)
            {
                metadata[GitIdent.AuthorKey] = Convert.ToBase64String(authorRaw);
                Warn($"commit {who}: the author line '{Encoding.UTF8.GetString(authorRaw)}' is not one Helios can represent exactly; kept verbatim in metadata {GitIdent.AuthorKey}");
            }
        }
        else
        {
            // fast-export omits the author only when git stored none; exporting must omit it too.
            metadata[GitIdent.AuthorKey] = "";
            Warn($"commit {who}: has no author line; recorded in metadata {GitIdent.AuthorKey}");
        }

        if (!committerExact)
        {
            metadata[GitIdent.CommitterKey] = Convert.ToBase64String(committerRaw);
            Warn($"commit {who}: the committer line '{Encoding.UTF8.GetString(committerRaw)}' is not one Helios can represent exactly; kept verbatim in metadata {GitIdent.CommitterKey}");
        }

        if (encoding is not null)
        {
            metadata[GitIdent.EncodingKey] = encoding;
            Warn($"commit {who}: message encoding '{encoding}' kept in metadata {GitIdent.EncodingKey}; the message bytes are stored as they are");
        }

        var batch = new SaveBatch();
        var tree = workspace.Save(batch);
        ObjectId[] parents = parent is { } p ? [p, .. merges] : [.. merges];
        long generation = 1;
        foreach (var parentId in parents)
        {
            generation = Math.Max(generation, GenerationOf(parentId) + 1);
        }

        var commit = new Commit(tree, parents, generation, author, committer, message, metadata.Count == 0 ? null : metadata);
        var (id, bytes) = ObjectCodec.EncodeWithId(commit);
        foreach (var obj in batch.Objects)
        {
            Queue(obj);
        }

        Queue(new EncodedObject(id, bytes));
        batch.MarkStored();
        _repository.Objects.Remember(id, commit);
        workspace.BaseCommit = id;
        workspace.BaseTree = tree;
        _generations[id] = generation;
        _branches[refName] = id;
        if (mark != 0)
        {
            _marks[mark] = id;
            _commitMarks.Add(mark);
        }

        if (originalId is not null)
        {
            _result.GitIds.Add(new GitIdPair(originalId, id));
        }

        _result.Commits++;
        _options.Progress?.Report(new GitProgress(_result.Commits));
    }

    /// <summary>
    /// Reads the commit's file commands, then applies deletions before everything else: git
    /// fast-export writes <c>M dir/file</c> before <c>D dir</c> when a file became a directory, and
    /// meant the deletion of the old file (git fast-import itself gets that case wrong).
    /// </summary>
    private void ApplyFileOps(Workspace workspace, string who)
    {
        var deletions = new List<Action>();
        var changes = new List<Action>();
        ReadFileOps(workspace, who, deletions, changes);
        foreach (var action in deletions)
        {
            action();
        }

        foreach (var action in changes)
        {
            action();
        }
    }

    private void ReadFileOps(Workspace workspace, string who, List<Action> deletions, List<Action> changes)
    {
        while (_reader.ReadLine() is { } raw)
        {
            if (raw.Length == 0)
            {
                return;
            }

            if (StartsWith(raw, "M "))
            {
                // M MODE DATAREF PATH
                int s1 = Array.IndexOf(raw, (byte)' ', 2);
                int s2 = s1 < 0 ? -1 : Array.IndexOf(raw, (byte)' ', s1 + 1);
                if (s2 < 0)
                {
                    throw _reader.Malformed($"'{Encoding.UTF8.GetString(raw)}' in commit {who}");
                }

                string mode = Ascii(raw, 2, s1);
                string dataRef = Ascii(raw, s1 + 1, s2);
                string path = Path(raw.AsSpan(s2 + 1), who);
                var kind = mode switch
                {
                    "100644" or "644" => EntryKind.File,
                    "100755" or "755" => EntryKind.Executable,
                    "120000" => EntryKind.Symlink,
                    "160000" => EntryKind.Gitlink,
                    _ => throw new HeliosException(HeliosErrorCode.InvalidArgument, $"Commit {who} gives '{path}' the mode {mode}, which Helios cannot represent."),
                };
                ObjectId id;
                if (kind == EntryKind.Gitlink)
                {
                    id = GitlinkId(dataRef, who, path);
                }
                else if (dataRef == "inline")
                {
                    id = QueueContent(_reader.ReadDataCommand());
                }
                else if (dataRef.StartsWith(':') && _marks.TryGetValue(ParseMark(dataRef), out var byMark))
                {
                    id = byMark;
                }
                else
                {
                    throw _reader.Malformed($"the unknown blob '{dataRef}' for '{path}' in commit {who}");
                }

                changes.Add(() => Guard(() => WritePath(workspace, path, kind, id), who, path));
            }
            else if (StartsWith(raw, "D "))
            {
                string path = Path(raw.AsSpan(2), who);
                deletions.Add(() => Guard(() => DeletePath(workspace, path), who, path));
            }
            else if (StartsWith(raw, "R ") || StartsWith(raw, "C "))
            {
                var (source, target) = TwoPaths(raw.AsSpan(2), who);
                bool move = raw[0] == 'R';
                changes.Add(() => Guard(() => CopyPath(workspace, source, target, move, who), who, target));
            }
            else if (Encoding.ASCII.GetString(raw) == "deleteall")
            {
                deletions.Clear();
                changes.Clear();
                deletions.Add(workspace.Clear);
            }
            else if (StartsWith(raw, "N "))
            {
                Warn($"commit {who}: a git note was not imported (Helios has no notes)");
            }
            else
            {
                // A command with no blank line before it ends the commit too.
                _reader.PushBack(raw);
                return;
            }
        }
    }

    /// <summary>As fast-import does: a file replaces a directory at its path and files on its way to the root.</summary>
    private static void WritePath(Workspace workspace, string path, EntryKind kind, ObjectId id)
    {
        EntryName.SplitPath(path);
        for (int slash = path.IndexOf('/'); slash > 0; slash = path.IndexOf('/', slash + 1))
        {
            if (workspace.Find(path[..slash]) is FileNode)
            {
                workspace.Delete(path[..slash]);
            }
        }

        if (workspace.Find(path) is DirectoryNode)
        {
            DeletePath(workspace, path);
        }

        workspace.WriteStored(path, kind, id);
    }

    private static void DeletePath(Workspace workspace, string path)
    {
        if (workspace.Find(path) is DirectoryNode)
        {
            foreach (var file in workspace.ListFiles(path).ToList())
            {
                workspace.Delete(file);
            }
        }
        else
        {
            workspace.Delete(path);
        }
    }

    private void CopyPath(Workspace workspace, string source, string target, bool move, string who)
    {
        switch (workspace.Find(source))
        {
            case FileNode file:
                if (move) workspace.Delete(source);
                workspace.Put(target, file);
                break;
            case DirectoryNode:
                var files = workspace.ListFiles(source).ToList();
                var nodes = files.Select(f => (FileNode)workspace.Find(f)!).ToList();
                if (move) DeletePath(workspace, source);
                for (int i = 0; i < files.Count; i++)
                {
                    workspace.Put(target + files[i][source.Length..], nodes[i]);
                }

                break;
            default:
                throw _reader.Malformed($"commit {who} renames or copies '{source}', which does not exist");
        }
    }

    private static void Guard(Action action, string who, string path)
    {
        try
        {
            action();
        }
        catch (HeliosException e) when (e.Code == HeliosErrorCode.InvalidArgument)
        {
            throw new HeliosException(HeliosErrorCode.InvalidArgument, $"Commit {who} has the path '{EntryName.Escape(path)}', which Helios refuses: {e.Message} Nothing was imported (no ref moved).");
        }
    }

    private ObjectId GitlinkId(string dataRef, string who, string path)
    {
        if (dataRef.Length != 40 || !ObjectId.IsHex(dataRef))
        {
            throw _reader.Malformed($"the submodule commit '{dataRef}' for '{path}' in commit {who}");
        }

        Span<byte> bytes = stackalloc byte[ObjectId.Size];
        Convert.FromHexString(dataRef, bytes[..20], out _, out _);
        return new ObjectId(bytes);
    }

    private void ReadReset(string refName)
    {
        var line = _reader.ReadLine();
        if (line is not null && StartsWith(line, "from ") && Ascii(line, 5) == ZeroId)
        {
            // fast-export deletes a tag ref this way before writing a nested tag again.
            _branches[refName] = null;
        }
        else if (line is not null && StartsWith(line, "from "))
        {
            _branches[refName] = ResolveCommit(Ascii(line, 5), null);
        }
        else
        {
            _branches[refName] = null;
            if (line is not null)
            {
                _reader.PushBack(line);
            }
        }
    }

    /// <summary>
    /// An annotated tag: stored as a <see cref="Tag"/> naming its target (a commit, or a tag with
    /// <c>--mark-tags</c>), with git's tagger and message bytes; it sets <c>refs/tags/NAME</c>.
    /// </summary>
    private void ReadTag(string name)
    {
        long mark = 0;
        string? originalId = null;
        byte[]? taggerRaw = null;
        byte[]? message = null;
        (ObjectId Id, ObjectType Type)? target = null;
        while (_reader.ReadLine() is { } raw)
        {
            if (StartsWith(raw, "mark :"))
            {
                mark = ParseMark(Ascii(raw, 5));
            }
            else if (StartsWith(raw, "original-oid "))
            {
                originalId = Ascii(raw, 13).ToLowerInvariant();
            }
            else if (StartsWith(raw, "from "))
            {
                string reference = Ascii(raw, 5);
                target = reference.StartsWith(':') && _tagMarks.Contains(ParseMark(reference)) ? (_marks[ParseMark(reference)], ObjectType.Tag)
                    : (ResolveCommit(reference, $"tag {name}"), ObjectType.Commit);
            }
            else if (StartsWith(raw, "tagger "))
            {
                taggerRaw = raw[7..];
            }
            else if (StartsWith(raw, "data "))
            {
                message = _reader.ReadData(ParseLength(Ascii(raw, 0)));
                break;
            }
            else
            {
                throw _reader.Malformed($"'{Encoding.UTF8.GetString(raw)}' inside tag {name}");
            }
        }

        if (target is null || message is null)
        {
            throw _reader.Malformed($"tag {name} without {(target is null ? "a 'from' line" : "a message")}");
        }

        Signature? tagger = null;
        var metadata = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (taggerRaw is not null)
        {
            tagger = GitIdent.Parse(taggerRaw, out bool exact);
            if (!exact)
            {
                metadata[GitIdent.TaggerKey] = Convert.ToBase64String(taggerRaw);
                Warn($"tag {name}: the tagger line '{Encoding.UTF8.GetString(taggerRaw)}' is not one Helios can represent exactly; kept verbatim in metadata {GitIdent.TaggerKey}");
            }
        }

        var tag = new Tag(target.Value.Id, target.Value.Type, name, tagger, message, metadata.Count == 0 ? null : metadata);
        var (id, bytes) = ObjectCodec.EncodeWithId(tag);
        Queue(new EncodedObject(id, bytes));
        _branches["refs/tags/" + name] = id;
        if (mark != 0)
        {
            _marks[mark] = id;
            _tagMarks.Add(mark);
        }

        if (originalId is not null)
        {
            _result.GitIds.Add(new GitIdPair(originalId, id));
        }

        _result.Tags++;
    }

    private void MoveRefs()
    {
        var updates = new List<RefUpdate>();
        foreach (var (name, id) in _branches)
        {
            if (id is null)
            {
                continue;
            }

            string? helios = null;
            if (name.StartsWith("refs/heads/", StringComparison.Ordinal) && BranchName.Validate(name["refs/heads/".Length..]) is null)
            {
                helios = name;
            }
            else if (name.StartsWith("refs/tags/", StringComparison.Ordinal) && RefName.IsValid(name))
            {
                helios = name;
            }

            if (helios is null)
            {
                Warn($"ref '{name}' was not imported: Helios imports branches (refs/heads/*) and tags (refs/tags/*) with valid names");
                continue;
            }

            var refName = RefName.Parse(helios);
            var current = _repository.Refs.Read(refName);
            if (current?.Id == id)
            {
                _result.Refs[helios] = id.Value;
                continue;
            }

            updates.Add(new RefUpdate(refName, current, RefTarget.To(id.Value)));
            _result.Refs[helios] = id.Value;
        }

        if (updates.Count == 0)
        {
            return;
        }

        var info = _repository.Info("import", $"import from git: {_result.Commits} commits, {updates.Count} refs", _options.Agent);
        if (_repository.Refs.Commit(new RefTransaction(updates, info)) is RefTransactionResult.Conflict conflict)
        {
            throw new HeliosException(HeliosErrorCode.Conflict,
                $"{conflict.Name} moved to {conflict.Actual?.ToString() ?? "nothing"} during the import; no ref was changed, run the import again.");
        }
    }

    private Workspace WorkspaceAt(ObjectId? parent)
    {
        if (_workspace is not null && _workspace.BaseCommit == parent)
        {
            return _workspace;
        }

        // Opening at another commit reads its tree from storage, so everything queued must be there first.
        Flush();
        _writer.Drain();
        _workspace = _repository.OpenWorkspaceAt(RefName.Head, parent);
        return _workspace;
    }

    private long GenerationOf(ObjectId id) =>
        _generations.TryGetValue(id, out long g) ? g : _repository.ReadCommit(id).Generation;

    private ObjectId ResolveCommit(string reference, string? who)
    {
        if (reference.StartsWith(':') && _marks.TryGetValue(ParseMark(reference), out var id) && _commitMarks.Contains(ParseMark(reference)))
        {
            return id;
        }

        if (reference.Length == 40 && ObjectId.IsHex(reference) && _options.KnownCommit?.Invoke(reference.ToLowerInvariant()) is { } known)
        {
            return known;
        }

        throw _reader.Malformed($"the unknown commit '{reference}'{(who is null ? "" : $" in commit {who}")}");
    }

    private void Queue(EncodedObject obj)
    {
        _pending.Add(obj);
        _pendingBytes += obj.Bytes.Length;
        if (_pending.Count >= FlushObjects || _pendingBytes >= FlushBytes)
        {
            Flush();
        }
    }

    private void Flush()
    {
        if (_pending.Count > 0)
        {
            _writer.Submit(_pending);
            _pending = new List<EncodedObject>(FlushObjects);
            _pendingBytes = 0;
        }
    }

    private void Warn(string message)
    {
        _result.Warnings.Add(message);
        _options.Warning?.Invoke(message);
    }

    private long ParseMark(string text) =>
        text.StartsWith(':') && long.TryParse(text.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out long mark) && mark > 0
            ? mark
            : throw _reader.Malformed($"the bad mark '{text}'");

    private long ParseLength(string line) =>
        line.StartsWith("data ", StringComparison.Ordinal) && long.TryParse(line.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out long n)
            ? n
            : throw _reader.Malformed($"'{line}' where 'data N' was expected (delimited data is not supported)");

    private string Path(ReadOnlySpan<byte> raw, string who)
    {
        var bytes = raw.Length > 0 && raw[0] == '"' ? Unquote(raw, out _) : raw.ToArray();
        return DecodePath(bytes, who);
    }

    private (string, string) TwoPaths(ReadOnlySpan<byte> raw, string who)
    {
        byte[] first;
        int rest;
        if (raw.Length > 0 && raw[0] == '"')
        {
            first = Unquote(raw, out int used);
            rest = used + 1;
        }
        else
        {
            int space = raw.IndexOf((byte)' ');
            if (space < 0) throw _reader.Malformed($"a rename or copy without a target in commit {who}");
            first = raw[..space].ToArray();
            rest = space + 1;
        }

        return (DecodePath(first, who), Path(raw[rest..], who));
    }

    private static string DecodePath(byte[] bytes, string who)
    {
        try
        {
            return new UTF8Encoding(false, true).GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw new HeliosException(HeliosErrorCode.InvalidArgument,
                $"Commit {who} has the path '{Encoding.UTF8.GetString(bytes)}', which is not valid UTF-8; Helios names are Unicode. Nothing was imported (no ref moved).");
        }
    }

    /// <summary>Decodes a C-style quoted path as git writes it; <paramref name="used"/> is the index of the closing quote.</summary>
    private byte[] Unquote(ReadOnlySpan<byte> raw, out int used)
    {
        var bytes = new List<byte>(raw.Length);
        for (int i = 1; i < raw.Length; i++)
        {
            byte b = raw[i];
            if (b == '"')
            {
                used = i;
                return bytes.ToArray();
            }

            if (b != '\\')
            {
                bytes.Add(b);
                continue;
            }

            if (++i >= raw.Length) break;
            byte e = raw[i];
            switch ((char)e)
            {
                case 'a': bytes.Add(7); break;
                case 'b': bytes.Add(8); break;
                case 'f': bytes.Add(12); break;
                case 'n': bytes.Add(10); break;
                case 'r': bytes.Add(13); break;
                case 't': bytes.Add(9); break;
                case 'v': bytes.Add(11); break;
                case >= '0' and <= '3' when i + 2 < raw.Length:
                    bytes.Add((byte)(((e - '0') << 6) | ((raw[i + 1] - '0') << 3) | (raw[i + 2] - '0')));
                    i += 2;
                    break;
                default: bytes.Add(e); break;
            }
        }

        throw _reader.Malformed("a quoted path without its closing quote");
    }

    private static bool StartsWith(byte[] line, string prefix)
    {
        if (line.Length < prefix.Length) return false;
        for (int i = 0; i < prefix.Length; i++)
        {
            if (line[i] != prefix[i]) return false;
        }

        return true;
    }

    private static string Ascii(byte[] line, int start, int end = -1) =>
        Encoding.UTF8.GetString(line, start, (end < 0 ? line.Length : end) - start);
}
