using BenchmarkDotNet.Attributes;
using Helios.Benchmarks.Support;
using Helios.Core.Objects;
using Helios.Core.Repositories;

namespace Helios.Benchmarks;

/// <summary>
/// Latency of <see cref="Repository.Commit(Workspace, string, CommitOptions?)"/> after one 10 KiB file
/// changed in a 10,000-file tree (target: median at most 50 µs on SQLite fast).
/// <para>
/// Each sample is exactly one commit (<c>InvocationCount(1)</c>): the edit happens in the
/// iteration setup, outside the measurement, so the median is the median commit, not a mean over
/// a batch. Every edit writes new content to a different file (walking the directories), so every
/// commit stores a new blob, three new trees and the commit, and moves <c>main</c>.
/// </para>
/// </summary>
[Config(typeof(BenchConfig))]
[BenchmarkCategory("Commit")]
[InvocationCount(1)]
public class CommitBenchmarks
{
    private const int ChangedFileBytes = 10 * 1024;

    private readonly TreeLayout _layout = TreeLayout.TenThousandFiles;
    private BenchRepository _repository = null!;
    private Workspace _workspace = null!;
    private byte[] _template = [];
    private long _revision;
    private bool _changed;

    [Params(Backend.InMemory, Backend.SqliteFast, Backend.SqliteDurable)]
    public Backend Backend { get; set; }

    [GlobalSetup]
    public void CreateRepository()
    {
        (_repository, _workspace) = BenchRepository.CreateWithTree(Backend, _layout);
        _template = SourceText.Generate(new Random(7), ChangedFileBytes);
    }

    [IterationSetup]
    public void ChangeOneFile()
    {
        _workspace.Write(_layout.PathOf(_revision), SourceText.Revision(_template, _revision));
        _revision++;
        _changed = true;
    }

    [Benchmark]
    public ObjectId Commit_one_changed_10KiB_file_in_10000()
    {
        if (!_changed)
        {
            // Only if the harness ran an invocation without the iteration setup: keep it a real commit.
            ChangeOneFile();
        }

        _changed = false;
        return _repository.Repository.Commit(_workspace, "edit one file").EnsureCommitted();
    }

    [GlobalCleanup]
    public void DeleteRepository() => _repository.Dispose();
}
