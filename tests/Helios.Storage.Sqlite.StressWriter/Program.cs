// Usage: StressWriter DB_PATH INDEX COMMITS OBJECTS_PER_COMMIT
// Makes COMMITS commits against DB_PATH: each stores OBJECTS_PER_COMMIT new objects, then moves
// refs/stress/p{INDEX} (from its previous value) and refs/stress/shared (retrying lost races) to the
// first object. Prints "conflicts N" and exits 0; any other outcome exits non-zero.
using System.Globalization;
using System.Security.Cryptography;
using Helios.Core.Objects;
using Helios.Core.Refs;
using Helios.Core.Storage;
using Helios.Storage.Sqlite;

string path = args[0];
int index = int.Parse(args[1], CultureInfo.InvariantCulture);
int commits = int.Parse(args[2], CultureInfo.InvariantCulture);
int objectsPerCommit = int.Parse(args[3], CultureInfo.InvariantCulture);

using var storage = SqliteRepositoryStorage.Open(path, new SqliteStorageOptions { Durability = Durability.Fast, BusyTimeout = TimeSpan.FromSeconds(30) });
var own = RefName.Parse($"refs/stress/p{index}");
var shared = RefName.Parse("refs/stress/shared");
RefTarget? previous = null;
int conflicts = 0;
for (int i = 0; i < commits; i++)
{
    var objects = new EncodedObject[objectsPerCommit];
    for (int k = 0; k < objects.Length; k++)
    {
        var bytes = RandomNumberGenerator.GetBytes(1024);
        objects[k] = new EncodedObject(ObjectId.Of(bytes), bytes);
    }

    storage.Objects.PutMany(objects);
    var next = RefTarget.To(objects[0].Id);
    while (true)
    {
        var seen = storage.Refs.Read(shared);
        var info = new OperationInfo("stress", $"process {index} commit {i}", DateTimeOffset.UtcNow, $"p{index}");
        var result = storage.Refs.Commit(new RefTransaction([new RefUpdate(own, previous, next), new RefUpdate(shared, seen, next)], info));
        if (result is RefTransactionResult.Committed)
        {
            break;
        }

        if (result is RefTransactionResult.Conflict c && c.Name == own)
        {
            Console.Error.WriteLine($"process {index}: its own ref {own} moved under it");
            return 3;
        }

        conflicts++;
    }

    previous = next;
}

Console.WriteLine($"conflicts {conflicts}");
return 0;
