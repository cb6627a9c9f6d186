using System.Runtime.InteropServices;
using System.Text;
using System.Text.Unicode;

namespace Helios.Core.WorkingTrees;

/// <summary>What <c>lstat</c> says about a path: enough to tell whether its content may have changed.</summary>
public readonly record struct FileStat(long Size, long ModifiedNanoseconds, long ChangedNanoseconds, ulong Inode, uint Mode)
{
    private const uint TypeMask = 0xF000;

    public bool IsRegularFile => (Mode & TypeMask) == 0x8000;

    public bool IsSymlink => (Mode & TypeMask) == 0xA000;

    public bool IsDirectory => (Mode & TypeMask) == 0x4000;

    /// <summary>Git's rule: a regular file is executable when its owner may execute it.</summary>
    public bool IsExecutable => (Mode & 0x40) != 0;

    // Written out for the same reason as FileVersion.Equals: no generic comparer compiled at start-up.
    public bool Equals(FileStat other) =>
        Size == other.Size && ModifiedNanoseconds == other.ModifiedNanoseconds && ChangedNanoseconds == other.ChangedNanoseconds
        && Inode == other.Inode && Mode == other.Mode;

    public override int GetHashCode() => HashCode.Combine(Size, ModifiedNanoseconds, Inode);
}

/// <summary>
/// The few POSIX calls .NET does not expose: reading a directory with entry types, and lstat with
/// the inode and nanosecond times. One lstat per file is the whole cost of a clean status, so it
/// goes straight to libc (relative to an open directory, so the kernel resolves one component).
/// Linux only (glibc 2.33+: x86-64 and arm64 <c>struct stat</c> layouts).
/// </summary>
internal static partial class NativeFileSystem
{
    private const string Libc = "libc.so.6";
    private const int AtSymlinkNoFollow = 0x100;
    private const int StatBufferSize = 256;

    // struct stat: st_ino, st_size and the timespecs sit at the same offsets on x86-64 and arm64;
    // st_mode does not.
    private const int InodeOffset = 8;
    private static readonly int s_modeOffset = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 24 : 16;
    private const int SizeOffset = 48;
    private const int ModifiedOffset = 88;
    private const int ChangedOffset = 104;

    /// <summary>dirent d_type values.</summary>
    public enum EntryType : byte
    {
        Unknown = 0,
        Directory = 4,
        Regular = 8,
        Symlink = 10,
    }

    public static bool IsSupported { get; } = OperatingSystem.IsLinux()
        && RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.Arm64;

    /// <summary>lstat of <paramref name="path"/>; null when it does not exist (or a component is not a directory).</summary>
    public static unsafe FileStat? LStat(string path)
    {
        byte* buffer = stackalloc byte[StatBufferSize];
        int result = fstatat(-100 /* AT_FDCWD */, path, buffer, AtSymlinkNoFollow);
        return result == 0 ? Read(buffer) : MissingOrThrow(path);
    }

    /// <summary>An open directory: its entries (name bytes and type) and lstat relative to it.</summary>
    public sealed unsafe class Directory : IDisposable
    {
        private nint _dir;
        private readonly int _fd;

        private Directory(nint dir)
        {
            _dir = dir;
            _fd = dirfd(dir);
        }

        /// <summary>Opens a directory; null when it is missing or not a directory.</summary>
        public static Directory? Open(string path)
        {
            nint dir = opendir(path);
            if (dir == 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                return errno is 2 or 20 ? null : throw Error(errno, path);
            }

            return new Directory(dir);
        }

        /// <summary>
        /// The next entry other than . and ..; false at the end. A name that is not valid UTF-8 comes
        /// back with replacement characters and <paramref name="validUtf8"/> false.
        /// </summary>
        public bool Next(out string name, out EntryType type, out bool validUtf8)
        {
            while (true)
            {
                byte* entry = readdir64(_dir);
                if (entry == null)
                {
                    name = "";
                    type = EntryType.Unknown;
                    validUtf8 = true;
                    return false;
                }

                // struct dirent64: d_ino (8), d_off (8), d_reclen (2), d_type (1), d_name.
                byte* namePtr = entry + 19;
                int length = new ReadOnlySpan<byte>(namePtr, 256).IndexOf((byte)0);
                if (length is 1 && namePtr[0] == '.' || length is 2 && namePtr[0] == '.' && namePtr[1] == '.')
                {
                    continue;
                }

                var bytes = new ReadOnlySpan<byte>(namePtr, length);
                validUtf8 = Utf8.IsValid(bytes);
                name = Encoding.UTF8.GetString(bytes);
                type = (EntryType)entry[18];
                return true;
            }
        }

        /// <summary>lstat of an entry of this directory; null when it vanished.</summary>
        public FileStat? LStat(string name)
        {
            byte* buffer = stackalloc byte[StatBufferSize];
            return fstatat(_fd, name, buffer, AtSymlinkNoFollow) == 0 ? Read(buffer) : MissingOrThrow(name);
        }

        public void Dispose()
        {
            if (_dir != 0)
            {
                _ = closedir(_dir);
                _dir = 0;
            }
        }
    }

    private static unsafe FileStat Read(byte* buffer) => new(
        *(long*)(buffer + SizeOffset),
        (*(long*)(buffer + ModifiedOffset) * 1_000_000_000) + *(long*)(buffer + ModifiedOffset + 8),
        (*(long*)(buffer + ChangedOffset) * 1_000_000_000) + *(long*)(buffer + ChangedOffset + 8),
        *(ulong*)(buffer + InodeOffset),
        *(uint*)(buffer + s_modeOffset));

    private static FileStat? MissingOrThrow(string path)
    {
        int errno = Marshal.GetLastPInvokeError();
        return errno is 2 or 20 ? null : throw Error(errno, path);
    }

    private static IOException Error(int errno, string path) =>
        new($"Cannot read '{path}': {Marshal.GetPInvokeErrorMessage(errno)}.");

    [LibraryImport(Libc, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int fstatat(int dirfd, string path, byte* buffer, int flags);

    [LibraryImport(Libc, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint opendir(string path);

    [LibraryImport(Libc, SetLastError = true)]
    private static unsafe partial byte* readdir64(nint dir);

    [LibraryImport(Libc)]
    private static partial int dirfd(nint dir);

    [LibraryImport(Libc)]
    private static partial int closedir(nint dir);
}
