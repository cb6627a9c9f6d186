using System.Text;
using Helios.Core.Errors;

namespace Helios.Core.GitInterop;

/// <summary>
/// Reads a git fast-import stream (as <c>git fast-export</c> writes it) incrementally: lines as raw
/// bytes and <c>data N</c> payloads read exactly, so memory holds one line or one payload at a time,
/// never the stream. One line of look-ahead (<see cref="PushBack"/>). Not thread-safe.
/// </summary>
public sealed class FastStreamReader(Stream stream)
{
    private readonly byte[] _buffer = new byte[1 << 16];
    private int _start;
    private int _end;
    private byte[]? _pushedBack;

    /// <summary>Lines read so far, for error messages.</summary>
    public long LineNumber { get; private set; }

    /// <summary>The next line without its LF, or null at the end of the stream.</summary>
    public byte[]? ReadLine()
    {
        if (_pushedBack is { } line)
        {
            _pushedBack = null;
            return line;
        }

        List<byte>? spill = null;
        while (true)
        {
            int lf = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
            if (lf >= 0)
            {
                var part = _buffer.AsSpan(_start, lf - _start);
                _start = lf + 1;
                LineNumber++;
                if (spill is null)
                {
                    return part.ToArray();
                }

                spill.AddRange(part);
                return spill.ToArray();
            }

            if (_end > _start)
            {
                spill ??= [];
                spill.AddRange(_buffer.AsSpan(_start, _end - _start));
            }

            _start = _end = 0;
            if (!Fill())
            {
                if (spill is { Count: > 0 })
                {
                    LineNumber++;
                    return spill.ToArray();
                }

                return null;
            }
        }
    }

    /// <summary>The next line as text (UTF-8, invalid bytes replaced), or null at the end.</summary>
    public string? ReadText() => ReadLine() is { } line ? Encoding.UTF8.GetString(line) : null;

    /// <summary>Makes <paramref name="line"/> the next line <see cref="ReadLine"/> returns.</summary>
    public void PushBack(byte[] line) => _pushedBack = line;

    /// <summary>Reads a <c>data N</c> command's payload of exactly <paramref name="length"/> bytes, then an optional LF.</summary>
    public byte[] ReadData(long length)
    {
        if (length < 0 || length > Array.MaxLength)
        {
            throw Malformed($"a data length of {length} bytes");
        }

        var data = new byte[length];
        int filled = 0;
        while (filled < data.Length)
        {
            if (_start == _end && !Refill())
            {
                throw Malformed($"a data payload cut short ({filled} of {length} bytes)");
            }

            int n = Math.Min(_end - _start, data.Length - filled);
            Buffer.BlockCopy(_buffer, _start, data, filled, n);
            _start += n;
            filled += n;
        }

        // fast-export ends every payload with an LF that is not part of it; fast-import makes it optional.
        if (_start < _end || Refill())
        {
            if (_buffer[_start] == '\n')
            {
                _start++;
            }
        }

        return data;
    }

    /// <summary>Reads the <c>data N</c> line and its payload.</summary>
    public byte[] ReadDataCommand()
    {
        var line = ReadText() ?? throw Malformed("the end of the stream where 'data' was expected");
        if (!line.StartsWith("data ", StringComparison.Ordinal) || !long.TryParse(line.AsSpan(5), out long length))
        {
            throw Malformed($"'{line}' where 'data N' was expected");
        }

        return ReadData(length);
    }

    /// <summary>An error naming the line the stream went wrong at.</summary>
    public HeliosException Malformed(string what) =>
        new(HeliosErrorCode.InvalidArgument, $"The git fast-export stream is malformed at line {LineNumber}: {what}.");

    private bool Refill()
    {
        _start = _end = 0;
        return Fill();
    }

    private bool Fill()
    {
        int n = stream.Read(_buffer, _end, _buffer.Length - _end);
        _end += n;
        return n > 0;
    }
}
