using Microsoft.Data.Sqlite;

namespace Helios.Storage.Sqlite;

/// <summary>
/// One open connection and its prepared commands, reused across calls (Microsoft.Data.Sqlite keeps a
/// command's statements prepared while its text is unchanged). Not thread-safe: a session is used by
/// one thread at a time, under the write lock or rented from the reader pool.
/// </summary>
internal sealed class SqliteSession : IDisposable
{
    private readonly Dictionary<string, SqliteCommand> _commands = new(StringComparer.Ordinal);

    public SqliteSession(SqliteConnection connection) => Connection = connection;

    public SqliteConnection Connection { get; }

    /// <summary>The cached command for <paramref name="sql"/> (a constant of the caller), with its parameters declared once.</summary>
    public SqliteCommand Command(string sql, params ReadOnlySpan<(string Name, SqliteType Type)> parameters)
    {
        if (!_commands.TryGetValue(sql, out var command))
        {
            command = Connection.CreateCommand();
#pragma warning disable CA2100 // Every caller passes a constant; values always go through parameters.
            command.CommandText = sql;
#pragma warning restore CA2100
            foreach (var (name, type) in parameters)
            {
                command.Parameters.Add(name, type);
            }

            command.Prepare();
            _commands.Add(sql, command);
        }

        return command;
    }

    /// <summary>Runs a parameterless statement through the command cache.</summary>
    public void Execute(string sql) => Command(sql).ExecuteNonQuery();

    public void Dispose()
    {
        foreach (var command in _commands.Values)
        {
            command.Dispose();
        }

        _commands.Clear();
        Connection.Dispose();
    }
}
