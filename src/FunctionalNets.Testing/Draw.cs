using FunctionalNets.Randomness;
using FunctionalNets.Tensors;

namespace FunctionalNets.Testing;

/// <summary>Seeded helpers for probe directions and cotangents in law tests.</summary>
public static class Draw
{
    /// <summary>A tensor like <paramref name="like"/> with elements uniform in [-1, 1), from a seed.</summary>
    public static Tensor<double> Like(Tensor<double> like, ulong seed) => Sample.Uniform<double>(Key.FromSeed(seed), like.Shape, -1, 1);

    /// <summary>⟨a, b⟩, summed in index order.</summary>
    public static double Dot(Tensor<double> a, Tensor<double> b)
    {
        if (a.Shape != b.Shape) throw new ArgumentException($"Draw.Dot: shapes differ, {a.Shape} vs {b.Shape}");
        var s = 0.0;
        for (var i = 0; i < a.Size; i++) s += a.Span[i] * b.Span[i];
        return s;
    }

    /// <summary>Σ|aᵢ·bᵢ|: the scale against which rounding in <see cref="Dot"/> is judged.</summary>
    public static double AbsDot(Tensor<double> a, Tensor<double> b)
    {
        var s = 0.0;
        for (var i = 0; i < a.Size; i++) s += Math.Abs(a.Span[i] * b.Span[i]);
        return s;
    }

    /// <summary><c>x + t·u</c>.</summary>
    public static Tensor<double> Axpy(Tensor<double> x, double t, Tensor<double> u) =>
        Tensor.Build<double>(x.Shape, y =>
        {
            for (var i = 0; i < y.Length; i++) y[i] = x.Span[i] + t * u.Span[i];
        });
}
