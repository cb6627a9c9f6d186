using System.Globalization;
using Helios.Core.Errors;

namespace Helios.Cli.Configuration;

/// <summary>
/// The text syntax of each <see cref="ConfigValueType"/>. Sizes use binary units whatever their
/// spelling, because that is what memory and file sizes mean in practice: <c>1KB</c> = <c>1KiB</c> =
/// <c>1K</c> = 1024 bytes, MB = 1024², GB = 1024³, TB = 1024⁴; units are case-insensitive and a bare
/// number is bytes. Durations are one or more whole numbers each followed by a lowercase unit
/// (<c>ms</c>, <c>s</c>, <c>m</c>, <c>h</c>, <c>d</c>): <c>90s</c>, <c>30m</c>, <c>48h</c>, <c>7d</c>,
/// <c>1h30m</c>; a bare <c>0</c> is zero. Fractions and negative values are rejected everywhere.
/// </summary>
public static class ConfigValues
{
    private static readonly (string Unit, long Factor)[] SizeUnits =
    [
        ("", 1), ("b", 1),
        ("k", 1L << 10), ("kb", 1L << 10), ("kib", 1L << 10),
        ("m", 1L << 20), ("mb", 1L << 20), ("mib", 1L << 20),
        ("g", 1L << 30), ("gb", 1L << 30), ("gib", 1L << 30),
        ("t", 1L << 40), ("tb", 1L << 40), ("tib", 1L << 40),
    ];

    private static readonly (string Unit, long Ticks)[] DurationUnits =
    [
        ("ms", TimeSpan.TicksPerMillisecond),
        ("s", TimeSpan.TicksPerSecond),
        ("m", TimeSpan.TicksPerMinute),
        ("h", TimeSpan.TicksPerHour),
        ("d", TimeSpan.TicksPerDay),
    ];

    /// <summary>Parses a size such as <c>512MB</c>, <c>2GiB</c> or <c>65536</c> into bytes (binary units).</summary>
    public static bool TryParseSize(string text, out long bytes)
    {
        bytes = 0;
        var s = text.Trim();
        int digits = CountDigits(s, 0);
        if (digits == 0 || !long.TryParse(s.AsSpan(0, digits), NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            return false;
        }

        var unit = s[digits..].TrimStart().ToLowerInvariant();
        foreach (var (name, factor) in SizeUnits)
        {
            if (unit == name)
            {
                if (number > long.MaxValue / factor)
                {
                    return false;
                }

                bytes = number * factor;
                return true;
            }
        }

        return false;
    }

    /// <summary>Parses a duration such as <c>48h</c>, <c>30m</c>, <c>7d</c>, <c>90s</c>, <c>1h30m</c> or <c>0</c>.</summary>
    public static bool TryParseDuration(string text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        var s = text.Trim();
        if (s == "0")
        {
            return true;
        }

        long ticks = 0;
        int i = 0;
        while (i < s.Length)
        {
            int digits = CountDigits(s, i);
            if (digits == 0 || !long.TryParse(s.AsSpan(i, digits), NumberStyles.None, CultureInfo.InvariantCulture, out var number))
            {
                return false;
            }

            i += digits;
            var (unit, unitTicks) = DurationUnits.FirstOrDefault(u => string.CompareOrdinal(s, i, u.Unit, 0, u.Unit.Length) == 0
                && (i + u.Unit.Length == s.Length || char.IsAsciiDigit(s[i + u.Unit.Length])));
            if (unit is null || number > (long.MaxValue - ticks) / unitTicks)
            {
                return false;
            }

            ticks += number * unitTicks;
            i += unit.Length;
        }

        duration = TimeSpan.FromTicks(ticks);
        return s.Length > 0;
    }

    /// <summary>Parses <c>true</c> or <c>false</c> in any letter case.</summary>
    public static bool TryParseBool(string text, out bool value)
    {
        var s = text.Trim();
        value = string.Equals(s, "true", StringComparison.OrdinalIgnoreCase);
        return value || string.Equals(s, "false", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// Checks <paramref name="text"/> against <paramref name="key"/>'s type and returns its canonical
    /// text (bools and enum words lowercase, ints in plain digits, other values trimmed); a value that
    /// does not fit is <see cref="HeliosErrorCode.InvalidArgument"/> with a message naming the key and
    /// what it accepts.
    /// </summary>
    public static string Normalize(ConfigKey key, string text)
    {
        if (TryNormalize(key, text, out var canonical, out var problem))
        {
            return canonical;
        }

        throw new HeliosException(HeliosErrorCode.InvalidArgument, problem + ".");
    }

    /// <summary>Like <see cref="Normalize"/>, but reports the problem (a sentence without its final stop) instead of throwing.</summary>
    public static bool TryNormalize(ConfigKey key, string text, out string canonical, out string problem)
    {
        var s = text.Trim();
        canonical = s;
        problem = "";
        switch (key.Type)
        {
            case ConfigValueType.Size:
                if (TryParseSize(s, out var bytes) && bytes >= key.Minimum)
                {
                    return true;
                }

                problem = $"{key.Name} must be a size of at least {key.Minimum} bytes such as 512MB, 2GB or 64KiB (binary units: 1KB = 1024 bytes), not '{text}'";
                return false;

            case ConfigValueType.Duration:
                if (TryParseDuration(s, out _))
                {
                    return true;
                }

                problem = $"{key.Name} must be a duration such as 90s, 30m, 48h, 7d or 1h30m (units ms, s, m, h, d), not '{text}'";
                return false;

            case ConfigValueType.Bool:
                if (TryParseBool(s, out var flag))
                {
                    canonical = flag ? "true" : "false";
                    return true;
                }

                problem = $"{key.Name} must be true or false, not '{text}'";
                return false;

            case ConfigValueType.Int:
                if (long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number) && number >= key.Minimum && number <= key.Maximum)
                {
                    canonical = number.ToString(CultureInfo.InvariantCulture);
                    return true;
                }

                problem = $"{key.Name} must be a whole number from {key.Minimum} to {key.Maximum}, not '{text}'";
                return false;

            case ConfigValueType.Enum:
                var word = key.Allowed!.FirstOrDefault(a => string.Equals(a, s, StringComparison.OrdinalIgnoreCase));
                if (word is not null)
                {
                    canonical = word;
                    return true;
                }

                problem = $"{key.Name} must be one of {string.Join(", ", key.Allowed!)}, not '{text}'";
                return false;

            case ConfigValueType.String:
                if (s.Length > 0 && !s.Any(char.IsControl))
                {
                    return true;
                }

                problem = $"{key.Name} must be one non-empty line of text, not '{text}'";
                return false;

            default:
                throw new InvalidOperationException($"Unhandled value type {key.Type}.");
        }
    }

    private static int CountDigits(string s, int start)
    {
        int i = start;
        while (i < s.Length && char.IsAsciiDigit(s[i]))
        {
            i++;
        }

        return i - start;
    }
}
