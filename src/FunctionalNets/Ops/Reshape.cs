using System.Numerics;
using FunctionalNets.Autodiff;
using FunctionalNets.Tensors;

namespace FunctionalNets.Ops;

/// <summary>
/// The same elements in row-major order under new dimensions: <c>y = reshape(x, dims)</c>, a view that shares x's
/// frozen buffer (no copy). One entry of <c>dims</c> may be <c>−1</c>: it is inferred so the sizes agree.
/// </summary>
/// <remarks>VJP: <c>dx = reshape(dy, x.Shape)</c>, also a view; only x's shape is kept.</remarks>
public static class Reshape
{
    /// <summary><c>y = reshape(x, dims)</c>, with at most one <c>−1</c> in <paramref name="dims"/>.</summary>
    public static Tensor<T> Forward<T>(Tensor<T> x, params int[] dims)
        where T : unmanaged, IFloatingPointIeee754<T> => x.Reshape(Resolve(x.Shape, dims));

    /// <summary><c>dx = reshape(dy, x)</c>, where <paramref name="x"/> is the input's shape.</summary>
    public static Tensor<T> Vjp<T>(Shape x, Tensor<T> dy)
        where T : unmanaged, IFloatingPointIeee754<T> => dy.Reshape(x);

    /// <summary>Reshape on the tape.</summary>
    public static Net<T, Var<T>> Apply<T>(Var<T> x, params int[] dims)
        where T : unmanaged, IFloatingPointIeee754<T> => Net.Unary(nameof(Reshape), x, v => Forward(v, dims), (v, _, dy) => Vjp(v.Shape, dy));

    /// <summary>The target shape with the <c>−1</c> (if any) replaced by the size it must have.</summary>
    private static Shape Resolve(Shape from, int[] dims)
    {
        string Wanted() => $"[{string.Join(", ", dims)}]";
        var inferred = Array.FindAll(dims, d => d == -1).Length;
        if (inferred > 1 || Array.Exists(dims, d => d < -1))
            throw new ArgumentException($"{nameof(Reshape)}: dimensions {Wanted()} may hold one −1 and no other negative, for {from}");
        if (inferred == 0)
        {
            if (Shape.Of(dims).Size != from.Size)
                throw new ArgumentException($"{nameof(Reshape)}: cannot view {from} ({from.Size} elements) as {Wanted()}");
            return Shape.Of(dims);
        }
        var known = dims.Where(d => d != -1).Aggregate(1, (p, d) => checked(p * d));
        if (known == 0 || from.Size % known != 0)
            throw new ArgumentException($"{nameof(Reshape)}: cannot view {from} ({from.Size} elements) as {Wanted()}: no size fits the −1");
        return Shape.Of([.. dims.Select(d => d == -1 ? from.Size / known : d)]);
    }
}
