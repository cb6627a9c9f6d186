using System.Diagnostics;

namespace Helios.Core.Tests.Hashing;

/// <summary>The kernels Blake3Kernel4/8/16.g.cs are generated from one template; an edit of either alone must fail here.</summary>
public class Blake3KernelGenerationTests
{
    [Fact]
    public void Generated_kernels_match_their_template()
    {
        var script = Path.Combine(RepositoryRoot(), "src", "Helios.Core", "Hashing", "generate-kernels.py");
        var info = new ProcessStartInfo("python3") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(script);
        info.ArgumentList.Add("--check");
        using var process = Process.Start(info)!;
        string output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();

        Assert.True(process.ExitCode == 0, output);
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Helios.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException($"No Helios.slnx in any ancestor of {AppContext.BaseDirectory}.");
    }
}
