using FunctionalNets.Optim;
using FunctionalNets.Parameters;
using FunctionalNets.Tensors;

namespace FunctionalNets.Tests.Optim;

/// <summary>Small trees and a driver that applies a transformation over a fixed sequence of gradients.</summary>
internal static class OptimTestKit
{
    public static Params<double> Tree(params (string Path, Tensor<double> Value)[] items) =>
        Params<double>.Of(items.Select(i => KeyValuePair.Create(i.Path, i.Value)));

    // A weight matrix and a bias, and two steps of gradients for them.
    public static readonly Params<double> P0 = Tree(("dense/b", Tensor.Vector(0.5, -1.0)), ("dense/w", Tensor.Matrix([2.0, -0.25], [0.75, 1.5])));

    public static readonly Params<double>[] Grads =
    [
        Tree(("dense/b", Tensor.Vector(0.1, -0.2)), ("dense/w", Tensor.Matrix([0.3, 0.0], [-0.4, 2.5]))),
        Tree(("dense/b", Tensor.Vector(0.4, 0.1)), ("dense/w", Tensor.Matrix([-0.05, 0.2], [0.6, -1.5]))),
        Tree(("dense/b", Tensor.Vector(-0.3, 0.0)), ("dense/w", Tensor.Matrix([0.01, -0.7], [0.2, 0.9]))),
    ];

    /// <summary>Init on <paramref name="p"/>, then one update and one application per gradient.</summary>
    public static (Params<double> Params, OptState<double> State, List<Params<double>> Updates) Run(
        Transform<double> t, Params<double> p, IEnumerable<Params<double>> grads)
    {
        var s = t.Init(p);
        var updates = new List<Params<double>>();
        foreach (var g in grads)
        {
            var (u, s1) = t.Update(g, s, p);
            (p, s) = (Optimizer.ApplyUpdates(p, u), s1);
            updates.Add(u);
        }
        return (p, s, updates);
    }

    /// <summary>The elements of every tensor, in path order then index order.</summary>
    public static double[] Flat(Params<double> p) => [.. p.Tensors.SelectMany(t => t.ToArray())];

    public static void Close(double[] expected, Params<double> actual, double rtol = 1e-14)
    {
        var a = Flat(actual);
        Assert.Equal(expected.Length, a.Length);
        for (var i = 0; i < a.Length; i++)
            Assert.True(Math.Abs(a[i] - expected[i]) <= rtol * Math.Max(1, Math.Abs(expected[i])), $"element {i}: expected {expected[i]}, got {a[i]}");
    }
}
