using System.CommandLine;
using System.Diagnostics;
using System.Text;
using Helios.Core.Errors;
using Helios.Core.GitInterop;
using Spectre.Console;

namespace Helios.Cli.Commands;

/// <summary>
/// import --from-git and export --to-git: run git fast-export / fast-import as child processes and
/// stream through the engine (<see cref="GitImporter"/>, <see cref="GitExporter"/>). Warnings go to
/// stderr, one line each; progress only on a terminal.
/// </summary>
internal static class GitCommands
{
    /// <summary>The git id map's file name in the common .helios directory.</summary>
    public const string MapFileName = "git-map";

    public static void Add(RootCommand root, CliContext context)
    {
        var from = new Option<string>("--from-git") { Description = "The git repository to import (every branch and tag).", Required = true };
        root.Subcommands.Add(CommandBuilder.Create("import", "Import a git repository's history through git fast-export; refs move only if it all succeeds.",
            p => Import(context, p.GetValue(from)!), from));
        var to = new Option<string>("--to-git") { Description = "The git repository to write (created when missing).", Required = true };
        root.Subcommands.Add(CommandBuilder.Create("export", "Export every branch and tag to a git repository through git fast-import.",
            p => Export(context, p.GetValue(to)!), to));
    }

    private static int Import(CliContext context, string source)
    {
        var repository = context.Repository;
        string path = Path.GetFullPath(source, context.CurrentDirectory);
        if (!Directory.Exists(path))
        {
            throw new HeliosException(HeliosErrorCode.InvalidArgument, $"Cannot import from '{source}': no such directory.");
        }

        var map = GitIdMap.Load(Path.Combine(context.Layout.CommonDirectory, MapFileName));
        var args = new List<string> { "-C", path, "fast-export", "--all", "--reencode=no", "--signed-tags=strip", "--show-original-ids", "--use-done-feature", "--mark-tags" };
        // Incremental: commits already imported (those at our ref tips, and their ancestors) are left out and referred to by id.
        var known = repository.Refs.List("refs/").Select(r => r.Target.Id is { } id ? map.ToGit(id) : null).OfType<string>().Distinct().ToList();
        if (known.Count > 0)
        {
            args.Add("--reference-excluded-parents");
            // A tag of an excluded commit would stop fast-export; such tags were imported with that commit.
            args.Add("--tag-of-filtered-object=drop");
            args.AddRange(known.Select(k => "^" + k));
        }

        using var git = StartGit(args, redirectInput: false);
        var stderr = new StringBuilder();
        git.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (stderr) stderr.AppendLine(e.Data); };
        git.BeginErrorReadLine();
        var options = new GitImportOptions
        {
            Agent = context.Agent,
            Warning = w => context.Error.WriteLine($"warning: {w}"),
            KnownCommit = map.ToHelios,
            BeforeMovingRefs = () => EnsureSucceeded(git, stderr, $"git fast-export in '{source}'"),
        };
        GitImportResult result;
        try
        {
            result = WithProgress("Importing", progress => GitImporter.Import(repository, git.StandardOutput.BaseStream, new GitImportOptions
            {
                Agent = options.Agent,
                Warning = options.Warning,
                KnownCommit = options.KnownCommit,
                BeforeMovingRefs = options.BeforeMovingRefs,
                Progress = progress,
            }));
        }
        catch (HeliosException) when (!git.HasExited || git.WaitForExit(5000))
        {
            // A stream that broke off is git's fault when git failed: its own error explains it best.
            if (!git.HasExited) git.Kill();
            git.WaitForExit();
            if (git.ExitCode != 0) EnsureSucceeded(git, stderr, $"git fast-export in '{source}'");
            throw;
        }

        map.Append(result.GitIds);
        context.Error.WriteLine($"imported {result.Commits} commits, {result.Tags} annotated tags and {result.Blobs} blobs from {source}; {result.Refs.Count} refs set, {result.Warnings.Count} warning(s)");
        return ExitCodes.Success;
    }

    private static int Export(CliContext context, string target)
    {
        var repository = context.Repository;
        string path = Path.GetFullPath(target, context.CurrentDirectory);
        if (!Directory.Exists(path) || !(Directory.Exists(Path.Combine(path, ".git")) || File.Exists(Path.Combine(path, "HEAD"))))
        {
            Directory.CreateDirectory(path);
            RunGit(["init", "-q", path], $"git init '{target}'");
        }

        // Incremental: commits and tags whose git id the map knows and the target holds are named by git id, not sent again.
        var map = GitIdMap.Load(Path.Combine(context.Layout.CommonDirectory, MapFileName));
        using var present = map.Count > 0 ? new GitObjectChecker(path) : null;
        string marksFile = Path.Combine(context.Layout.CommonDirectory, $"git-export-marks.{Environment.ProcessId}");
        using var git = StartGit(["-C", path, "fast-import", "--quiet", "--force", "--export-marks=" + marksFile], redirectInput: true);
        var stderr = new StringBuilder();
        git.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (stderr) stderr.AppendLine(e.Data); };
        git.BeginErrorReadLine();
        var gitStdout = git.StandardOutput.ReadToEndAsync();
        long warnings = 0;
        GitExportResult exported;
        try
        {
            using (var input = new BufferedStream(git.StandardInput.BaseStream, 1 << 16))
            {
                try
                {
                    exported = WithProgress("Exporting", progress => GitExporter.Export(repository, input, new GitExportOptions
                    {
                        Warning = w => { warnings++; context.Error.WriteLine($"warning: {w}"); },
                        KnownGitId = present is null ? null : id => map.ToGit(id) is { } gitId && present.Exists(gitId) ? gitId : null,
                        Progress = progress,
                    }));
                }
                catch (IOException)
                {
                    git.WaitForExit();
                    EnsureSucceeded(git, stderr, $"git fast-import in '{target}'");
                    throw;
                }
            }

            git.WaitForExit();
            _ = gitStdout.Result;
            EnsureSucceeded(git, stderr, $"git fast-import in '{target}'");
            map.Append(ReadMarks(marksFile, exported.Commits.Concat(exported.Tags)));
        }
        finally
        {
            File.Delete(marksFile);
        }

        context.Error.WriteLine($"exported {exported.Commits.Count} commits and {exported.Tags.Count} annotated tags to {target}, {warnings} warning(s)");
        return ExitCodes.Success;
    }

    /// <summary>
    /// Runs <paramref name="run"/> with a progress display (commits and commits/s) on a terminal,
    /// and with no progress at all when stderr is piped.
    /// </summary>
    private static T WithProgress<T>(string verb, Func<IProgress<GitProgress>?, T> run)
    {
        if (!CliContext.IsInteractive || Console.IsErrorRedirected)
        {
            return run(null);
        }

        T result = default!;
        AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) }).Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
            .Start(display =>
            {
                var task = display.AddTask(verb);
                task.IsIndeterminate = true; // Streaming: the total is unknown.
                var clock = Stopwatch.StartNew();
                long lastShown = 0;
                result = run(new SynchronousProgress(p =>
                {
                    // The description is rebuilt at most ten times a second: reports come once per commit.
                    long now = clock.ElapsedMilliseconds;
                    if (now - lastShown >= 100)
                    {
                        lastShown = now;
                        double rate = p.Commits / Math.Max(clock.Elapsed.TotalSeconds, 0.001);
                        task.Description = $"{verb}: {p.Commits:N0} commits, {rate:N0} commits/s";
                    }
                }));
                task.IsIndeterminate = false;
                task.Value = task.MaxValue;
            });
        return result;
    }

    /// <summary>Reports on the calling thread (Progress&lt;T&gt; would post to the thread pool and lag behind).</summary>
    private sealed class SynchronousProgress(Action<GitProgress> report) : IProgress<GitProgress>
    {
        public void Report(GitProgress value) => report(value);
    }

    /// <summary>The git ids fast-import gave the exported objects, from its marks file (<c>:MARK SHA</c> lines).</summary>
    private static List<GitIdPair> ReadMarks(string marksFile, IEnumerable<ExportedCommit> exported)
    {
        var byMark = new Dictionary<long, string>();
        foreach (var line in File.ReadLines(marksFile))
        {
            int space = line.IndexOf(' ', StringComparison.Ordinal);
            if (line.StartsWith(':') && space > 1 && long.TryParse(line.AsSpan(1, space - 1), System.Globalization.CultureInfo.InvariantCulture, out long mark))
            {
                byMark[mark] = line[(space + 1)..].Trim().ToLowerInvariant();
            }
        }

        return exported.Where(e => byMark.ContainsKey(e.Mark)).Select(e => new GitIdPair(byMark[e.Mark], e.Id)).ToList();
    }

    /// <summary>Asks one long-running <c>git cat-file --batch-check</c> whether objects exist in a repository.</summary>
    private sealed class GitObjectChecker : IDisposable
    {
        private readonly string _path;
        private Process? _process;

        public GitObjectChecker(string path) => _path = path;

        public bool Exists(string gitId)
        {
            _process ??= StartGit(["-C", _path, "cat-file", "--batch-check=%(objectname)"], redirectInput: true);
            _process.StandardInput.WriteLine(gitId);
            _process.StandardInput.Flush();
            var answer = _process.StandardOutput.ReadLine();
            return answer is not null && !answer.EndsWith(" missing", StringComparison.Ordinal);
        }

        public void Dispose()
        {
            if (_process is null)
            {
                return;
            }

            _process.StandardInput.Close();
            _process.WaitForExit();
            _process.Dispose();
        }
    }

    private static Process StartGit(IEnumerable<string> args, bool redirectInput)
    {
        var start = new ProcessStartInfo("git")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = redirectInput,
            UseShellExecute = false,
        };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        try
        {
            return Process.Start(start) ?? throw new HeliosException(HeliosErrorCode.InvalidState, "Could not start git.");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new HeliosException(HeliosErrorCode.InvalidState, $"Could not run git ({e.Message}); install git and make sure it is on PATH.");
        }
    }

    private static void RunGit(IEnumerable<string> args, string what)
    {
        using var git = StartGit(args, redirectInput: false);
        var stderr = git.StandardError.ReadToEndAsync();
        _ = git.StandardOutput.ReadToEnd();
        git.WaitForExit();
        if (git.ExitCode != 0)
        {
            throw new HeliosException(HeliosErrorCode.InvalidArgument, $"{what} failed: {stderr.Result.Trim()}");
        }
    }

    private static void EnsureSucceeded(Process git, StringBuilder stderr, string what)
    {
        git.WaitForExit();
        if (git.ExitCode != 0)
        {
            string message;
            lock (stderr) message = stderr.ToString().Trim();
            throw new HeliosException(HeliosErrorCode.InvalidArgument, $"{what} failed (exit {git.ExitCode}): {message} Nothing was imported or changed.");
        }
    }
}
