using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace FunctionalNets.Kernels;

/// <summary>
/// A SIMD vector of <typeparamref name="T"/> of one width, with the operations the kernels use, so one generic body
/// serves every width: <see cref="V512{T}"/>, <see cref="V256{T}"/> and <see cref="V128{T}"/> wrap
/// <see cref="Vector512{T}"/>, <see cref="Vector256{T}"/> and <see cref="Vector128{T}"/> (the JIT compiles each
/// instantiation to plain vector instructions). Every operation is the lane-wise IEEE operation, so a lane's result
/// does not depend on the width; <see cref="Fma"/> is fused (one rounding) on every width and machine.
/// </summary>
internal unsafe interface ISimd<TSelf, T>
    where TSelf : unmanaged, ISimd<TSelf, T>
    where T : unmanaged
{
    /// <summary>Lanes per vector.</summary>
    static abstract int Count { get; }

    /// <summary>
    /// Whether this width has vector instructions for T. Where it has not, elementwise kernels take their scalar path
    /// (the same bits); kernels whose order is defined on lanes (the GEMM, lane sums) run the vector body anyway,
    /// which the runtime then emulates lane by lane.
    /// </summary>
    static abstract bool IsSupported { get; }

    static abstract TSelf Zero { get; }

    static abstract TSelf One { get; }

    /// <summary>Every lane <paramref name="value"/>.</summary>
    static abstract TSelf Create(T value);

    static abstract TSelf Load(T* source);

    static abstract TSelf Load(ref readonly T source, nuint index);

    /// <summary>Count floats from memory, converted to T (exactly: T is float or double).</summary>
    static abstract TSelf LoadWidened(float* source);

    void Store(T* destination);

    void Store(ref T destination, nuint index);

    /// <summary>Lanes i &lt; <paramref name="count"/> from memory, zeros in the others; memory past count is never read.</summary>
    static abstract TSelf LoadFirst(T* source, int count);

    /// <summary>Writes lanes i &lt; <paramref name="count"/>; memory past count is never touched.</summary>
    void StoreFirst(T* destination, int count);

    /// <summary>Lane <paramref name="i"/>.</summary>
    T this[int i] { get; }

    static abstract TSelf operator +(TSelf x, TSelf y);

    static abstract TSelf operator -(TSelf x, TSelf y);

    static abstract TSelf operator *(TSelf x, TSelf y);

    static abstract TSelf operator /(TSelf x, TSelf y);

    static abstract TSelf operator -(TSelf x);

    /// <summary><c>x·y + addend</c> rounded once.</summary>
    static abstract TSelf Fma(TSelf x, TSelf y, TSelf addend);

    static abstract TSelf Sqrt(TSelf x);

    /// <summary>Lanes of <paramref name="whenTrue"/> where <paramref name="mask"/> is all ones, else of <paramref name="whenFalse"/>.</summary>
    static abstract TSelf Select(TSelf mask, TSelf whenTrue, TSelf whenFalse);

    static abstract TSelf Equal(TSelf x, TSelf y);

    static abstract TSelf GreaterThan(TSelf x, TSelf y);

    static abstract TSelf GreaterThanOrEqual(TSelf x, TSelf y);

    static abstract TSelf LessThan(TSelf x, TSelf y);

    /// <summary>|x|: the sign bit cleared.</summary>
    static abstract TSelf Abs(TSelf x);

    /// <summary>The larger lane, NaN when either is NaN, +0 over −0 (IEEE 754 maximum).</summary>
    static abstract TSelf Max(TSelf x, TSelf y);

    /// <summary>Each lane's bits, read as an integer of T's size, shifted left by <paramref name="count"/> (exponent assembly).</summary>
    static abstract TSelf ShiftBitsLeft(TSelf x, int count);
}

/// <summary><see cref="ISimd{TSelf, T}"/> on <see cref="Vector512{T}"/> (AVX-512).</summary>
internal readonly unsafe struct V512<T>(Vector512<T> v) : ISimd<V512<T>, T>
    where T : unmanaged
{
    private readonly Vector512<T> v = v;

    public static int Count => Vector512<T>.Count;

    public static bool IsSupported => (Vector512.IsHardwareAccelerated || VectorWidth.Emulates512) && Vector512<T>.IsSupported;

    public static V512<T> Zero => new(Vector512<T>.Zero);

    public static V512<T> One => new(Vector512<T>.One);

    public T this[int i] => v.GetElement(i);

    /// <summary>The wrapped vector, for the AVX-512 shuffles of <see cref="GemmTranspose"/>.</summary>
    public Vector512<T> Value => v;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V512<T> Create(T value) => new(Vector512.Create(value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V512<T> LoadFirst(T* source, int count)
    {
        if (Avx512F.IsSupported && typeof(T) == typeof(float))
            return new(Avx512F.MaskLoad((float*)source, Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(count)).AsSingle(), Vector512<float>.Zero).As<float, T>());
        if (Avx512F.IsSupported && typeof(T) == typeof(double))
            return new(Avx512F.MaskLoad((double*)source, Vector512.LessThan(Vector512<long>.Indices, Vector512.Create((long)count)).AsDouble(), Vector512<double>.Zero).As<double, T>());
        return Lanes.LoadFirst<V512<T>, T>(source, count);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void StoreFirst(T* destination, int count)
    {
        if (Avx512F.IsSupported && typeof(T) == typeof(float))
            Avx512F.MaskStore((float*)destination, Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(count)).AsSingle(), v.AsSingle());
        else if (Avx512F.IsSupported && typeof(T) == typeof(double))
            Avx512F.MaskStore((double*)destination, Vector512.LessThan(Vector512<long>.Indices, Vector512.Create((long)count)).AsDouble(), v.AsDouble());
        else
            Lanes.StoreFirst(this, destination, count);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V512<T> Load(T* source) => new(Vector512.Load(source));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V512<T> Load(ref readonly T source, nuint index) => new(Vector512.LoadUnsafe(in source, index));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V512<T> LoadWidened(float* source) =>
        typeof(T) == typeof(double) ? new(Vector512.WidenLower(Vector256.Load(source).ToVector512Unsafe()).As<double, T>()) : Load((T*)source);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Store(T* destination) => v.Store(destination);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Store(ref T destination, nuint index) => v.StoreUnsafe(ref destination, index);

    public static V512<T> operator +(V512<T> x, V512<T> y) => new(x.v + y.v);

    public static V512<T> operator -(V512<T> x, V512<T> y) => new(x.v - y.v);

    public static V512<T> operator *(V512<T> x, V512<T> y) => new(x.v * y.v);

    public static V512<T> operator /(V512<T> x, V512<T> y) => new(x.v / y.v);

    public static V512<T> operator -(V512<T> x) => new(-x.v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V512<T> Fma(V512<T> x, V512<T> y, V512<T> addend) => new(Raw512<T>.Fma(x.v, y.v, addend.v));

    public static V512<T> Sqrt(V512<T> x) => new(Vector512.Sqrt(x.v));

    public static V512<T> Select(V512<T> mask, V512<T> whenTrue, V512<T> whenFalse) => new(Vector512.ConditionalSelect(mask.v, whenTrue.v, whenFalse.v));

    public static V512<T> Equal(V512<T> x, V512<T> y) => new(Vector512.Equals(x.v, y.v));

    public static V512<T> GreaterThan(V512<T> x, V512<T> y) => new(Vector512.GreaterThan(x.v, y.v));

    public static V512<T> GreaterThanOrEqual(V512<T> x, V512<T> y) => new(Vector512.GreaterThanOrEqual(x.v, y.v));

    public static V512<T> LessThan(V512<T> x, V512<T> y) => new(Vector512.LessThan(x.v, y.v));

    public static V512<T> Abs(V512<T> x) => new(Vector512.Abs(x.v));

    public static V512<T> Max(V512<T> x, V512<T> y) => new(Vector512.Max(x.v, y.v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V512<T> ShiftBitsLeft(V512<T> x, int count) =>
        sizeof(T) == 4 ? new(Vector512.ShiftLeft(x.v.AsInt32(), count).As<int, T>()) : new(Vector512.ShiftLeft(x.v.AsInt64(), count).As<long, T>());
}

/// <summary><see cref="ISimd{TSelf, T}"/> on <see cref="Vector256{T}"/> (AVX2).</summary>
internal readonly unsafe struct V256<T>(Vector256<T> v) : ISimd<V256<T>, T>
    where T : unmanaged
{
    private readonly Vector256<T> v = v;

    public static int Count => Vector256<T>.Count;

    public static bool IsSupported => Vector256.IsHardwareAccelerated && Vector256<T>.IsSupported;

    public static V256<T> Zero => new(Vector256<T>.Zero);

    public static V256<T> One => new(Vector256<T>.One);

    public T this[int i] => v.GetElement(i);

    /// <summary>The wrapped vector, for the AVX shuffles of <see cref="GemmTranspose"/>.</summary>
    public Vector256<T> Value => v;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V256<T> Create(T value) => new(Vector256.Create(value));

    // Whole vectors as plain moves (AVX's masked stores are microcoded on some CPUs); a partial vector with AVX's
    // masked moves where the machine has them (every AVX2 machine), else lane by lane.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V256<T> LoadFirst(T* source, int count)
    {
        if (count >= Count) return Load(source);
        if (Avx.IsSupported && typeof(T) == typeof(float))
            return new(Avx.MaskLoad((float*)source, Vector256.LessThan(Vector256<int>.Indices, Vector256.Create(count)).AsSingle()).As<float, T>());
        if (Avx.IsSupported && typeof(T) == typeof(double))
            return new(Avx.MaskLoad((double*)source, Vector256.LessThan(Vector256<long>.Indices, Vector256.Create((long)count)).AsDouble()).As<double, T>());
        return Lanes.LoadFirst<V256<T>, T>(source, count);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void StoreFirst(T* destination, int count)
    {
        if (count >= Count)
            Store(destination);
        else if (Avx.IsSupported && typeof(T) == typeof(float))
            Avx.MaskStore((float*)destination, Vector256.LessThan(Vector256<int>.Indices, Vector256.Create(count)).AsSingle(), v.AsSingle());
        else if (Avx.IsSupported && typeof(T) == typeof(double))
            Avx.MaskStore((double*)destination, Vector256.LessThan(Vector256<long>.Indices, Vector256.Create((long)count)).AsDouble(), v.AsDouble());
        else
            Lanes.StoreFirst(this, destination, count);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V256<T> Load(T* source) => new(Vector256.Load(source));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V256<T> Load(ref readonly T source, nuint index) => new(Vector256.LoadUnsafe(in source, index));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V256<T> LoadWidened(float* source) =>
        typeof(T) == typeof(double) ? new(Vector256.WidenLower(Vector128.Load(source).ToVector256Unsafe()).As<double, T>()) : Load((T*)source);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Store(T* destination) => v.Store(destination);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Store(ref T destination, nuint index) => v.StoreUnsafe(ref destination, index);

    public static V256<T> operator +(V256<T> x, V256<T> y) => new(x.v + y.v);

    public static V256<T> operator -(V256<T> x, V256<T> y) => new(x.v - y.v);

    public static V256<T> operator *(V256<T> x, V256<T> y) => new(x.v * y.v);

    public static V256<T> operator /(V256<T> x, V256<T> y) => new(x.v / y.v);

    public static V256<T> operator -(V256<T> x) => new(-x.v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V256<T> Fma(V256<T> x, V256<T> y, V256<T> addend) => new(Raw256<T>.Fma(x.v, y.v, addend.v));

    public static V256<T> Sqrt(V256<T> x) => new(Vector256.Sqrt(x.v));

    public static V256<T> Select(V256<T> mask, V256<T> whenTrue, V256<T> whenFalse) => new(Vector256.ConditionalSelect(mask.v, whenTrue.v, whenFalse.v));

    public static V256<T> Equal(V256<T> x, V256<T> y) => new(Vector256.Equals(x.v, y.v));

    public static V256<T> GreaterThan(V256<T> x, V256<T> y) => new(Vector256.GreaterThan(x.v, y.v));

    public static V256<T> GreaterThanOrEqual(V256<T> x, V256<T> y) => new(Vector256.GreaterThanOrEqual(x.v, y.v));

    public static V256<T> LessThan(V256<T> x, V256<T> y) => new(Vector256.LessThan(x.v, y.v));

    public static V256<T> Abs(V256<T> x) => new(Vector256.Abs(x.v));

    public static V256<T> Max(V256<T> x, V256<T> y) => new(Vector256.Max(x.v, y.v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V256<T> ShiftBitsLeft(V256<T> x, int count) =>
        sizeof(T) == 4 ? new(Vector256.ShiftLeft(x.v.AsInt32(), count).As<int, T>()) : new(Vector256.ShiftLeft(x.v.AsInt64(), count).As<long, T>());
}

/// <summary><see cref="ISimd{TSelf, T}"/> on <see cref="Vector128{T}"/> (SSE on x64, NEON on ARM64).</summary>
internal readonly unsafe struct V128<T>(Vector128<T> v) : ISimd<V128<T>, T>
    where T : unmanaged
{
    private readonly Vector128<T> v = v;

    public static int Count => Vector128<T>.Count;

    public static bool IsSupported => Vector128.IsHardwareAccelerated && Vector128<T>.IsSupported;

    public static V128<T> Zero => new(Vector128<T>.Zero);

    public static V128<T> One => new(Vector128<T>.One);

    public T this[int i] => v.GetElement(i);

    /// <summary>The wrapped vector, for the block transposes of <see cref="GemmTranspose"/>.</summary>
    public Vector128<T> Value => v;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128<T> Create(T value) => new(Vector128.Create(value));

    // A partial vector lane by lane on every machine (the code ARM64 runs, so forcing 128 bits on x64 tests it), with
    // constant lane indices and no call, so the micro-kernel's accumulators stay in registers.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128<T> LoadFirst(T* source, int count)
    {
        if (count >= Count) return Load(source);
        if (Count > 4) return Lanes.LoadFirst<V128<T>, T>(source, count);
        var v = Vector128<T>.Zero;
        if (count > 0) v = v.WithElement(0, source[0]);
        if (count > 1) v = v.WithElement(1, source[1]);
        if (count > 2) v = v.WithElement(2, source[2]);
        return new(v);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void StoreFirst(T* destination, int count)
    {
        if (count >= Count)
            Store(destination);
        else if (Count > 4)
            Lanes.StoreFirst(this, destination, count);
        else
        {
            if (count > 0) destination[0] = v.GetElement(0);
            if (count > 1) destination[1] = v.GetElement(1);
            if (count > 2) destination[2] = v.GetElement(2);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128<T> Load(T* source) => new(Vector128.Load(source));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128<T> Load(ref readonly T source, nuint index) => new(Vector128.LoadUnsafe(in source, index));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128<T> LoadWidened(float* source) =>
        typeof(T) == typeof(double) ? new(Vector128.WidenLower(Vector128.CreateScalarUnsafe(*(double*)source).AsSingle()).As<double, T>()) : Load((T*)source);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Store(T* destination) => v.Store(destination);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Store(ref T destination, nuint index) => v.StoreUnsafe(ref destination, index);

    public static V128<T> operator +(V128<T> x, V128<T> y) => new(x.v + y.v);

    public static V128<T> operator -(V128<T> x, V128<T> y) => new(x.v - y.v);

    public static V128<T> operator *(V128<T> x, V128<T> y) => new(x.v * y.v);

    public static V128<T> operator /(V128<T> x, V128<T> y) => new(x.v / y.v);

    public static V128<T> operator -(V128<T> x) => new(-x.v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128<T> Fma(V128<T> x, V128<T> y, V128<T> addend) => new(Raw128<T>.Fma(x.v, y.v, addend.v));

    public static V128<T> Sqrt(V128<T> x) => new(Vector128.Sqrt(x.v));

    public static V128<T> Select(V128<T> mask, V128<T> whenTrue, V128<T> whenFalse) => new(Vector128.ConditionalSelect(mask.v, whenTrue.v, whenFalse.v));

    public static V128<T> Equal(V128<T> x, V128<T> y) => new(Vector128.Equals(x.v, y.v));

    public static V128<T> GreaterThan(V128<T> x, V128<T> y) => new(Vector128.GreaterThan(x.v, y.v));

    public static V128<T> GreaterThanOrEqual(V128<T> x, V128<T> y) => new(Vector128.GreaterThanOrEqual(x.v, y.v));

    public static V128<T> LessThan(V128<T> x, V128<T> y) => new(Vector128.LessThan(x.v, y.v));

    public static V128<T> Abs(V128<T> x) => new(Vector128.Abs(x.v));

    public static V128<T> Max(V128<T> x, V128<T> y) => new(Vector128.Max(x.v, y.v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128<T> ShiftBitsLeft(V128<T> x, int count) =>
        sizeof(T) == 4 ? new(Vector128.ShiftLeft(x.v.AsInt32(), count).As<int, T>()) : new(Vector128.ShiftLeft(x.v.AsInt64(), count).As<long, T>());
}

/// <summary>
/// The raw vector under a width, for loops that carry vectors from one iteration to the next (the GEMM's register
/// tile): the JIT keeps a raw accumulator in its register and multiply-adds into it, where it sends a wrapper
/// struct's result through a scratch register and copies it back.
/// </summary>
internal unsafe interface IRawSimd<TR, T>
    where TR : unmanaged
    where T : unmanaged
{
    static abstract TR Load(T* source);

    /// <summary>Every lane <paramref name="value"/>.</summary>
    static abstract TR Broadcast(T value);

    /// <summary><c>x·y + addend</c> rounded once.</summary>
    static abstract TR Fma(TR x, TR y, TR addend);
}

internal readonly unsafe struct Raw512<T> : IRawSimd<Vector512<T>, T>
    where T : unmanaged
{
    public static Vector512<T> Load(T* source) => Vector512.Load(source);

    public static Vector512<T> Broadcast(T value) => Vector512.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Fma(Vector512<T> x, Vector512<T> y, Vector512<T> addend) =>
        typeof(T) == typeof(float)
            ? Vector512.FusedMultiplyAdd(x.AsSingle(), y.AsSingle(), addend.AsSingle()).As<float, T>()
            : Vector512.FusedMultiplyAdd(x.AsDouble(), y.AsDouble(), addend.AsDouble()).As<double, T>();
}

internal readonly unsafe struct Raw256<T> : IRawSimd<Vector256<T>, T>
    where T : unmanaged
{
    public static Vector256<T> Load(T* source) => Vector256.Load(source);

    public static Vector256<T> Broadcast(T value) => Vector256.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Fma(Vector256<T> x, Vector256<T> y, Vector256<T> addend) =>
        typeof(T) == typeof(float)
            ? Vector256.FusedMultiplyAdd(x.AsSingle(), y.AsSingle(), addend.AsSingle()).As<float, T>()
            : Vector256.FusedMultiplyAdd(x.AsDouble(), y.AsDouble(), addend.AsDouble()).As<double, T>();
}

internal readonly unsafe struct Raw128<T> : IRawSimd<Vector128<T>, T>
    where T : unmanaged
{
    public static Vector128<T> Load(T* source) => Vector128.Load(source);

    public static Vector128<T> Broadcast(T value) => Vector128.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> Fma(Vector128<T> x, Vector128<T> y, Vector128<T> addend) =>
        typeof(T) == typeof(float)
            ? Vector128.FusedMultiplyAdd(x.AsSingle(), y.AsSingle(), addend.AsSingle()).As<float, T>()
            : Vector128.FusedMultiplyAdd(x.AsDouble(), y.AsDouble(), addend.AsDouble()).As<double, T>();
}

/// <summary>Partial loads and stores lane by lane, for widths or element types without masked moves (edges only: kept out of line).</summary>
internal static unsafe class Lanes
{
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static TV LoadFirst<TV, T>(T* source, int count)
        where TV : unmanaged, ISimd<TV, T>
        where T : unmanaged
    {
        var v = TV.Zero;
        var lane = (T*)&v;
        for (var i = 0; i < Math.Min(count, TV.Count); i++) lane[i] = source[i];
        return v;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void StoreFirst<TV, T>(TV v, T* destination, int count)
        where TV : unmanaged, ISimd<TV, T>
        where T : unmanaged
    {
        var lane = (T*)&v;
        for (var i = 0; i < Math.Min(count, TV.Count); i++) destination[i] = lane[i];
    }
}
