using CsCheck;
using FunctionalNets.Tensors;

namespace FunctionalNets.Testing;

/// <summary>The laws every op in a catalog must satisfy, as CsCheck properties.</summary>
public static class OpLaws
{
    /// <summary>How many random cases each law draws (CsCheck's <c>CsCheck_Iter</c> overrides it).</summary>
    public const int Iterations = 100;

    /// <summary>The VJP agrees with central finite differences (<see cref="GradCheck.DotProduct"/>).</summary>
    public static void VjpMatchesFiniteDifferences(OpSpec op) =>
        Gen.Select(op.Inputs, Gen.ULong).Sample((xs, seed) => GradCheck.DotProduct(op, xs, seed), iter: Iterations);

    /// <summary><c>vjp(a·v₁ + b·v₂) = a·vjp(v₁) + b·vjp(v₂)</c>, and every cotangent has its input's shape.</summary>
    public static void VjpIsLinearInCotangent(OpSpec op) =>
        Gen.Select(op.Inputs, Gen.ULong, Gen.Double[-2, 2], Gen.Double[-2, 2]).Sample((xs, seed, a, b) =>
        {
            var y = op.Forward(xs);
            var (v1, v2) = (Draw.Like(y, seed), Draw.Like(y, seed + 7));
            var mixed = op.Vjp(xs, Tensor.Build<double>(y.Shape, m =>
            {
                for (var i = 0; i < m.Length; i++) m[i] = a * v1.Span[i] + b * v2.Span[i];
            }));
            var (g1, g2) = (op.Vjp(xs, v1), op.Vjp(xs, v2));
            for (var i = 0; i < xs.Length; i++)
            {
                if (mixed[i] is not { } g) continue;
                if (g.Shape != xs[i].Shape)
                    throw new Exception($"{op.Name}: cotangent {i} has shape {g.Shape}, input has {xs[i].Shape}");
                var expected = Tensor.Build<double>(g.Shape, e =>
                {
                    for (var k = 0; k < e.Length; k++) e[k] = a * g1[i]!.Span[k] + b * g2[i]!.Span[k];
                });
                var scale = expected.Data.Select(Math.Abs).DefaultIfEmpty(0).Max();
                if (!g.AllClose(expected, rtol: 1e-9, atol: 1e-12 * (1 + scale)))
                    throw new Exception($"{op.Name}: VJP not linear in dy for input {i}");
            }
        }, iter: Iterations);

    /// <summary>Running the forward twice gives bit-identical results and leaves the inputs unchanged.</summary>
    public static void ForwardIsPure(OpSpec op) =>
        op.Inputs.Sample(xs =>
        {
            var copies = xs.Select(x => x.ToArray()).ToArray();
            var (y1, y2) = (op.Forward(xs), op.Forward(xs));
            if (!y1.BitEquals(y2)) throw new Exception($"{op.Name}: forward is not deterministic");
            op.Vjp(xs, y1);
            for (var i = 0; i < xs.Length; i++)
                if (!xs[i].Span.SequenceEqual(copies[i]))
                    throw new Exception($"{op.Name}: input {i} changed");
        }, iter: Iterations);

    /// <summary>The float32 forward is within <see cref="OpSpec.FloatTolerance"/> of the float64 forward.</summary>
    public static void FloatAgreesWithDouble(OpSpec op)
    {
        if (op.ForwardFloat is not { } f32) return;
        op.Inputs.Sample(xs =>
        {
            var y64 = op.Forward(xs);
            var y32 = f32(xs.Select(x => x.ToFloat()).ToArray()).ToDouble();
            var scale = y64.Data.Where(double.IsFinite).Select(Math.Abs).DefaultIfEmpty(0).Max();
            if (!y32.AllClose(y64, rtol: op.FloatTolerance, atol: op.FloatTolerance * (1 + scale)))
                throw new Exception($"{op.Name}: float32 differs from float64 beyond {op.FloatTolerance}");
        }, iter: Iterations);
    }
}
