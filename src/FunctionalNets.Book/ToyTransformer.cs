using FunctionalNets.Autodiff;
using FunctionalNets.Ops;
using FunctionalNets.Parameters;
using FunctionalNets.Randomness;
using FunctionalNets.Tensors;
using FunctionalNets.Text;

namespace FunctionalNets.Book;

/// <summary>Which parts the book's toy model has, growing from Example 1 to Example 6.</summary>
public enum ToyParts
{
    /// <summary>Embeddings → attention → last position → W_O (Examples 1–4).</summary>
    Attention,

    /// <summary>Adds the feed-forward network <c>ReLU(c·W₁)·W₂</c> with a residual around it (Example 5).</summary>
    FeedForward,

    /// <summary>The complete post-LN block: <c>r = LN(X + attention)</c>, <c>LN(r + FFN(r))</c> (Example 6).</summary>
    Block,
}

/// <summary>Every intermediate value of one forward pass of the toy model, as tape variables.</summary>
/// <param name="X">The embeddings [T, 2].</param>
/// <param name="Q">The queries X·W_Q.</param>
/// <param name="K">The keys X·W_K.</param>
/// <param name="V">The values X·W_V.</param>
/// <param name="RawScores">Q·Kᵀ.</param>
/// <param name="Scores">Q·Kᵀ/√2 (masked when causal).</param>
/// <param name="Weights">The attention weights, softmax of each row of the scores.</param>
/// <param name="Context">The attention output, weights·V [T, 2].</param>
/// <param name="Norm1">Example 6's <c>LN(X + context)</c>; null for the other parts.</param>
/// <param name="FeedForward">The feed-forward output (of the context in Example 5, of <paramref name="Norm1"/> in Example 6); null in Examples 1–4.</param>
/// <param name="Hidden">What each position hands on: the context, <c>c + FFN(c)</c>, or the block's output [T, 2].</param>
/// <param name="Last">The last position's row of <paramref name="Hidden"/> [1, 2], the vector W_O reads.</param>
/// <param name="Logits">Last·W_O [1, 4].</param>
/// <param name="Probs">softmax(logits) over A, B, C, D.</param>
/// <param name="Loss">−ln p(target).</param>
public sealed record ToyTrace(
    Var<double> X, Var<double> Q, Var<double> K, Var<double> V, Var<double> RawScores, Var<double> Scores, Var<double> Weights,
    Var<double> Context, Var<double>? Norm1, Var<double>? FeedForward, Var<double> Hidden, Var<double> Last, Var<double> Logits,
    Var<double> Probs, Var<double> Loss);

/// <summary>
/// The toy transformer of the chapter "Neural Network Fundamentals" of the toyai book: tokens A, B, C, D with
/// fixed 2-d embeddings, one attention head with W_Q = W_K = W_V = 0.1·I and no causal mask, and the last
/// position's vector projected to 4 logits by W_O (row vectors throughout).
/// </summary>
/// <remarks>
/// The forward pass taps its intermediate values under <c>"{text}/{name}"</c> (<c>q</c>, <c>k</c>, <c>v</c>,
/// <c>raw_scores</c>, <c>scores</c>, <c>weights</c>, <c>context</c>, <c>hidden</c>, <c>last</c>, <c>logits</c>), so
/// a pullback of a loss (<see cref="Grad.Vjp{T, A}"/>) reports dL/dlogits, dL/dcontext, dQ, dK, dV, … of each
/// pattern, with no extra parameters.
/// </remarks>
public static class ToyTransformer
{
    /// <summary>The vocabulary A, B, C, D (ids 0…3).</summary>
    public static Vocabulary Vocabulary { get; } = new(["A", "B", "C", "D"]);

    /// <summary>The fixed embeddings A = [1,0], B = [0,1], C = [1,1], D = [0,0].</summary>
    public static Tensor<double> Embeddings { get; } = Tensor.Matrix([1.0, 0], [0.0, 1], [1.0, 1], [0.0, 0]);

    /// <summary>
    /// The book's W_O [2, 4] = [[0.1, 0, 0, 0], [0, 0, 0.1, 0]]: its example code computes the logits as
    /// <c>[0.1·c₀, 0, 0.1·c₁, 0]</c>, which is this matrix in the row-vector convention.
    /// </summary>
    /// <remarks>
    /// Its rows do not differ by a constant, so the query and key maps get gradients: were they to differ by a
    /// constant, dL/dcontext = dlogits·W_Oᵀ would have equal components (Σ dlogits = 0), the attention weights
    /// would get no gradient, and neither would W_Q and W_K (see <see cref="ConstantRowsOutput"/>).
    /// </remarks>
    public static Tensor<double> InitialOutput { get; } = Tensor.Matrix([0.1, 0, 0, 0], [0.0, 0, 0.1, 0]);

    /// <summary>A W_O of our own whose rows differ by a constant (0.4), for the extra that shows W_Q and W_K then learn nothing.</summary>
    public static Tensor<double> ConstantRowsOutput { get; } = Tensor.Matrix([0.1, 0.2, 0.3, 0.4], [0.5, 0.6, 0.7, 0.8]);

    /// <summary>The feed-forward weights of Examples 5 and 6, W₁ = W₂ = [[0.2, 0.1], [0.1, 0.2]] (no biases).</summary>
    public static Tensor<double> FeedForwardWeight { get; } = Tensor.Matrix([0.2, 0.1], [0.1, 0.2]);

    /// <summary>Example 6's layer-norm ε, added to the variance inside the square root: <c>(x − μ)/√(σ² + ε)</c>.</summary>
    public const double NormEps = 1e-8;

    /// <summary>The starting parameters of the toy model with the given parts; <paramref name="output"/> replaces the book's W_O.</summary>
    public static Params<double> InitialParams(ToyParts parts, Tensor<double>? output = null)
    {
        var p = Params<double>.Empty
            .With("w_q", Scaled(0.1)).With("w_k", Scaled(0.1)).With("w_v", Scaled(0.1)).With("w_o", output ?? InitialOutput);
        return parts == ToyParts.Attention ? p : p.With("ffn/w1", FeedForwardWeight).With("ffn/w2", FeedForwardWeight);
    }

    /// <summary>The embedding rows of a space-separated token string such as <c>"A B"</c>: [T, 2].</summary>
    public static Tensor<double> Embed(string text) => Gather.Forward(Embeddings, Vocabulary.Encode(Tokenizer.Words(text)));

    /// <summary>
    /// The forward pass of <paramref name="text"/> with the loss of predicting <paramref name="target"/> next.
    /// Without <paramref name="causal"/> (the book) every position attends to every position.
    /// </summary>
    public static Net<double, ToyTrace> Forward(string text, string target, ToyParts parts = ToyParts.Attention, bool causal = false) =>
        from x in Net.Const(Embed(text))
        from wq in Fixed("w_q")
        from wk in Fixed("w_k")
        from wv in Fixed("w_v")
        from wo in Fixed("w_o")
        from q in Tapped(text, "q", MatMul.Apply(x, wq))
        from k in Tapped(text, "k", MatMul.Apply(x, wk))
        from v in Tapped(text, "v", MatMul.Apply(x, wv))
        from kt in Transpose.Apply(k)
        from raw in Tapped(text, "raw_scores", MatMul.Apply(q, kt))
        from s in Tapped(text, "scores", Scale.Apply(raw, 1 / Math.Sqrt(2)))   // Q·Kᵀ/√d_k, d_k = 2
        from masked in causal ? Mask.Causal.Apply(s) : Net.Pure<double, Var<double>>(s)
        from w in Tapped(text, "weights", Softmax.Apply(masked))
        from c in Tapped(text, "context", MatMul.Apply(w, v))                  // one context vector per position
        from body in Body(parts, x, c)
        from h in Tapped(text, "hidden", Net.Pure<double, Var<double>>(body.Hidden))
        from last in Tapped(text, "last", Slice.Apply(h, 0, h.Dim(0) - 1, h.Dim(0)))
        from logits in Tapped(text, "logits", MatMul.Apply(last, wo))
        from probs in Softmax.Apply(logits)
        from loss in CrossEntropy.Apply(logits, Tensor.Vector(Vocabulary.Id(target)))
        select new ToyTrace(x, q, k, v, raw, s, w, c, body.Norm1, body.FeedForward, h, last, logits, probs, loss);

    /// <summary>The loss alone, for <see cref="Grad.ValueAndGrad{T}(Net{T, Var{T}}, Params{T}, Key?, bool, IOpObserver{T}?, Tensors.StepBuffers?)"/>.</summary>
    public static Net<double, Var<double>> Loss(string text, string target, ToyParts parts = ToyParts.Attention, bool causal = false) =>
        Forward(text, target, parts, causal).Select(t => t.Loss);

    /// <summary>The mean loss over several (text, target) patterns: its gradient is the mean of theirs.</summary>
    public static Net<double, Var<double>> BatchLoss(IReadOnlyList<(string Text, string Target)> patterns, ToyParts parts = ToyParts.Attention) =>
        from sum in patterns.Skip(1).Aggregate(Loss(patterns[0].Text, patterns[0].Target, parts), (acc, p) =>
            from total in acc
            from l in Loss(p.Text, p.Target, parts)
            from s in Add.Apply(total, l)
            select s)
        from mean in Scale.Apply(sum, 1.0 / patterns.Count)
        select mean;

    /// <summary>The predicted next token (argmax of the probabilities) under <paramref name="parameters"/>.</summary>
    public static string Predict(Params<double> parameters, string text, ToyParts parts = ToyParts.Attention) =>
        Vocabulary.Token(ArgMax.Forward(Net.Apply(Forward(text, "A", parts), parameters).Probs.Value).ToScalar());

    private static Net<double, (Var<double>? Norm1, Var<double>? FeedForward, Var<double> Hidden)> Body(ToyParts parts, Var<double> x, Var<double> c) => parts switch
    {
        ToyParts.Attention => Net.Pure<double, (Var<double>?, Var<double>?, Var<double>)>((null, null, c)),
        ToyParts.FeedForward =>
            from f in FeedForward(c)
            from h in Add.Apply(c, f)                      // residual around the FFN
            select ((Var<double>?)null, (Var<double>?)f, h),
        _ =>
            from s1 in Add.Apply(x, c)                     // residual around attention
            from r1 in LayerNorm.Apply(s1, NormEps)        // no gain or bias
            from f in FeedForward(r1)
            from s2 in Add.Apply(r1, f)                    // residual around the FFN
            from r2 in LayerNorm.Apply(s2, NormEps)
            select ((Var<double>?)r1, (Var<double>?)f, r2),
    };

    // FFN(x) = ReLU(x·W₁)·W₂, as the book's examples 5 and 6 compute it.
    private static Net<double, Var<double>> FeedForward(Var<double> x) => Net.Scope("ffn",
        from w1 in Fixed("w1")
        from w2 in Fixed("w2")
        from z1 in MatMul.Apply(x, w1)
        from r in Relu.Apply(z1)
        from y in MatMul.Apply(r, w2)
        select y);

    private static Net<double, Var<double>> Tapped(string text, string name, Net<double, Var<double>> value) =>
        value.Bind(v => Net.Tap($"{text}/{name}", v));

    private static Tensor<double> Scaled(double s) => Tensor.Build<double>([2, 2], y =>
    {
        y.Clear();
        y[0] = y[3] = s;
    });

    // The toy model's parameters are given (InitialParams), never drawn.
    private static Net<double, Var<double>> Fixed(string name) => Net.Param<double>(name);
}
