using System.Buffers;
using System.Globalization;
using System.IO.MemoryMappedFiles;
using System.Text;
using Helios.Core.Hashing;

namespace Helios.Cli.Commands;

/// <summary>
/// <c>helios b3sum [--length N] [--no-names] [--keyed | --derive-key CONTEXT] [FILE]...</c>: prints
/// BLAKE3 sums exactly as Debian's <c>b3sum</c> 1.2 does, byte for byte: <c>&lt;hex&gt;  &lt;name&gt;</c> per
/// file, <c>-</c> or no file meaning standard input, names containing a backslash or newline escaped
/// (<c>\\</c>, <c>\n</c>) with a leading backslash on the line. A file that cannot be read is reported
/// on stderr as <c>b3sum: NAME: REASON</c>, the others are still hashed, and the exit code is 1.
/// Usage errors also exit with 1, as b3sum's do. Like b3sum, regular files of 16 KiB or more are memory-mapped
/// and hashed on up to <c>--num-threads</c> threads (default: one per processor); standard input, smaller files
/// and every file under <c>--no-mmap</c> are streamed in 64 KiB reads on one thread, never loaded whole.
/// </summary>
public static class B3sumCommand
{
    private const int BufferSize = 64 * 1024;

    /// <summary>b3sum's limit: smaller files are read, not mapped (mapping costs more than it saves).</summary>
    private const long MmapMinimumLength = 16 * 1024;

    /// <summary>Mapped files are hashed in views of at most this many bytes (a span holds under 2 GiB; 1 GiB keeps subtrees aligned).</summary>
    private const int MaxViewLength = 1 << 30;

    private const string Usage = """

        USAGE:
            b3sum [FLAGS] [OPTIONS] [FILE]...

        For more information try --help

        """;

    private const string Help = """
        b3sum (helios)

        USAGE:
            b3sum [FLAGS] [OPTIONS] [FILE]...

        FLAGS:
            -h, --help        Prints help information
                --keyed       Uses the keyed mode. The secret key is read from standard
                              input, and it must be exactly 32 raw bytes.
                --no-mmap     Disables memory mapping. Currently this also disables
                              multithreading.
                --no-names    Omits filenames in the output

        OPTIONS:
                --derive-key <CONTEXT>    Uses the key derivation mode, with the given
                                          context string. Cannot be used with --keyed.
            -l, --length <LEN>            The number of output bytes, prior to hex
                                          encoding (default 32)
                --num-threads <NUM>       The maximum number of threads to use. By
                                          default, this is the number of logical cores.

        ARGS:
            <FILE>...    Files to hash. When no file is given, or when - is given,
                         read standard input.

        """;

    /// <summary>Runs the command; returns the process exit code (0 all files hashed, 1 otherwise).</summary>
    public static int Run(IReadOnlyList<string> args, Stream stdin, TextWriter stdout, TextWriter stderr)
    {
        var options = Parse(args, stderr, out var helpShown);
        if (helpShown)
        {
            stdout.Write(Help);
            return 0;
        }

        if (options is null)
        {
            return 1;
        }

        byte[]? key = null;
        if (options.Keyed)
        {
            key = ReadKey(stdin, stderr);
            if (key is null)
            {
                return 1;
            }
        }

        var threads = 0;
        if (options.NumThreadsText is not null && !TryParseThreads(options.NumThreadsText, stderr, out threads))
        {
            return 1;
        }

        var files = options.Files.Count == 0 ? ["-"] : options.Files;
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            var exitCode = 0;
            foreach (var file in files)
            {
                if (options.Length is not { } length)
                {
                    // b3sum 1.2 reports an unparsable length once per file.
                    stderr.Write($"b3sum: {file}: Failed to parse length.\n");
                    exitCode = 1;
                    continue;
                }

                var hasher = options.DeriveKeyContext is not null ? Blake3Hasher.CreateDeriveKey(options.DeriveKeyContext)
                    : key is not null ? Blake3Hasher.CreateKeyed(key)
                    : new Blake3Hasher();
                var error = HashFile(file, stdin, hasher, buffer, options.NoMmap ? null : threads);
                if (error is not null)
                {
                    stderr.Write($"b3sum: {file}: {error}\n");
                    exitCode = 1;
                    continue;
                }

                WriteLine(stdout, hasher, length, file, options.NoNames);
            }

            return exitCode;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private sealed record Options(ulong? Length, bool NoNames, bool Keyed, string? DeriveKeyContext, string? NumThreadsText, bool NoMmap, List<string> Files);

    private static Options? Parse(IReadOnlyList<string> args, TextWriter stderr, out bool helpShown)
    {
        helpShown = false;
        string? lengthText = null;
        var noNames = false;
        var keyed = false;
        string? context = null;
        string? numThreads = null;
        var noMmap = false;
        var files = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);

        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg == "--")
            {
                files.AddRange(args.Skip(i + 1));
                break;
            }

            if (arg == "-" || !arg.StartsWith('-'))
            {
                files.Add(arg);
                continue;
            }

            string name;
            string? inlineValue = null;
            if (arg.StartsWith("--", StringComparison.Ordinal))
            {
                var equals = arg.IndexOf('=', StringComparison.Ordinal);
                name = equals < 0 ? arg : arg[..equals];
                inlineValue = equals < 0 ? null : arg[(equals + 1)..];
            }
            else if (arg.StartsWith("-l", StringComparison.Ordinal) && arg.Length > 2)
            {
                name = "--length";
                inlineValue = arg[2..];
            }
            else
            {
                name = arg switch { "-l" => "--length", "-h" => "--help", _ => arg };
            }

            if (!seen.Add(name))
            {
                return UsageError(stderr, $"The argument '{name}' was provided more than once, but cannot be used multiple times");
            }

            switch (name)
            {
                case "--help":
                    helpShown = true;
                    return null;
                case "--no-names":
                    noNames = true;
                    break;
                case "--keyed":
                    keyed = true;
                    break;
                case "--no-mmap":
                    noMmap = true;
                    break;
                case "--length" or "--derive-key" or "--num-threads":
                    string? value = inlineValue;
                    if (value is null)
                    {
                        if (i + 1 >= args.Count || (args[i + 1].StartsWith('-') && args[i + 1] != "-"))
                        {
                            return UsageError(stderr, $"The argument '{name}' requires a value but none was supplied");
                        }

                        value = args[++i];
                    }

                    if (name == "--length")
                    {
                        lengthText = value;
                    }
                    else if (name == "--derive-key")
                    {
                        context = value;
                    }
                    else
                    {
                        numThreads = value;
                    }

                    break;
                default:
                    return UsageError(stderr, $"Found argument '{arg}' which wasn't expected, or isn't valid in this context");
            }
        }

        if (keyed && context is not null)
        {
            return UsageError(stderr, "The argument '--keyed' cannot be used with '--derive-key <CONTEXT>'");
        }

        ulong? length = 32;
        if (lengthText is not null)
        {
            length = ulong.TryParse(lengthText, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) ? parsed : null;
        }

        return new Options(length, noNames, keyed, context, numThreads, noMmap, files);
    }

    private static Options? UsageError(TextWriter stderr, string message)
    {
        stderr.Write($"error: {message}\n{Usage}");
        return null;
    }

    private static byte[]? ReadKey(Stream stdin, TextWriter stderr)
    {
        // Like b3sum: read at most 33 bytes, so a longer key is detected without draining stdin.
        var key = new byte[Blake3.KeyLength + 1];
        var count = 0;
        int read;
        while (count < key.Length && (read = stdin.Read(key, count, key.Length - count)) > 0)
        {
            count += read;
        }

        if (count > Blake3.KeyLength)
        {
            stderr.Write("Error: read more than 32 key bytes from stdin\n");
            return null;
        }

        if (count < Blake3.KeyLength)
        {
            stderr.Write($"Error: expected 32 key bytes from stdin, found {count}\n");
            return null;
        }

        return key[..Blake3.KeyLength];
    }

    /// <summary>
    /// Parses <c>--num-threads</c> as b3sum does (an unsigned integer, an optional leading <c>+</c>; 0 means one
    /// thread per processor), reporting a bad value with b3sum's text. Values beyond <see cref="int.MaxValue"/> are capped.
    /// </summary>
    private static bool TryParseThreads(string text, TextWriter stderr, out int threads)
    {
        threads = 0;
        var digits = text.StartsWith('+') ? text[1..] : text;
        string? reason = null;
        if (text.Length == 0)
        {
            reason = "cannot parse integer from empty string";
        }
        else if (digits.Length == 0 || !digits.All(char.IsAsciiDigit))
        {
            reason = "invalid digit found in string";
        }
        else if (!ulong.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
        {
            reason = "number too large to fit in target type";
        }
        else
        {
            threads = (int)Math.Min(parsed, int.MaxValue);
        }

        if (reason is not null)
        {
            stderr.Write($"Error: Failed to parse num threads.\n\nCaused by:\n    {reason}\n");
            return false;
        }

        return true;
    }

    /// <summary>
    /// Feeds the file (or stdin for "-") to the hasher; returns b3sum's reason text on failure, else null.
    /// <c>mappedThreads</c>: null streams every file on this thread (--no-mmap, as b3sum does); otherwise files of
    /// 16 KiB or more are mapped and hashed on that many threads (0: one per processor).
    /// </summary>
    private static string? HashFile(string file, Stream stdin, Blake3Hasher hasher, byte[] buffer, int? mappedThreads)
    {
        if (file == "-")
        {
            HashStream(stdin, hasher, buffer);
            return null;
        }

        try
        {
            if (Directory.Exists(file))
            {
                return "Is a directory (os error 21)";
            }

            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 0, FileOptions.SequentialScan);
            if (mappedThreads is { } threads && stream.CanSeek && stream.Length >= MmapMinimumLength)
            {
                HashMapped(stream, hasher, threads);
            }
            else
            {
                HashStream(stream, hasher, buffer);
            }

            return null;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return "No such file or directory (os error 2)";
        }
        catch (UnauthorizedAccessException)
        {
            return "Permission denied (os error 13)";
        }
        catch (IOException e)
        {
            return e.Message;
        }
    }

    private static void HashStream(Stream stream, Blake3Hasher hasher, byte[] buffer)
    {
        int read;
        while ((read = stream.Read(buffer, 0, BufferSize)) > 0)
        {
            hasher.Update(buffer.AsSpan(0, read));
        }
    }

    /// <summary>
    /// Maps the file read-only and hashes it in place, on several threads: no copy through a buffer, and the
    /// whole file is available to cut into subtrees. The length is taken once, when mapping.
    /// </summary>
    private static unsafe void HashMapped(FileStream stream, Blake3Hasher hasher, int threads)
    {
        var length = stream.Length;
        using var map = MemoryMappedFile.CreateFromFile(stream, mapName: null, 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: true);
        for (long offset = 0; offset < length; offset += MaxViewLength)
        {
            var viewLength = (int)Math.Min(MaxViewLength, length - offset);
            using var view = map.CreateViewAccessor(offset, viewLength, MemoryMappedFileAccess.Read);
            var handle = view.SafeMemoryMappedViewHandle;
            byte* pointer = null;
            handle.AcquirePointer(ref pointer);
            try
            {
                hasher.UpdateParallel(new ReadOnlySpan<byte>(pointer + view.PointerOffset, viewLength), threads);
            }
            finally
            {
                handle.ReleasePointer();
            }
        }
    }

    private static void WriteLine(TextWriter stdout, Blake3Hasher hasher, ulong length, string file, bool noNames)
    {
        var escaped = !noNames && (file.Contains('\\', StringComparison.Ordinal) || file.Contains('\n', StringComparison.Ordinal));
        if (escaped)
        {
            stdout.Write('\\');
        }

        // Long outputs are produced a piece at a time from increasing offsets, so --length never allocates much.
        Span<byte> piece = stackalloc byte[1024];
        Span<char> hex = stackalloc char[2048];
        for (ulong offset = 0; offset < length;)
        {
            var count = (int)Math.Min((ulong)piece.Length, length - offset);
            hasher.Finalize(offset, piece[..count]);
            Convert.TryToHexStringLower(piece[..count], hex, out var written);
            stdout.Write(hex[..written]);
            offset += (ulong)count;
        }

        if (!noNames)
        {
            var name = escaped ? new StringBuilder(file).Replace("\\", "\\\\").Replace("\n", "\\n").ToString() : file;
            stdout.Write("  ");
            stdout.Write(name);
        }

        stdout.Write('\n');
    }
}
