using System.Runtime.InteropServices;
using Helios.Core.Errors;

namespace Helios.Core.Memory;

/// <summary>
/// A merge-log key kept in a PKCS#8 PEM file that only its owner may read (mode 0600 on Unix, in a
/// 0700 folder when the folder is created here). Which path is the composition root's policy: the
/// on-disk repositories use <c>.helios/keys/merge-log.pem</c>. Creation is atomic and safe against
/// other processes: the key is written in full to a private temporary file and then published under
/// the final name only if that name is still free (a hard link on Linux, a no-overwrite move
/// elsewhere), so two processes creating the key at once end up using the same one.
/// </summary>
public static partial class MergeLogKeyFile
{
    private const int EExist = 17;

    /// <summary>The key in <paramref name="path"/>, created there first when the file does not exist.</summary>
    /// <exception cref="StorageException">The file or its folder cannot be read or written.</exception>
    /// <exception cref="HeliosException">The file does not hold a P-256 private key (<see cref="HeliosErrorCode.Corruption"/>).</exception>
    public static MemorySigningKey LoadOrCreate(string path)
    {
        if (!File.Exists(path))
        {
            using var key = MemorySigningKey.Generate();
            Publish(path, key.ExportPrivateKeyPem());
        }

        return Load(path);
    }

    /// <summary>The key in <paramref name="path"/>; not-found when the file does not exist.</summary>
    public static MemorySigningKey Load(string path)
    {
        string pem;
        try
        {
            pem = File.ReadAllText(path);
        }
        catch (FileNotFoundException)
        {
            throw new NotFoundException(path, $"The merge-log key {path} does not exist.");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StorageException($"Cannot read the merge-log key {path}: {e.Message}", e);
        }

        try
        {
            return MemorySigningKey.FromPem(pem);
        }
        catch (HeliosException e) when (e.Code == HeliosErrorCode.InvalidArgument)
        {
            throw new HeliosException(HeliosErrorCode.Corruption, $"The merge-log key {path} is damaged: {e.Message} Restore it from a backup; a new key cannot sign on for the old one.", e);
        }
    }

    private static void Publish(string path, string pem)
    {
        string temporary = $"{path}.{Guid.NewGuid():N}.tmp";
        try
        {
            var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(folder);
            }
            else
            {
                Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }

            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            using (var stream = new FileStream(temporary, options))
            {
                stream.Write(System.Text.Encoding.ASCII.GetBytes(pem));
                stream.Flush(flushToDisk: true);
            }

            if (OperatingSystem.IsLinux())
            {
                // File.Move checks for the target and then renames, which a racing process could overwrite.
                if (link(temporary, path) != 0 && Marshal.GetLastPInvokeError() is var errno && errno != EExist)
                {
                    throw new IOException(Marshal.GetPInvokeErrorMessage(errno));
                }
            }
            else
            {
                try
                {
                    File.Move(temporary, path, overwrite: false);
                }
                catch (IOException) when (File.Exists(path))
                {
                    // Another process published its key first; use that one.
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StorageException($"Cannot create the merge-log key {path}: {e.Message}", e);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    [LibraryImport("libc.so.6", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int link(string existing, string created);
}
