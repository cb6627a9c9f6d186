using Helios.Cli.Commands;
using Helios.Core.Tests.Hashing;

namespace Helios.Cli.Tests;

/// <summary>Runs <see cref="B3sumCommand"/> and Debian's <c>b3sum</c> on the same arguments and compares everything they print.</summary>
public sealed class B3sumCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("helios-b3sum-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Several_files_print_the_same_lines_as_b3sum()
    {
        var files = new[]
        {
            WriteFile("empty", 0),
            WriteFile("one", 1),
            WriteFile("chunk", 1024),
            WriteFile("chunk plus one", 1025),
            WriteFile("large", (3 << 20) + 17),
        };

        AssertSameAsB3sum(files);
        AssertSameAsB3sum(["--no-names", .. files]);
    }

    [Fact]
    public void Names_with_backslashes_and_newlines_are_escaped_like_b3sum()
    {
        var files = new[] { WriteFile("back\\slash", 10), WriteFile("new\nline", 20), WriteFile("both\\\nx", 30), WriteFile("plain", 5) };
        AssertSameAsB3sum(files);
        AssertSameAsB3sum(["--no-names", .. files]);
    }

    [Fact]
    public void A_missing_file_is_reported_like_b3sum_and_the_others_are_still_hashed()
    {
        var present = WriteFile("present", 100);
        var missing = Path.Combine(_dir, "missing");
        var result = AssertSameAsB3sum([present, missing, present]);
        Assert.Equal(1, result.ExitCode);
        Assert.Equal($"b3sum: {missing}: No such file or directory (os error 2)\n", result.Stderr);
    }

    [Fact]
    public void A_directory_is_reported_like_b3sum()
    {
        var result = AssertSameAsB3sum([_dir]);
        Assert.Equal(1, result.ExitCode);
    }

    [Fact]
    public void No_file_or_a_dash_reads_standard_input()
    {
        var input = RandomBytes(5000, 1);
        AssertSameAsB3sum([], input);
        AssertSameAsB3sum(["-"], input);
        AssertSameAsB3sum(["--no-names", "-"], input);
    }

    [Theory]
    [InlineData("--length", "0")]
    [InlineData("--length", "1")]
    [InlineData("--length", "100")]
    [InlineData("-l", "3000")]
    [InlineData("--length=5", null)]
    [InlineData("--length", "x")]
    [InlineData("--derive-key", "helios b3sum test context")]
    [InlineData("--derive-key=ctx", null)]
    [InlineData("--num-threads", "1")]
    [InlineData("--length", null)]
    public void Options_with_values_behave_like_b3sum(string option, string? value)
    {
        var file = WriteFile("data", 4097);
        string[] args = value is null ? [option, file] : [option, value, file];
        AssertSameAsB3sum(args);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("2")]
    [InlineData("+3")]
    [InlineData("abc")]
    [InlineData("")]
    [InlineData("99999999999999999999999")]
    public void Thread_counts_are_parsed_and_rejected_like_b3sum(string value)
    {
        var file = WriteFile("data", 20_000);
        AssertSameAsB3sum(["--num-threads", value, file]);
        AssertSameAsB3sum([$"--num-threads={value}", file]);
    }

    [Fact]
    public void Large_files_hash_like_b3sum_mapped_or_streamed_on_any_number_of_threads()
    {
        var files = new[]
        {
            WriteFile("below-mmap", (16 * 1024) - 1),
            WriteFile("mmap", 16 * 1024),
            WriteFile("one-mib", (1 << 20) + 17),
            WriteFile("five-mib", (5 << 20) + 1),
        };

        foreach (var options in new[] { Array.Empty<string>(), ["--num-threads", "1"], ["--num-threads", "2"], ["--num-threads", "7"], ["--no-mmap"] })
        {
            AssertSameAsB3sum([.. options, .. files]);
            AssertSameAsB3sum([.. options, "--derive-key", "ctx", "--length", "80", .. files]);
        }

        var key = RandomBytes(32, 3);
        AssertSameAsB3sum(["--keyed", "--num-threads", "2", .. files], key);
    }

    [Theory]
    [InlineData(32)]
    [InlineData(5)]
    [InlineData(40)]
    public void Keyed_mode_reads_the_key_from_standard_input_like_b3sum(int keyLength)
    {
        var file = WriteFile("data", 2049);
        var result = AssertSameAsB3sum(["--keyed", file], RandomBytes(keyLength, 2));
        Assert.Equal(keyLength == 32 ? 0 : 1, result.ExitCode);
    }

    [Theory]
    [InlineData("--bogus")]
    [InlineData("--keyed", "--derive-key", "ctx")]
    [InlineData("--no-names", "--no-names")]
    public void Usage_errors_exit_with_b3sum_exit_code_and_print_nothing_on_stdout(params string[] args)
    {
        var file = WriteFile("data", 10);
        var expected = B3sumTool.Run([.. args, file], stdin: null);
        var actual = Helios([.. args, file], stdin: null);
        Assert.Equal(expected.ExitCode, actual.ExitCode);
        Assert.Equal(expected.Stdout, actual.Stdout);
        Assert.StartsWith("error: ", actual.Stderr, StringComparison.Ordinal);
    }

    private static (int ExitCode, string Stdout, string Stderr) AssertSameAsB3sum(string[] args, byte[]? stdin = null)
    {
        var expected = B3sumTool.Run(args, stdin);
        var actual = Helios(args, stdin);
        Assert.Equal(expected.Stdout, actual.Stdout);
        Assert.Equal(expected.Stderr, actual.Stderr);
        Assert.Equal(expected.ExitCode, actual.ExitCode);
        return actual;
    }

    private static (int ExitCode, string Stdout, string Stderr) Helios(string[] args, byte[]? stdin)
    {
        using var input = new MemoryStream(stdin ?? []);
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var exitCode = B3sumCommand.Run(args, input, stdout, stderr);
        return (exitCode, stdout.ToString(), stderr.ToString());
    }

    private string WriteFile(string name, int size)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllBytes(path, RandomBytes(size, size));
        return path;
    }

    private static byte[] RandomBytes(int size, int seed)
    {
        var bytes = new byte[size];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
