using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace FunctionalNets.Kernels;

/// <summary>An elementwise function with a scalar body and a SIMD body (one generic body for every width) computing the same math.</summary>
internal interface IUnaryOp<T>
    where T : unmanaged
{
    static abstract T Invoke(T x);

    static abstract TV Invoke<TV>(TV x)
        where TV : unmanaged, ISimd<TV, T>;
}

/// <summary>An elementwise function of two same-length inputs, scalar and SIMD.</summary>
internal interface IBinaryOp<T>
    where T : unmanaged
{
    static abstract T Invoke(T a, T b);

    static abstract TV Invoke<TV>(TV a, TV b)
        where TV : unmanaged, ISimd<TV, T>;
}

/// <summary>
/// The one loop driver for elementwise ops: SIMD over full vectors of the <see cref="VectorWidth"/> in force, scalar
/// over the tail. Each element is the same operations whichever body computes it, so the width never changes a bit.
/// </summary>
internal static class Map
{
    public static void Unary<TOp, T>(ReadOnlySpan<T> x, Span<T> y)
        where TOp : IUnaryOp<T>
        where T : unmanaged
    {
        Check(x.Length, y.Length);
        switch (VectorWidth.Current)
        {
            case 512: Unary<TOp, T, V512<T>>(x, y); break;
            case 256: Unary<TOp, T, V256<T>>(x, y); break;
            default: Unary<TOp, T, V128<T>>(x, y); break;
        }
    }

    public static void Binary<TOp, T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> y)
        where TOp : IBinaryOp<T>
        where T : unmanaged
    {
        Check(a.Length, y.Length);
        Check(b.Length, y.Length);
        switch (VectorWidth.Current)
        {
            case 512: Binary<TOp, T, V512<T>>(a, b, y); break;
            case 256: Binary<TOp, T, V256<T>>(a, b, y); break;
            default: Binary<TOp, T, V128<T>>(a, b, y); break;
        }
    }

    private static void Unary<TOp, T, TV>(ReadOnlySpan<T> x, Span<T> y)
        where TOp : IUnaryOp<T>
        where T : unmanaged
        where TV : unmanaged, ISimd<TV, T>
    {
        ref var xr = ref MemoryMarshal.GetReference(x);
        ref var yr = ref MemoryMarshal.GetReference(y);
        var i = 0;
        if (TV.IsSupported)
            for (; i <= x.Length - TV.Count; i += TV.Count)
                TOp.Invoke(TV.Load(in xr, (nuint)i)).Store(ref yr, (nuint)i);
        for (; i < x.Length; i++)
            Unsafe.Add(ref yr, i) = TOp.Invoke(Unsafe.Add(ref xr, i));
    }

    private static void Binary<TOp, T, TV>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> y)
        where TOp : IBinaryOp<T>
        where T : unmanaged
        where TV : unmanaged, ISimd<TV, T>
    {
        ref var ar = ref MemoryMarshal.GetReference(a);
        ref var br = ref MemoryMarshal.GetReference(b);
        ref var yr = ref MemoryMarshal.GetReference(y);
        var i = 0;
        if (TV.IsSupported)
            for (; i <= a.Length - TV.Count; i += TV.Count)
                TOp.Invoke(TV.Load(in ar, (nuint)i), TV.Load(in br, (nuint)i)).Store(ref yr, (nuint)i);
        for (; i < a.Length; i++)
            Unsafe.Add(ref yr, i) = TOp.Invoke(Unsafe.Add(ref ar, i), Unsafe.Add(ref br, i));
    }

    private static void Check(int input, int output)
    {
        if (input != output)
            throw new ArgumentException($"Map: input length {input} differs from output length {output}");
    }
}
