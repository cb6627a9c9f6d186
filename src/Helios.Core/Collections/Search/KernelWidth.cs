namespace Helios.Core.Collections.Search;

/// <summary>
/// The vector width a similarity kernel runs at, in float lanes. <see cref="SimilarityKernels"/> picks the widest
/// the hardware accelerates; tests force each one so every path is exercised on any machine (a width the hardware
/// does not accelerate still computes correctly, in software, only slowly).
/// </summary>
internal enum KernelWidth
{
    Scalar = 1,
    Vector128 = 4,
    Vector256 = 8,
    Vector512 = 16,
}
