using System.Diagnostics;
using System.Text;

namespace Helios.Core.Tests.Merging;

/// <summary>
/// A throwaway git repository in a temp folder, run with no system or user configuration, for
/// differential tests that ask real git the answer. Missing git fails the test.
/// </summary>
internal sealed class GitOracle : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("helios-git-oracle-").FullName;

    public GitOracle()
    {
        Root = Path.Combine(_temp, "repo");
        Directory.CreateDirectory(Root);
        Run("init", "-q", "--template=", "-b", "main", ".");
    }

    /// <summary>The working tree.</summary>
    public string Root { get; }

    /// <summary>Runs git in <see cref="Root"/>; throws unless the exit code is allowed. Returns stdout.</summary>
    public string Run(params string[] args) => Try(args, [0]).Stdout;

    /// <summary>Runs git, feeding <paramref name="stdin"/>; throws unless the exit code is one of <paramref name="allowedExitCodes"/>.</summary>
    public (int ExitCode, string Stdout) Try(string[] args, int[] allowedExitCodes, byte[]? stdin = null)
    {
        var start = new ProcessStartInfo("git")
        {
            WorkingDirectory = Root,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        start.Environment["HOME"] = _temp;
        start.Environment["GIT_CONFIG_NOSYSTEM"] = "1";
        start.Environment["GIT_CONFIG_GLOBAL"] = "/dev/null";
        start.Environment["GIT_AUTHOR_NAME"] = "T";
        start.Environment["GIT_AUTHOR_EMAIL"] = "t@example.com";
        start.Environment["GIT_COMMITTER_NAME"] = "T";
        start.Environment["GIT_COMMITTER_EMAIL"] = "t@example.com";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            process.StandardInput.BaseStream.Write(stdin);
        }

        process.StandardInput.Close();
        process.WaitForExit();
        if (!allowedExitCodes.Contains(process.ExitCode))
        {
            throw new InvalidOperationException($"git {string.Join(' ', args)} exited with {process.ExitCode}: {stderr.Result}");
        }

        return (process.ExitCode, stdout.Result);
    }

    /// <summary>Runs git with <paramref name="stdin"/> as its input; throws unless it exits with 0.</summary>
    public string Feed(string[] args, string stdin) => Try(args, [0], Encoding.UTF8.GetBytes(stdin)).Stdout;

    public void Dispose() => Directory.Delete(_temp, recursive: true);
}
