using System.Numerics;
using FunctionalNets.Tensors;

namespace FunctionalNets.Ops;

/// <summary>Argument checks shared by the ops; every message names the op and the shapes involved.</summary>
public static class Check
{
    /// <summary>Throws unless <paramref name="a"/> and <paramref name="b"/> have the same shape.</summary>
    public static void SameShape<T>(string op, Tensor<T> a, Tensor<T> b)
        where T : unmanaged, INumber<T>
    {
        if (a.Shape != b.Shape)
            throw new ArgumentException($"{op}: shapes must match, got {a.Shape} and {b.Shape}");
    }

    /// <summary>Throws unless <paramref name="x"/> has rank at least <paramref name="rank"/>.</summary>
    public static void MinRank<T>(string op, Tensor<T> x, int rank)
        where T : unmanaged, INumber<T>
    {
        if (x.Rank < rank)
            throw new ArgumentException($"{op}: expected rank ≥ {rank}, got shape {x.Shape}");
    }
}
