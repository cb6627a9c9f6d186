namespace Helios.Core.Errors;

/// <summary>
/// Stable error codes. Callers (the CLI's exit-code table, the server's problem mapping, scripts)
/// branch on these values, never on message text. Values are part of the public contract:
/// never renumber, only append.
/// </summary>
public enum HeliosErrorCode
{
    /// <summary>Input is malformed: an invalid name, revision syntax, argument or setting.</summary>
    InvalidArgument = 1,

    /// <summary>A revision, ref, object or path does not exist.</summary>
    NotFound = 2,

    /// <summary>A short id or name matches more than one thing.</summary>
    Ambiguous = 3,

    /// <summary>A ref moved under us (a lost compare-and-swap race).</summary>
    Conflict = 4,

    /// <summary>There is nothing to do (for example nothing to commit).</summary>
    NothingToDo = 5,

    /// <summary>Stored bytes do not match their id or do not decode: data is corrupt.</summary>
    Corruption = 6,

    /// <summary>No repository was found, or the repository is in a state that forbids the operation.</summary>
    RepositoryNotFound = 7,

    /// <summary>The storage backend failed: I/O error, locked or read-only database, full disk.</summary>
    Storage = 8,

    /// <summary>A name already exists (for example creating a branch that exists).</summary>
    AlreadyExists = 9,

    /// <summary>The repository is in a state that forbids the operation.</summary>
    InvalidState = 10,
}
