using Helios.Core.Errors;
using Helios.Core.Objects;
using Helios.Core.Refs;

namespace Helios.Core.WorkingTrees;

/// <summary>A worktree registered with a repository: its name and where it lives.</summary>
public sealed record WorktreeInfo(string Name, string Path);

/// <summary>
/// Where a worktree's files are. The main worktree's <c>.helios/</c> holds the shared store, the
/// configuration, its own index and <c>worktrees/NAME</c> files (one per linked worktree, holding
/// its path). A linked worktree's <c>.helios/</c> holds a <c>worktree</c> file (the main
/// <c>.helios</c> directory and the worktree's name) and its own index; its HEAD is the ref
/// <c>worktrees/NAME/HEAD</c> in the shared store.
/// </summary>
public sealed class WorktreeLayout
{
    private const string LinkFile = "worktree";
    private const string RegistryDirectory = "worktrees";

    private WorktreeLayout(string root, string commonDirectory, string? name)
    {
        Root = root;
        CommonDirectory = commonDirectory;
        Name = name;
    }

    /// <summary>The worktree's top directory.</summary>
    public string Root { get; }

    /// <summary>The main worktree's <c>.helios</c> directory: store, configuration, registry.</summary>
    public string CommonDirectory { get; }

    /// <summary>The linked worktree's name; null for the main worktree.</summary>
    public string? Name { get; }

    /// <summary>The main worktree's top directory.</summary>
    public string MainRoot => Path.GetDirectoryName(CommonDirectory)!;

    public string MetadataDirectory => Path.Combine(Root, EntryName.MetadataDirectory);

    public string IndexFile => Path.Combine(MetadataDirectory, "index");

    /// <summary>The ref this worktree uses as HEAD.</summary>
    public RefName Head => Name is null ? RefName.Head : HeadOf(Name);

    /// <summary>The name recorded as the agent of this worktree's operations.</summary>
    public string Agent => Name ?? "main";

    public static RefName HeadOf(string name) => RefName.Parse($"{RegistryDirectory}/{name}/HEAD");

    /// <summary>The worktree containing <paramref name="directory"/>, found by walking up; null when there is none.</summary>
    public static WorktreeLayout? Find(string directory)
    {
        for (var dir = new DirectoryInfo(Path.GetFullPath(directory)); dir is not null; dir = dir.Parent)
        {
            string metadata = Path.Combine(dir.FullName, EntryName.MetadataDirectory);
            if (!Directory.Exists(metadata))
            {
                continue;
            }

            string link = Path.Combine(metadata, LinkFile);
            if (!File.Exists(link))
            {
                return new WorktreeLayout(dir.FullName, metadata, null);
            }

            var values = File.ReadAllLines(link).Select(l => l.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1]);
            if (!values.TryGetValue("common", out var common) || !values.TryGetValue("name", out var name))
            {
                throw new HeliosException(HeliosErrorCode.InvalidState, $"{link} is damaged: it must name the main repository (common=) and the worktree (name=).");
            }

            if (!Directory.Exists(common))
            {
                throw new HeliosException(HeliosErrorCode.RepositoryNotFound, $"The worktree at {dir.FullName} belongs to a repository that no longer exists ({common}).");
            }

            return new WorktreeLayout(dir.FullName, common, name);
        }

        return null;
    }

    /// <summary>The layout of a new main worktree at <paramref name="root"/> (init creates the files).</summary>
    public static WorktreeLayout Main(string root)
    {
        root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));
        return new WorktreeLayout(root, Path.Combine(root, EntryName.MetadataDirectory), null);
    }

    /// <summary>
    /// Creates the directory <paramref name="path"/> (which must not exist or be empty) and
    /// reserves a unique worktree name for it, derived from its last component. Safe when several
    /// processes add worktrees at once: each name file is created exclusively.
    /// </summary>
    public WorktreeLayout Register(string path)
    {
        path = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
        if (File.Exists(path) || (Directory.Exists(path) && Directory.EnumerateFileSystemEntries(path).Any()))
        {
            throw new HeliosException(HeliosErrorCode.AlreadyExists, $"'{path}' already exists; choose a new path for the worktree.");
        }

        string registry = Path.Combine(CommonDirectory, RegistryDirectory);
        Directory.CreateDirectory(registry);
        string baseName = SanitizeName(Path.GetFileName(path));
        for (int attempt = 1; ; attempt++)
        {
            string name = attempt == 1 ? baseName : $"{baseName}-{attempt}";
            try
            {
                using (var stream = new FileStream(Path.Combine(registry, name), FileMode.CreateNew, FileAccess.Write))
                using (var writer = new StreamWriter(stream))
                {
                    writer.Write(path + "\n");
                }

                Directory.CreateDirectory(Path.Combine(path, EntryName.MetadataDirectory));
                File.WriteAllText(Path.Combine(path, EntryName.MetadataDirectory, LinkFile), $"common={CommonDirectory}\nname={name}\n");
                return new WorktreeLayout(path, CommonDirectory, name);
            }
            catch (IOException) when (File.Exists(Path.Combine(registry, name)))
            {
                // Taken by another worktree (maybe one being added right now): try the next name.
            }
        }
    }

    /// <summary>The linked worktrees, sorted by name.</summary>
    public IReadOnlyList<WorktreeInfo> ListLinked()
    {
        string registry = Path.Combine(CommonDirectory, RegistryDirectory);
        if (!Directory.Exists(registry))
        {
            return [];
        }

        return Directory.EnumerateFiles(registry)
            .Select(f => new WorktreeInfo(Path.GetFileName(f), File.ReadAllText(f).TrimEnd('\n')))
            .OrderBy(w => w.Name, StringComparer.Ordinal)
            .ToArray();
    }

    /// <summary>The layout of a registered linked worktree.</summary>
    public WorktreeLayout Linked(WorktreeInfo info) => new(info.Path, CommonDirectory, info.Name);

    /// <summary>Forgets a linked worktree (its name file); the caller deletes its directory and HEAD.</summary>
    public void Unregister(string name) => File.Delete(Path.Combine(CommonDirectory, RegistryDirectory, name));

    private static string SanitizeName(string name)
    {
        var chars = name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '-').ToArray();
        string clean = new string(chars).Trim('-');
        return clean.Length == 0 ? "worktree" : clean;
    }
}
