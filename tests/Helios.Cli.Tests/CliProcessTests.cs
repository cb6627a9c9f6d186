namespace Helios.Cli.Tests;

/// <summary>Runs the built <c>helios</c> program as a real process, as agents and scripts do.</summary>
public sealed class CliProcessTests
{
    [Fact]
    public void Demo_runs_an_agent_workflow_on_disk_prints_timings_and_exits_0()
    {
        var (code, stdout, stderr) = RunHelios("demo", "--agents", "2", "--variants", "40");
        Assert.True(code == 0, $"exit {code}: {stderr}");
        Assert.Contains("agent-1/experiment: 40 commits", stdout, StringComparison.Ordinal);
        Assert.Contains("agent-2/experiment: 40 commits", stdout, StringComparison.Ordinal);
        Assert.Contains("winner: agent-", stdout, StringComparison.Ordinal);
        Assert.Matches(@"commits:\s+80 in [0-9.]+ s", stdout);
        Assert.Matches(@"commit:\s+p50 [0-9]+ us", stdout);
        Assert.Matches(@"checkout:\s+p50 [0-9]+ us", stdout);
        Assert.Matches(@"memory: 2 agents derived memory branches; [12] merged back \(newest-wins\)", stdout);
        Assert.Contains("merge log: The merge log verifies:", stdout, StringComparison.Ordinal);
        Assert.Matches(@"checkpoints: p50 [0-9.]+ ms per frame", stdout);
        Assert.Contains("diff frame 0 -> 10: 100,000 agents changed in 1 ranges; validate: valid", stdout, StringComparison.Ordinal);
        var folder = System.Text.RegularExpressions.Regex.Match(stdout, @"at (\S+)/\.helios/store\.db").Groups[1].Value;
        Assert.False(Directory.Exists(folder), "the demo removes its temp repository");
    }

    [Fact]
    public void An_unknown_command_is_a_usage_error_with_exit_code_2()
    {
        var (code, _, stderr) = RunHelios("no-such-command");
        Assert.Equal(2, code);
        Assert.Contains("helios --help", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_demo_arguments_give_one_clear_error_and_exit_code_2()
    {
        var (code, stdout, stderr) = RunHelios("demo", "--agents", "0");
        Assert.Equal(2, code);
        Assert.Equal("helios: --agents and --variants must be at least 1.", stderr.Trim());
        Assert.Empty(stdout);
    }

    [Fact]
    public void B3sum_as_a_process_prints_what_b3sum_prints()
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllBytes(file, System.Security.Cryptography.RandomNumberGenerator.GetBytes(100_000));
            var (code, stdout, _) = RunHelios("b3sum", file);
            var expected = HeliosProcess.RunProgram("b3sum", Environment.CurrentDirectory, file);
            Assert.Equal(0, code);
            Assert.Equal(expected.Stdout, stdout);
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static ProcessResult RunHelios(params string[] args) => HeliosProcess.Run(Environment.CurrentDirectory, args);
}
