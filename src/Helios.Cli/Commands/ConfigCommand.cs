using System.CommandLine;
using Helios.Cli.Configuration;

namespace Helios.Cli.Commands;

/// <summary>
/// <c>helios config get KEY</c> prints the key's effective value (the file's, else the default) on
/// one line; <c>helios config set KEY VALUE</c> validates and stores it in <c>.helios/helios.yaml</c>,
/// printing nothing; <c>helios config list</c> prints every known key as <c>key=value</c>, sorted by
/// key. Unknown keys and bad values are usage errors (exit 2) naming the key and the fix; a malformed
/// file is an invalid-state error (exit 3) naming the file and line.
/// </summary>
public static class ConfigCommand
{
    /// <param name="heliosDirectory">Returns the current repository's <c>.helios</c> folder; throws when there is none. Called once per invocation.</param>
    /// <param name="stdout">Where values are printed.</param>
    public static Command Build(Func<string> heliosDirectory, TextWriter stdout)
    {
        var config = new Command("config", "Read and change repository settings in .helios/helios.yaml.");

        var getKey = new Argument<string>("KEY") { Description = "A dotted key such as performance.l1_cache_size." };
        var get = new Command("get", "Print a setting's effective value (its default when the file does not set it).") { getKey };
        get.SetAction(p => stdout.WriteLine(HeliosConfig.Load(heliosDirectory()).Get(p.GetValue(getKey)!)));
        config.Subcommands.Add(get);

        var setKey = new Argument<string>("KEY") { Description = "A dotted key such as performance.l1_cache_size." };
        var setValue = new Argument<string>("VALUE") { Description = "The new value, checked against the key's type." };
        var set = new Command("set", "Store a setting in .helios/helios.yaml.") { setKey, setValue };
        set.SetAction(p => HeliosConfig.Load(heliosDirectory()).Set(p.GetValue(setKey)!, p.GetValue(setValue)!));
        config.Subcommands.Add(set);

        var list = new Command("list", "Print every known setting as key=value, sorted by key.");
        list.SetAction(_ =>
        {
            var loaded = HeliosConfig.Load(heliosDirectory());
            foreach (var key in ConfigSchema.Keys)
            {
                stdout.WriteLine($"{key.Name}={loaded.Get(key.Name)}");
            }
        });
        config.Subcommands.Add(list);
        return config;
    }
}
