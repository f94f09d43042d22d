using System.Collections.Immutable;
using FunctionalNets.Autodiff;
using FunctionalNets.Models;
using FunctionalNets.Optim;
using FunctionalNets.Parameters;
using FunctionalNets.Randomness;
using FunctionalNets.Tensors;
using FunctionalNets.Training;

namespace FunctionalNets.Tests.IO;

/// <summary>Shared test data: a tiny GPT trained a few steps with AdamW, and scratch directories.</summary>
internal static class IoFixtures
{
    public static readonly GptConfig Config = new(Vocab: 11, Context: 8, Channels: 16, Layers: 1, Heads: 2);

    private static readonly Tensor<int> Ids = Sample.Integers(Key.FromSeed(31), [2, 8], 11);
    private static readonly Tensor<int> Targets = Sample.Integers(Key.FromSeed(32), [2, 8], 11);

    /// <summary>The trainer: AdamW (slots <c>0/mu</c>, <c>0/nu</c>) on the tiny GPT, one fixed batch per step.</summary>
    public static Trainer<float, int> Trainer { get; } =
        new(_ => Gpt.Loss<float>(Config, Ids, Targets), Optimizer.AdamW<float>(1e-2));

    /// <summary>The state before training.</summary>
    public static TrainState<float> Initial { get; } =
        TrainState<float>.Start(Net.Init(Gpt.Logits<float>(Config, Ids), Key.FromSeed(33)), Trainer.Optimizer, Key.FromSeed(34));

    private static readonly Lazy<TrainState<float>> TrainedState = new(() => Trainer.Fit(Initial, Enumerable.Range(0, 3)));

    /// <summary>The state after three steps: moments, step counts and cursor all non-trivial.</summary>
    public static TrainState<float> Trained => TrainedState.Value;

    /// <summary>A hand-made double state with a parameter tree, an optimizer slot holding a tree and an empty slot.</summary>
    public static TrainState<double> Small { get; } = new(
        Step: 7,
        Params: Params<double>.Of([
            new("dense/w", Tensor.Matrix(new[] { 1.5, -2.0 }, [0.25, 4.0])),
            new("dense/b", Tensor.Vector(-0.0, double.NaN))]),
        Opt: new OptState<double>(5, ImmutableSortedDictionary.Create<string, Params<double>>(StringComparer.Ordinal))
            .With("trace", Params<double>.Of([new("dense/w", Tensor.Matrix(new[] { 0.5, 0.5 }, [1.0, -1.0]))]))
            .With("empty", Params<double>.Empty),
        Key: new Key(0xDEADBEEF, 42),
        Cursor: 9);

    /// <summary>A fresh empty directory under the system temp folder, deleted when disposed.</summary>
    public static ScratchDirectory Scratch() => new();

    internal sealed class ScratchDirectory : IDisposable
    {
        public ScratchDirectory()
        {
            Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"fnets-io-{Environment.ProcessId}-{Interlocked.Increment(ref count)}");
            if (Directory.Exists(Path)) Directory.Delete(Path, recursive: true);
            Directory.CreateDirectory(Path);
        }

        private static int count;

        public string Path { get; }

        public string File(string name) => System.IO.Path.Combine(Path, name);

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
