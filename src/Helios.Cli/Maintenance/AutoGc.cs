using System.Diagnostics;
using System.Globalization;

namespace Helios.Cli.Maintenance;

/// <summary>
/// Automatic garbage collection (<c>cleanup.auto_gc_enabled</c>): after a command that can leave garbage, the CLI
/// starts <c>helios gc --auto</c> as a detached background process and returns at once, so the command is not
/// delayed by the collection. Rate-limited by the time stamp in <c>.helios/gc.last</c> (at most one start per
/// <c>cleanup.auto_gc_interval</c>); the background process holds <c>.helios/gc.lock</c> (an exclusive open
/// that the OS drops when the process dies), so two collections never run at once.
/// </summary>
internal static class AutoGc
{
    public const string StampFile = "gc.last";
    public const string LockFile = "gc.lock";

    /// <summary>Starts a background collection when one is due; never throws and never waits for it.</summary>
    public static void MaybeStart(string commonDirectory, string mainRoot, TimeSpan interval)
    {
        try
        {
            string stamp = Path.Combine(commonDirectory, StampFile);
            var last = File.Exists(stamp) ? File.GetLastWriteTimeUtc(stamp) : DateTime.MinValue;
            if (DateTime.UtcNow - last < interval)
            {
                return;
            }

            // Claim the slot before starting, so the commands that follow within the interval do not start more.
            File.WriteAllText(stamp, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture));
            if (Self() is not { } self)
            {
                return;
            }

            var start = new ProcessStartInfo(self.Program)
            {
                WorkingDirectory = mainRoot,
                UseShellExecute = false,
                // Own pipes, closed at once: the child must not hold the parent's stdout open (a caller reading it to
                // the end would wait for the collection) and writes nothing anyway.
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            foreach (var argument in self.Prefix)
            {
                start.ArgumentList.Add(argument);
            }

            start.ArgumentList.Add("-C");
            start.ArgumentList.Add(mainRoot);
            start.ArgumentList.Add("gc");
            start.ArgumentList.Add("--auto");
            using var process = Process.Start(start);
            process?.StandardInput.Close();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            // Automatic gc is a convenience: a command never fails because it could not start one.
        }
    }

    /// <summary>
    /// Holds the gc lock for the life of the returned handle, or null when another process holds it.
    /// </summary>
    public static FileStream? TryLock(string commonDirectory)
    {
        try
        {
            return new FileStream(Path.Combine(commonDirectory, LockFile), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>How to start this program again: the apphost itself, or <c>dotnet helios.dll</c>; null inside a test host.</summary>
    private static (string Program, string[] Prefix)? Self()
    {
        string? process = Environment.ProcessPath;
        string assembly = typeof(AutoGc).Assembly.Location;
        if (process is null || assembly.Length == 0)
        {
            return null;
        }

        string name = Path.GetFileNameWithoutExtension(process);
        if (name == "dotnet")
        {
            return (process, [assembly]);
        }

        return name.Equals(Path.GetFileNameWithoutExtension(assembly), StringComparison.Ordinal) || name == "helios" ? (process, []) : null;
    }
}
