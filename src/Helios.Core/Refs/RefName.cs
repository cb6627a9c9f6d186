using Helios.Core.Errors;

namespace Helios.Core.Refs;

/// <summary>
/// A validated ref name: <c>HEAD</c>, <c>refs/heads/main</c>, <c>worktrees/a/HEAD</c>. The rules follow
/// git's check-ref-format: slash-separated non-empty components, none starting with '.', ending in
/// ".lock", or containing "..", "@{", control characters, space or any of ~^:?*[\.
/// </summary>
public readonly record struct RefName
{
    /// <summary>The ref naming the checked-out branch or commit.</summary>
    public static readonly RefName Head = new("HEAD", validated: true);

    private RefName(string value, bool validated)
    {
        _ = validated;
        Value = value;
    }

    public string Value { get; }

    public static RefName Parse(string value) =>
        Validate(value) is { } problem
            ? throw new HeliosException(HeliosErrorCode.InvalidArgument, $"'{value}' is not a valid ref name: {problem}.")
            : new RefName(value, validated: true);

    public static bool IsValid(string value) => Validate(value) is null;

    /// <summary>For names already checked by <see cref="Validate"/> (a valid branch name under <c>refs/heads/</c> is a valid ref).</summary>
    internal static RefName FromValidated(string value) => new(value, validated: true);

    /// <summary>Null when valid, else a short description of the problem.</summary>
    public static string? Validate(string value)
    {
        if (string.IsNullOrEmpty(value)) return "it is empty";
        if (value.EndsWith('/') || value.StartsWith('/')) return "it starts or ends with '/'";
        if (value.Contains("..", StringComparison.Ordinal)) return "it contains '..'";
        if (value.Contains("@{", StringComparison.Ordinal)) return "it contains '@{'";
        if (value == "@") return "'@' alone is reserved";
        foreach (char c in value)
        {
            if (c < 0x20 || c == 0x7f || c is ' ' or '~' or '^' or ':' or '?' or '*' or '[' or '\\')
            {
                return $"it contains the character {Printable(c)}";
            }
        }

        foreach (var component in value.Split('/'))
        {
            if (component.Length == 0) return "it contains '//'";
            if (component[0] == '.') return "a component starts with '.'";
            if (component.EndsWith(".lock", StringComparison.Ordinal)) return "a component ends with '.lock'";
        }

        return value.EndsWith('.') ? "it ends with '.'" : null;
    }

    private static string Printable(char c) => c < 0x20 || c == 0x7f ? $"U+{(int)c:X4}" : $"'{c}'";

    public override string ToString() => Value;
}

/// <summary>A branch's short name (<c>main</c>, <c>agent-3/try-2</c>); its ref is <c>refs/heads/NAME</c>.</summary>
public readonly record struct BranchName
{
    public const string RefPrefix = "refs/heads/";

    private BranchName(string value) => Value = value;

    public string Value { get; }

    public RefName Ref => RefName.FromValidated(RefPrefix + Value);

    public static BranchName Parse(string value)
    {
        string? problem = Validate(value);
        return problem is null
            ? new BranchName(value)
            : throw new HeliosException(HeliosErrorCode.InvalidArgument, $"'{value}' is not a valid branch name: {problem}.");
    }

    /// <summary>Null when <paramref name="value"/> is a valid branch name, else the problem.</summary>
    public static string? Validate(string value) =>
        value.StartsWith('-') ? "it starts with '-'"
            : value == "HEAD" ? "'HEAD' is reserved"
            : RefName.Validate(value);

    /// <summary>The branch called <paramref name="value"/>, or null when that is not a valid branch name.</summary>
    public static BranchName? TryParse(string value) => Validate(value) is null ? new BranchName(value) : null;

    /// <summary>The branch a ref names, or null when it is not under <c>refs/heads/</c>.</summary>
    public static BranchName? FromRef(RefName name) =>
        name.Value.StartsWith(RefPrefix, StringComparison.Ordinal) ? new BranchName(name.Value[RefPrefix.Length..]) : null;

    public override string ToString() => Value;
}
