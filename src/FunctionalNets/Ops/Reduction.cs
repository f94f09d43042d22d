using FunctionalNets.Tensors;

namespace FunctionalNets.Ops;

/// <summary>The shapes of a reduction of an input over a set of its axes.</summary>
/// <param name="Kept">The input shape with every reduced axis set to 1 (the keepDims shape).</param>
/// <param name="Output">The result shape: <paramref name="Kept"/>, or the input shape without the reduced axes.</param>
/// <param name="Count">How many input elements each output element reduces (the product of the reduced dimensions).</param>
internal sealed record Reduction(Shape Kept, Shape Output, int Count)
{
    /// <summary>
    /// Reduction of <paramref name="shape"/> over <paramref name="axes"/> (negative axes count from the end; null
    /// means every axis, an empty array none). A bad or repeated axis throws naming <paramref name="op"/> and the shape.
    /// </summary>
    public static Reduction Of(string op, Shape shape, int[]? axes, bool keepDims)
    {
        var reduced = new bool[shape.Rank];
        if (axes is null) Array.Fill(reduced, true);
        else
            foreach (var axis in axes)
            {
                var a = shape.Axis(axis, op);
                if (reduced[a])
                    throw new ArgumentException($"{op}: axis {axis} repeats an axis in [{string.Join(", ", axes)}] for shape {shape}");
                reduced[a] = true;
            }
        var (kept, output, count) = (shape.ToArray(), new List<int>(shape.Rank), 1);
        for (var a = 0; a < shape.Rank; a++)
            if (reduced[a])
            {
                count *= shape[a];
                kept[a] = 1;
                if (keepDims) output.Add(1);
            }
            else output.Add(shape[a]);
        return new(Shape.Of(kept), Shape.Of([.. output]), count);
    }

    /// <summary>Throws, naming <paramref name="op"/>, unless <paramref name="dy"/> has the output shape.</summary>
    public void RequireCotangent<T>(string op, Shape input, Tensor<T> dy)
        where T : unmanaged, System.Numerics.INumber<T>
    {
        if (dy.Shape != Output)
            throw new ArgumentException($"{op}: dy shape {dy.Shape} does not match output {Output} of input {input}");
    }
}
