using Helios.Cli.Commands;
using Helios.Cli.Configuration;
using Helios.Core.Errors;
using Helios.Core.GitInterop;
using Helios.Core.Repositories;
using Helios.Core.WorkingTrees;
using Helios.Storage.Sqlite;

namespace Helios.Cli;

/// <summary>
/// What one command invocation works with: its output streams, the directory it runs in
/// (<c>-C DIR</c>), and, opened on first use, the worktree found there and its repository.
/// The composition root: the only place that picks the SQLite backend.
/// </summary>
public sealed class CliContext(TextWriter stdout, TextWriter stderr) : IDisposable
{
    private WorktreeLayout? _layout;
    private Repository? _repository;
    private HeliosConfig? _config;
    private WorkingTree? _worktree;

    public TextWriter Out { get; } = stdout;

    public TextWriter Error { get; } = stderr;

    /// <summary>The directory commands run in: the process's, or the one given with -C.</summary>
    public string CurrentDirectory { get; set; } = Environment.CurrentDirectory;

    /// <summary>True when stdout is a terminal (progress and colour), false when piped.</summary>
    public static bool IsInteractive => !Console.IsOutputRedirected;

    /// <summary>The worktree containing the current directory; throws when there is none.</summary>
    public WorktreeLayout Layout => _layout ??= WorktreeLayout.Find(CurrentDirectory)
        ?? throw new HeliosException(HeliosErrorCode.RepositoryNotFound,
            $"Not a Helios repository (or any parent up to /): {CurrentDirectory}; run 'helios init' first.");

    public Repository Repository => _repository ??= Open(Layout, Config);

    /// <summary>The repository's settings (<c>.helios/helios.yaml</c>), read once per command.</summary>
    public HeliosConfig Config => _config ??= HeliosConfig.Load(Layout.CommonDirectory);

    public WorkingTree Worktree => _worktree ??= new WorkingTree(Repository, Layout.Root, Layout.IndexFile, Agent);

    /// <summary>Recorded with every operation: $HELIOS_AGENT, else the worktree's name.</summary>
    public string Agent => Environment.GetEnvironmentVariable("HELIOS_AGENT") is { Length: > 0 } agent ? agent : Layout.Agent;

    /// <summary>Opens the shared store of <paramref name="layout"/> with that worktree's HEAD and the repository's settings.</summary>
    public static Repository Open(WorktreeLayout layout, HeliosConfig? config = null)
    {
        config ??= HeliosConfig.Load(layout.CommonDirectory);
        // Imported git ids resolve as revisions; the map is read only when a revision matched nothing else.
        GitIdMap? map = null;
        string mapFile = Path.Combine(layout.CommonDirectory, GitCommands.MapFileName);
        var options = new RepositoryOptions { Head = layout.Head, ResolveAlias = name => (map ??= GitIdMap.Load(mapFile)).Resolve(name) };
        return SqliteRepository.Open(layout.MainRoot, config.ToSqliteStorageOptions(), config.ToRepositoryOptions(options));
    }

    /// <summary>
    /// Writes bytes to stdout exactly (a patch of files in any encoding); when stdout is not the
    /// console (tests capture it as text), as UTF-8 text.
    /// </summary>
    public void WriteBytes(ReadOnlySpan<byte> bytes)
    {
        if (ReferenceEquals(Out, Console.Out))
        {
            Out.Flush();
            using var stdout = Console.OpenStandardOutput();
            stdout.Write(bytes);
        }
        else
        {
            Out.Write(System.Text.Encoding.UTF8.GetString(bytes));
        }
    }

    /// <summary>How long this command's commit took, recorded in <c>.helios/metrics</c> for <c>helios stats</c>.</summary>
    public TimeSpan? CommitLatency { get; set; }

    /// <summary>Set by a command that moved refs: when it succeeds, an automatic gc may be due.</summary>
    public bool MayLeaveGarbage { get; set; }

    /// <summary>Set by gc and stats, whose own reads would skew the cache figures of the metrics log.</summary>
    public bool SkipMetrics { get; set; }

    /// <summary>
    /// After a successful command: records its metrics and starts an automatic gc when one is due
    /// (<see cref="Maintenance.AutoGc"/>). Best effort; never throws.
    /// </summary>
    public void Finish(bool succeeded)
    {
        if (_repository is null || _layout is null)
        {
            return;
        }

        if (!SkipMetrics)
        {
            Maintenance.MetricsLog.Append(_layout.CommonDirectory, CommitLatency, _repository.CacheStatistics);
        }

        // The settings the repository was opened with: no second read of helios.yaml on the way out.
        if (succeeded && MayLeaveGarbage && Config.AutoGcEnabled)
        {
            Maintenance.AutoGc.MaybeStart(_layout.CommonDirectory, _layout.MainRoot, Config.AutoGcInterval);
        }
    }

    public void Dispose() => _repository?.Dispose();
}
