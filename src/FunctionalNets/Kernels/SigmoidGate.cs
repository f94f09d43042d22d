using System.Numerics;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace FunctionalNets.Kernels;

/// <summary>
/// The driver for an elementwise op built on a sigmoid gate <c>s = σ(a(x))</c> (the tanh-GELU: <c>a = 2u</c>,
/// <c>y = x·s</c>): the forward <c>y = f(x, s)</c> and the VJP <c>dx = dy·f′(x, s)</c>, each one pass over L1-sized
/// chunks, so the gate's intermediate steps never leave the cache, spread over threads. Chunks are independent, so
/// the split does not change any result.
/// </summary>
/// <remarks>
/// The op supplies <c>a</c>, <c>f</c> and <c>f′</c> as elementwise structs (<see cref="IUnaryOp{T}"/>,
/// <see cref="IBinaryOp{T}"/>); the gate is <see cref="StableSigmoid"/>. The gate <c>s</c> may be kept: the forward
/// writes it when given a buffer for it, the VJP reads it when given one and recomputes it otherwise (an empty span
/// means none).
/// </remarks>
internal static unsafe class SigmoidGate
{
    private const int Chunk = 1024;

    // Element operations per element, roughly (the exponential dominates): sizes the thread split.
    private const int Cost = 16;

    /// <summary><c>y = f(x, s)</c> with <c>s = σ(a(x))</c>, written to <paramref name="s"/> unless it is empty.</summary>
    public static void Forward<TArg, TOut, T>(ReadOnlySpan<T> x, Span<T> s, Span<T> y)
        where TArg : IUnaryOp<T>
        where TOut : IBinaryOp<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check(x.Length, s.Length, y.Length);
        fixed (T* px = x, ps = s, py = y)
            Partition.For(Chunks(x.Length), Chunk * Cost, new Pass<TArg, TOut, T>(px, ps, null, py, x.Length, backward: false));
    }

    /// <summary><c>dx = dy·f′(x, s)</c>, the gate read from <paramref name="s"/>, or recomputed when it is empty.</summary>
    public static void Vjp<TArg, TSlope, T>(ReadOnlySpan<T> x, ReadOnlySpan<T> s, ReadOnlySpan<T> dy, Span<T> dx)
        where TArg : IUnaryOp<T>
        where TSlope : IBinaryOp<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check(x.Length, s.Length, dy.Length, dx.Length);
        fixed (T* px = x, ps = s, pdy = dy, pdx = dx)
            Partition.For(Chunks(x.Length), Chunk * Cost, new Pass<TArg, TSlope, T>(px, ps, pdy, pdx, x.Length, backward: true));
    }

    // The gate is empty (not kept) or as long as x; every other buffer is as long as x.
    private static void Check(int n, int gate, params ReadOnlySpan<int> others)
    {
        if ((gate != 0 && gate != n) || others.ContainsAnyExcept(n))
            throw new ArgumentException($"SigmoidGate: {n} elements, a gate of {gate} and buffers of {string.Join(", ", others.ToArray())}");
    }

    private static int Chunks(int size) => (size + Chunk - 1) / Chunk;

    /// <summary>Chunk c covers elements [c·Chunk, min((c + 1)·Chunk, n)).</summary>
    private static (int Start, int Length) Range(int chunk, int n) => (chunk * Chunk, Math.Min(Chunk, n - chunk * Chunk));

    /// <summary>
    /// One pass over chunks [start, end). Forward: the gate s = σ(a(x)) (into s when it is kept, else scratch), then
    /// <c>y = f(x, s)</c>. Backward: the gate (read when kept, else recomputed), then <c>dx = dy·f′(x, s)</c>.
    /// </summary>
    private readonly struct Pass<TArg, TOut, T>(T* x, T* s, T* dy, T* output, int n, bool backward) : IRangeBody
        where TArg : IUnaryOp<T>
        where TOut : IBinaryOp<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public void Run(int start, int end)
        {
            Span<T> arg = stackalloc T[Chunk], scratch = stackalloc T[Chunk];
            for (var c = start; c < end; c++)
            {
                var (i, len) = Range(c, n);
                ReadOnlySpan<T> xc = new(x + i, len);
                var gate = s is null ? scratch[..len] : new Span<T>(s + i, len);
                if (!backward || s is null)
                {
                    Map.Unary<TArg, T>(xc, arg[..len]);
                    StableSigmoid.Into<T>(arg[..len], gate);
                }
                var result = new Span<T>(output + i, len);
                Map.Binary<TOut, T>(xc, gate, result);
                if (backward)
                    TensorPrimitives.Multiply<T>(result, new ReadOnlySpan<T>(dy + i, len), result);
            }
        }
    }
}
