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

    // The last call's buffers in the order it took them (null where one was given away), offered again in that order
    // from the cursor on; what the order does not serve waits on a shelf by element type and length.
    private readonly Dictionary<(Type Element, int Length), Stack<Array>> free = [];
    private List<Array?> lent = [], replay = [];
    private int cursor;
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
        ShelveReplay();
        (replay, lent) = (lent, replay);
        active = this;
        return new Scope(this);
    }

    // Below this many bytes a buffer is not lent: a fresh one from the young generation costs less than the lender's
    // bookkeeping, and dies as young (W5, whose tensors hold 2 to 8 floats: steps 4–7 % faster unlent, alternating in one process).
    private const int LentBytes = 1024;

    /// <summary>
    /// A buffer of <paramref name="length"/> elements from the thread's active lender, or null when none is active or
    /// the buffer is too small to be worth lending.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static T[]? Rent<T>(int length)
        where T : unmanaged => Lends<T>(length) ? active?.Take<T>(length) : null;

    /// <summary>Whether a lender deals in buffers of <paramref name="length"/> elements.</summary>
    private static bool Lends<T>(int length)
        where T : unmanaged => (long)length * Unsafe.SizeOf<T>() >= LentBytes;

    /// <summary>Whether a lender deals in buffers like <paramref name="buffer"/>: one it would never lend is not worth tracking.</summary>
    internal static bool Lends<T>(T[] buffer)
        where T : unmanaged => Lends<T>(buffer.Length);

    private T[] Take<T>(int length)
        where T : unmanaged
    {
        if (cursor < replay.Count)
        {
            var next = replay[cursor];
            if (next is T[] same && same.Length == length)
            {
                // The common case: this call asks for what the last one did at the same point.
                cursor++;
                lent.Add(same);
                return same;
            }
            if (next is null) cursor++; // given away: this point gets another buffer
            else ShelveReplay(); // the order differs from here on
        }
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

    // Puts the replay's remaining buffers on their shelves and empties it.
    private void ShelveReplay()
    {
        for (var i = cursor; i < replay.Count; i++)
            if (replay[i] is { } buffer)
                Shelf(buffer.GetType().GetElementType()!, buffer.Length).Push(buffer);
        replay.Clear();
        cursor = 0;
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
        // From the end: what a call hands back (its gradients) is what it built last.
        for (var at = lent.Count - 1; at >= 0; at--)
        {
            if (!ReferenceEquals(lent[at], buffer)) continue;
            lent[at] = null;
            Bytes -= (long)buffer.Length * Unsafe.SizeOf<T>();
            return;
        }
    }

    /// <summary>
    /// Takes <paramref name="buffer"/> to lend from the next <see cref="Lend"/> on: its owner donates it and never reads
    /// it again. It must not be one lent since the last <see cref="Lend"/> and not given away.
    /// </summary>
    internal void Reclaim<T>(T[] buffer)
        where T : unmanaged
    {
        if (!Lends(buffer)) return; // never asked for again
        Shelf(typeof(T), buffer.Length).Push(buffer);
        Bytes += (long)buffer.Length * Unsafe.SizeOf<T>();
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
