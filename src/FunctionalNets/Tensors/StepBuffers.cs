using System.Runtime.CompilerServices;

namespace FunctionalNets.Tensors;

/// <summary>
/// The tensor buffers of one gradient computation, lent again to the next computation that uses this object instead
/// of being left to the garbage collector. A training step allocates the same buffers in the same order every time,
/// so from the second step on its activations and cotangents are written into the previous step's memory.
/// </summary>
/// <remarks>
/// <para>
/// Pass one to <see cref="Autodiff.Grad.ValueAndGrad{T}(Autodiff.Net{T, Autodiff.Var{T}}, Parameters.Params{T}, Randomness.Key?, bool, Autodiff.IOpObserver{T}?, StepBuffers?)"/>
/// (or set <see cref="Training.Trainer{T, TBatch}.ReuseBuffers"/>). Every tensor built on the calling thread during
/// that call takes its buffer from here; the buffers of the gradients it returns are given away to the caller, never
/// lent again, so what it hands back is never overwritten. Everything else the call built is reclaimed when the
/// next call starts: a loss function must not keep a tensor it built beyond its own call.
/// </para>
/// <para>
/// Buffers start uninitialised, exactly as freshly allocated ones (every element is written before it is read), so
/// results are bit for bit those without reuse. One computation at a time may use an instance.
/// </para>
/// </remarks>
public sealed class StepBuffers
{
    [ThreadStatic] private static StepBuffers? active;

    private readonly Dictionary<(Type Element, int Length), Stack<Array>> free = [];
    private readonly List<Array> lent = [];
    private int entered;

    /// <summary>The bytes held, lent or free (a diagnostic: about one step's activations and cotangents).</summary>
    public long Bytes { get; private set; }

    /// <summary>
    /// Takes back everything lent since the last <see cref="Lend"/> and makes this object the source of the calling
    /// thread's tensor buffers until the returned scope is disposed.
    /// </summary>
    internal Scope Lend()
    {
        if (Interlocked.Exchange(ref entered, 1) != 0)
            throw new InvalidOperationException("StepBuffers: already lending to another computation; give each concurrent computation its own");
        if (active is not null)
        {
            entered = 0;
            throw new InvalidOperationException("StepBuffers: another StepBuffers is already lending on this thread (nested gradient computations cannot both reuse buffers)");
        }
        foreach (var buffer in lent) Shelf(buffer.GetType().GetElementType()!, buffer.Length).Push(buffer);
        lent.Clear();
        active = this;
        return new Scope(this);
    }

    /// <summary>A buffer of <paramref name="length"/> elements from the thread's active lender, or null when none is active.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static T[]? Rent<T>(int length)
        where T : unmanaged => active?.Take<T>(length);

    private T[] Take<T>(int length)
        where T : unmanaged
    {
        var shelf = Shelf(typeof(T), length);
        T[] buffer;
        if (shelf.Count > 0) buffer = (T[])shelf.Pop();
        else
        {
            buffer = GC.AllocateUninitializedArray<T>(length);
            Bytes += (long)length * Unsafe.SizeOf<T>();
        }
        lent.Add(buffer);
        return buffer;
    }

    private Stack<Array> Shelf(Type element, int length)
    {
        if (!free.TryGetValue((element, length), out var shelf)) free[(element, length)] = shelf = new Stack<Array>();
        return shelf;
    }

    /// <summary>
    /// Hands <paramref name="buffer"/> over for good when it was lent since the last <see cref="Lend"/> (it is then
    /// never lent again, and no longer counted in <see cref="Bytes"/>); a buffer from elsewhere is left alone.
    /// </summary>
    internal void GiveAway<T>(T[] buffer)
        where T : unmanaged
    {
        var at = lent.FindIndex(b => ReferenceEquals(b, buffer));
        if (at < 0) return;
        lent[at] = lent[^1];
        lent.RemoveAt(lent.Count - 1);
        Bytes -= (long)buffer.Length * Unsafe.SizeOf<T>();
    }

    /// <summary>Ends the lending on this thread; what was lent stays lent until the next <see cref="Lend"/>.</summary>
    internal readonly struct Scope(StepBuffers owner) : IDisposable
    {
        public void Dispose()
        {
            active = null;
            owner.entered = 0;
        }
    }
}
