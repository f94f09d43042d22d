using System.Numerics;
using FunctionalNets.Autodiff;
using FunctionalNets.Kernels;
using FunctionalNets.Tensors;

namespace FunctionalNets.Ops;

/// <summary>
/// Multi-head scaled dot-product attention on packed projections: qkv [B, T, 3C] holds each token's query, key and
/// value side by side (<c>q | k | v</c>, C = H·D each, head h in columns h·D … h·D + D − 1 of its part), and
/// <c>y = [softmax(q_h·k_hᵀ/√D + M)·v_h]_h</c> with the heads merged back, → y [B, T, C].
/// </summary>
/// <remarks>
/// Exactly <see cref="Attention"/> on each (batch, head) slice, read and written in place through strides, so it
/// equals splitting q, k and v into heads, attending and merging (a property test checks the bits) without the
/// transposed copies. The VJP is Attention's per slice, written into a cotangent shaped like qkv; P, the
/// probabilities [B, H, T, T], is saved by the forward.
/// </remarks>
public static class MultiHeadAttention
{
    /// <summary><c>y = merge_h(softmax(q_h·k_hᵀ/√D + M)·v_h)</c>, with P as the residual.</summary>
    public static (Tensor<T> Y, Attention.Saved<T> Saved) Forward<T>(Tensor<T> qkv, int heads, bool causal = false)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (b, t, c, d) = Dims(qkv, heads);
        var (p, y) = (Tensor.Uninitialized<T>(b * heads * t * t), Tensor.Uninitialized<T>(b * t * c));
        var l = Layouts(t, c, d, heads);
        AttentionSlices.Forward<T>(qkv.Span, l.Q, qkv.Span, l.K, qkv.Span, l.V, p, y, l.Y, b * heads, t, t, d, d, causal);
        return (new Tensor<T>(Shape.Of(b, t, c), y), new Attention.Saved<T>(new Tensor<T>(Shape.Of(b, heads, t, t), p), causal));
    }

    /// <summary>dqkv [B, T, 3C]: Attention's VJP per (batch, head) slice, in the packed layout.</summary>
    public static Tensor<T> Vjp<T>(Tensor<T> qkv, int heads, Attention.Saved<T> saved, Tensor<T> dy)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (b, t, c, d) = Dims(qkv, heads);
        if (saved.P.Shape != Shape.Of(b, heads, t, t) || dy.Shape != Shape.Of(b, t, c))
            throw new ArgumentException(
                $"{nameof(MultiHeadAttention)}: saved P {saved.P.Shape} and dy {dy.Shape} must be {Shape.Of(b, heads, t, t)} and {Shape.Of(b, t, c)}");
        var l = Layouts(t, c, d, heads);
        return Tensor.Build<T>(qkv.Shape, dqkv => AttentionSlices.Backward<T>(
            qkv.Span, l.Q, qkv.Span, l.K, qkv.Span, l.V, saved.P.Span, dy.Span, l.Y, dqkv, dqkv, dqkv, b * heads, t, t, d, d, saved.Causal));
    }

    /// <summary>MultiHeadAttention on the tape, differentiable in qkv.</summary>
    public static Net<T, Var<T>> Apply<T>(Var<T> qkv, int heads, bool causal = false)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var x = qkv.Value;
        var (y, saved) = Forward(x, heads, causal);
        return Net.Record<T>(nameof(MultiHeadAttention), [qkv], y, dy => [Vjp(x, heads, saved, dy)]);
    }

    // Slice (b, h) of q, k or v: rows 3C apart, head h at column h·D of its part (q at 0, k at C, v at 2C); of y:
    // rows C apart, head h at h·D.
    private static (SliceLayout Q, SliceLayout K, SliceLayout V, SliceLayout Y) Layouts(int t, int c, int d, int heads)
    {
        var packed = new SliceLayout(heads, t * 3 * c, d, 3 * c);
        return (packed, packed with { Origin = c }, packed with { Origin = 2 * c }, new SliceLayout(heads, t * c, d, c));
    }

    private static (int B, int T, int C, int D) Dims<T>(Tensor<T> qkv, int heads)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (qkv.Rank != 3 || heads < 1 || qkv.Dim(2) % (3 * heads) != 0 || qkv.Dim(2) == 0)
            throw new ArgumentException(
                $"{nameof(MultiHeadAttention)}: expected qkv [B, T, 3·C] with C a positive multiple of {heads} heads, got {qkv.Shape}");
        var c = qkv.Dim(2) / 3;
        return (qkv.Dim(0), qkv.Dim(1), c, c / heads);
    }
}
