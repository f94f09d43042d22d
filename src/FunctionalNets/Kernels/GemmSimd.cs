using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace FunctionalNets.Kernels;

/// <summary>
/// The Vector512 operations the GEMM needs that have no generic form: fused multiply-add and masked load/store for
/// T = float or double (the JIT keeps only the branch for the T it compiles).
/// </summary>
internal static unsafe class GemmSimd
{
    /// <summary><c>x·y + acc</c> with one rounding.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Fma<T>(Vector512<T> x, Vector512<T> y, Vector512<T> acc)
        where T : unmanaged =>
        typeof(T) == typeof(float)
            ? Vector512.FusedMultiplyAdd(x.AsSingle(), y.AsSingle(), acc.AsSingle()).As<float, T>()
            : Vector512.FusedMultiplyAdd(x.AsDouble(), y.AsDouble(), acc.AsDouble()).As<double, T>();

    /// <summary>A mask of the lanes <c>i &lt; count</c> (all lanes when count ≥ the width, none when count ≤ 0).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> FirstLanes<T>(int count)
        where T : unmanaged =>
        typeof(T) == typeof(float)
            ? Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(count)).As<int, T>()
            : Vector512.LessThan(Vector512<long>.Indices, Vector512.Create((long)count)).As<long, T>();

    /// <summary>The lanes under <paramref name="mask"/> from memory, zeros elsewhere; masked lanes are never read.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> MaskLoad<T>(T* p, Vector512<T> mask)
        where T : unmanaged =>
        typeof(T) == typeof(float)
            ? Avx512F.MaskLoad((float*)p, mask.AsSingle(), Vector512<float>.Zero).As<float, T>()
            : Avx512F.MaskLoad((double*)p, mask.AsDouble(), Vector512<double>.Zero).As<double, T>();

    /// <summary>Writes the lanes of <paramref name="x"/> under <paramref name="mask"/>; other memory is untouched.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void MaskStore<T>(T* p, Vector512<T> mask, Vector512<T> x)
        where T : unmanaged
    {
        if (typeof(T) == typeof(float))
            Avx512F.MaskStore((float*)p, mask.AsSingle(), x.AsSingle());
        else
            Avx512F.MaskStore((double*)p, mask.AsDouble(), x.AsDouble());
    }
}
