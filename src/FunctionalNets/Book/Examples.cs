using FunctionalNets.Autodiff;
using FunctionalNets.Ops;
using FunctionalNets.Optim;
using FunctionalNets.Params;
using FunctionalNets.Random;
using FunctionalNets.Tensors;
using FunctionalNets.Training;

namespace FunctionalNets.Book;

/// <summary>The book's worked examples 1–7, each computed with the library's own ops and returned as a worksheet.</summary>
public static class Examples
{
    /// <summary>Learning rate of every example: plain gradient descent with η = 0.1.</summary>
    public const double LearningRate = 0.1;

    /// <summary>The patterns Example 4 trains on: their last-position contexts point in three different directions.</summary>
    public static IReadOnlyList<(string Text, string Target)> Patterns { get; } = [("A A", "B"), ("A B", "C"), ("B B", "D")];

    /// <summary>The patterns Example 6 trains on (with 2 features, layer norm leaves only the sign of x₁ − x₂, so two classes).</summary>
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
        var t = Net.Apply(ToyTransformer.Forward("A B", "C"), ToyTransformer.InitialParams(ToyParts.Attention));
        return Worksheet.Titled("Example 1: forward pass of \"A B\"")
            .Add("embeddings X", t.X.Value, "rows A = [1,0], B = [0,1]")
            .Add("Q = X·W_Q", t.Q.Value).Add("K = X·W_K", t.K.Value).Add("V = X·W_V", t.V.Value)
            .Add("scores Q·Kᵀ/√2", t.Scores.Value)
            .Add("attention weights", t.Weights.Value, "causal softmax per row")
            .Add("context vectors", t.Context.Value)
            .Add("logits", t.Logits.Value, "last context · W_O")
            .Add("probabilities", t.Probs.Value, "over A, B, C, D");
    }

    /// <summary>Example 2: one gradient-descent step on W_O alone for "A B" → "C".</summary>
    public static Worksheet OutputStep()
    {
        var p0 = ToyTransformer.InitialParams(ToyParts.Attention);
        var t = Net.Apply(ToyTransformer.Forward("A B", "C"), p0);
        var (loss, grads) = Grad.ValueAndGrad(ToyTransformer.Loss("A B", "C"), p0);
        var p1 = p0.With("w_o", Step(p0["w_o"], grads["w_o"]));
        var after = Net.Apply(ToyTransformer.Forward("A B", "C"), p1);
        return Worksheet.Titled("Example 2: one training step on W_O for \"A B\" → \"C\"")
            .Add("probabilities", t.Probs.Value)
            .Add("loss −ln p(C)", loss)
            .Add("dL/dlogits = p − onehot(C)", Subtract.Forward(t.Probs.Value, OneHot("C")))
            .Add("dL/dW_O = contextᵀ·dlogits", grads["w_o"])
            .Add("W_O after", p1["w_o"], "W_O − 0.1·dL/dW_O")
            .Add("probabilities after", after.Probs.Value)
            .Add("loss after", after.Loss.Value.ToScalar());
    }

    /// <summary>Example 3: backpropagation through W_O, the attention and W_Q, W_K, W_V, then one step of all four.</summary>
    public static Worksheet FullBackprop()
    {
        var p0 = ToyTransformer.InitialParams(ToyParts.Attention);
        var (loss, grads) = Grad.ValueAndGrad(ToyTransformer.Loss("A B", "C"), p0);
        var p1 = Descend(p0, grads);
        var after = Net.Apply(ToyTransformer.Loss("A B", "C"), p1).Value.ToScalar();
        return Worksheet.Titled("Example 3: full backpropagation for \"A B\" → \"C\"")
            .Add("loss", loss)
            .Add("dL/dW_O", grads["w_o"]).Add("dL/dW_V", grads["w_v"]).Add("dL/dW_K", grads["w_k"]).Add("dL/dW_Q", grads["w_q"])
            .Add("W_O after", p1["w_o"]).Add("W_V after", p1["w_v"]).Add("W_K after", p1["w_k"]).Add("W_Q after", p1["w_q"])
            .Add("loss after", after);
    }

    /// <summary>Example 4: several patterns as one batch, averaged gradients, trained over epochs until each is predicted.</summary>
    public static Worksheet MultiplePatterns(int maxEpochs = 20_000)
    {
        var p0 = ToyTransformer.InitialParams(ToyParts.Attention);
        var perPattern = Patterns.Select(p => Grad.ValueAndGrad(ToyTransformer.Loss(p.Text, p.Target), p0)).ToArray();
        var (loss0, batchGrad) = Grad.ValueAndGrad(ToyTransformer.BatchLoss(Patterns), p0);
        var sheet = Worksheet.Titled("Example 4: patterns " + string.Join(", ", Patterns.Select(p => $"\"{p.Text}\" → \"{p.Target}\"")));
        for (var i = 0; i < Patterns.Count; i++)
            sheet = sheet.Add($"loss of \"{Patterns[i].Text}\"", perPattern[i].Loss).Add($"dL/dW_O of \"{Patterns[i].Text}\"", perPattern[i].Grads["w_o"]);
        sheet = sheet.Add("batch loss (mean)", loss0).Add("batch dL/dW_O (mean of the above)", batchGrad["w_o"]);
        var (final, losses, epochs) = TrainUntilPredicted(p0, Patterns, ToyParts.Attention, maxEpochs);
        return sheet.Add("epochs until every pattern has p(target) > 0.5", epochs)
            .Add("loss per epoch", Tensor.Vector<double>([.. losses]))
            .Add("final probabilities", Tensor.Matrix(Patterns.Select(p => Net.Apply(ToyTransformer.Forward(p.Text, p.Target), final).Probs.Value.ToArray()).ToArray()),
                "one row per pattern, columns A, B, C, D");
    }

    /// <summary>Example 5: the feed-forward layer with a residual, forward values and one step of every parameter.</summary>
    public static Worksheet FeedForwardStep()
    {
        var p0 = ToyTransformer.InitialParams(ToyParts.FeedForward);
        var t = Net.Apply(ToyTransformer.Forward("A B", "C", ToyParts.FeedForward), p0);
        var (loss, grads) = Grad.ValueAndGrad(ToyTransformer.Loss("A B", "C", ToyParts.FeedForward), p0);
        var p1 = Descend(p0, grads);
        var after = Net.Apply(ToyTransformer.Loss("A B", "C", ToyParts.FeedForward), p1).Value.ToScalar();
        return Worksheet.Titled("Example 5: feed-forward layer and residual for \"A B\" → \"C\"")
            .Add("context vectors c", t.Context.Value)
            .Add("h = c + FFN(c)", t.Hidden.Value, "FFN(c) = ReLU(c·W₁ + b₁)·W₂ + b₂")
            .Add("logits", t.Logits.Value).Add("probabilities", t.Probs.Value).Add("loss", loss)
            .Add("dL/dW₁", grads["ffn/w1"]).Add("dL/dW₂", grads["ffn/w2"]).Add("dL/dW_O", grads["w_o"])
            .Add("loss after one step", after);
    }

    /// <summary>Example 6: the complete post-LN block, trained until both patterns are predicted.</summary>
    public static Worksheet CompleteBlock(int maxEpochs = 20_000)
    {
        var p0 = ToyTransformer.InitialParams(ToyParts.Block);
        var t = Net.Apply(ToyTransformer.Forward("A B", "C", ToyParts.Block), p0);
        var (final, losses, epochs) = TrainUntilPredicted(p0, BlockPatterns, ToyParts.Block, maxEpochs);
        return Worksheet.Titled("Example 6: the complete block on " + string.Join(", ", BlockPatterns.Select(p => $"\"{p.Text}\" → \"{p.Target}\"")))
            .Add("block output for \"A B\"", t.Hidden.Value, "LN(r + FFN(r)), r = LN(X + attention)")
            .Add("logits", t.Logits.Value).Add("probabilities", t.Probs.Value).Add("loss", t.Loss.Value.ToScalar())
            .Add("epochs until every pattern has p(target) > 0.5", epochs)
            .Add("loss per epoch", Tensor.Vector<double>([.. losses]))
            .Add("final probabilities", Tensor.Matrix(BlockPatterns.Select(p => Net.Apply(ToyTransformer.Forward(p.Text, p.Target, ToyParts.Block), final).Probs.Value.ToArray()).ToArray()));
    }

    /// <summary>
    /// Full-batch gradient descent on <paramref name="patterns"/>, one step per epoch, as a fold with the
    /// library's trainer; stops at the first epoch after which every pattern is predicted with probability
    /// above one half (so it is the argmax, and confidently so).
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
            state = s;
            if (patterns.All(p => TargetProbability(s.Params, p, parts) > 0.5))
                return (s.Params, losses, losses.Count);
        }
        throw new InvalidOperationException($"examples: the patterns were not all predicted after {maxEpochs} epochs");
    }

    private static double TargetProbability(Params<double> p, (string Text, string Target) pattern, ToyParts parts) =>
        Net.Apply(ToyTransformer.Forward(pattern.Text, pattern.Target, parts), p).Probs.Value.Span[ToyTransformer.Vocabulary.Id(pattern.Target)];

    private static Tensor<double> OneHot(string token) =>
        Tensor.Build<double>([ToyTransformer.Vocabulary.Size], y =>
        {
            y.Clear();
            y[ToyTransformer.Vocabulary.Id(token)] = 1;
        }).Reshape([1, ToyTransformer.Vocabulary.Size]);

    private static Tensor<double> Step(Tensor<double> w, Tensor<double> g) => Subtract.Forward(w, Scale.Forward(g, LearningRate));

    private static Params<double> Descend(Params<double> p, Params<double> g) => p.Zip(g, (_, w, dw) => Step(w, dw));
}
