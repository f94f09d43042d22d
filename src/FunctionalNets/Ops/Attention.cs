using System.Numerics;
using FunctionalNets.Autodiff;
using FunctionalNets.Kernels;
using FunctionalNets.Tensors;

namespace FunctionalNets.Ops;

/// <summary>
/// Fused scaled dot-product attention: <c>y = softmax(q·kᵀ/√D + M)·v</c> for q [..., T, D], k [..., S, D] and
/// v [..., S, E] with the same leading axes (typically [B, H]), → y [..., T, E]. With <c>causal</c>, M is −∞ above
/// the diagonal (position t attends to positions ≤ t; then T = S), otherwise 0.
/// </summary>
/// <remarks>
/// VJP, with the attention probabilities P saved by the forward (<see cref="Saved{T}"/>):
/// <c>dP = dy·vᵀ</c>, <c>dS = P ⊙ (dP − rowsum(dP ⊙ P))</c>, <c>dq = dS·k/√D</c>, <c>dk = dSᵀ·q/√D</c>,
/// <c>dv = Pᵀ·dy</c>. Masked entries have P = 0 and so dS = 0: the mask needs no separate VJP. Every product reads
/// its operands transposed in place (no transpose is materialised). Work is split by the leading (batch, head)
/// slices, each computed on its own, so the result does not depend on how slices are scheduled.
/// </remarks>
public static class Attention
{
    /// <summary><c>y = softmax(q·kᵀ/√D + M)·v</c>, with P as the residual.</summary>
    public static (Tensor<T> Y, Saved<T> Saved) Forward<T>(Tensor<T> q, Tensor<T> k, Tensor<T> v, bool causal = false)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (batch, t, s, d, e) = Dims(q, k, v, causal);
        var (p, y) = (Tensor.Uninitialized<T>(batch * t * s), Tensor.Uninitialized<T>(batch * t * e));
        AttentionSlices.Forward<T>(q.Span, SliceLayout.Contiguous(t, d), k.Span, SliceLayout.Contiguous(s, d), v.Span, SliceLayout.Contiguous(s, e),
            p, y, SliceLayout.Contiguous(t, e), batch, t, s, d, e, causal);
        return (new Tensor<T>(q.Shape.WithDim(-1, e), y), new Saved<T>(new Tensor<T>(q.Shape.WithDim(-1, s), p), causal));
    }

    /// <summary><c>(dq, dk, dv) = (dS·k/√D, dSᵀ·q/√D, Pᵀ·dy)</c> with <c>dS = P ⊙ (dy·vᵀ − rowsum(dy·vᵀ ⊙ P))</c>.</summary>
    public static (Tensor<T> Dq, Tensor<T> Dk, Tensor<T> Dv) Vjp<T>(Tensor<T> q, Tensor<T> k, Tensor<T> v, Saved<T> saved, Tensor<T> dy)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (batch, t, s, d, e) = Dims(q, k, v, causal: false);
        var p = saved.P;
        if (saved.Causal && t != s)
            throw new ArgumentException($"{nameof(Attention)}: a causal residual needs as many queries as keys (T = S), got q {q.Shape}, k {k.Shape}");
        if (!p.Shape.EqualsWithDim(q.Shape, -1, s) || !dy.Shape.EqualsWithDim(q.Shape, -1, e))
            throw new ArgumentException($"{nameof(Attention)}: saved P {p.Shape} and dy {dy.Shape} must be {q.Shape.WithDim(-1, s)} and {q.Shape.WithDim(-1, e)}");
        var (dq, dk, dv) = (Tensor.Uninitialized<T>(q.Size), Tensor.Uninitialized<T>(k.Size), Tensor.Uninitialized<T>(v.Size));
        AttentionSlices.Backward<T>(q.Span, SliceLayout.Contiguous(t, d), k.Span, SliceLayout.Contiguous(s, d), v.Span, SliceLayout.Contiguous(s, e),
            p.Span, dy.Span, SliceLayout.Contiguous(t, e), dq, dk, dv, batch, t, s, d, e, saved.Causal);
        return (new Tensor<T>(q.Shape, dq), new Tensor<T>(k.Shape, dk), new Tensor<T>(v.Shape, dv));
    }

    /// <summary>Attention on the tape, differentiable in q, k and v.</summary>
    public static Net<T, Var<T>> Apply<T>(Var<T> q, Var<T> k, Var<T> v, bool causal = false)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (y, saved) = Forward(q.Value, k.Value, v.Value, causal);
        return Net.Record<T>(nameof(Attention), [q, k, v], y, dy =>
        {
            var (dq, dk, dv) = Vjp(q.Value, k.Value, v.Value, saved, dy);
            return [dq, dk, dv];
        });
    }

    /// <summary>The residual of the forward pass: the attention probabilities.</summary>
    /// <param name="P">softmax(q·kᵀ/√D + M), shape [..., T, S]; each row sums to 1 (masked entries are 0).</param>
    /// <param name="Causal">Whether M was the causal mask: the VJP then leaves out P's zeros above the diagonal (the same bits).</param>
    public readonly record struct Saved<T>(Tensor<T> P, bool Causal = false)
        where T : unmanaged, IFloatingPointIeee754<T>;

    private static (int Batch, int Tq, int S, int D, int E) Dims<T>(Tensor<T> q, Tensor<T> k, Tensor<T> v, bool causal)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        string Shapes() => $"q {q.Shape}, k {k.Shape}, v {v.Shape}";
        if (q.Rank < 2 || k.Rank != q.Rank || v.Rank != q.Rank)
            throw new ArgumentException($"{nameof(Attention)}: expected q [..., T, D], k [..., S, D], v [..., S, E] of the same rank ≥ 2, got {Shapes()}");
        var lead = q.Shape.Dims.AsSpan(0, q.Rank - 2);
        if (!lead.SequenceEqual(k.Shape.Dims.AsSpan(0, q.Rank - 2)) || !lead.SequenceEqual(v.Shape.Dims.AsSpan(0, q.Rank - 2)))
            throw new ArgumentException($"{nameof(Attention)}: leading axes differ, {Shapes()}");
        var (t, d, s, e) = (q.Dim(-2), q.Dim(-1), k.Dim(-2), v.Dim(-1));
        if (k.Dim(-1) != d || v.Dim(-2) != s)
            throw new ArgumentException($"{nameof(Attention)}: q and k must share D and k and v must share S, got {Shapes()}");
        if (d == 0)
            throw new ArgumentException($"{nameof(Attention)}: the key dimension D must be ≥ 1, got {Shapes()}");
        if (causal && t != s)
            throw new ArgumentException($"{nameof(Attention)}: a causal mask needs as many queries as keys (T = S), got {Shapes()}");
        return (q.Shape.SizeOf(0, q.Rank - 2), t, s, d, e);
    }
}
