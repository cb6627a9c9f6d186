using System.Diagnostics;

namespace Helios.Cli.Tests;

/// <summary>
/// Runs the seed's three Python agent workflows (<c>tests/e2e/*.py</c>, copied next to this
/// assembly) as real scripts: <c>python3</c> in a fresh temp folder, with the folder holding the
/// built <c>helios</c> program first on PATH, as an agent's <c>subprocess</c> calls would find it.
/// A missing python3 fails these tests; it does not skip them.
/// </summary>
public sealed class SeedWorkflowTests
{
    [Fact]
    public void Best_of_n_keeps_the_best_variant_and_the_log_lists_only_the_kept_ones() => RunScript("best_of_n.py");

    [Fact]
    public void Five_agents_in_their_own_worktrees_commit_and_roll_back_in_parallel() => RunScript("parallel_agents.py");

    [Fact]
    public void Safe_refactor_checkout_of_the_checkpoint_restores_every_file() => RunScript("safe_refactor.py");

    private static void RunScript(string script)
    {
        string scriptPath = Path.Combine(AppContext.BaseDirectory, "e2e", script);
        Assert.True(File.Exists(scriptPath), $"{scriptPath} was not copied to the test output.");
        string cliDirectory = AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar);
        Assert.True(File.Exists(Path.Combine(cliDirectory, "helios")), $"the built helios program is not in {cliDirectory}.");
        string path = Environment.GetEnvironmentVariable("PATH") ?? "";
        string python = FindOnPath("python3", path)
            ?? throw new InvalidOperationException("python3 is not on PATH: the end-to-end workflow tests need it (./test.sh installs it).");

        var folder = Directory.CreateTempSubdirectory("helios-e2e-");
        try
        {
            var start = new ProcessStartInfo(python)
            {
                WorkingDirectory = folder.FullName,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            start.ArgumentList.Add(scriptPath);
            start.ArgumentList.Add("--dir");
            start.ArgumentList.Add(folder.FullName);
            start.Environment["PATH"] = cliDirectory + Path.PathSeparator + path;
            start.Environment["PYTHONDONTWRITEBYTECODE"] = "1";

            using var process = Process.Start(start)!;
            var stderr = process.StandardError.ReadToEndAsync();
            var stdout = process.StandardOutput.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
            {
                process.Kill(entireProcessTree: true);
                Assert.Fail($"{script} did not finish in 5 minutes.\n--- stdout ---\n{stdout.Result}\n--- stderr ---\n{stderr.Result}");
            }

            Assert.True(process.ExitCode == 0,
                $"{script} exited with {process.ExitCode}.\n--- stdout ---\n{stdout.Result}\n--- stderr ---\n{stderr.Result}");
            Assert.Contains($"{Path.GetFileNameWithoutExtension(script)}: PASS", stdout.Result, StringComparison.Ordinal);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private static string? FindOnPath(string program, string path) =>
        path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(d => Path.Combine(d, program))
            .FirstOrDefault(File.Exists);
}
