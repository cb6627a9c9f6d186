using System.Reflection;
using System.Runtime.InteropServices;
using Helios.Core.Errors;

namespace Helios.Core.Compression;

/// <summary>
/// The one place where Core's P/Invoke library names are mapped to system libraries. Debian ships
/// only the versioned runtime names (<c>liblz4.so.1</c>), not the unversioned development symlinks
/// the default probing looks for, so each logical name lists the files to try in order.
/// Thread-safe. Registration happens once per process, before the first native call.
/// </summary>
internal static class NativeLibraries
{
    /// <summary>Logical library name used in <c>[LibraryImport]</c> for liblz4.</summary>
    public const string Lz4 = "lz4";

    /// <summary>Logical library name reserved for libzstd.</summary>
    public const string Zstd = "zstd";

    private static readonly Dictionary<string, NativeLibrarySpec> s_known = new(StringComparer.Ordinal)
    {
        [Lz4] = new("liblz4", "liblz4-1", ["liblz4.so.1", "liblz4.so", "lz4"]),
        [Zstd] = new("libzstd", "libzstd1", ["libzstd.so.1", "libzstd.so", "zstd"]),
    };

    private static readonly Lock s_registrationLock = new();
    private static bool s_registered;

    /// <summary>
    /// Installs the resolver for the Core assembly. Idempotent and thread-safe; the runtime allows
    /// one resolver per assembly, so nothing else in Core may call <see cref="NativeLibrary.SetDllImportResolver"/>.
    /// </summary>
    public static void EnsureRegistered()
    {
        lock (s_registrationLock)
        {
            if (!s_registered)
            {
                NativeLibrary.SetDllImportResolver(typeof(NativeLibraries).Assembly, Resolve);
                s_registered = true;
            }
        }
    }

    private static IntPtr Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (!s_known.TryGetValue(libraryName, out var spec))
        {
            // Not ours: let the runtime's default probing handle it.
            return IntPtr.Zero;
        }

        lock (spec)
        {
            if (spec.Handle == IntPtr.Zero)
            {
                spec.Handle = Load(spec, assembly, searchPath);
            }

            return spec.Handle;
        }
    }

    /// <summary>
    /// Loads the first candidate that the system can open, or throws a <see cref="HeliosException"/>
    /// (<see cref="HeliosErrorCode.Storage"/>) naming the Debian package that provides the library.
    /// </summary>
    internal static IntPtr Load(NativeLibrarySpec spec, Assembly assembly, DllImportSearchPath? searchPath)
    {
        foreach (string candidate in spec.Candidates)
        {
            // A bare name such as "lz4" goes through the runtime's probing (lib prefix, platform
            // suffix, application folder); a file name such as "liblz4.so.1" goes straight to dlopen.
            bool loaded = candidate.Contains('.', StringComparison.Ordinal)
                ? NativeLibrary.TryLoad(candidate, out var handle)
                : NativeLibrary.TryLoad(candidate, assembly, searchPath, out handle);
            if (loaded)
            {
                return handle;
            }
        }

        throw new HeliosException(
            HeliosErrorCode.Storage,
            $"The native library {spec.DisplayName} could not be loaded (tried {string.Join(", ", spec.Candidates)}); " +
            $"install it with 'apt-get install {spec.DebianPackage}'.");
    }
}

/// <summary>A native library Core binds to: how to name it, which package provides it, which files to try.</summary>
internal sealed record NativeLibrarySpec(string DisplayName, string DebianPackage, IReadOnlyList<string> Candidates)
{
    /// <summary>The loaded library, once loaded (set under a lock on the spec).</summary>
    public IntPtr Handle { get; set; }
}
