using System.Runtime.InteropServices;
using Helios.Core.StateArrays;

namespace Helios.Benchmarks.Support;

/// <summary>
/// A 64-byte agent record of the kind the seeds describe: position and velocity (float3 each), a
/// health float, small counters, small enums and an id. Explicit size, padding zeroed by the runtime.
/// </summary>
[StructLayout(LayoutKind.Sequential, Size = 64)]
public struct SimAgent
{
    public float X, Y, Z;
    public float VelocityX, VelocityY, VelocityZ;
    public float Health;
    public int Steps;
    public int Kills;
    public int TargetIndex;
    public long Id;
    public byte Kind;
    public byte Mode;
    public byte Team;
    public byte Flags;
}

/// <summary>Which agents one frame updates.</summary>
public enum UpdatePattern
{
    /// <summary>One contiguous block of agents (a region of a spatially sorted world).</summary>
    Contiguous,

    /// <summary>Runs of 64 consecutive agents at random places (active cells of a spatial grid).</summary>
    Clustered,

    /// <summary>Agents chosen uniformly at random: touches nearly every page.</summary>
    Scattered,
}

/// <summary>
/// Deterministic, plausible agent data and frame updates for the state array benchmarks and the
/// <c>statearray-sim</c> loop: agents spread over a 1 km world, sorted by cell (as simulations keep
/// them for locality), walking slowly, mostly healthy, with small step and kill counters.
/// </summary>
public static class SimulatedAgents
{
    public static SimAgent Initial(long i, Random rng)
    {
        // Agents are laid out cell by cell: neighbours in the array are neighbours in the world.
        float cellX = i / 1000 % 1000, cellZ = i % 1000 / 10;
        return new SimAgent
        {
            X = cellX + (float)rng.NextDouble(),
            Y = 0,
            Z = cellZ * 10 + (float)rng.NextDouble() * 10,
            VelocityX = (float)(rng.NextDouble() - 0.5),
            VelocityZ = (float)(rng.NextDouble() - 0.5),
            Health = rng.Next(10) == 0 ? rng.Next(1, 100) : 100,
            Steps = 0,
            Kills = rng.Next(20) == 0 ? 1 : 0,
            TargetIndex = -1,
            Id = 1_000_000 + i,
            Kind = (byte)(rng.Next(10) < 8 ? 0 : rng.Next(1, 4)),
            Mode = (byte)rng.Next(3),
            Team = (byte)(i / 250_000),
            Flags = 0,
        };
    }

    public static void Fill(StateArray<SimAgent> array, int seed = 42)
    {
        var rng = new Random(seed);
        long i = 0;
        foreach (var segment in array.GetWritable(0, array.Count))
        {
            for (int k = 0; k < segment.Length; k++, i++)
            {
                segment[k] = Initial(i, rng);
            }
        }
    }

    /// <summary>One simulation step for one agent: move, sometimes change mode or lose health, count the step.</summary>
    public static void Step(ref SimAgent a, Random rng)
    {
        a.X += a.VelocityX * 0.016f;
        a.Z += a.VelocityZ * 0.016f;
        a.Steps++;
        if (rng.Next(16) == 0)
        {
            a.Mode = (byte)rng.Next(3);
            a.Health = Math.Max(0, a.Health - 1);
        }
    }

    /// <summary>The agents one frame updates: <paramref name="fraction"/> of <paramref name="count"/>, in the given pattern, ascending.</summary>
    public static long[] Pick(long count, double fraction, UpdatePattern pattern, Random rng)
    {
        long n = Math.Max(1, (long)(count * fraction));
        switch (pattern)
        {
            case UpdatePattern.Contiguous:
                long start = rng.NextInt64(0, count - n + 1);
                return Enumerable.Range(0, (int)n).Select(k => start + k).ToArray();
            case UpdatePattern.Clustered:
                const int Run = 64;
                var set = new SortedSet<long>();
                while (set.Count < n)
                {
                    long s = rng.NextInt64(0, Math.Max(1, count - Run)) / Run * Run;
                    for (int k = 0; k < Run && set.Count < n && s + k < count; k++)
                    {
                        set.Add(s + k);
                    }
                }

                return set.ToArray();
            default:
                var picked = new HashSet<long>();
                while (picked.Count < n)
                {
                    picked.Add(rng.NextInt64(0, count));
                }

                return picked.Order().ToArray();
        }
    }
}
