using FunctionalNets.Autodiff;
using FunctionalNets.Layers;
using FunctionalNets.Ops;
using FunctionalNets.Optim;
using FunctionalNets.Parameters;
using FunctionalNets.Randomness;
using FunctionalNets.Tensors;
using FunctionalNets.Training;

namespace FunctionalNets.Book;

/// <summary>
/// Example 7: a 2×2-pixel image classifier, 4 pixels → 2 ReLU hidden units → 4 classes, trained with
/// gradient descent on four strokes: top row, bottom row, left column, right column.
/// </summary>
public static class DigitClassifier
{
    /// <summary>The four images, pixels row-major [top-left, top-right, bottom-left, bottom-right], one per row.</summary>
    public static Tensor<double> Images { get; } = Tensor.Matrix([1.0, 1, 0, 0], [0.0, 0, 1, 1], [1.0, 0, 1, 0], [0.0, 1, 0, 1]);

    /// <summary>The labels 0…3 of <see cref="Images"/>.</summary>
    public static Tensor<int> Labels { get; } = Tensor.Vector(0, 1, 2, 3);

    /// <summary>The network: <c>hidden</c> (4 → 2, ReLU) then <c>out</c> (2 → 4 logits).</summary>
    public static Layer<double> Model { get; } = Layer.Sequence(Dense.Of<double>("hidden", 2), Relu.Apply, Dense.Of<double>("out", 4));

    /// <summary>
    /// The starting weights, drawn from the fixed key 4 by the layers' default initialisers. With only two ReLU
    /// units the start matters: of the keys 0–39, about half reach all four strokes within 5,000 epochs; the
    /// rest stall with three of four right or with a dead unit (see docs/examples/example-7.md).
    /// </summary>
    public static Params<double> InitialParams() => Net.Init(Model.On(Images), Key.FromSeed(4));

    /// <summary>Mean cross-entropy of the four images.</summary>
    public static Net<double, Var<double>> Loss() =>
        from logits in Model.On(Images)
        from loss in CrossEntropy.Apply(logits, Labels)
        select loss;

    /// <summary>The predicted class of each image.</summary>
    public static int[] Predict(Params<double> p)
    {
        var logits = Net.Apply(Model.On(Images), p).Value;
        return [.. Enumerable.Range(0, 4).Select(r => Enumerable.Range(0, 4).MaxBy(c => logits[r, c]))];
    }

    /// <summary>Trains until every image is classified and reports the run.</summary>
    public static Worksheet Run(int maxEpochs = 20_000)
    {
        var p0 = InitialParams();
        var trainer = new Trainer<double, int>(_ => Loss(), Optimizer.Sgd<double>(Examples.LearningRate));
        var losses = new List<double>();
        var state = TrainState<double>.Start(p0, trainer.Optimizer, Key.FromSeed(4));
        foreach (var (s, report) in trainer.Scan(state, Enumerable.Range(0, maxEpochs)))
        {
            losses.Add(report.Loss);
            state = s;
            if (Predict(s.Params).SequenceEqual([0, 1, 2, 3])) break;
        }
        var probs = Softmax.Forward(Net.Apply(Model.On(Images), state.Params).Value);
        return Worksheet.Titled("Example 7: 2×2-pixel stroke classifier (4 → 2 ReLU → 4)")
            .From($"After {Examples.Book}, Example 7 (character recognition); this small set-up is ours.")
            .Add("images (rows)", Images, "top, bottom, left, right")
            .Add("hidden/w before", p0["hidden/w"]).Add("out/w before", p0["out/w"])
            .Add("epochs", losses.Count)
            .Add("loss per epoch", Tensor.Vector<double>([.. losses]))
            .Add("hidden/w after", state.Params["hidden/w"]).Add("out/w after", state.Params["out/w"])
            .Add("probabilities after", probs, "rows: images; columns: top, bottom, left, right")
            .Add("predicted classes", Tensor.Vector<double>([.. Predict(state.Params).Select(c => (double)c)]));
    }
}
