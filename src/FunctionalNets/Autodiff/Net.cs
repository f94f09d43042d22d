using System.Diagnostics;
using System.Numerics;
using FunctionalNets.Parameters;
using FunctionalNets.Randomness;
using FunctionalNets.Tensors;

namespace FunctionalNets.Autodiff;

/// <summary>
/// A differentiable computation: a pure function from a <see cref="NetState{T}"/> to a result and the next state.
/// It reads parameters by path and records pullbacks on an immutable tape. <c>Select</c> and <c>SelectMany</c>
/// make it composable in LINQ query syntax, one <c>from</c> per box of a model diagram.
/// </summary>
/// <remarks>
/// Build one from its step function, <c>new Net&lt;T, A&gt;(s =&gt; …)</c>, or from <see cref="Net"/>'s builders and the
/// ops' <c>Apply</c>. The builders and the binds keep what they need in fields of one object instead of a closure and a
/// delegate: a model's ops make these objects on every run, and for a small model (W5) their allocation is much of a step.
/// </remarks>
public class Net<T, A>
    where T : unmanaged, INumber<T>
{
    private readonly Func<NetState<T>, (A Value, NetState<T> State)>? run;

    /// <summary>A computation from its step function.</summary>
    public Net(Func<NetState<T>, (A Value, NetState<T> State)> run) => this.run = run ?? throw new ArgumentNullException(nameof(run));

    // For the library's own nets, which override Step.
    private protected Net() { }

    /// <summary>Runs the computation on a state: its result and the next state.</summary>
    public (A Value, NetState<T> State) Run(NetState<T> s) => run is null ? Step(s) : run(s);

    // The step of a net built without a step function.
    private protected virtual (A Value, NetState<T> State) Step(NetState<T> s) => throw new UnreachableException();

    /// <summary>Maps the result.</summary>
    public Net<T, B> Select<B>(Func<A, B> f) => new Mapped<B>(this, f);

    /// <summary>Sequences a computation that depends on this one's result.</summary>
    public Net<T, B> Bind<B>(Func<A, Net<T, B>> f) => new Bound<B>(this, f);

    /// <summary>Sequences (LINQ's <c>from … from …</c>).</summary>
    public Net<T, B> SelectMany<B>(Func<A, Net<T, B>> f) => Bind(f);

    /// <summary>Sequences and projects (LINQ's <c>from … from … select …</c>).</summary>
    public Net<T, C> SelectMany<B, C>(Func<A, Net<T, B>> f, Func<A, B, C> project) => new Projected<B, C>(this, f, project);

    private sealed class Mapped<B>(Net<T, A> source, Func<A, B> f) : Net<T, B>
    {
        private protected override (B Value, NetState<T> State) Step(NetState<T> s)
        {
            var (a, s1) = source.Run(s);
            return (f(a), s1);
        }
    }

    private sealed class Bound<B>(Net<T, A> source, Func<A, Net<T, B>> f) : Net<T, B>
    {
        private protected override (B Value, NetState<T> State) Step(NetState<T> s)
        {
            var (a, s1) = source.Run(s);
            return f(a).Run(s1);
        }
    }

    private sealed class Projected<B, C>(Net<T, A> source, Func<A, Net<T, B>> f, Func<A, B, C> project) : Net<T, C>
    {
        private protected override (C Value, NetState<T> State) Step(NetState<T> s)
        {
            var (a, s1) = source.Run(s);
            var (b, s2) = f(a).Run(s1);
            return (project(a, b), s2);
        }
    }
}

/// <summary>Building blocks and runners for <see cref="Net{T,A}"/>.</summary>
public static class Net
{
    /// <summary>A computation that returns <paramref name="value"/> and changes nothing.</summary>
    public static Net<T, A> Pure<T, A>(A value)
        where T : unmanaged, INumber<T> => new Constant<T, A>(value);

    private sealed class Constant<T, A>(A value) : Net<T, A>
        where T : unmanaged, INumber<T>
    {
        private protected override (A Value, NetState<T> State) Step(NetState<T> s) => (value, s);
    }

    /// <summary>Brings a constant tensor (an input, a target) into the computation as a new slot with no gradient source.</summary>
    public static Net<T, Var<T>> Const<T>(Tensor<T> value)
        where T : unmanaged, INumber<T> => new(s => (new Var<T>(s.NextSlot, value, needsGrad: false), s with { NextSlot = s.NextSlot + 1 }));

    /// <summary>
    /// Brings a tensor in as a new slot whose gradient is wanted (the gradient of a loss with respect to an input):
    /// a pullback of the net (<see cref="Grad.Vjp{T}(Net{T, Var{T}}, Params{T}, Key?, bool)"/>) reports the
    /// cotangent of every variable, in the order the variables were created.
    /// </summary>
    public static Net<T, Var<T>> Variable<T>(Tensor<T> value)
        where T : unmanaged, INumber<T> => new(s =>
        {
            var v = new Var<T>(s.NextSlot, value);
            return (v, s with { NextSlot = s.NextSlot + 1, Variables = s.Variables.Add(v) });
        });

    /// <summary>
    /// Observes the cotangent of an intermediate value: returns <paramref name="x"/> under the tap
    /// <c>scope + name</c>, and a pullback of the net reports the cotangent that reaches this point (from every
    /// use of the returned value) under that path. Use the returned value downstream; uses of <paramref name="x"/>
    /// itself bypass the tap.
    /// </summary>
    /// <remarks>
    /// While recording, the tap is an identity node <c>y = x</c>, <c>dx = dy</c>, whose output always needs a
    /// gradient (so a tap on a value computed from constants still receives its cotangent). Without recording
    /// (inference, initialisation) it returns <paramref name="x"/> and records nothing. A path tapped twice in one
    /// run is an error naming it: give each tap its own name or scope.
    /// </remarks>
    public static Net<T, Var<T>> Tap<T>(string name, Var<T> x)
        where T : unmanaged, INumber<T> => new(s =>
        {
            if (!s.Recording) return (x, s);
            var path = s.Scope + name;
            if (s.Taps.ContainsKey(path))
                throw new ArgumentException($"Net.Tap: '{path}' is tapped twice in one run; give each tap its own name or scope");
            var y = new Var<T>(s.NextSlot, x.Value);
            var needsGrad = x.NeedsGrad;
            return (y, s with
            {
                Tape = new Tape<T>(nameof(Tap), s.Scope, y.Id, [x], dy => [needsGrad ? dy : null], s.Tape),
                NextSlot = s.NextSlot + 1,
                Taps = s.Taps.Add(path, y),
            });
        });

    /// <summary>Reads an existing parameter <paramref name="name"/> under the current scope, whatever its shape (fixed, given weights).</summary>
    public static Net<T, Var<T>> Param<T>(string name)
        where T : unmanaged, INumber<T> => new(s =>
        {
            var path = s.Scope + name;
            var index = s.Params.IndexOf(path);
            return index >= 0 ? Read(s, index) : throw s.Params.Missing(path);
        });

    /// <summary>
    /// Reads the parameter <paramref name="name"/> under the current scope. In init mode a missing parameter is
    /// created by <paramref name="init"/> from the key <c>root ⊕ path</c>; otherwise its shape must match.
    /// </summary>
    public static Net<T, Var<T>> Param<T>(string name, Shape shape, Initializer<T> init)
        where T : unmanaged, INumber<T> => new ParamRead<T>(name, shape, init);

    private sealed class ParamRead<T>(string name, Shape shape, Initializer<T> init) : Net<T, Var<T>>
        where T : unmanaged, INumber<T>
    {
        private protected override (Var<T> Value, NetState<T> State) Step(NetState<T> s)
        {
            var path = s.Scope + name;
            var index = s.Params.IndexOf(path);
            if (index >= 0)
            {
                var found = s.Params.At(index);
                return found.Shape == shape ? Read(s, index) : throw new ArgumentException($"{path}: expected {found.Shape}, got {shape} from the input");
            }
            if (s.InitKey is not { } root)
                throw new KeyNotFoundException($"{path}: no such parameter (have: {string.Join(", ", s.Params.Paths)})");
            Tensor<T> value;
            try
            {
                value = init(root.FoldIn(path), shape);
            }
            catch (ArgumentException e)
            {
                throw new ArgumentException($"{path}: {e.Message}", e);
            }
            if (value.Shape != shape)
                throw new ArgumentException($"{path}: initializer gave {value.Shape}, expected {shape}");
            return (new Var<T>(s.NextSlot, value), s with { Params = s.Params.With(path, value), NextSlot = s.NextSlot + 1 });
        }
    }

    // The parameter at a position of the state's tree: outside init mode in the slot of that position, shared by
    // every read; in init mode, where positions shift as the tree grows, in a fresh slot (nothing is recorded).
    private static (Var<T>, NetState<T>) Read<T>(NetState<T> s, int index)
        where T : unmanaged, INumber<T> =>
        s.InitKey is null
            ? (new Var<T>(index, s.Params.At(index)), s)
            : (new Var<T>(s.NextSlot, s.Params.At(index)), s with { NextSlot = s.NextSlot + 1 });

    /// <summary>Runs <paramref name="inner"/> with <paramref name="name"/> appended to the parameter path (an empty name adds nothing).</summary>
    /// <remarks>
    /// An <see cref="ArgumentException"/> raised inside (an op's shape error, say) comes out prefixed with the full
    /// path, <c>blocks/0/attn: …</c>, unless its message already starts with it (an inner scope, or a layer that
    /// names its own path, did so): so a model's error says which layer it came from, once.
    /// </remarks>
    public static Net<T, A> Scope<T, A>(string name, Net<T, A> inner)
        where T : unmanaged, INumber<T> => name.Length == 0 ? inner : new(s =>
        {
            var scope = s.Scope + name + "/";
            try
            {
                var (a, s1) = inner.Run(s with { Scope = scope });
                return (a, s1 with { Scope = s.Scope });
            }
            catch (ArgumentException e) when (e.GetType() == typeof(ArgumentException) && !Names(e.Message, scope))
            {
                throw new ArgumentException($"{scope.TrimEnd('/')}: {e.Message}", e);
            }
        });

    // Whether a message already starts with the path of this scope or of one inside it.
    private static bool Names(string message, string scope) =>
        message.StartsWith(scope, StringComparison.Ordinal) || message.StartsWith(scope.TrimEnd('/') + ":", StringComparison.Ordinal);

    /// <summary>The current parameter path prefix, for error messages that name the layer.</summary>
    public static Net<T, string> Path<T>()
        where T : unmanaged, INumber<T> => new(s => (ScopePath(s.Scope), s));

    /// <summary>The layer path of a scope: <c>blocks/0/attn/</c> → <c>blocks/0/attn</c>.</summary>
    internal static string ScopePath(string scope) => scope.TrimEnd('/');

    /// <summary>Whether stochastic layers are active in this run.</summary>
    public static Net<T, bool> Training<T>()
        where T : unmanaged, INumber<T> => new(s => (s.Training, s));

    /// <summary>A fresh key for a stochastic layer: the run's key folded with the path and the draw number.</summary>
    public static Net<T, Key> NextKey<T>()
        where T : unmanaged, INumber<T> => new(s =>
        {
            var rng = s.Rng ?? throw new InvalidOperationException($"{s.Scope.TrimEnd('/')}: this run needs a key (pass rng) for a stochastic layer");
            return (rng.FoldIn(s.Scope).FoldIn((uint)s.Draws), s with { Draws = s.Draws + 1 });
        });

    /// <summary>
    /// Records the result <paramref name="y"/> of an op over <paramref name="inputs"/> with its pullback; the
    /// one place ops touch the tape. When not recording, only a slot is allocated.
    /// </summary>
    public static Net<T, Var<T>> Record<T>(string op, Var<T>[] inputs, Tensor<T> y, Pullback<T> back)
        where T : unmanaged, INumber<T> => new Recorded<T>(op, inputs, y, back);

    private sealed class Recorded<T>(string op, Var<T>[] inputs, Tensor<T> y, Pullback<T> back) : Net<T, Var<T>>
        where T : unmanaged, INumber<T>
    {
        private protected override (Var<T> Value, NetState<T> State) Step(NetState<T> s) => Push(s, op, inputs, y, back);
    }

    // Record's step on a state, for lifts that run it inside their own net without allocating one more.
    private static (Var<T>, NetState<T>) Push<T>(NetState<T> s, string op, Var<T>[] inputs, Tensor<T> y, Pullback<T> back)
        where T : unmanaged, INumber<T>
    {
        // A result of constants alone is a constant: nothing to record, no gradient to carry.
        var needsGrad = false;
        foreach (var input in inputs) needsGrad |= input.NeedsGrad;
        var v = new Var<T>(s.NextSlot, y, needsGrad);
        s.Observer?.Forward(new ForwardOp<T>(op, ScopePath(s.Scope), v, inputs));
        if (!(s.Recording && needsGrad)) return (v, s with { NextSlot = s.NextSlot + 1 });
        return (v, s with { Tape = new Tape<T>(op, s.Scope, v.Id, inputs, back, s.Tape), NextSlot = s.NextSlot + 1 });
    }

    /// <summary>Lifts a one-input op: <c>y = forward(x)</c>, <c>dx = vjp(x, y, dy)</c>.</summary>
    public static Net<T, Var<T>> Unary<T>(string op, Var<T> x, Func<Tensor<T>, Tensor<T>> forward,
        Func<Tensor<T>, Tensor<T>, Tensor<T>, Tensor<T>> vjp)
        where T : unmanaged, INumber<T> => new UnaryOp<T>(op, x, forward, vjp);

    /// <summary>Lifts a two-input op: <c>y = forward(a, b)</c>, <c>(da, db) = vjp(a, b, y, dy)</c>.</summary>
    public static Net<T, Var<T>> Binary<T>(string op, Var<T> a, Var<T> b, Func<Tensor<T>, Tensor<T>, Tensor<T>> forward,
        Func<Tensor<T>, Tensor<T>, Tensor<T>, Tensor<T>, (Tensor<T>, Tensor<T>)> vjp)
        where T : unmanaged, INumber<T> => new BinaryOp<T>(op, a, b, forward, vjp);

    private sealed class UnaryOp<T>(string op, Var<T> x, Func<Tensor<T>, Tensor<T>> forward,
        Func<Tensor<T>, Tensor<T>, Tensor<T>, Tensor<T>> vjp) : Net<T, Var<T>>
        where T : unmanaged, INumber<T>
    {
        private protected override (Var<T> Value, NetState<T> State) Step(NetState<T> s)
        {
            var y = forward(x.Value);
            return Push<T>(s, op, [x], y, dy => [vjp(x.Value, y, dy)]);
        }
    }

    private sealed class BinaryOp<T>(string op, Var<T> a, Var<T> b, Func<Tensor<T>, Tensor<T>, Tensor<T>> forward,
        Func<Tensor<T>, Tensor<T>, Tensor<T>, Tensor<T>, (Tensor<T>, Tensor<T>)> vjp) : Net<T, Var<T>>
        where T : unmanaged, INumber<T>
    {
        private protected override (Var<T> Value, NetState<T> State) Step(NetState<T> s)
        {
            var y = forward(a.Value, b.Value);
            return Push<T>(s, op, [a, b], y, dy =>
            {
                var (da, db) = vjp(a.Value, b.Value, y, dy);
                return [da, db];
            });
        }
    }

    /// <summary>Runs <paramref name="net"/> once to create its parameters, each from <c>key ⊕ path</c>.</summary>
    public static Params<T> Init<T, A>(Net<T, A> net, Key key)
        where T : unmanaged, INumber<T> => net.Run(NetState<T>.Start(Params<T>.Empty, recording: false, initKey: key)).State.Params;

    /// <summary>
    /// Applies <paramref name="net"/> to existing parameters without recording pullbacks (inference);
    /// <paramref name="observer"/>, when given, sees every op's result.
    /// </summary>
    public static A Apply<T, A>(Net<T, A> net, Params<T> parameters, Key? rng = null, bool training = false, IOpObserver<T>? observer = null)
        where T : unmanaged, INumber<T> =>
        net.Run(NetState<T>.Start(parameters, recording: false, rng: rng, training: training, observer: observer)).Value;

    /// <summary>
    /// <see cref="Apply{T, A}"/> for a net with one output, its tensors built in <paramref name="buffers"/>, which takes
    /// back those of the last call that used it (see <see cref="StepBuffers"/>): for inference in a loop. The
    /// output's buffer is given away to the caller, so the result stays valid; the same bits as without buffers.
    /// </summary>
    public static Tensor<T> Output<T>(Net<T, Var<T>> net, Params<T> parameters, StepBuffers buffers, Key? rng = null, bool training = false)
        where T : unmanaged, INumber<T>
    {
        Var<T> y;
        using (buffers.Lend()) y = Apply(net, parameters, rng, training);
        buffers.GiveAway(y.Value.UnsafeBuffer());
        return y.Value;
    }
}
