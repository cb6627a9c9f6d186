using System.Diagnostics;

namespace Helios.Cli.Tests;

/// <summary>What a finished process printed and returned.</summary>
public sealed record ProcessResult(int Code, string Stdout, string Stderr)
{
    /// <summary>Stdout split into lines, without the trailing empty one.</summary>
    public string[] Lines => Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    public override string ToString() => $"exit {Code}\nstdout: {Stdout}\nstderr: {Stderr}";
}

/// <summary>
/// Runs the built <c>helios</c> program (<c>dotnet helios.dll</c> from the test's output folder) as
/// a real process, as agents and scripts do: one process per command, no shared state but the disk.
/// </summary>
public static class HeliosProcess
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    /// <summary>Runs <c>helios ARGS</c> in <paramref name="directory"/> and waits for it.</summary>
    public static ProcessResult Run(string directory, params string[] args) => Start(directory, args).Wait();

    /// <summary>Runs <c>helios ARGS</c> in <paramref name="directory"/> and fails the test unless it exits 0.</summary>
    public static ProcessResult Succeed(string directory, params string[] args)
    {
        var result = Run(directory, args);
        Assert.True(result.Code == 0, $"helios {string.Join(' ', args)} in {directory}: {result}");
        return result;
    }

    /// <summary>Starts <c>helios ARGS</c> in <paramref name="directory"/> without waiting: start several, then wait for each.</summary>
    public static Running Start(string directory, params string[] args) =>
        StartProgram("dotnet", directory, [Path.Combine(AppContext.BaseDirectory, "helios.dll"), .. args]);

    /// <summary>Runs any program and waits for it.</summary>
    public static ProcessResult RunProgram(string program, string directory, params string[] args) =>
        StartProgram(program, directory, args).Wait();

    public static Running StartProgram(string program, string directory, params string[] args)
    {
        var start = new ProcessStartInfo(program)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        // The agent name is recorded in the operation log; a value from the caller's shell would leak in.
        start.Environment.Remove("HELIOS_AGENT");
        return new Running(Process.Start(start)!, $"{program} {string.Join(' ', args)}");
    }

    /// <summary>A started process whose output is being collected.</summary>
    public sealed class Running
    {
        private readonly Process _process;
        private readonly string _command;
        private readonly Task<string> _stdout;
        private readonly Task<string> _stderr;

        internal Running(Process process, string command)
        {
            _process = process;
            _command = command;
            _stdout = process.StandardOutput.ReadToEndAsync();
            _stderr = process.StandardError.ReadToEndAsync();
        }

        public ProcessResult Wait()
        {
            using (_process)
            {
                if (!_process.WaitForExit(Timeout))
                {
                    _process.Kill(entireProcessTree: true);
                    throw new TimeoutException($"'{_command}' did not finish in {Timeout.TotalMinutes} minutes.");
                }

                _process.WaitForExit();
                return new ProcessResult(_process.ExitCode, _stdout.Result, _stderr.Result);
            }
        }
    }
}

/// <summary>A fresh folder under the system temp folder, deleted with everything in it on dispose.</summary>
public sealed class TempDirectory : IDisposable
{
    public TempDirectory() => Path = Directory.CreateTempSubdirectory("helios-cli-").FullName;

    public string Path { get; }

    public string this[string relative] => System.IO.Path.Combine(Path, relative);

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
