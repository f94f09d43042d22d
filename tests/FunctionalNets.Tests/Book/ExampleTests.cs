using FunctionalNets.Book;
using FunctionalNets.Layers;
using FunctionalNets.Parameters;
using FunctionalNets.Tensors;

namespace FunctionalNets.Tests.Book;

public class ExampleTests
{
    private const double Tol = 1e-9;

    private static void Close(double[] expected, Tensor<double> actual, double tol = Tol)
    {
        Assert.Equal(expected.Length, actual.Size);
        for (var i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual.Span[i]) <= tol, $"element {i}: expected {expected[i]:R}, got {actual.Span[i]:R}");
    }

    private static void Close(double[,] expected, Tensor<double> actual, double tol = Tol) =>
        Close(expected.Cast<double>().ToArray(), actual, tol);

    [Fact]
    public void Chapter_numbers_hold()
    {
        // Perceptron: 1.0·0.8 + 0.5·0.2 + 0.3·0.5 + 0.1 = 1.15, ReLU keeps it.
        var p = Params<double>.Empty.With("p/w", Tensor.Matrix([0.8], [0.2], [0.5])).With("p/b", Tensor.Vector(0.1));
        var y = FunctionalNets.Autodiff.Net.Apply(FunctionalNets.Layers.Dense.Perceptron<double>("p", FunctionalNets.Ops.Relu.Apply).On(Tensor.Matrix([1.0, 0.5, 0.3])), p).Value;
        Assert.Equal(1.15, y.ToScalar(), 1e-15);
        // Cross-entropy of the target's probability: −ln 0.6 ≈ 0.51, −ln 0.05 ≈ 3.0.
        var ce = FunctionalNets.Ops.CrossEntropy.Forward(Tensor.Matrix([Math.Log(0.1), Math.Log(0.2), Math.Log(0.6), Math.Log(0.1)]), Tensor.Vector(2));
        Assert.Equal(-Math.Log(0.6), ce.ToScalar(), 1e-12);
        Assert.Equal(0.51, ce.ToScalar(), 0.005);
        var ce2 = FunctionalNets.Ops.CrossEntropy.Forward(Tensor.Matrix([Math.Log(0.8), Math.Log(0.1), Math.Log(0.05), Math.Log(0.05)]), Tensor.Vector(2));
        Assert.Equal(3.0, ce2.ToScalar(), 0.01);
        // Gradient step 0.5 − 0.1·(−0.3) = 0.53 and the 2×2 update with lr 0.1.
        var sgd = FunctionalNets.Optim.Optimizer.Sgd<double>(FunctionalNets.Optim.Schedules.Constant(0.1));
        var w = Params<double>.Empty.With("w", Tensor.Matrix([0.5]));
        var (u, _) = sgd.Update(w.Map((_, _) => Tensor.Matrix([-0.3])), sgd.Init(w), w);
        Assert.Equal(0.53, FunctionalNets.Optim.Optimizer.ApplyUpdates(w, u)["w"].ToScalar(), 1e-15);
        var m = Params<double>.Empty.With("w", Tensor.Matrix([0.1, 0.2], [0.3, 0.4]));
        var (u2, _) = sgd.Update(m.Map((_, _) => Tensor.Matrix([-0.5, -0.3], [-0.2, -0.1])), sgd.Init(m), m);
        Close(new[,] { { 0.15, 0.23 }, { 0.32, 0.41 } }, FunctionalNets.Optim.Optimizer.ApplyUpdates(m, u2)["w"], 1e-15);
    }

    // dL/dlogits = p − onehot(target), the cross-entropy gradient, from the reference probabilities.
    private static double[] Dlogits(double[] probs, string target) =>
        [.. probs.Select((p, j) => p - (ToyReference.Tokens[j] == target ? 1 : 0))];

    [Fact]
    public void Example1_forward_pass_matches_the_closed_form_and_the_scalar_derivation()
    {
        var sheet = Examples.Run(1);
        // Closed form for "A B" with W_Q = W_K = W_V = 0.1·I: the last row's scores are [0, 0.01/√2], so its weights
        // are [1 − w, w] with w = 1/(1 + e^(−0.01/√2)), the context is 0.1·[1 − w, w] and the logits [0.1·c0, 0, 0.1·c1, 0].
        var w = 1 / (1 + Math.Exp(-0.01 / Math.Sqrt(2)));
        var c = new[] { 0.1 * (1 - w), 0.1 * w };
        var logits = new[] { 0.1 * c[0], 0, 0.1 * c[1], 0 };
        var z = logits.Sum(Math.Exp);
        Close(logits, sheet["logits"], 1e-15);
        Close([.. logits.Select(l => Math.Exp(l) / z)], sheet["probabilities"], 1e-15);
        var r = ToyReference.Forward("A B", ToyReference.Initial(false), "attention");
        Close(r.Weights, Slice(sheet["attention weights"], 1));
        Close([1 - w, w], Slice(sheet["attention weights"], 1), 1e-15);
        // No causal mask: position 0 attends to both, with the weights mirrored.
        Close([w, 1 - w], Slice(sheet["attention weights"], 0), 1e-15);
        // The causal extra changes row 0 only.
        Close([1.0, 0], Slice(sheet["extra (ours): attention weights with a causal mask"], 0), 0);
        Close(r.Weights, Slice(sheet["extra (ours): attention weights with a causal mask"], 1));
        Assert.Equal("C", ToyTransformer.Predict(ToyTransformer.InitialParams(ToyParts.Attention), "A B"));
    }

    [Fact]
    public void Example2_output_step_matches_the_scalar_derivation()
    {
        var sheet = Examples.Run(2);
        var p = ToyReference.Initial(false);
        var r = ToyReference.Forward("A B", p, "attention");
        Assert.Equal(-Math.Log(r.Probs[2]), sheet["loss −ln p(C)"].ToScalar(), 1e-12);
        Close(Dlogits(r.Probs, "C"), sheet["dL/dlogits"]);
        var g = ToyReference.Gradient(q => ToyReference.Loss("A B", "C", q, "attention"), p, "w_o");
        Close(g, sheet["dL/dW_O"]);
        var stepped = ToyReference.Initial(false);
        for (var i = 0; i < 2; i++)
            for (var j = 0; j < 4; j++)
                stepped["w_o"][i, j] -= 0.1 * g[i, j];
        Close(stepped["w_o"], sheet["W_O after"]);
        Assert.Equal(ToyReference.Loss("A B", "C", stepped, "attention"), sheet["loss after"].ToScalar(), 1e-9);
        Assert.True(sheet["loss after"].ToScalar() < sheet["loss −ln p(C)"].ToScalar());
    }

    [Fact]
    public void Example3_taps_and_parameter_gradients_match_the_chain_rule_and_finite_differences()
    {
        var sheet = Examples.Run(3);
        var p = ToyReference.Initial(false);
        var r = ToyReference.Forward("A B", p, "attention");
        var dlogits = Dlogits(r.Probs, "C");
        Close(dlogits, sheet["dL/dlogits"]);
        // dL/dcontext = dlogits·W_Oᵀ = [0.1·dlogits[0], 0.1·dlogits[2]] for the book's W_O.
        double[] dcontext = [0.1 * dlogits[0], 0.1 * dlogits[2]];
        Close(dcontext, sheet["dL/dcontext (last position)"]);
        // With V = 0.1·I, dL/dweights of the last row = 0.1·dcontext; the softmax VJP gives the scores' cotangent.
        var dw = dcontext.Select(d => 0.1 * d).ToArray();
        var dot = dw[0] * r.Weights[0] + dw[1] * r.Weights[1];
        double[] dscores = [r.Weights[0] * (dw[0] - dot), r.Weights[1] * (dw[1] - dot)];
        Close([0, 0, .. dw], sheet["dL/dweights"]);
        Close([0, 0, .. dscores], sheet["dL/dscores"]);
        Close([0, 0, .. dscores.Select(d => d / Math.Sqrt(2))], sheet["dL/d(Q·Kᵀ)"]);
        // X = I for "A B", so dL/dW = Xᵀ·dL/d(XW) is dL/dQ, dL/dK, dL/dV themselves.
        foreach (var (name, label, tap) in new[] { ("w_o", "dL/dW_O", ""), ("w_v", "dL/dW_V", "dL/dV"), ("w_k", "dL/dW_K", "dL/dK"), ("w_q", "dL/dW_Q", "dL/dQ") })
        {
            var g = ToyReference.Gradient(q => ToyReference.Loss("A B", "C", q, "attention"), p, name);
            Close(g, sheet[label]);
            if (tap.Length > 0) Close(g, sheet[tap]);
        }
        Assert.Contains(sheet["dL/dW_Q"].Data, g => Math.Abs(g) > 1e-6);
        Assert.Contains(sheet["dL/dW_K"].Data, g => Math.Abs(g) > 1e-6);
        Assert.True(sheet["loss after"].ToScalar() < sheet["loss"].ToScalar());
        Assert.All(sheet["extra (ours): dL/dW_Q with a W_O whose rows differ by a constant"].Data, g => Assert.True(Math.Abs(g) < 1e-15));
    }

    [Fact]
    public void Example4_uses_the_books_patterns_averages_their_gradients_and_training_predicts_every_pattern()
    {
        var sheet = Examples.Run(4);
        Assert.Equal([("A B", "C"), ("A A", "D"), ("B A", "C")], Examples.Patterns);
        var p = ToyReference.Initial(false);
        foreach (var (text, target) in Examples.Patterns)
        {
            Assert.Equal(ToyReference.Loss(text, target, p, "attention"), sheet[$"loss of \"{text}\""].ToScalar(), 1e-12);
            Close(ToyReference.Gradient(q => ToyReference.Loss(text, target, q, "attention"), p, "w_o"), sheet[$"dL/dW_O of \"{text}\""]);
        }
        // "A A": context [0.1, 0], logits [0.01, 0, 0, 0], so p(D) = 1/(e^0.01 + 3).
        Assert.Equal(1 / (Math.Exp(0.01) + 3), sheet["probabilities of \"A A\""].Span[3], 1e-15);
        Close(ToyReference.Gradient(q => ToyReference.BatchLoss(Examples.Patterns, q, "attention"), p, "w_o"), sheet["batch dL/dW_O (mean of the above)"]);
        Assert.True(sheet["batch loss after one step"].ToScalar() < sheet["batch loss (mean)"].ToScalar());
        AssertPredicted(sheet["extra (ours): final probabilities"], Examples.Patterns);
        var losses = sheet["extra (ours): loss per epoch"];
        Assert.Equal(sheet["extra (ours): epochs until every target has p > 0.5"].ToScalar(), losses.Size);
        Assert.True(losses.Span[^1] < losses.Span[0]);
    }

    [Fact]
    public void Example5_feed_forward_without_biases_and_residual_match_the_scalar_derivation()
    {
        var sheet = Examples.Run(5);
        var p = ToyReference.Initial(true);
        var r = ToyReference.Forward("A B", p, "ffn");
        Close(r.Contexts[0], Slice(sheet["attention output c"], 0));
        Close(r.Last, Slice(sheet["h = c + FFN(c)"], 1));
        Close(r.Logits, sheet["extra (ours): logits"]);
        foreach (var (name, label) in new[] { ("ffn/w1", "extra (ours): dL/dW₁"), ("ffn/w2", "extra (ours): dL/dW₂"), ("w_o", "extra (ours): dL/dW_O") })
            Close(ToyReference.Gradient(q => ToyReference.Loss("A B", "C", q, "ffn"), p, name), sheet[label]);
    }

    [Fact]
    public void Example6_block_with_eps_inside_the_root_matches_the_scalar_derivation_and_learns_both_patterns()
    {
        var sheet = Examples.Run(6);
        var r = ToyReference.Forward("A B", ToyReference.Initial(true), "block");
        Close(r.Last, Slice(sheet["block output LN(r + FFN(r))"], 1));
        Close(r.Probs, sheet["probabilities"]);
        // Two features normalise to ±[1, −1]·1/√(1 + ε/σ²); here that is [−1, 1] to 1e-7, and the logits are [−0.1, 0, 0.1, 0].
        Close([-1.0, 1], Slice(sheet["block output LN(r + FFN(r))"], 1), 1e-7);
        Close([-0.1, 0, 0.1, 0], sheet["logits"], 1e-8);
        AssertPredicted(sheet["extra (ours): final probabilities"], Examples.BlockPatterns);
    }

    [Fact]
    public void Examples_1_to_6_name_the_book_and_label_our_variants()
    {
        foreach (var n in Enumerable.Range(1, 6))
        {
            var sheet = Examples.Run(n);
            Assert.Contains("toyai", sheet.Source);
            Assert.Contains("Neural Network Fundamentals", sheet.Source);
            Assert.NotEmpty(sheet.Remarks);
        }
    }

    [Fact]
    public void Example7_classifies_every_stroke()
    {
        var sheet = Examples.Run(7);
        Assert.Equal(Tensor.Vector(0.0, 1, 2, 3), sheet["predicted classes"]);
        var losses = sheet["loss per epoch"];
        Assert.True(losses.Span[^1] < losses.Span[0]);
    }

    [Fact]
    public void Worksheets_print_as_text_and_json()
    {
        var sheet = Examples.Run(1);
        Assert.Contains("attention weights", sheet.ToText());
        Assert.Contains("Notes:", sheet.ToText());
        using var doc = System.Text.Json.JsonDocument.Parse(sheet.ToJson());
        Assert.Equal(sheet.Steps.Count, doc.RootElement.GetProperty("steps").GetArrayLength());
        Assert.Equal(sheet.Remarks.Count, doc.RootElement.GetProperty("remarks").GetArrayLength());
        Assert.Equal(sheet.Source, doc.RootElement.GetProperty("source").GetString());
    }

    private static void AssertPredicted(Tensor<double> probs, IReadOnlyList<(string Text, string Target)> patterns)
    {
        for (var i = 0; i < patterns.Count; i++)
        {
            var target = Array.IndexOf(ToyReference.Tokens, patterns[i].Target);
            Assert.True(probs[i, target] > 0.5, $"pattern {patterns[i].Text}: p(target) = {probs[i, target]}");
        }
    }

    private static Tensor<double> Slice(Tensor<double> m, int row) =>
        Tensor.Vector<double>([.. Enumerable.Range(0, m.Dim(-1)).Select(c => m[row, c])]);
}
