using System.Numerics;
using FunctionalNets.Autodiff;
using FunctionalNets.Ops;
using FunctionalNets.Parameters;
using FunctionalNets.Tensors;

namespace FunctionalNets.Layers;

/// <summary>Embedding lookups: token ids → learned vectors, and learned positional vectors.</summary>
public static class Embeddings
{
    /// <summary>The default initializer for embedding tables, N(0, 0.02).</summary>
    public static Initializer<T> DefaultInit<T>()
        where T : unmanaged, IFloatingPointIeee754<T> => Init.Normal<T>(0.02);

    /// <summary>Token embedding <c>name</c> [vocab, dim]: ids [...] → [..., dim].</summary>
    /// <remarks>An id outside [0, vocab) is an error naming the table's full path, the id and where it is in <paramref name="ids"/>.</remarks>
    public static Net<T, Var<T>> Tokens<T>(string name, Tensor<int> ids, int vocab, int dim, Initializer<T>? init = null)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        from table in Net.Param(name, [vocab, dim], init ?? DefaultInit<T>())
        from path in Net.Path<T>()
        from e in Lookup(path.Length == 0 ? name : $"{path}/{name}", table, ids)
        select e;

    /// <summary>
    /// Learned positional embedding <c>name</c> [maxLength, dim]: the first <paramref name="length"/> rows,
    /// [length, dim], to be added (broadcast) to token embeddings [B, length, dim].
    /// </summary>
    public static Net<T, Var<T>> Positions<T>(string name, int length, int maxLength, int dim, Initializer<T>? init = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (length > maxLength)
            throw new ArgumentException($"{name}: sequence of {length} tokens exceeds the context length {maxLength}");
        return from table in Net.Param(name, [maxLength, dim], init ?? DefaultInit<T>())
               from e in Embedding.Apply(table, Tensor.Arange<int>(length))
               select e;
    }

    private static Net<T, Var<T>> Lookup<T>(string path, Var<T> table, Tensor<int> ids)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check.InRange(path, "id", ids, table.Dim(0));
        return Embedding.Apply(table, ids);
    }
}
