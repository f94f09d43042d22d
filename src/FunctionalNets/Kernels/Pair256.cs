using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace FunctionalNets.Kernels;

/// <summary>
/// Two Vector256 of float as one <see cref="ISimd{TSelf, T}"/> of 16 lanes, every operation done on both halves side
/// by side: a kernel whose each vector is one long chain of dependent operations (a division, polynomials, an
/// exponent's steps) then runs two independent chains, and the core overlaps their latencies. Lane i gets the same
/// IEEE operation as on one vector, so no result changes.
/// </summary>
/// <remarks>
/// Raw fields and every member inlined: over the width's wrapper (<see cref="V256{T}"/>), or with a member left to
/// the JIT's judgement, the JIT kept the pair in memory and the kernel ran several times slower than on one vector.
/// A loop over pairs must sit in a method of its own: in the same method as a one-vector loop it slowed that loop
/// down too (docs/architecture.md, "Exact GELU, two chains").
/// </remarks>
internal readonly unsafe struct Pair256(Vector256<float> low, Vector256<float> high) : ISimd<Pair256, float>
{
    private readonly Vector256<float> low = low, high = high;

    public static int Count => 2 * Vector256<float>.Count;

    public static bool IsSupported => Vector256.IsHardwareAccelerated;

    public static Pair256 Zero => new(Vector256<float>.Zero, Vector256<float>.Zero);

    public static Pair256 One => new(Vector256<float>.One, Vector256<float>.One);

    public float this[int i] => i < Vector256<float>.Count ? low.GetElement(i) : high.GetElement(i - Vector256<float>.Count);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Pair256 Create(float value) => new(Vector256.Create(value), Vector256.Create(value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Pair256 Load(float* source) => new(Vector256.Load(source), Vector256.Load(source + Vector256<float>.Count));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Pair256 Load(ref readonly float source, nuint index) =>
        new(Vector256.LoadUnsafe(in source, index), Vector256.LoadUnsafe(in source, index + (nuint)Vector256<float>.Count));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Pair256 LoadWidened(float* source) => Load(source);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Pair256 LoadFirst(float* source, int count) =>
        new(V256<float>.LoadFirst(source, count).Value,
            count > Vector256<float>.Count ? V256<float>.LoadFirst(source + Vector256<float>.Count, count - Vector256<float>.Count).Value : Vector256<float>.Zero);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Store(float* destination)
    {
        low.Store(destination);
        high.Store(destination + Vector256<float>.Count);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Store(ref float destination, nuint index)
    {
        low.StoreUnsafe(ref destination, index);
        high.StoreUnsafe(ref destination, index + (nuint)Vector256<float>.Count);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void StoreFirst(float* destination, int count)
    {
        new V256<float>(low).StoreFirst(destination, count);
        if (count > Vector256<float>.Count) new V256<float>(high).StoreFirst(destination + Vector256<float>.Count, count - Vector256<float>.Count);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Pair256 operator +(Pair256 x, Pair256 y) => new(x.low + y.low, x.high + y.high);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Pair256 operator -(Pair256 x, Pair256 y) => new(x.low - y.low, x.high - y.high);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Pair256 operator *(Pair256 x, Pair256 y) => new(x.low * y.low, x.high * y.high);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Pair256 operator /(Pair256 x, Pair256 y) => new(x.low / y.low, x.high / y.high);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Pair256 operator -(Pair256 x) => new(-x.low, -x.high);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Pair256 Fma(Pair256 x, Pair256 y, Pair256 addend) =>
        new(Raw256<float>.Fma(x.low, y.low, addend.low), Raw256<float>.Fma(x.high, y.high, addend.high));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Pair256 Sqrt(Pair256 x) => new(Vector256.Sqrt(x.low), Vector256.Sqrt(x.high));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Pair256 Select(Pair256 mask, Pair256 whenTrue, Pair256 whenFalse) =>
        new(Vector256.ConditionalSelect(mask.low, whenTrue.low, whenFalse.low), Vector256.ConditionalSelect(mask.high, whenTrue.high, whenFalse.high));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Pair256 Equal(Pair256 x, Pair256 y) => new(Vector256.Equals(x.low, y.low), Vector256.Equals(x.high, y.high));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Pair256 GreaterThan(Pair256 x, Pair256 y) => new(Vector256.GreaterThan(x.low, y.low), Vector256.GreaterThan(x.high, y.high));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Pair256 GreaterThanOrEqual(Pair256 x, Pair256 y) =>
        new(Vector256.GreaterThanOrEqual(x.low, y.low), Vector256.GreaterThanOrEqual(x.high, y.high));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Pair256 LessThan(Pair256 x, Pair256 y) => new(Vector256.LessThan(x.low, y.low), Vector256.LessThan(x.high, y.high));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Pair256 Abs(Pair256 x) => new(Vector256.Abs(x.low), Vector256.Abs(x.high));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Pair256 Max(Pair256 x, Pair256 y) => new(Vector256.Max(x.low, y.low), Vector256.Max(x.high, y.high));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Pair256 ShiftBitsLeft(Pair256 x, int count) =>
        new(Vector256.ShiftLeft(x.low.AsInt32(), count).AsSingle(), Vector256.ShiftLeft(x.high.AsInt32(), count).AsSingle());
}
