using System.Globalization;
using FunctionalNets.Autodiff;
using FunctionalNets.Ops;
using FunctionalNets.Optim;
using FunctionalNets.Parameters;
using FunctionalNets.Randomness;
using FunctionalNets.Tensors;
using FunctionalNets.Training;

namespace FunctionalNets.Book;

/// <summary>
/// The worked examples 1–7 of the chapter "Neural Network Fundamentals" of the toyai book, each computed with the
/// library's own ops, nets and pullbacks and returned as a worksheet. Examples 1–6 use the book's own set-up (see
/// <see cref="ToyTransformer"/>); anything of ours is labelled "extra (ours)", and where the book's printed numbers
/// disagree with its formulas the worksheet says so in its notes.
/// </summary>
public static class Examples
{
    /// <summary>The book, as each worksheet names it.</summary>
    public const string Book = "the toyai book, chapter \"Neural Network Fundamentals\"";

    /// <summary>Learning rate of every example: plain gradient descent with η = 0.1.</summary>
    public const double LearningRate = 0.1;

    /// <summary>The patterns the book's Example 4 trains on.</summary>
    public static IReadOnlyList<(string Text, string Target)> Patterns { get; } = [("A B", "C"), ("A A", "D"), ("B A", "C")];

    /// <summary>
    /// The patterns our extra training of Example 6 uses (with 2 features, layer norm leaves only the sign of
    /// x₁ − x₂, so two classes can be told apart).
    /// </summary>
    public static IReadOnlyList<(string Text, string Target)> BlockPatterns { get; } = [("A B", "C"), ("B A", "D")];

    /// <summary>Example <paramref name="n"/> (1–7).</summary>
    public static Worksheet Run(int n) => n switch
    {
        1 => ForwardPass(),
        2 => OutputStep(),
        3 => FullBackprop(),
        4 => MultiplePatterns(),
        5 => FeedForwardStep(),
        6 => CompleteBlock(),
        7 => DigitClassifier.Run(),
        _ => throw new ArgumentOutOfRangeException(nameof(n), $"examples: there are examples 1 to 7, not {n}"),
    };

    /// <summary>Example 1: the forward pass of "A B" to next-token probabilities.</summary>
    public static Worksheet ForwardPass()
    {
        var p = ToyTransformer.InitialParams(ToyParts.Attention);
        var t = Net.Apply(ToyTransformer.Forward("A B", "C"), p);
        var causal = Net.Apply(ToyTransformer.Forward("A B", "C", causal: true), p);
        var probs = t.Probs.Value;
        return Sheet(1, "forward pass of \"A B\"")
            .Add("embeddings X", t.X.Value, "rows A = [1, 0], B = [0, 1]")
            .Add("Q = X·W_Q", t.Q.Value).Add("K = X·W_K", t.K.Value).Add("V = X·W_V", t.V.Value)
            .Add("scores Q·Kᵀ/√2", t.Scores.Value)
            .Add("attention weights", t.Weights.Value, "softmax of each row; no causal mask, as in the book")
            .Add("context vectors", t.Context.Value, "weights·V, one row per position")
            .Add("context of the last position", t.Last.Value)
            .Add("logits", t.Logits.Value, "context·W_O = [0.1·c₀, 0, 0.1·c₁, 0]")
            .Add("probabilities", probs, "over A, B, C, D")
            .Add("extra (ours): attention weights with a causal mask", causal.Weights.Value,
                "position 0 then sees only itself; the last row, and so the logits, do not change")
            .Remark($"The book prints the probabilities as [0.250, 0.249, 0.251, 0.249]; the formulas give [{Join(probs)}]: A's logit is " +
                $"only {F(t.Logits.Value.Span[2] - t.Logits.Value.Span[0], 6)} below C's, so P(A) rounds to {F(probs.Span[0], 3)} like P(C), not to 0.250.");
    }

    /// <summary>Example 2: one gradient-descent step on W_O alone for "A B" → "C".</summary>
    public static Worksheet OutputStep()
    {
        var p0 = ToyTransformer.InitialParams(ToyParts.Attention);
        var vjp = Pullback(p0, "A B", "C");
        var g = vjp.Gradient();
        var p1 = p0.With("w_o", Step(p0["w_o"], g.Params["w_o"]));
        var after = Net.Apply(ToyTransformer.Forward("A B", "C"), p1);
        var (loss, lossAfter) = (vjp.Result.Loss.Value.ToScalar(), after.Loss.Value.ToScalar());
        var (pc, pcAfter) = (vjp.Result.Probs.Value.Span[2], after.Probs.Value.Span[2]);
        return Sheet(2, "one training step on W_O for \"A B\" → \"C\"")
            .Add("probabilities", vjp.Result.Probs.Value)
            .Add("loss −ln p(C)", loss)
            .Add("dL/dlogits", g.Tap("A B/logits"), "from the pullback; it equals p − onehot(C)")
            .Add("dL/dW_O", g.Params["w_o"], "contextᵀ·dL/dlogits, an outer product")
            .Add("W_O after", p1["w_o"], "W_O − 0.1·dL/dW_O; only W_O changes")
            .Add("probabilities after", after.Probs.Value)
            .Add("loss after", lossAfter)
            .Remark($"The book computes the loss from the rounded p(C) = 0.251: −ln 0.251 = 1.383; from p(C) = {F(pc, 6)} it is {F(loss, 4)}.")
            .Remark($"The book's worksheet steps only the two entries of its 2×2 W_O that feed A's and C's logits ([[0.099, 0], [0, 0.104]]); in " +
                $"the [2, 4] matrix every entry takes its step, and the zero entries move too (to {F(p1["w_o"][0, 1], 6)} and the like).")
            .Remark($"The book reports P(C) after the step as 0.2506, \"increased from 0.251\", with the loss going from 1.383 to 1.384: by its own " +
                $"numbers that is a decrease. With the full step P(C) goes from {F(pc, 6)} to {F(pcAfter, 6)} and the loss falls from {F(loss, 6)} to {F(lossAfter, 6)}.");
    }

    /// <summary>Example 3: backpropagation through W_O, the attention and W_Q, W_K, W_V, then one step of all four.</summary>
    public static Worksheet FullBackprop()
    {
        var p0 = ToyTransformer.InitialParams(ToyParts.Attention);
        var vjp = Pullback(p0, "A B", "C");
        var g = vjp.Gradient();
        var p1 = Descend(p0, g.Params);
        var after = Net.Apply(ToyTransformer.Loss("A B", "C"), p1).Value.ToScalar();
        var constantRows = Pullback(ToyTransformer.InitialParams(ToyParts.Attention, ToyTransformer.ConstantRowsOutput), "A B", "C").Gradient();
        var (dv, weights) = (g.Tap("A B/v"), vjp.Result.Weights.Value);
        return Sheet(3, "full backpropagation for \"A B\" → \"C\"")
            .Add("loss", vjp.Result.Loss.Value.ToScalar())
            .Add("dL/dlogits", g.Tap("A B/logits"))
            .Add("dL/dcontext (last position)", g.Tap("A B/last"), "dL/dlogits·W_Oᵀ")
            .Add("dL/dweights", g.Tap("A B/weights"), "dL/dcontext·Vᵀ; row 0 gets nothing, only the last position is read")
            .Add("dL/dscores", g.Tap("A B/scores"), "the softmax VJP w ⊙ (dw − ⟨dw, w⟩) per row")
            .Add("dL/d(Q·Kᵀ)", g.Tap("A B/raw_scores"), "dL/dscores / √2")
            .Add("dL/dQ", g.Tap("A B/q"), "dL/d(Q·Kᵀ)·K").Add("dL/dK", g.Tap("A B/k"), "dL/d(Q·Kᵀ)ᵀ·Q").Add("dL/dV", dv, "weightsᵀ·dL/dcontext")
            .Add("dL/dW_O", g.Params["w_o"]).Add("dL/dW_V", g.Params["w_v"]).Add("dL/dW_K", g.Params["w_k"]).Add("dL/dW_Q", g.Params["w_q"])
            .Add("W_O after", p1["w_o"]).Add("W_V after", p1["w_v"]).Add("W_K after", p1["w_k"]).Add("W_Q after", p1["w_q"])
            .Add("loss after", after)
            .Add("extra (ours): dL/dW_Q with a W_O whose rows differ by a constant", constantRows.Params["w_q"],
                "W_O = [[0.1, 0.2, 0.3, 0.4], [0.5, 0.6, 0.7, 0.8]]: dL/dcontext then has equal components and the attention learns nothing")
            .Remark($"The book prints dL/dV[0] = [0.01245, −0.0376]; weightsᵀ·dL/dcontext gives [{Join(dv, row: 0)}]: its second entry multiplies by " +
                $"position 1's weight 0.502 instead of position 0's {F(weights[1, 0], 3)}.")
            .Remark("The book's program for this example computes dL/dcontext as [0.025, 0]: it forms the second component from the logits of " +
                $"B and D, whose column of W_O is zero; dL/dlogits·W_Oᵀ gives [{Join(g.Tap("A B/last"))}], as its worksheet says.");
    }

    /// <summary>Example 4: the book's three patterns as one batch, averaged gradients, one step, then (ours) training until each is predicted.</summary>
    public static Worksheet MultiplePatterns(int maxEpochs = 20_000)
    {
        var p0 = ToyTransformer.InitialParams(ToyParts.Attention);
        var sheet = Sheet(4, "patterns " + string.Join(", ", Patterns.Select(p => $"\"{p.Text}\" → \"{p.Target}\"")));
        foreach (var (text, target) in Patterns)
        {
            var vjp = Pullback(p0, text, target);
            var g = vjp.Gradient();
            sheet = sheet.Add($"probabilities of \"{text}\"", vjp.Result.Probs.Value)
                .Add($"loss of \"{text}\"", vjp.Result.Loss.Value.ToScalar())
                .Add($"dL/dW_O of \"{text}\"", g.Params["w_o"]);
        }
        var (loss0, batchGrad) = Grad.ValueAndGrad(ToyTransformer.BatchLoss(Patterns), p0);
        var p1 = p0.With("w_o", Step(p0["w_o"], batchGrad["w_o"]));
        var loss1 = Net.Apply(ToyTransformer.BatchLoss(Patterns), p1).Value.ToScalar();
        var aa = Net.Apply(ToyTransformer.Forward("A A", "D"), p0);
        var (final, losses, epochs) = TrainUntilPredicted(p0, Patterns, ToyParts.Attention, maxEpochs);
        return sheet.Add("batch loss (mean)", loss0).Add("batch dL/dW_O (mean of the above)", batchGrad["w_o"])
            .Add("W_O after one step", p1["w_o"], "the book's epoch: W_O − 0.1·(mean dL/dW_O), the other matrices kept")
            .Add("batch loss after one step", loss1)
            .Add("extra (ours): epochs until every target has p > 0.5", epochs, "full batch, all four matrices, η = 0.1")
            .Add("extra (ours): loss per epoch", Tensor.Vector<double>([.. losses]))
            .Add("extra (ours): final probabilities", Tensor.Matrix(Patterns.Select(p => Net.Apply(ToyTransformer.Forward(p.Text, p.Target), final).Probs.Value.ToArray()).ToArray()),
                "one row per pattern, columns A, B, C, D")
            .Remark($"The book prints p(D | \"A A\") ≈ 0.0008 and a loss of 7.13; the logits [{Join(aa.Logits.Value)}] give probabilities " +
                $"[{Join(aa.Probs.Value)}] and a loss of {F(aa.Loss.Value.ToScalar(), 4)}, so the batch loss is {F(loss0, 4)}, not 3.30.")
            .Remark("The book's per-pattern dL/dW_O (e.g. [0.0498, 0.0498, −0.0373, 0.0498] in the first row for \"A B\") are not the outer " +
                "products contextᵀ·dL/dlogits it states, which Example 2 computes correctly (first row [0.01245, 0.01240, −0.03730, 0.01240]).")
            .Remark("The book's program for this example computes the losses for 5 epochs but makes no update, so the loss it prints is the " +
                "same every epoch; the training above is ours.");
    }

    /// <summary>Example 5: the feed-forward layer with a residual, forward values, then (ours) logits, gradients and one step.</summary>
    public static Worksheet FeedForwardStep()
    {
        var p0 = ToyTransformer.InitialParams(ToyParts.FeedForward);
        var vjp = Pullback(p0, "A B", "C", ToyParts.FeedForward);
        var (t, g) = (vjp.Result, vjp.Gradient());
        var p1 = Descend(p0, g.Params);
        var after = Net.Apply(ToyTransformer.Loss("A B", "C", ToyParts.FeedForward), p1).Value.ToScalar();
        return Sheet(5, "feed-forward layer and residual for \"A B\"")
            .Add("attention output c", t.Context.Value, "no causal mask: row 0 attends to both positions too")
            .Add("FFN(c) = ReLU(c·W₁)·W₂", t.FeedForward!.Value.Value, "W₁ = W₂ = [[0.2, 0.1], [0.1, 0.2]], no biases")
            .Add("h = c + FFN(c)", t.Hidden.Value, "the residual")
            .Add("extra (ours): logits", t.Logits.Value, "h[last]·W_O").Add("extra (ours): probabilities", t.Probs.Value)
            .Add("extra (ours): loss for target C", t.Loss.Value.ToScalar())
            .Add("extra (ours): dL/dh", g.Tap("A B/hidden"))
            .Add("extra (ours): dL/dW₁", g.Params["ffn/w1"]).Add("extra (ours): dL/dW₂", g.Params["ffn/w2"]).Add("extra (ours): dL/dW_O", g.Params["w_o"])
            .Add("extra (ours): loss after one step of every parameter", after)
            .Remark($"The book prints both rows of the attention output as [0.0498, 0.0502]; without a mask row 0 attends with weights " +
                $"[{Join(t.Weights.Value, row: 0)}] and is [{Join(t.Context.Value, row: 0)}].")
            .Remark($"The book's output [0.054298, 0.054702] comes from the context rounded to [0.0498, 0.0502]; from the unrounded context the " +
                $"last row is [{Join(t.Hidden.Value, row: 1, digits: 6)}].");
    }

    /// <summary>Example 6: the complete post-LN block, forward, then (ours) trained on two patterns until both are predicted.</summary>
    public static Worksheet CompleteBlock(int maxEpochs = 20_000)
    {
        var p0 = ToyTransformer.InitialParams(ToyParts.Block);
        var t = Net.Apply(ToyTransformer.Forward("A B", "C", ToyParts.Block), p0);
        var (final, losses, epochs) = TrainUntilPredicted(p0, BlockPatterns, ToyParts.Block, maxEpochs);
        return Sheet(6, "the complete block on \"A B\"")
            .Add("X + attention", Add.Forward(t.X.Value, t.Context.Value), "the residual around attention")
            .Add("r = LN(X + attention)", t.Norm1!.Value.Value, "(x − μ)/√(σ² + 1e-8), no gain or bias")
            .Add("FFN(r)", t.FeedForward!.Value.Value)
            .Add("block output LN(r + FFN(r))", t.Hidden.Value)
            .Add("logits", t.Logits.Value, "[0.1·y₀, 0, 0.1·y₁, 0] of the last row y")
            .Add("probabilities", t.Probs.Value)
            .Add("extra (ours): epochs until both of " + string.Join(", ", BlockPatterns.Select(p => $"\"{p.Text}\" → \"{p.Target}\"")) + " have p > 0.5", epochs,
                "full batch, every matrix, η = 0.1")
            .Add("extra (ours): loss per epoch", Tensor.Vector<double>([.. losses]))
            .Add("extra (ours): final probabilities", Tensor.Matrix(BlockPatterns.Select(p => Net.Apply(ToyTransformer.Forward(p.Text, p.Target, ToyParts.Block), final).Probs.Value.ToArray()).ToArray()))
            .Remark("With two features, (x − μ)/√(σ² + ε) is ±[1, −1] (times 1/√(1 + ε/σ²)) or [0, 0]: the block keeps only which feature is larger. " +
                "The book prints ±0.707 after each layer norm, which is what dividing by the L2 norm would give, not its formula.")
            .Remark("The book's row-0 layer-norm calculation takes σ² = 0.000004 for the deviations ±0.0002, whose square is 4·10⁻⁸; the " +
                "normalised values are then ±1, not ±0.1.")
            .Remark($"The book's worksheet maps W_O differently from its program and prints logits [−0.0707, 0.0707, −0.0707, 0.0707] and " +
                $"probabilities [0.232, 0.268, 0.232, 0.268]; the program's [0.1·y₀, 0, 0.1·y₁, 0] gives [{Join(t.Logits.Value)}] and " +
                $"[{Join(t.Probs.Value)}].");
    }

    /// <summary>
    /// Full-batch gradient descent on <paramref name="patterns"/>, one step per epoch, as a fold with the
    /// library's trainer; stops at the first epoch after which every target has probability above one half (so it
    /// is the most likely next token, and confidently so).
    /// </summary>
    public static (Params<double> Params, List<double> Losses, int Epochs) TrainUntilPredicted(
        Params<double> p0, IReadOnlyList<(string Text, string Target)> patterns, ToyParts parts, int maxEpochs)
    {
        var trainer = new Trainer<double, IReadOnlyList<(string Text, string Target)>>(b => ToyTransformer.BatchLoss(b, parts), Optimizer.Sgd<double>(LearningRate));
        var losses = new List<double>();
        var state = TrainState<double>.Start(p0, trainer.Optimizer, Key.FromSeed(0));
        foreach (var (s, report) in trainer.Scan(state, Enumerable.Repeat(patterns, maxEpochs)))
        {
            losses.Add(report.Loss);
            if (patterns.All(p => TargetProbability(s.Params, p, parts) > 0.5))
                return (s.Params, losses, losses.Count);
        }
        throw new InvalidOperationException($"examples: the patterns were not all predicted after {maxEpochs} epochs");
    }

    private static double TargetProbability(Params<double> p, (string Text, string Target) pattern, ToyParts parts) =>
        Net.Apply(ToyTransformer.Forward(pattern.Text, pattern.Target, parts), p).Probs.Value.Span[ToyTransformer.Vocabulary.Id(pattern.Target)];

    // The forward pass of one pattern with its pullback: the trace, and cotangents of the parameters and every tap.
    private static ValueAndPullback<double, ToyTrace> Pullback(Params<double> p, string text, string target, ToyParts parts = ToyParts.Attention) =>
        Grad.Vjp(ToyTransformer.Forward(text, target, parts), t => t.Loss, p);

    private static Worksheet Sheet(int n, string title) => Worksheet.Titled($"Example {n}: {title}").From($"From {Book}, Example {n}.");

    private static Tensor<double> Step(Tensor<double> w, Tensor<double> g) => Subtract.Forward(w, Scale.Forward(g, LearningRate));

    private static Params<double> Descend(Params<double> p, Params<double> g) => p.Zip(g, (_, w, dw) => Step(w, dw));

    private static string F(double v, int digits) => v.ToString("F" + digits, CultureInfo.InvariantCulture);

    // The elements of a tensor, or of one row of a matrix, to four (or the given) decimals.
    private static string Join(Tensor<double> t, int? row = null, int digits = 4) =>
        string.Join(", ", (row is { } r ? t.Data.Skip(r * t.Dim(-1)).Take(t.Dim(-1)) : t.Data).Select(v => F(v, digits)));
}
