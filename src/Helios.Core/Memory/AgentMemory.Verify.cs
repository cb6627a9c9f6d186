using Helios.Core.Objects;

namespace Helios.Core.Memory;

public sealed partial class AgentMemory
{
    /// <summary>
    /// Verifies the merge log (<see cref="MergeLog.Verify"/>) and then that it still holds every record a
    /// lineage record names: each merge stores its record's id in the child's lineage, so a log whose
    /// newest records were cut off (its head ref moved back) is detected while the lineage stands.
    /// Cost: the log's records plus every lineage record.
    /// </summary>
    public MergeLogVerification VerifyLog(MergeLogPublicKey? trustedKey = null)
    {
        var log = new MergeLog(repository);
        var result = log.Verify(trustedKey);
        if (!result.IsValid)
        {
            return result;
        }

        var records = log.Records().Select(r => r.Id).ToHashSet();
        foreach (var entry in repository.Refs.List(LineagePrefix))
        {
            for (var id = entry.Target.Id; id is { } recordId;)
            {
                var record = repository.ReadCommit(recordId);
                if (!record.Metadata.TryGetValue(Key + "status", out _))
                {
                    break; // Walked past the first lineage record into the branch's history.
                }

                if (record.Metadata.TryGetValue(Key + "merge-record", out var named) && ObjectId.TryParse(named, out var merged) && !records.Contains(merged))
                {
                    return MergeLogVerification.Failed(null, MergeLogDefect.Truncated, result.RecordCount,
                        $"The lineage of '{entry.Name.Value[LineagePrefix.Length..]}' names merge-log record {merged}, which the log no longer holds: its newest records were cut off.");
                }

                id = record.Parents.Count > 0 ? record.Parents[0] : null;
            }
        }

        return result;
    }
}
