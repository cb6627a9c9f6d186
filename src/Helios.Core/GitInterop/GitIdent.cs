using System.Globalization;
using System.Text;
using Helios.Core.Objects;

namespace Helios.Core.GitInterop;

/// <summary>
/// git's identity lines (<c>Name &lt;email&gt; SECONDS +HHMM</c>) to and from Helios
/// <see cref="Signature"/>s. An identity that the signature cannot rebuild byte for byte (bytes that
/// are not UTF-8, a <c>-0000</c> or out-of-range zone, odd spacing) is kept whole, base64-encoded, in
/// commit metadata (<see cref="AuthorKey"/>, <see cref="CommitterKey"/>) so export restores it.
/// </summary>
public static class GitIdent
{
    /// <summary>Metadata key holding the author line's exact bytes (base64) when the signature cannot rebuild them.</summary>
    public const string AuthorKey = "git.author";

    /// <summary>As <see cref="AuthorKey"/>, for the committer.</summary>
    public const string CommitterKey = "git.committer";

    /// <summary>Metadata key holding a commit's <c>encoding</c> header.</summary>
    public const string EncodingKey = "git.encoding";

    /// <summary>Tag metadata key: a tagger line kept verbatim (base64), as <see cref="AuthorKey"/> for commits.</summary>
    public const string TaggerKey = "git.tagger";

    private static readonly UTF8Encoding Strict = new(false, throwOnInvalidBytes: true);

    /// <summary>
    /// Parses an identity (the bytes after <c>author </c>). Returns the closest signature and whether
    /// <see cref="Format"/> rebuilds <paramref name="raw"/> exactly.
    /// </summary>
    public static Signature Parse(ReadOnlySpan<byte> raw, out bool exact)
    {
        exact = false;
        int gt = raw.LastIndexOf((byte)'>');
        int lt = gt < 0 ? -1 : raw[..gt].IndexOf((byte)'<');
        string name = "", email = "";
        var when = DateTimeOffset.UnixEpoch;
        if (lt < 0)
        {
            return new Signature(Lossy(raw), "", when);
        }

        var nameBytes = raw[..lt].TrimEnd((byte)' ');
        try
        {
            name = Strict.GetString(nameBytes);
            email = Strict.GetString(raw[(lt + 1)..gt]);
        }
        catch (DecoderFallbackException)
        {
            return new Signature(Lossy(nameBytes), Lossy(raw[(lt + 1)..gt]), when);
        }

        var rest = Encoding.ASCII.GetString(raw[(gt + 1)..]).Trim();
        var parts = rest.Split(' ');
        if (parts.Length == 2 && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out long seconds)
            && ParseZone(parts[1]) is { } offset && seconds <= 253402300799L)
        {
            when = DateTimeOffset.FromUnixTimeSeconds(seconds).ToOffset(offset);
        }

        var signature = new Signature(name, email, when);
        exact = raw.SequenceEqual(Format(signature));
        return signature;
    }

    /// <summary>The identity bytes git writes for <paramref name="signature"/> (seconds; sub-second time is dropped).</summary>
    public static byte[] Format(Signature signature)
    {
        var offset = signature.When.Offset;
        char sign = offset < TimeSpan.Zero ? '-' : '+';
        var abs = offset.Duration();
        var text = $"{signature.Name} <{signature.Email}> {signature.When.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)} {sign}{abs.Hours:00}{abs.Minutes:00}";
        return Encoding.UTF8.GetBytes(text);
    }

    private static TimeSpan? ParseZone(string zone)
    {
        if (zone.Length != 5 || zone[0] is not ('+' or '-') || !int.TryParse(zone.AsSpan(1, 2), NumberStyles.None, CultureInfo.InvariantCulture, out int h)
            || !int.TryParse(zone.AsSpan(3, 2), NumberStyles.None, CultureInfo.InvariantCulture, out int m) || m >= 60)
        {
            return null;
        }

        int minutes = (h * 60 + m) * (zone[0] == '-' ? -1 : 1);
        return minutes is < -840 or > 840 ? null : TimeSpan.FromMinutes(minutes);
    }

    private static string Lossy(ReadOnlySpan<byte> bytes) => Encoding.UTF8.GetString(bytes);
}
