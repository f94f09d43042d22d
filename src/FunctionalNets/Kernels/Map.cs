using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace FunctionalNets.Kernels;

/// <summary>An elementwise function with a scalar body and a 512-bit SIMD body computing the same math.</summary>
internal interface IUnaryOp<T>
{
    static abstract T Invoke(T x);
    static abstract Vector512<T> Invoke(Vector512<T> x);
}

/// <summary>An elementwise function of two same-length inputs, scalar and SIMD.</summary>
internal interface IBinaryOp<T>
{
    static abstract T Invoke(T a, T b);
    static abstract Vector512<T> Invoke(Vector512<T> a, Vector512<T> b);
}

/// <summary>The one loop driver for elementwise ops: SIMD over full vectors, scalar over the tail.</summary>
internal static class Map
{
    public static void Unary<TOp, T>(ReadOnlySpan<T> x, Span<T> y)
        where TOp : IUnaryOp<T>
        where T : unmanaged
    {
        Check(x.Length, y.Length);
        ref var xr = ref MemoryMarshal.GetReference(x);
        ref var yr = ref MemoryMarshal.GetReference(y);
        var i = 0;
        if (Vector512.IsHardwareAccelerated && Vector512<T>.IsSupported)
            for (; i <= x.Length - Vector512<T>.Count; i += Vector512<T>.Count)
                TOp.Invoke(Vector512.LoadUnsafe(ref xr, (nuint)i)).StoreUnsafe(ref yr, (nuint)i);
        for (; i < x.Length; i++)
            Unsafe.Add(ref yr, i) = TOp.Invoke(Unsafe.Add(ref xr, i));
    }

    public static void Binary<TOp, T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> y)
        where TOp : IBinaryOp<T>
        where T : unmanaged
    {
        Check(a.Length, y.Length);
        Check(b.Length, y.Length);
        ref var ar = ref MemoryMarshal.GetReference(a);
        ref var br = ref MemoryMarshal.GetReference(b);
        ref var yr = ref MemoryMarshal.GetReference(y);
        var i = 0;
        if (Vector512.IsHardwareAccelerated && Vector512<T>.IsSupported)
            for (; i <= a.Length - Vector512<T>.Count; i += Vector512<T>.Count)
                TOp.Invoke(Vector512.LoadUnsafe(ref ar, (nuint)i), Vector512.LoadUnsafe(ref br, (nuint)i)).StoreUnsafe(ref yr, (nuint)i);
        for (; i < a.Length; i++)
            Unsafe.Add(ref yr, i) = TOp.Invoke(Unsafe.Add(ref ar, i), Unsafe.Add(ref br, i));
    }

    private static void Check(int input, int output)
    {
        if (input != output)
            throw new ArgumentException($"Map: input length {input} differs from output length {output}");
    }
}
