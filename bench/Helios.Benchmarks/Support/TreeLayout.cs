using Helios.Core.Repositories;

namespace Helios.Benchmarks.Support;

/// <summary>
/// A source-like tree: <c>src/modNNN/fileNNN.cs</c>, <see cref="Directories"/> directories of
/// <see cref="FilesPerDirectory"/> files each, sizes uniform in [<see cref="MinBytes"/>, <see cref="MaxBytes"/>).
/// A commit that changes one file therefore rewrites a blob, three trees (root, <c>src</c>, the
/// module) and the commit object.
/// </summary>
internal sealed record TreeLayout(int Directories, int FilesPerDirectory, int MinBytes, int MaxBytes)
{
    /// <summary>10,000 files of 1-4 KiB in 100 directories (about 25 MB).</summary>
    public static TreeLayout TenThousandFiles { get; } = new(100, 100, 1024, 4096);

    public int FileCount => Directories * FilesPerDirectory;

    public static string PathOf(int directory, int file) => $"src/mod{directory:D3}/file{file:D3}.cs";

    /// <summary>The path of the <paramref name="n"/>th file, walking directories first so consecutive edits touch different directories.</summary>
    public string PathOf(long n) => PathOf((int)(n % Directories), (int)(n / Directories % FilesPerDirectory));

    /// <summary>Writes every file into <paramref name="workspace"/> (in memory; nothing is stored).</summary>
    public void WriteInto(Workspace workspace, int seed = 1)
    {
        var random = new Random(seed);
        for (int d = 0; d < Directories; d++)
        {
            for (int f = 0; f < FilesPerDirectory; f++)
            {
                workspace.Write(PathOf(d, f), SourceText.Generate(random, random.Next(MinBytes, MaxBytes)));
            }
        }
    }
}
