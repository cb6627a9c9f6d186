namespace Helios.Core.Objects;

/// <summary>
/// The type tag, the first byte of every canonical encoding. Values are frozen by golden tests;
/// reserved tags are claimed so later object kinds never collide.
/// </summary>
public enum ObjectType : byte
{
    Blob = 1,
    Tree = 2,
    Commit = 3,

    /// <summary>Reserved: a large blob stored as an ordered list of chunk ids.</summary>
    ChunkedBlob = 4,

    /// <summary>A versioned memory collection's header: dimension, key count, root node (<see cref="Collections.CollectionHeader"/>).</summary>
    Collection = 5,

    /// <summary>The root of a state array checkpoint (<see cref="StateArrays.StateArrayRoot"/>): geometry, schema label and one entry per page.</summary>
    StateArray = 6,

    /// <summary>An annotated tag (<see cref="Objects.Tag"/>).</summary>
    Tag = 7,

    /// <summary>A node of a collection's search tree (<see cref="Collections.CollectionNode"/>).</summary>
    CollectionNode = 8,

    /// <summary>A signed, hash-chained record of the memory merge log (<see cref="Memory.MergeLogRecord"/>).</summary>
    MergeLogRecord = 9,

    /// <summary>One page of a state array checkpoint, compressed or raw (<see cref="StateArrays.StateArrayPage"/>).</summary>
    StateArrayPage = 10,
}

/// <summary>What a tree entry points at, with its file mode.</summary>
public enum EntryKind : byte
{
    /// <summary>A regular file (git mode 100644).</summary>
    File = 1,

    /// <summary>An executable file (git mode 100755).</summary>
    Executable = 2,

    /// <summary>A symbolic link whose blob holds the target path (git mode 120000).</summary>
    Symlink = 3,

    /// <summary>A subdirectory (git mode 040000).</summary>
    Tree = 4,

    /// <summary>A submodule commit recorded by id only (git mode 160000).</summary>
    Gitlink = 5,
}
