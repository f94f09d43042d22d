using System.Numerics;

namespace FunctionalNets.Optim;

public static partial class Optimizer
{
    /// <summary>
    /// <c>u = −lr(t)·g</c> with <c>t</c> the state's step before this update, so the first update uses <c>lr(0)</c>.
    /// The minus sign turns a gradient into a descent step.
    /// </summary>
    public static Transform<T> ScaleByLearningRate<T>(Schedule lr)
        where T : unmanaged, IFloatingPointIeee754<T> => Stateless<T>((g, s, _) => g.Scale(T.CreateTruncating(-lr(s.Step))));

    /// <summary><c>u = −lr·g</c> for a constant learning rate.</summary>
    public static Transform<T> ScaleByLearningRate<T>(double lr)
        where T : unmanaged, IFloatingPointIeee754<T> => ScaleByLearningRate<T>(Schedules.Constant(lr));
}
