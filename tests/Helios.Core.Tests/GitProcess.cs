using System.ComponentModel;
using System.Diagnostics;

namespace Helios.Core.Tests;

/// <summary>
/// Runs real git for the differential tests, isolated from the caller: no GIT_* or COLUMNS
/// variables, no system, global or user configuration (HOME is a folder the test owns), C locale.
/// Missing git fails the test with the command that installs it.
/// </summary>
internal static class GitProcess
{
    /// <summary>Runs git in <paramref name="directory"/>; returns stdout, throwing with git's stderr unless the exit code is allowed (default 0).</summary>
    public static byte[] Run(string directory, string home, IReadOnlyList<string> arguments, byte[]? stdin = null, params int[] allowedExitCodes)
    {
        if (allowedExitCodes.Length == 0)
        {
            allowedExitCodes = [0];
        }

        var info = new ProcessStartInfo("git")
        {
            WorkingDirectory = directory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        // Nothing from the caller's environment or configuration may change git's answer.
        foreach (var name in info.Environment.Keys.Where(k => k.StartsWith("GIT_", StringComparison.Ordinal) || k == "COLUMNS").ToList())
        {
            info.Environment.Remove(name);
        }

        info.Environment["HOME"] = home;
        info.Environment["XDG_CONFIG_HOME"] = home;
        info.Environment["GIT_CONFIG_NOSYSTEM"] = "1";
        info.Environment["GIT_CONFIG_GLOBAL"] = "/dev/null";
        info.Environment["LC_ALL"] = "C";

        Process process;
        try
        {
            process = Process.Start(info) ?? throw new InvalidOperationException("git did not start.");
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException("git is not installed; these tests compare against it. Install it with: apt-get install -y git", e);
        }

        using (process)
        {
            var stdout = new MemoryStream();
            var stdoutTask = process.StandardOutput.BaseStream.CopyToAsync(stdout);
            var stderrTask = process.StandardError.ReadToEndAsync();
            process.StandardInput.BaseStream.Write(stdin ?? []);
            process.StandardInput.Close();
            process.WaitForExit();
            stdoutTask.GetAwaiter().GetResult();
            if (!allowedExitCodes.Contains(process.ExitCode))
            {
                throw new InvalidOperationException(
                    $"git {string.Join(' ', arguments)} exited with {process.ExitCode}: {stderrTask.GetAwaiter().GetResult()}");
            }

            return stdout.ToArray();
        }
    }
}
