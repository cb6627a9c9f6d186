using System.ComponentModel;
using System.Diagnostics;

namespace Helios.Core.Tests.Hashing;

/// <summary>
/// Runs Debian's <c>b3sum</c>, the reference the tests compare against. Missing b3sum fails the test.
/// Shared with Helios.Cli.Tests (linked there).
/// </summary>
internal static class B3sumTool
{
    public static (int ExitCode, string Stdout, string Stderr) Run(IEnumerable<string> arguments, byte[]? stdin = null)
    {
        var info = new ProcessStartInfo("b3sum")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = System.Text.Encoding.UTF8,
            StandardErrorEncoding = System.Text.Encoding.UTF8,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(info) ?? throw new InvalidOperationException("b3sum did not start.");
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException("b3sum is not installed; these tests compare against it. Install it with: apt-get install -y b3sum", e);
        }

        using (process)
        {
            var stderrTask = process.StandardError.ReadToEndAsync();
            var stdoutTask = process.StandardOutput.ReadToEndAsync();
            try
            {
                process.StandardInput.BaseStream.Write(stdin ?? []);
                process.StandardInput.Close();
            }
            catch (IOException)
            {
                // b3sum may exit (usage error) before reading stdin.
            }

            process.WaitForExit();
            return (process.ExitCode, stdoutTask.GetAwaiter().GetResult(), stderrTask.GetAwaiter().GetResult());
        }
    }
}
