using System.Diagnostics;
using System.Globalization;
using Helios.Core.Storage;
using Helios.Storage.Conformance;

namespace Helios.Storage.Sqlite.Tests;

public sealed class SqliteRefStoreTests : RefStoreContract
{
    private const int ObjectsPerCommit = 3;
    private readonly TempDatabase _temp = new();

    protected override IRefStore CreateEmptyStore() => _temp.Open(_temp.NewPath()).Refs;

    protected override IRefStore Reopen(IRefStore store)
    {
        var owner = _temp.OwnerOf(store);
        owner.Dispose();
        return _temp.Open(owner.Path).Refs;
    }

    protected override IRefStore RunWriterProcesses(IRefStore store, int processes, int commitsEach)
    {
        var owner = _temp.OwnerOf(store);
        string writer = StressWriter.DllPath();
        var running = Enumerable.Range(0, processes).Select(i =>
        {
            var start = new ProcessStartInfo(StressWriter.DotnetHost())
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var arg in new[] { writer, owner.Path, i.ToString(CultureInfo.InvariantCulture), commitsEach.ToString(CultureInfo.InvariantCulture), ObjectsPerCommit.ToString(CultureInfo.InvariantCulture) })
            {
                start.ArgumentList.Add(arg);
            }

            return Process.Start(start)!;
        }).ToList();

        foreach (var process in running)
        {
            using (process)
            {
                var stdout = process.StandardOutput.ReadToEndAsync();
                var stderr = process.StandardError.ReadToEndAsync();
                if (!process.WaitForExit(TimeSpan.FromMinutes(3)))
                {
                    process.Kill(entireProcessTree: true);
                    Assert.Fail("A stress writer process did not finish within 3 minutes.");
                }

                Assert.True(process.ExitCode == 0, $"A stress writer exited with {process.ExitCode}: {stderr.Result}");
                Assert.StartsWith("conflicts ", stdout.Result, StringComparison.Ordinal);
            }
        }

        owner.Dispose();
        var reopened = _temp.Open(owner.Path);
        Assert.Equal(processes * commitsEach * ObjectsPerCommit, reopened.SqliteObjects.Count());
        return reopened.Refs;
    }

    protected override void Dispose(bool disposing)
    {
        _temp.Dispose();
        base.Dispose(disposing);
    }
}

internal static class StressWriter
{
    public static string DllPath()
    {
        string pointer = Path.Combine(AppContext.BaseDirectory, "stress-writer.path");
        Assert.True(File.Exists(pointer), $"{pointer} is missing; build tests/Helios.Storage.Sqlite.Tests (it builds the stress writer and writes that file).");
        string dll = File.ReadAllText(pointer).Trim();
        Assert.True(File.Exists(dll), $"The stress writer {dll} is missing; rebuild tests/Helios.Storage.Sqlite.Tests.");
        return dll;
    }

    /// <summary>The dotnet host running these tests (the SDK sets DOTNET_HOST_PATH), else dotnet on PATH.</summary>
    public static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host
        : Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self
        : "dotnet";
}
