using System.Numerics;

namespace FunctionalNets.Optim;

public static partial class Optimizer
{
    /// <summary>
    /// Clipping by the global L2 norm <c>n = ‖g‖</c> over all tensors: <c>u = g·(maxNorm/n)</c> when <c>n &gt; maxNorm</c>,
    /// else <c>u = g</c>.
    /// </summary>
    /// <remarks>
    /// <c>n</c> is <see cref="Parameters.Params{T}.GlobalNorm"/> (path order, then index order, in double). A NaN norm is not
    /// above <c>maxNorm</c>, so non-finite gradients pass through unchanged for the step report to count.
    /// </remarks>
    public static Transform<T> ClipByGlobalNorm<T>(double maxNorm)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!(maxNorm > 0 && double.IsFinite(maxNorm)))
            throw new ArgumentException($"Optimizer.ClipByGlobalNorm: maxNorm must be finite and > 0, got {maxNorm}");
        return Stateless<T>((g, _, _) =>
        {
            var norm = g.GlobalNorm();
            return norm > maxNorm ? g.Scale(T.CreateTruncating(maxNorm / norm)) : g;
        });
    }
}
