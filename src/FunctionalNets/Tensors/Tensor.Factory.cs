using System.Numerics;

namespace FunctionalNets.Tensors;

/// <summary>Factories for <see cref="Tensor{T}"/>: every tensor is created here, filled once, then frozen.</summary>
public static class Tensor
{
    /// <summary>Allocates a tensor of <paramref name="shape"/> and lets <paramref name="fill"/> write it once.</summary>
    public static Tensor<T> Build<T>(Shape shape, Fill<T> fill)
        where T : unmanaged, INumber<T>
    {
        var data = Uninitialized<T>(shape.Size);
        fill(data);
        return new Tensor<T>(shape, data);
    }

    /// <summary>
    /// <see cref="Build{T}(Shape, Fill{T})"/> with what the fill reads handed to it as <paramref name="state"/>, so the fill
    /// can be a static lambda: no closure and no delegate is allocated per call (the ops a small model runs every step).
    /// </summary>
    internal static Tensor<T> Build<T, TState>(Shape shape, TState state, Fill<T, TState> fill)
        where T : unmanaged, INumber<T>
    {
        var data = Uninitialized<T>(shape.Size);
        fill(state, data);
        return new Tensor<T>(shape, data);
    }

    /// <summary><see cref="BuildZeroed{T}(Shape, Fill{T})"/> with the fill's inputs passed as <paramref name="state"/>, as <see cref="Build{T, TState}"/>.</summary>
    internal static Tensor<T> BuildZeroed<T, TState>(Shape shape, TState state, Fill<T, TState> fill)
        where T : unmanaged, INumber<T>
    {
        var data = Zeroed<T>(shape.Size);
        fill(state, data);
        return new Tensor<T>(shape, data);
    }

    /// <summary>A buffer for a new tensor, its elements unspecified: lent by the active <see cref="StepBuffers"/> or newly allocated.</summary>
    internal static T[] Uninitialized<T>(int length)
        where T : unmanaged => StepBuffers.Rent<T>(length) ?? GC.AllocateUninitializedArray<T>(length);

    private static T[] Zeroed<T>(int length)
        where T : unmanaged
    {
        if (StepBuffers.Rent<T>(length) is not { } lent) return new T[length];
        Array.Clear(lent);
        return lent;
    }

    /// <summary>Allocates a zero-initialised tensor and lets <paramref name="fill"/> accumulate into it.</summary>
    public static Tensor<T> BuildZeroed<T>(Shape shape, Fill<T> fill)
        where T : unmanaged, INumber<T>
    {
        var data = Zeroed<T>(shape.Size);
        fill(data);
        return new Tensor<T>(shape, data);
    }

    /// <summary>A tensor holding a copy of <paramref name="values"/> in the given shape.</summary>
    public static Tensor<T> From<T>(Shape shape, ReadOnlySpan<T> values)
        where T : unmanaged, INumber<T>
    {
        if (values.Length != shape.Size)
            throw new ArgumentException($"Tensor.From: shape {shape} needs {shape.Size} values, got {values.Length}");
        return new Tensor<T>(shape, values.ToArray());
    }

    /// <summary>A vector [n] holding a copy of <paramref name="values"/>.</summary>
    public static Tensor<T> Vector<T>(params ReadOnlySpan<T> values)
        where T : unmanaged, INumber<T> => From(Shape.Of(values.Length), values);

    /// <summary>A matrix [rows, cols] from a rectangular array.</summary>
    public static Tensor<T> Matrix<T>(T[,] values)
        where T : unmanaged, INumber<T>
    {
        if (values is null) throw new ArgumentException("Tensor.Matrix: the values array is null");
        var (r, c) = (values.GetLength(0), values.GetLength(1));
        return Build<T>(Shape.Of(r, c), y =>
        {
            for (var i = 0; i < r; i++)
                for (var j = 0; j < c; j++)
                    y[i * c + j] = values[i, j];
        });
    }

    /// <summary>A matrix [rows, cols] from nested rows, which must all have the same length.</summary>
    public static Tensor<T> Matrix<T>(params T[][] rows)
        where T : unmanaged, INumber<T>
    {
        if (rows is null) throw new ArgumentException("Tensor.Matrix: the rows array is null");
        var missing = Array.FindIndex(rows, row => row is null);
        if (missing >= 0) throw new ArgumentException($"Tensor.Matrix: row {missing} of {rows.Length} is null");
        var c = rows.Length == 0 ? 0 : rows[0].Length;
        foreach (var row in rows)
            if (row.Length != c)
                throw new ArgumentException($"Tensor.Matrix: ragged rows, lengths {string.Join(", ", rows.Select(x => x.Length))}");
        return Build<T>(Shape.Of(rows.Length, c), y =>
        {
            for (var i = 0; i < rows.Length; i++) rows[i].CopyTo(y[(i * c)..]);
        });
    }

    /// <summary>A scalar (rank 0) tensor.</summary>
    public static Tensor<T> Scalar<T>(T value)
        where T : unmanaged, INumber<T> => new(Shape.Scalar, [value]);

    /// <summary>All elements equal to <paramref name="value"/>.</summary>
    public static Tensor<T> Full<T>(Shape shape, T value)
        where T : unmanaged, INumber<T> => Build<T>(shape, y => y.Fill(value));

    /// <summary>All zeros.</summary>
    public static Tensor<T> Zeros<T>(Shape shape)
        where T : unmanaged, INumber<T> => new(shape, Zeroed<T>(shape.Size));

    /// <summary>All ones.</summary>
    public static Tensor<T> Ones<T>(Shape shape)
        where T : unmanaged, INumber<T> => Full(shape, T.One);

    /// <summary>The vector <c>[start, start+step, …]</c> of <paramref name="count"/> elements.</summary>
    public static Tensor<T> Arange<T>(int count, T start, T step)
        where T : unmanaged, INumber<T> => Build<T>(Shape.Of(count), y =>
        {
            for (var i = 0; i < count; i++) y[i] = start + T.CreateChecked(i) * step;
        });

    /// <summary>The vector <c>[0, 1, …, count−1]</c>.</summary>
    public static Tensor<T> Arange<T>(int count)
        where T : unmanaged, INumber<T> => Arange(count, T.Zero, T.One);

    /// <summary>The n×n identity matrix.</summary>
    public static Tensor<T> Identity<T>(int n)
        where T : unmanaged, INumber<T> => BuildZeroed<T>(Shape.Of(n, n), y =>
        {
            for (var i = 0; i < n; i++) y[i * n + i] = T.One;
        });

    /// <summary>Element-type conversion (float ↔ double, ids → floats), rounding to nearest.</summary>
    public static Tensor<TTo> Convert<TFrom, TTo>(this Tensor<TFrom> x)
        where TFrom : unmanaged, INumber<TFrom>
        where TTo : unmanaged, INumber<TTo> => Build<TTo>(x.Shape, y =>
        {
            var s = x.Span;
            for (var i = 0; i < s.Length; i++) y[i] = TTo.CreateTruncating(s[i]);
        });

    /// <summary>float64 → float32.</summary>
    public static Tensor<float> ToFloat(this Tensor<double> x) => x.Convert<double, float>();

    /// <summary>float32 → float64.</summary>
    public static Tensor<double> ToDouble(this Tensor<float> x) => x.Convert<float, double>();

    /// <summary>The same elements viewed under another shape of equal size (shares the frozen buffer; no copy).</summary>
    public static Tensor<T> Reshape<T>(this Tensor<T> x, Shape shape)
        where T : unmanaged, INumber<T>
    {
        if (shape.Size != x.Size)
            throw new ArgumentException($"Reshape: cannot view {x.Shape} ({x.Size} elements) as {shape} ({shape.Size} elements)");
        return new Tensor<T>(shape, x.UnsafeBuffer());
    }

    /// <summary>Whether two tensors have the same shape and every element is within <c>atol + rtol·|b|</c>.</summary>
    public static bool AllClose<T>(this Tensor<T> a, Tensor<T> b, double rtol = 1e-5, double atol = 1e-8)
        where T : unmanaged, INumber<T>
    {
        if (a.Shape != b.Shape) return false;
        ReadOnlySpan<T> x = a.Span, y = b.Span;
        for (var i = 0; i < x.Length; i++)
        {
            var (u, v) = (double.CreateTruncating(x[i]), double.CreateTruncating(y[i]));
            if (u.Equals(v)) continue;
            if (!(Math.Abs(u - v) <= atol + rtol * Math.Abs(v))) return false;
        }
        return true;
    }
}
