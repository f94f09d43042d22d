using FunctionalNets.Book;
using FunctionalNets.Layers;
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
        var p = FunctionalNets.Params.Params<double>.Empty.With("p/w", Tensor.Matrix([0.8], [0.2], [0.5])).With("p/b", Tensor.Vector(0.1));
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
        var w = FunctionalNets.Params.Params<double>.Empty.With("w", Tensor.Matrix([0.5]));
        var (u, _) = sgd.Update(w.Map((_, _) => Tensor.Matrix([-0.3])), sgd.Init(w), w);
        Assert.Equal(0.53, FunctionalNets.Optim.Optimizer.ApplyUpdates(w, u)["w"].ToScalar(), 1e-15);
        var m = FunctionalNets.Params.Params<double>.Empty.With("w", Tensor.Matrix([0.1, 0.2], [0.3, 0.4]));
        var (u2, _) = sgd.Update(m.Map((_, _) => Tensor.Matrix([-0.5, -0.3], [-0.2, -0.1])), sgd.Init(m), m);
        Close(new[,] { { 0.15, 0.23 }, { 0.32, 0.41 } }, FunctionalNets.Optim.Optimizer.ApplyUpdates(m, u2)["w"], 1e-15);
    }

    [Fact]
    public void Example1_forward_pass_matches_the_scalar_derivation()
    {
        var sheet = Examples.Run(1);
        var r = ToyReference.Forward("A B", ToyReference.Initial(false), "attention");
        Close(r.Weights, Slice(sheet["attention weights"], 1));
        Close(r.Logits, sheet["logits"]);
        Close(r.Probs, sheet["probabilities"]);
        // The largest of the four probabilities is C's, so that is the prediction.
        Assert.Equal("C", ToyTransformer.Predict(ToyTransformer.InitialParams(ToyParts.Attention), "A B"));
        // Printed by an independent plain-Python derivation (see docs/examples/example-1.md).
        Close([0.24875414094847662, 0.24750034851312064, 0.25250911456052266, 0.2512363959778801], sheet["probabilities"], 1e-12);
    }

    [Fact]
    public void Example2_output_step_matches_the_scalar_derivation()
    {
        var sheet = Examples.Run(2);
        var p = ToyReference.Initial(false);
        Assert.Equal(1.3763079336488167, sheet["loss −ln p(C)"].ToScalar(), 1e-12);
        var g = ToyReference.Gradient(q => ToyReference.Loss("A B", "C", q, "attention"), p, "w_o");
        Close(g, sheet["dL/dW_O = contextᵀ·dlogits"]);
        Assert.Equal(1.3759354537339323, sheet["loss after"].ToScalar(), 1e-12);
        Assert.True(sheet["loss after"].ToScalar() < sheet["loss −ln p(C)"].ToScalar());
    }

    [Fact]
    public void Example3_full_backprop_matches_finite_differences_of_the_scalar_model()
    {
        var sheet = Examples.Run(3);
        var p = ToyReference.Initial(false);
        foreach (var (name, label) in new[] { ("w_o", "dL/dW_O"), ("w_v", "dL/dW_V"), ("w_k", "dL/dW_K"), ("w_q", "dL/dW_Q") })
            Close(ToyReference.Gradient(q => ToyReference.Loss("A B", "C", q, "attention"), p, name), sheet[label]);
        // The gradient does reach the query and key maps.
        Assert.Contains(sheet["dL/dW_Q"].Data, g => Math.Abs(g) > 1e-6);
        Assert.Contains(sheet["dL/dW_K"].Data, g => Math.Abs(g) > 1e-6);
        Assert.True(sheet["loss after"].ToScalar() < sheet["loss"].ToScalar());
    }

    [Fact]
    public void Example4_batch_gradient_is_the_mean_and_training_predicts_every_pattern()
    {
        var sheet = Examples.Run(4);
        var p = ToyReference.Initial(false);
        Close(ToyReference.Gradient(q => ToyReference.BatchLoss(Examples.Patterns, q, "attention"), p, "w_o"), sheet["batch dL/dW_O (mean of the above)"]);
        AssertPredicted(sheet["final probabilities"], Examples.Patterns);
        var losses = sheet["loss per epoch"];
        Assert.True(losses.Span[^1] < losses.Span[0]);
    }

    [Fact]
    public void Example5_feed_forward_and_residual_match_the_scalar_derivation()
    {
        var sheet = Examples.Run(5);
        var p = ToyReference.Initial(true);
        var r = ToyReference.Forward("A B", p, "ffn");
        Close(r.Logits, sheet["logits"]);
        Close(r.Last, Slice(sheet["h = c + FFN(c)"], 1));
        foreach (var (name, label) in new[] { ("ffn/w1", "dL/dW₁"), ("ffn/w2", "dL/dW₂"), ("w_o", "dL/dW_O") })
            Close(ToyReference.Gradient(q => ToyReference.Loss("A B", "C", q, "ffn"), p, name), sheet[label]);
    }

    [Fact]
    public void Example6_block_matches_the_scalar_derivation_and_learns_both_patterns()
    {
        var sheet = Examples.Run(6);
        var r = ToyReference.Forward("A B", ToyReference.Initial(true), "block");
        Close(r.Last, Slice(sheet["block output for \"A B\""], 1));
        Close(r.Probs, sheet["probabilities"]);
        AssertPredicted(sheet["final probabilities"], Examples.BlockPatterns);
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
        using var doc = System.Text.Json.JsonDocument.Parse(sheet.ToJson());
        Assert.Equal(sheet.Steps.Count, doc.RootElement.GetProperty("steps").GetArrayLength());
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
