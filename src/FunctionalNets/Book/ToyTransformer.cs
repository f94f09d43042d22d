using FunctionalNets.Autodiff;
using FunctionalNets.Ops;
using FunctionalNets.Params;
using FunctionalNets.Tensors;
using FunctionalNets.Text;

namespace FunctionalNets.Book;

/// <summary>Which parts the book's toy model has, growing from Example 1 to Example 6.</summary>
public enum ToyParts
{
    /// <summary>Embeddings → attention → last position → W_O (Examples 1–4).</summary>
    Attention,

    /// <summary>Adds a feed-forward network with a residual on the context (Example 5).</summary>
    FeedForward,

    /// <summary>The complete post-LN block: LN(X + attention), LN(r + FFN(r)) (Example 6).</summary>
    Block,
}

/// <summary>Every intermediate value of one forward pass of the toy model, as tape variables.</summary>
public sealed record ToyTrace(
    Var<double> X, Var<double> Q, Var<double> K, Var<double> V, Var<double> Scores, Var<double> Weights,
    Var<double> Context, Var<double> Hidden, Var<double> Logits, Var<double> Probs, Var<double> Loss);

/// <summary>
/// The book's toy transformer: tokens A, B, C, D with fixed 2-d embeddings, one attention head with
/// W_Q = W_K = W_V = 0.1·I, and the last position's vector projected to 4 logits by W_O (row vectors throughout).
/// </summary>
public static class ToyTransformer
{
    /// <summary>The vocabulary A, B, C, D (ids 0…3).</summary>
    public static Vocabulary Vocabulary { get; } = new(["A", "B", "C", "D"]);

    /// <summary>The fixed embeddings A = [1,0], B = [0,1], C = [1,1], D = [0,0].</summary>
    public static Tensor<double> Embeddings { get; } = Tensor.Matrix([1.0, 0], [0.0, 1], [1.0, 1], [0.0, 0]);

    /// <summary>
    /// The initial W_O [2, 4], our fixed choice (the book's own print is not reproduced here). Its two rows do not
    /// differ by a constant: if they did, dL/dcontext would have equal components (Σ dlogits = 0), and no gradient
    /// would reach W_Q and W_K.
    /// </summary>
    public static Tensor<double> InitialOutput { get; } = Tensor.Matrix([0.1, 0.2, 0.3, 0.4], [0.3, 0.1, 0.4, 0.2]);

    /// <summary>The feed-forward weights of Examples 5 and 6, W₁ = W₂ = [[0.2, 0.1], [0.1, 0.2]].</summary>
    public static Tensor<double> FeedForwardWeight { get; } = Tensor.Matrix([0.2, 0.1], [0.1, 0.2]);

    /// <summary>The starting parameters of the toy model with the given parts.</summary>
    public static Params<double> InitialParams(ToyParts parts)
    {
        var p = Params<double>.Empty
            .With("w_q", Scaled(0.1)).With("w_k", Scaled(0.1)).With("w_v", Scaled(0.1)).With("w_o", InitialOutput);
        return parts == ToyParts.Attention ? p
            : p.With("ffn/w1", FeedForwardWeight).With("ffn/b1", Tensor.Zeros<double>([2]))
               .With("ffn/w2", FeedForwardWeight).With("ffn/b2", Tensor.Zeros<double>([2]));
    }

    /// <summary>The embedding rows of a space-separated token string such as <c>"A B"</c>: [T, 2].</summary>
    public static Tensor<double> Embed(string text) => Gather.Forward(Embeddings, Vocabulary.Encode(Tokenizer.Words(text)));

    /// <summary>The forward pass of <paramref name="text"/> with the loss of predicting <paramref name="target"/> next.</summary>
    public static Net<double, ToyTrace> Forward(string text, string target, ToyParts parts = ToyParts.Attention) =>
        from x in Net.Const(Embed(text))
        from wq in Fixed("w_q")
        from wk in Fixed("w_k")
        from wv in Fixed("w_v")
        from wo in Fixed("w_o")
        from q in MatMul.Apply(x, wq)
        from k in MatMul.Apply(x, wk)
        from v in MatMul.Apply(x, wv)
        from kt in Transpose.Apply(k)
        from raw in MatMul.Apply(q, kt)
        from s in Scale.Apply(raw, 1 / Math.Sqrt(2))     // scores Q·Kᵀ/√d_k, d_k = 2
        from masked in Mask.Causal.Apply(s)                    // causal: position t sees ≤ t
        from w in Softmax.Apply(masked)
        from c in MatMul.Apply(w, v)                       // context vectors, one per position
        from h in Body(parts, x, c)
        from last in Slice.Apply(h, 0, h.Dim(0) - 1, h.Dim(0))
        from logits in MatMul.Apply(last, wo)
        from probs in Softmax.Apply(logits)
        from loss in CrossEntropy.Apply(logits, Tensor.Vector(Vocabulary.Id(target)))
        select new ToyTrace(x, q, k, v, s, w, c, h, logits, probs, loss);

    /// <summary>The loss alone, for <see cref="Grad.ValueAndGrad{T}(Net{T, Var{T}}, Params{T}, FunctionalNets.Random.Key?, bool)"/>.</summary>
    public static Net<double, Var<double>> Loss(string text, string target, ToyParts parts = ToyParts.Attention) =>
        Forward(text, target, parts).Select(t => t.Loss);

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
    public static string Predict(Params<double> parameters, string text, ToyParts parts = ToyParts.Attention)
    {
        var probs = Net.Apply(Forward(text, "A", parts), parameters).Probs.Value.Span;
        var best = 0;
        for (var i = 1; i < probs.Length; i++)
            if (probs[i] > probs[best]) best = i;
        return Vocabulary.Token(best);
    }

    private static Net<double, Var<double>> Body(ToyParts parts, Var<double> x, Var<double> c) => parts switch
    {
        ToyParts.Attention => Net.Pure<double, Var<double>>(c),
        ToyParts.FeedForward =>
            from f in FeedForward(c)
            from h in Add.Apply(c, f)                      // residual around the FFN
            select h,
        _ =>
            from s1 in Add.Apply(x, c)                     // residual around attention
            from r1 in LayerNorm.Apply(s1)                 // no gain or bias
            from f in FeedForward(r1)
            from s2 in Add.Apply(r1, f)                    // residual around the FFN
            from r2 in LayerNorm.Apply(s2)
            select r2,
    };

    private static Net<double, Var<double>> FeedForward(Var<double> x) => Net.Scope("ffn",
        from w1 in Fixed("w1")
        from b1 in Fixed("b1")
        from w2 in Fixed("w2")
        from b2 in Fixed("b2")
        from z1 in MatMul.Apply(x, w1)
        from a1 in Add.Apply(z1, b1)
        from r in Relu.Apply(a1)
        from z2 in MatMul.Apply(r, w2)
        from y in Add.Apply(z2, b2)
        select y);

    private static Tensor<double> Scaled(double s) => Tensor.Build<double>([2, 2], y =>
    {
        y.Clear();
        y[0] = y[3] = s;
    });

    // The toy model's parameters are given (InitialParams), never drawn.
    private static Net<double, Var<double>> Fixed(string name) => Net.Param<double>(name);
}
