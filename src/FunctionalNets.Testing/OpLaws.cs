using CsCheck;
using FunctionalNets.Tensors;

namespace FunctionalNets.Testing;

/// <summary>The laws every op in a catalog must satisfy, as CsCheck properties.</summary>
public static class OpLaws
{
    /// <summary>How many random cases each law draws: CsCheck's <c>Check.Iter</c>, 100 unless the environment sets <c>CsCheck_Iter</c>.</summary>
    /// <remarks>
    /// CsCheck reads <c>CsCheck_Iter</c> only as the default of <c>iter</c>: a property that passes a number of its own
    /// ignores it. Passing this value instead lets CI raise every law's count with one variable.
    /// </remarks>
    public static long Iterations => Check.Iter;

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

    /// <summary>
    /// <see cref="OpSpec.Apply"/> records the op's VJP: on a tape where a random subset of the differentiable inputs
    /// are constants, the result has the bits of <see cref="OpSpec.Forward"/>, the cotangents pulled back to the
    /// other inputs equal <see cref="OpSpec.Vjp"/>'s, and they pass the central-difference check of
    /// <see cref="GradCheck.DotProduct"/> on their own.
    /// </summary>
    /// <remarks>
    /// Ops that record a pullback of their own instead of calling their <c>Vjp</c> (to skip work for constants, or
    /// to keep only shapes) are checked here and nowhere else; the constants catch a pullback that computes the
    /// wrong input's cotangent when another needs none.
    /// </remarks>
    public static void ApplyRecordsItsVjp(OpSpec op)
    {
        var apply = op.Apply ?? throw new ArgumentException($"{op.Name}: the spec has no Apply to check");
        Gen.Select(op.Inputs, Gen.ULong, Gen.UInt).Sample((xs, seed, mask) =>
        {
            var y = op.Forward(xs);
            var v = Draw.Like(y, seed);
            var expected = op.Vjp(xs, v);
            var constant = Constants(expected, mask);
            var (tapeY, tape) = Pullback.OnTape(apply, xs, constant, v);
            if (!tapeY.BitEquals(y))
                throw new Exception($"{op.Name}: Apply's value differs from Forward's ({tapeY} vs {y})");
            for (var i = 0; i < xs.Length; i++)
            {
                if (constant[i]) continue;
                var scale = expected[i]!.Data.Select(Math.Abs).DefaultIfEmpty(0).Max();
                if (!tape[i]!.AllClose(expected[i]!, rtol: 1e-12, atol: 1e-12 * (1 + scale)))
                    throw new Exception($"{op.Name}: the tape's cotangent of input {i} is {tape[i]}, the VJP's {expected[i]} (constants: {string.Join(", ", constant)})");
            }
            GradCheck.DotProduct(op with { Vjp = (x, dy) => Pullback.OnTape(apply, x, constant, dy).Cotangents }, xs, seed);
        }, iter: Iterations);
    }

    /// <summary>
    /// The float32 VJP agrees with the float64 one: <see cref="OpSpec.ApplyFloat"/>'s pullback of a cotangent, on
    /// the inputs rounded to float32, is within <see cref="OpSpec.FloatTolerance"/> of <see cref="OpSpec.Vjp"/>,
    /// scaled by the cotangent's magnitude.
    /// </summary>
    public static void FloatVjpAgreesWithDouble(OpSpec op)
    {
        var apply = op.ApplyFloat ?? throw new ArgumentException($"{op.Name}: the spec has no float32 Apply to check");
        Gen.Select(op.Inputs, Gen.ULong).Sample((xs, seed) =>
        {
            var v = Draw.Like(op.Forward(xs), seed);
            var g64 = op.Vjp(xs, v);
            var constant = g64.Select(g => g is null).ToArray();
            var (_, g32) = Pullback.OnTape(apply, [.. xs.Select(x => x.ToFloat())], constant, v.ToFloat());
            for (var i = 0; i < xs.Length; i++)
            {
                if (constant[i]) continue;
                var scale = g64[i]!.Data.Where(double.IsFinite).Select(Math.Abs).DefaultIfEmpty(0).Max();
                if (!g32[i]!.ToDouble().AllClose(g64[i]!, rtol: op.FloatTolerance, atol: op.FloatTolerance * (1 + scale)))
                    throw new Exception($"{op.Name}: float32 cotangent of input {i} differs from float64 beyond {op.FloatTolerance}: {g32[i]} vs {g64[i]}");
            }
        }, iter: Iterations);
    }

    // Which inputs go on the tape as constants: those with no gradient, and the differentiable ones whose bit is set
    // in the mask, but never all of the differentiable ones (then nothing would be recorded).
    private static bool[] Constants(Tensor<double>?[] cotangents, uint mask)
    {
        var constant = cotangents.Select((g, i) => g is null || (mask >> (i % 32) & 1) == 1).ToArray();
        if (constant.All(c => c))
        {
            var first = Array.FindIndex(cotangents, g => g is not null);
            if (first >= 0) constant[first] = false;
        }
        return constant;
    }
}
