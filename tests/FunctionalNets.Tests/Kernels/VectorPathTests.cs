using System.Numerics;
using CsCheck;
using FunctionalNets.Autodiff;
using FunctionalNets.Kernels;
using FunctionalNets.Models;
using FunctionalNets.Ops;
using FunctionalNets.Optim;
using FunctionalNets.Randomness;
using FunctionalNets.Tensors;
using FunctionalNets.Training;

namespace FunctionalNets.Tests.Kernels;

/// <summary>
/// Every hot kernel gives the same bits at 512, 256 and 128 bits (each width the machine has): tile edges, vector
/// tails and several k-blocks, one and two threads, and a small GPT's training digest pinned to golden values.
/// </summary>
[Collection(ExclusivePool.Name)]
public class VectorPathTests
{
    // Around every register tile (rows 14, 6, 8; columns 32, 16, 8 floats or 16, 8, 4 doubles) and vector length.
    private static readonly int[] EdgeSizes = [1, 2, 3, 4, 5, 6, 7, 8, 9, 13, 14, 15, 16, 17, 31, 32, 33, 47];
    private static readonly Gen<int> EdgeSize = Gen.Int[0, EdgeSizes.Length - 1].Select(i => EdgeSizes[i]);

    // 0 … 2·16 + 7: empty, tail-only, and vectors plus every tail length of all three widths.
    private static readonly Gen<int> Length = Gen.Int[0, 39];

    private static Tensor<T> Normal<T>(ulong seed, Shape shape, double std = 1)
        where T : unmanaged, IFloatingPointIeee754<T> => Sample.Normal<T>(Key.FromSeed(seed), shape, 0, std);

    private static void Gemm_at_every_width<T>(int m, int k, int n, bool transA, bool transB, bool accumulate, ulong seed)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (a, b, c0) = (Normal<T>(seed, [m * k]).ToArray(), Normal<T>(seed + 1, [k * n]).ToArray(), Normal<T>(seed + 2, [m * n]).ToArray());
        AtEveryWidth.AssertSameBits($"{typeof(T).Name} {m}×{k}×{n} transA={transA} transB={transB} accumulate={accumulate}", () =>
        {
            var c = (T[])c0.Clone();
            Gemm.Multiply<T>(a, b, c, m, k, n, transA, transB, accumulate);
            return new[] { c };
        });
    }

    [Fact]
    public void Gemm_gives_the_same_bits_at_every_width_on_tile_edges() =>
        Gen.Select(EdgeSize, EdgeSize, EdgeSize, Gen.Bool, Gen.Bool, Gen.Bool, Gen.ULong).Sample((m, k, n, transA, transB, accumulate, seed) =>
        {
            Gemm_at_every_width<float>(m, k, n, transA, transB, accumulate, seed);
            Gemm_at_every_width<double>(m, k, n, transA, transB, accumulate, seed);
        }, iter: 60);

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void Gemm_gives_the_same_bits_at_every_width_across_k_blocks_and_threads(bool transA, bool transB) =>
        OnThreads.Run(2, () =>
        {
            // k = 600 spans three 256-deep float blocks and four 192-deep double blocks; 130×150 splits over threads.
            Gemm_at_every_width<float>(130, 600, 150, transA, transB, accumulate: true, seed: 1);
            Gemm_at_every_width<double>(130, 600, 150, transA, transB, accumulate: false, seed: 2);
        });

    [Fact]
    public void Batched_gemm_gives_the_same_bits_at_every_width_on_worker_threads()
    {
        // 64 slices of 40×33×30 are split over whole slices, so worker threads multiply some of them.
        var (batch, m, k, n) = (64, 40, 33, 30);
        var (a, b) = (Normal<float>(3, [batch * m * k]).ToArray(), Normal<float>(4, [batch * k * n]).ToArray());
        OnThreads.Run(2, () => AtEveryWidth.AssertSameBits("batched gemm", () =>
        {
            var c = new float[batch * m * n];
            Gemm.MultiplyBatched<float>(a, b, c, batch, m, k, n, transB: true);
            return new[] { c };
        }));
    }

    [Fact]
    public void Elementwise_maps_and_their_vjps_give_the_same_bits_at_every_width() =>
        Gen.Select(Length, Gen.ULong).Sample((n, seed) =>
        {
            var (x, dy) = (Normal<float>(seed, [n], 3), Normal<float>(seed + 1, [n]));
            var (xd, dyd) = (Normal<double>(seed, [n], 3), Normal<double>(seed + 1, [n]));
            AtEveryWidth.AssertSameBits<float>($"float maps, n = {n}", () =>
            [
                Relu.Vjp(x, dy), Abs.Vjp(x, dy), Tanh.Vjp(Tanh.Forward(x), dy), Sigmoid.Forward(x), Sigmoid.Vjp(Sigmoid.Forward(x), dy),
                GeluTanh.Forward(x), GeluTanh.Vjp(x, dy), Gelu.Forward(x), Gelu.Vjp(x, dy),
                FunctionalNets.Autodiff.Grad.Vjp<float>(v => Gelu.Apply(v[0]), [x]).Pullback(dy).Variables[0], // Φ kept by the forward pass
            ]);
            AtEveryWidth.AssertSameBits<double>($"double maps, n = {n}", () =>
                [Relu.Vjp(xd, dyd), Abs.Vjp(xd, dyd), Sigmoid.Forward(xd), GeluTanh.Forward(xd), GeluTanh.Vjp(xd, dyd)]);
        }, iter: 40);

    [Theory]
    [InlineData(5, 1)]
    [InlineData(1_037, 1)]
    [InlineData(70_001, 2)]
    public void Adam_moments_give_the_same_bits_at_every_width(int n, int threads)
    {
        var (m, v, g, p) = (Normal<float>(5, [n]), Sample.Uniform<float>(Key.FromSeed(6), [n], 0, 2), Normal<float>(7, [n]), Normal<float>(8, [n]));
        var k = new AdamConstants<float>(0.9f, 0.1f, 0.999f, 0.001f, 1e-8f, 0.271f, 0.003f);
        OnThreads.Run(threads, () => AtEveryWidth.AssertSameBits<float>($"AdamW, n = {n}", () =>
        {
            var (m1, v1, u1) = AdamPass.Step(m, v, g, k);
            var (m2, v2, u2) = AdamPass.StepDecayScale(m, v, g, k, p, 0.01f, -3e-4f);
            return [m1, v1, u1, m2, v2, u2];
        }));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(16)]
    [InlineData(17)]
    [InlineData(64)]
    [InlineData(128)]
    [InlineData(144)]
    [InlineData(300)]
    public void Layer_norm_and_its_vjp_give_the_same_bits_at_every_width(int cols)
    {
        var (x, dy) = (Normal<float>(9, [5, cols], 2), Normal<float>(10, [5, cols]));
        var (gamma, beta) = (Normal<float>(11, [cols]), Normal<float>(12, [cols]));
        var xd = Normal<double>(9, [5, cols], 2);
        AtEveryWidth.AssertSameBits<float>($"layer norm, {cols} columns", () =>
        {
            var (y, saved) = LayerNorm.Forward(x, gamma, beta);
            var (dx, dg, db) = LayerNorm.Vjp(x, gamma, saved, dy);
            return [y, saved.Mean, saved.Rstd, dx, dg, db];
        });
        AtEveryWidth.AssertSameBits<double>($"double layer norm, {cols} columns", () =>
        {
            var (y, saved) = LayerNorm.Forward(xd);
            return [y, LayerNorm.Vjp(xd, saved, Normal<double>(10, [5, cols]))];
        });
    }

    [Fact]
    public void Softmax_log_softmax_and_cross_entropy_give_the_same_bits_at_every_width() =>
        Gen.Select(Gen.Int[1, 300], Gen.ULong).Sample((cols, seed) =>
        {
            // A third of the entries masked, as attention and padding do; row 0 fully masked.
            var x = Normal<float>(seed, [4, cols], 4).ToArray();
            for (var i = 0; i < x.Length; i++)
                if (i < cols || ((ulong)i * 2654435761u + seed) % 3 == 0) x[i] = float.NegativeInfinity;
            var logits = Tensor.From<float>([4, cols], x);
            var dy = Normal<float>(seed + 1, [4, cols]);
            var targets = Sample.Integers(Key.FromSeed(seed + 2), [4], cols);
            AtEveryWidth.AssertSameBits<float>($"softmax rows of {cols}", () =>
            {
                var (p, logp) = (Softmax.Forward(logits), LogSoftmax.Forward(logits));
                var finite = Normal<float>(seed + 3, [4, cols]);
                return [p, Softmax.Vjp(p, dy), logp, LogSoftmax.Vjp(logp, dy), CrossEntropy.Forward(finite, targets), CrossEntropy.Vjp(finite, targets, Tensor.Scalar(1f))];
            });
        }, iter: 30);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Attention_and_its_vjp_give_the_same_bits_at_every_width_on_any_thread(int threads)
    {
        // [B, T, 3C] with 4 heads of 24: every (batch, head) slice is one part, so workers compute some of them.
        var qkv = Normal<float>(13, [3, 21, 3 * 96]);
        var dy = Normal<float>(14, [3, 21, 96]);
        OnThreads.Run(threads, () => AtEveryWidth.AssertSameBits<float>("multi-head attention", () =>
        {
            var (y, saved) = MultiHeadAttention.Forward(qkv, 4, causal: true);
            return [y, saved.P, MultiHeadAttention.Vjp(qkv, 4, saved, dy)];
        }));
    }

    [Fact]
    public void Mean_squared_error_gives_the_same_bits_at_every_width() =>
        Gen.Select(Length, Gen.ULong).Sample((n, seed) =>
        {
            if (n == 0) return;
            var (p, t) = (Normal<float>(seed, [n]), Normal<float>(seed + 1, [n]));
            var (pd, td) = (Normal<double>(seed, [n]), Normal<double>(seed + 1, [n]));
            AtEveryWidth.AssertSameBits<float>($"float mean squared error, n = {n}", () => [MeanSquaredError.Forward(p, t)]);
            AtEveryWidth.AssertSameBits<double>($"double mean squared error, n = {n}", () => [MeanSquaredError.Forward(pd, td)]);
        }, iter: 40);

    [Fact]
    public void Sum_of_squares_gives_the_same_bits_at_every_width() =>
        Gen.Select(Gen.Int[0, 70], Gen.ULong).Sample((n, seed) =>
        {
            var (x, xd) = (Normal<float>(seed, [n]).ToArray(), Normal<double>(seed, [n]).ToArray());
            AtEveryWidth.AssertSameBits($"sum of squares, n = {n}", () => new[] { new[] { Reduce.SumOfSquares<float>(x), Reduce.SumOfSquares<double>(xd) } });
        }, iter: 40);

    // The digests of 3 AdamW steps of a 1-layer GPT (37 tokens, context 20, width 144, 2 heads) on a batch of 3.
    // float: changed once on purpose, when softmax's exponential became FloatExp (the same bits with or without FMA
    // or SIMD) instead of TensorPrimitives'; until then, the bits these kernels gave with their AVX-512 bodies only,
    // before the 256- and 128-bit bodies existed.
    // double: first fixed with the masked-softmax exponential made repeatable (see Rows): before, TensorPrimitives'
    // double exponential made the digest depend on alignment and JIT tier.
    private const string GoldenFloat = "43b909fcb0b86f8e9e102d010f0648f8ec1e05f73a28aca2e45e2c7de40af89c";
    private const string GoldenDouble = "ecf9fcd2f5af369868bdb800fad4a623d57adfef57f547ae2b2c9c9190cc21d3";

    private static string TrainingDigest<T>()
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var cfg = new GptConfig(Vocab: 37, Context: 20, Channels: 144, Layers: 1, Heads: 2);
        var ids = Sample.Integers(Key.FromSeed(31), [3, 20], 37);
        var targets = Sample.Integers(Key.FromSeed(32), [3, 20], 37);
        var lr = Schedules.Constant(1e-3);
        var trainer = new Trainer<T, int>(_ => Gpt.Loss<T>(cfg, ids, targets), Optimizer.AdamW<T>(lr, 0.01));
        var start = TrainState<T>.Start(Net.Init(Gpt.Logits<T>(cfg, ids), Key.FromSeed(33)), trainer.Optimizer, Key.FromSeed(34));
        return trainer.Fit(start, Enumerable.Range(0, 3)).Params.Digest();
    }

    [Fact]
    public void Gpt_training_digest_is_the_golden_one_at_every_width_and_thread_count()
    {
        foreach (var threads in (int[])[1, 2])
            foreach (var (bits, (single, twice)) in OnThreads.Run(threads, () => AtEveryWidth.Run(() => (TrainingDigest<float>(), TrainingDigest<double>()))))
            {
                Assert.True(single == GoldenFloat, $"float digest at {bits} bits on {threads} threads: {single}");
                Assert.True(twice == GoldenDouble, $"double digest at {bits} bits on {threads} threads: {twice}");
            }
    }
}
