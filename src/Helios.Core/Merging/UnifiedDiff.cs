using System.Buffers;
using System.Text;
using Helios.Core.Errors;
using Helios.Core.Objects;

namespace Helios.Core.Merging;

/// <summary>
/// One side of a file in a <see cref="UnifiedDiff"/>: its path, kind (regular, executable or
/// symlink, whose content is the link target), content, and the abbreviated id printed on the
/// <c>index</c> line. An absent side (a created or deleted file) is passed as null.
/// </summary>
public sealed record UnifiedDiffSide(string Path, EntryKind Kind, ReadOnlyMemory<byte> Content, string Id);

/// <summary>Options for <see cref="UnifiedDiff"/>.</summary>
public sealed record UnifiedDiffOptions
{
    /// <summary>Unchanged lines shown around each change (git's <c>-U</c>, default 3).</summary>
    public int ContextLines { get; init; } = 3;

    /// <summary>
    /// For a renamed file (the sides' paths differ): the similarity percentage printed on the
    /// <c>similarity index</c> line. Required when the paths differ.
    /// </summary>
    public int? RenameSimilarity { get; init; }
}

/// <summary>
/// git-format patch text for one file, byte-identical to <c>git diff</c> for the same input:
/// the <c>diff --git</c> header with mode, rename and <c>index</c> lines, then either
/// <c>Binary files … differ</c> (a NUL in the first 8000 bytes of either side) or
/// <c>---</c>/<c>+++</c> lines and hunks found by <see cref="LineDiff"/> (Myers, indent
/// heuristic) with git's default function-name context (the nearest earlier line that starts
/// with a letter, <c>_</c> or <c>$</c>). Paths are quoted as git quotes them. A change between a
/// symlink and a file is written as a deletion and a creation, as git does. Accepted by
/// <c>git apply</c>. Pure and thread-safe; cost is one <see cref="LineDiff"/> plus O(output).
/// </summary>
public static class UnifiedDiff
{
    private const int FunctionNameMax = 80;
    private const int HunkHeaderBuffer = 128;

    /// <summary>The patch for one file as bytes (empty when the sides are identical).</summary>
    public static byte[] Format(UnifiedDiffSide? oldSide, UnifiedDiffSide? newSide, UnifiedDiffOptions? options = null)
    {
        var output = new ArrayBufferWriter<byte>();
        Append(output, oldSide, newSide, options);
        return output.WrittenSpan.ToArray();
    }

    /// <summary>Appends the patch for one file to <paramref name="output"/>.</summary>
    /// <exception cref="HeliosException">
    /// <see cref="HeliosErrorCode.InvalidArgument"/> when both sides are absent, a kind is not a
    /// file kind, the context is negative, or the paths differ without a rename similarity.
    /// </exception>
    public static void Append(IBufferWriter<byte> output, UnifiedDiffSide? oldSide, UnifiedDiffSide? newSide, UnifiedDiffOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        options ??= new UnifiedDiffOptions();
        if (oldSide is null && newSide is null)
        {
            throw new HeliosException(HeliosErrorCode.InvalidArgument, "A diff needs an old or a new side; both are absent.");
        }

        if (options.ContextLines < 0)
        {
            throw new HeliosException(HeliosErrorCode.InvalidArgument, $"Context lines must not be negative; got {options.ContextLines}.");
        }

        RequireFileKind(oldSide);
        RequireFileKind(newSide);
        if (oldSide is not null && newSide is not null && (oldSide.Kind == EntryKind.Symlink) != (newSide.Kind == EntryKind.Symlink))
        {
            Append(output, oldSide, null, options);
            Append(output, null, newSide, options);
            return;
        }

        string oldPath = (oldSide ?? newSide)!.Path;
        string newPath = (newSide ?? oldSide)!.Path;
        bool renamed = oldPath != newPath;
        if (renamed && options.RenameSimilarity is null)
        {
            throw new HeliosException(
                HeliosErrorCode.InvalidArgument,
                $"The paths '{oldPath}' and '{newPath}' differ; pass RenameSimilarity to write a rename.");
        }

        var oldContent = oldSide is null ? default : oldSide.Content.Span;
        var newContent = newSide is null ? default : newSide.Content.Span;
        bool sameContent = oldSide is not null && newSide is not null && oldContent.SequenceEqual(newContent);
        if (sameContent && !renamed && oldSide!.Kind == newSide!.Kind)
        {
            return;
        }

        var aName = GitQuote.Two("a/", oldPath);
        var bName = GitQuote.Two("b/", newPath);
        var w = new Writer(output);
        w.Text("diff --git ").Bytes(aName).Text(" ").Bytes(bName).Line();
        if (oldSide is null)
        {
            w.Text("new file mode ").Text(Mode(newSide!.Kind)).Line();
        }
        else if (newSide is null)
        {
            w.Text("deleted file mode ").Text(Mode(oldSide.Kind)).Line();
        }
        else if (oldSide.Kind != newSide.Kind)
        {
            w.Text("old mode ").Text(Mode(oldSide.Kind)).Line();
            w.Text("new mode ").Text(Mode(newSide.Kind)).Line();
        }

        if (renamed)
        {
            w.Text($"similarity index {options.RenameSimilarity}%").Line();
            w.Text("rename from ").Bytes(GitQuote.Path(oldPath)).Line();
            w.Text("rename to ").Bytes(GitQuote.Path(newPath)).Line();
        }

        if (sameContent)
        {
            return;
        }

        string oldId = oldSide?.Id ?? new string('0', newSide!.Id.Length);
        string newId = newSide?.Id ?? new string('0', oldSide!.Id.Length);
        w.Text("index ").Text(oldId).Text("..").Text(newId);
        if (oldSide is not null && newSide is not null && oldSide.Kind == newSide.Kind)
        {
            w.Text(" ").Text(Mode(oldSide.Kind));
        }

        w.Line();

        var oldLabel = oldSide is null ? "/dev/null"u8.ToArray() : aName;
        var newLabel = newSide is null ? "/dev/null"u8.ToArray() : bName;
        if (TextMerge.IsBinary(oldContent) || TextMerge.IsBinary(newContent))
        {
            w.Text("Binary files ").Bytes(oldLabel).Text(" and ").Bytes(newLabel).Text(" differ").Line();
            return;
        }

        if (options.ContextLines == 0)
        {
            TrimCommonTail(ref oldContent, ref newContent);
        }

        int classCount = LineClassifier.Classify(oldContent, newContent, out var oldFile, out var newFile);
        var changes = LineDiff.Compute(
            oldFile.Classes, newFile.Classes, classCount, DiffAlgorithm.Myers,
            new LineText(oldContent, oldFile.Starts), new LineText(newContent, newFile.Starts));

        // Like git, no ---/+++ lines without a hunk (a created or deleted empty file).
        if (changes.Count == 0)
        {
            return;
        }

        // git appends a tab to a ---/+++ name containing a space, so patch(1) reads the whole name.
        w.Text("--- ").Bytes(oldLabel);
        if (oldLabel.Contains((byte)' '))
        {
            w.Text("\t");
        }

        w.Line();
        w.Text("+++ ").Bytes(newLabel);
        if (newLabel.Contains((byte)' '))
        {
            w.Text("\t");
        }

        w.Line();
        WriteHunks(w, oldContent, oldFile, newContent, newFile, changes, options.ContextLines);
    }

    // git's trim_common_tail (xdiff-interface.c), which git applies only without context lines:
    // drops the equal tail in 1 KiB blocks, then gives back the partial line at the cut. It can
    // change what the diff finds, so it is copied to keep -U0 output identical.
    private static void TrimCommonTail(ref ReadOnlySpan<byte> a, ref ReadOnlySpan<byte> b)
    {
        const int Block = 1024;
        int smaller = Math.Min(a.Length, b.Length);
        int trimmed = 0;
        while (Block + trimmed <= smaller &&
               a.Slice(a.Length - trimmed - Block, Block).SequenceEqual(b.Slice(b.Length - trimmed - Block, Block)))
        {
            trimmed += Block;
        }

        int recovered = 0;
        while (recovered < trimmed)
        {
            if (a[a.Length - trimmed + recovered++] == (byte)'\n')
            {
                break;
            }
        }

        a = a[..(a.Length - trimmed + recovered)];
        b = b[..(b.Length - trimmed + recovered)];
    }

    private static void RequireFileKind(UnifiedDiffSide? side)
    {
        if (side is not null && side.Kind is not (EntryKind.File or EntryKind.Executable or EntryKind.Symlink))
        {
            throw new HeliosException(
                HeliosErrorCode.InvalidArgument,
                $"A diff side must be a file, executable or symlink; '{side.Path}' is a {side.Kind}.");
        }
    }

    private static string Mode(EntryKind kind) => kind switch
    {
        EntryKind.Executable => "100755",
        EntryKind.Symlink => "120000",
        _ => "100644",
    };

    // xdiff's xdl_emit_diff: changes closer than twice the context share a hunk.
    private static void WriteHunks(
        Writer w, ReadOnlySpan<byte> oldText, LineFile oldFile, ReadOnlySpan<byte> newText, LineFile newFile,
        List<LineChange> changes, int context)
    {
        int functionLine = -1;
        for (int first = 0; first < changes.Count;)
        {
            int last = first;
            while (last + 1 < changes.Count &&
                   changes[last + 1].OldStart - (changes[last].OldStart + changes[last].OldCount) <= 2 * context)
            {
                last++;
            }

            var head = changes[first];
            var tail = changes[last];
            int s1 = Math.Max(head.OldStart - context, 0);
            int s2 = Math.Max(head.NewStart - context, 0);
            int after = Math.Min(context, Math.Min(oldFile.Count - (tail.OldStart + tail.OldCount), newFile.Count - (tail.NewStart + tail.NewCount)));
            int e1 = tail.OldStart + tail.OldCount + after;
            int e2 = tail.NewStart + tail.NewCount + after;

            // The nearest function line above the hunk; an earlier hunk already looked further up.
            for (int line = s1 - 1; line > functionLine; line--)
            {
                if (StartsFunction(oldText, oldFile, line))
                {
                    functionLine = line;
                    break;
                }
            }

            WriteHunkHeader(w, s1, e1 - s1, s2, e2 - s2, functionLine >= 0 ? FunctionName(oldText, oldFile, functionLine) : default);

            int o = s1;
            for (int c = first; c <= last; c++)
            {
                var change = changes[c];
                for (; o < change.OldStart; o++)
                {
                    WriteLine(w, (byte)' ', oldText, oldFile, o);
                }

                for (int i = 0; i < change.OldCount; i++)
                {
                    WriteLine(w, (byte)'-', oldText, oldFile, change.OldStart + i);
                }

                for (int i = 0; i < change.NewCount; i++)
                {
                    WriteLine(w, (byte)'+', newText, newFile, change.NewStart + i);
                }

                o = change.OldStart + change.OldCount;
            }

            for (; o < e1; o++)
            {
                WriteLine(w, (byte)' ', oldText, oldFile, o);
            }

            first = last + 1;
        }
    }

    // xdiff's def_ff: a line starting with a letter, '_' or '$', cut to 80 bytes, trailing blanks dropped.
    private static bool StartsFunction(ReadOnlySpan<byte> text, LineFile file, int line)
    {
        if (file.LineLength(line) == 0)
        {
            return false;
        }

        byte c = text[file.LineStart(line)];
        return char.IsAsciiLetter((char)c) || c == (byte)'_' || c == (byte)'$';
    }

    private static ReadOnlySpan<byte> FunctionName(ReadOnlySpan<byte> text, LineFile file, int line)
    {
        if (!StartsFunction(text, file, line))
        {
            return default;
        }

        var name = text.Slice(file.LineStart(line), Math.Min(file.LineLength(line), FunctionNameMax));
        int length = name.Length;
        while (length > 0 && ChangeCompaction.IsSpace(name[length - 1]))
        {
            length--;
        }

        return name[..length];
    }

    private static void WriteHunkHeader(Writer w, int s1, int c1, int s2, int c2, ReadOnlySpan<byte> function)
    {
        var header = new StringBuilder("@@ -");
        header.Append(c1 > 0 ? s1 + 1 : s1);
        if (c1 != 1)
        {
            header.Append(',').Append(c1);
        }

        header.Append(" +").Append(c2 > 0 ? s2 + 1 : s2);
        if (c2 != 1)
        {
            header.Append(',').Append(c2);
        }

        header.Append(" @@");
        w.Text(header.ToString());
        if (function.Length > 0)
        {
            // xdiff formats the header into a 128-byte buffer and cuts the name to fit.
            int room = HunkHeaderBuffer - (header.Length + 1) - 1;
            w.Text(" ").Bytes(function[..Math.Min(function.Length, room)]);
        }

        w.Line();
    }

    private static void WriteLine(Writer w, byte prefix, ReadOnlySpan<byte> text, LineFile file, int line)
    {
        var bytes = text.Slice(file.LineStart(line), file.LineLength(line));
        w.Byte(prefix).Bytes(bytes);
        if (bytes[^1] != (byte)'\n')
        {
            w.Line().Text("\\ No newline at end of file").Line();
        }
    }

    private readonly struct Writer(IBufferWriter<byte> output)
    {
        public Writer Text(string ascii)
        {
            var span = output.GetSpan(ascii.Length);
            int written = Encoding.ASCII.GetBytes(ascii, span);
            output.Advance(written);
            return this;
        }

        public Writer Bytes(ReadOnlySpan<byte> bytes)
        {
            output.Write(bytes);
            return this;
        }

        public Writer Byte(byte b)
        {
            output.GetSpan(1)[0] = b;
            output.Advance(1);
            return this;
        }

        public Writer Line() => Byte((byte)'\n');
    }
}
