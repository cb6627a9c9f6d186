// A command runs for milliseconds and then exits, so collections are wasted work: the index of a
// large worktree (about 100 bytes a file) survives until exit, and each collection would copy it.
try
{
    System.GC.TryStartNoGCRegion(240L << 20);
}
catch (System.ArgumentOutOfRangeException)
{
    // Larger than this runtime allows: collect as usual.
}

// Hashing small files with the scalar code beats compiling the SIMD kernels (tens of milliseconds) first.
// HELIOS_SIMD_THRESHOLD (bytes) overrides it, to measure the crossover on a machine (docs/blake3.md).
Helios.Core.Hashing.Blake3.SimdThreshold =
    int.TryParse(System.Environment.GetEnvironmentVariable("HELIOS_SIMD_THRESHOLD"), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var simdThreshold)
        ? simdThreshold
        : 4 << 20;

return Helios.Cli.HeliosCli.Run(args, System.Console.OpenStandardInput(), System.Console.Out, System.Console.Error);
