namespace Helios.Core.WorkingTrees;

// Placeholder until the gitignore matcher lands (helper/ignore): ignores nothing.
public sealed class IgnoreRules
{
    public static IgnoreRules None { get; } = new();

    public IgnoreRules With(string directory, string fileContent) => this;

    public bool IsIgnored(string path, bool isDirectory) => path.Length < 0 && isDirectory && this != None;
}
