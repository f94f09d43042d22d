using System.Globalization;
using System.Numerics;
using FunctionalNets.Autodiff;
using FunctionalNets.Ops;
using FunctionalNets.Tensors;

namespace FunctionalNets.Layers;

/// <summary>
/// A layer: a function from an input to a differentiable computation of its output. Its parameters are not
/// held by the layer but read by path from the <see cref="NetState{T}"/>, so a layer is just a function.
/// </summary>
public delegate Net<T, Var<T>> Layer<T>(Var<T> x)
    where T : unmanaged, IFloatingPointIeee754<T>;

/// <summary>Combinators that build layers out of layers.</summary>
public static class Layer
{
    /// <summary>The layer that returns its input.</summary>
    public static Layer<T> Identity<T>()
        where T : unmanaged, IFloatingPointIeee754<T> => Net.Pure<T, Var<T>>;

    /// <summary>Sequence: <paramref name="first"/>, then <paramref name="second"/> on its output.</summary>
    public static Layer<T> Then<T>(this Layer<T> first, Layer<T> second)
        where T : unmanaged, IFloatingPointIeee754<T> => x => first(x).Bind(y => second(y));

    /// <summary>Sequence of any number of layers, left to right.</summary>
    public static Layer<T> Sequence<T>(params Layer<T>[] layers)
        where T : unmanaged, IFloatingPointIeee754<T> => layers.Aggregate(Identity<T>(), Then);

    /// <summary>Runs <paramref name="layer"/> with <paramref name="name"/> appended to its parameter paths.</summary>
    public static Layer<T> Scope<T>(string name, Layer<T> layer)
        where T : unmanaged, IFloatingPointIeee754<T> => x => Net.Scope(name, layer(x));

    /// <summary>Residual: <c>x + f(x)</c>; the pullback adds the cotangent of both paths into x.</summary>
    /// <remarks>
    /// f must keep the shape: a residual never broadcasts (x [B, T, C] plus an f(x) of [B, T, 1] would add
    /// silently), so another shape is an error naming both, and the layer's path when it runs in a scope.
    /// </remarks>
    public static Layer<T> Residual<T>(Layer<T> f)
        where T : unmanaged, IFloatingPointIeee754<T> => x =>
        from y in f(x)
        from r in y.Shape == x.Shape
            ? Add.Apply(x, y)
            : throw new ArgumentException($"{nameof(Residual)}: f(x) has shape {y.Shape} but x has {x.Shape}; x + f(x) needs the same shape")
        select r;

    /// <summary>
    /// Repeat: <paramref name="count"/> blocks in sequence, block <c>i</c> under the path segment <c>i</c>
    /// (<c>0/…</c>, <c>1/…</c>), so each has its own parameters.
    /// </summary>
    public static Layer<T> Repeat<T>(int count, Func<int, Layer<T>> block)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Sequence(Enumerable.Range(0, count).Select(i => Scope(i.ToString(CultureInfo.InvariantCulture), block(i))).ToArray());

    /// <summary>Fan-out: every branch applied to the same input, results in branch order. Cotangents of x add up.</summary>
    public static Net<T, Var<T>[]> FanOut<T>(Var<T> x, params Layer<T>[] branches)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        branches.Aggregate(Net.Pure<T, Var<T>[]>([]), (acc, branch) =>
            from done in acc
            from y in branch(x)
            select (Var<T>[])[.. done, y]);

    /// <summary>Parallel: fan the input out to the branches and merge their outputs (e.g. with <see cref="Add"/>).</summary>
    public static Layer<T> Parallel<T>(Func<Var<T>[], Net<T, Var<T>>> merge, params Layer<T>[] branches)
        where T : unmanaged, IFloatingPointIeee754<T> => x => FanOut(x, branches).Bind(merge);

    /// <summary>Applies a layer to a constant tensor: brings it onto the tape, then runs the layer.</summary>
    public static Net<T, Var<T>> On<T>(this Layer<T> layer, Tensor<T> input)
        where T : unmanaged, IFloatingPointIeee754<T> => Net.Const(input).Bind(x => layer(x));
}

/// <summary>Operators for composing layers and piping tensors (C#); F# uses the named functions.</summary>
public static class LayerOperators
{
    extension<T>(Layer<T>)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        /// <summary><c>f | g</c> is <c>f.Then(g)</c>.</summary>
        public static Layer<T> operator |(Layer<T> first, Layer<T> second) => first.Then(second);
    }

    extension<T>(Tensor<T>)
        where T : unmanaged, INumber<T>
    {
        /// <summary><c>x | f</c> is <c>f(x)</c>: eager inference pipelines such as <c>x | Relu.Forward</c>.</summary>
        public static Tensor<T> operator |(Tensor<T> x, Func<Tensor<T>, Tensor<T>> f) => f(x);
    }

    /// <summary>The named twin of the tensor pipe: <c>f(x)</c>.</summary>
    public static Tensor<T> Pipe<T>(this Tensor<T> x, Func<Tensor<T>, Tensor<T>> f)
        where T : unmanaged, INumber<T> => f(x);
}
