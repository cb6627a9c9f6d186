namespace Helios.Core.Tests.Hashing;

/// <summary>Finds the shared folder that sits beside the repository (<c>&lt;repo&gt;/../shared</c>).</summary>
internal static class SharedData
{
    public static string PathOf(string relativePath)
    {
        var start = AppContext.BaseDirectory;
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", relativePath);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException(
            $"Could not find shared/{relativePath} in any ancestor of {start}; the shared folder is expected beside the repository (<repo>/../shared).");
    }
}
