using Helios.Core.Errors;

namespace Helios.Cli;

/// <summary>The one table from error codes to the exit codes scripts rely on (DESIGN.md, "CLI contract").</summary>
public static class ExitCodes
{
    public const int Success = 0;
    public const int NotDone = 1;
    public const int Usage = 2;
    public const int RepositoryState = 3;
    public const int Corruption = 4;
    public const int Storage = 5;

    public static int For(HeliosErrorCode code) => code switch
    {
        HeliosErrorCode.Conflict or HeliosErrorCode.NothingToDo or HeliosErrorCode.AlreadyExists => NotDone,
        HeliosErrorCode.InvalidArgument or HeliosErrorCode.NotFound or HeliosErrorCode.Ambiguous => Usage,
        HeliosErrorCode.RepositoryNotFound or HeliosErrorCode.InvalidState => RepositoryState,
        HeliosErrorCode.Corruption => Corruption,
        HeliosErrorCode.Storage => Storage,
        _ => Storage,
    };
}
