using CsCheck;
using FunctionalNets.Autodiff;
using FunctionalNets.Models;
using FunctionalNets.Optim;
using FunctionalNets.Parameters;
using FunctionalNets.Randomness;
using FunctionalNets.Tensors;
using FunctionalNets.Training;

namespace FunctionalNets.Tests.Training;

public class StepBuffersTests
{
    // Dropout on and exact GELU (which keeps Φ as a residual), so the random and the residual-holding paths are lent buffers too.
    private static readonly GptConfig Config = new(Vocab: 11, Context: 8, Channels: 16, Layers: 2, Heads: 2, Dropout: 0.1,
        Activation: GptActivation.Gelu, TieWeights: true);

    private static (Tensor<int> X, Tensor<int> Y) Batch(int step) =>
        (Sample.Integers(Key.FromSeed(71).FoldIn(step), [3, 8], Config.Vocab), Sample.Integers(Key.FromSeed(72).FoldIn(step), [3, 8], Config.Vocab));

    private static Net<float, Var<float>> Loss((Tensor<int> X, Tensor<int> Y) b) => Gpt.Loss<float>(Config, b.X, b.Y);

    private static Params<float> Initial() => Net.Init(Gpt.Logits<float>(Config, Batch(0).X), Key.FromSeed(73));

    private static Trainer<float, (Tensor<int> X, Tensor<int> Y)> Trainer(bool reuse) =>
        new(Loss, Optimizer.AdamW<float>(3e-3), ReuseBuffers: reuse);

    [Fact]
    public void Training_with_reused_buffers_gives_the_same_bits_at_every_step()
    {
        IEnumerable<(string Digest, double Loss)> Run(bool reuse)
        {
            var trainer = Trainer(reuse);
            var start = TrainState<float>.Start(Initial(), trainer.Optimizer, Key.FromSeed(74));
            return trainer.Scan(start, Enumerable.Range(0, 6).Select(Batch)).Select(r => (r.State.Params.Digest(), r.Report.Loss)).ToList();
        }
        var (fresh, reused) = (Run(reuse: false), Run(reuse: true));
        Assert.Equal(fresh, reused);
        Assert.Equal(6, reused.Select(r => r.Digest).Distinct().Count());
    }

    [Fact]
    public void Gradients_handed_back_are_the_callers_own_and_later_calls_reuse_the_memory()
    {
        var (p, buffers) = (Initial(), new StepBuffers());
        var (loss0, grads0) = Grad.ValueAndGrad(Loss(Batch(0)), p, Key.FromSeed(75), buffers: buffers);
        var (digest0, held) = (grads0.Digest(), buffers.Bytes);
        Assert.True(held > 0, "the first call allocated nothing through the buffers");
        var (loss1, grads1) = Grad.ValueAndGrad(Loss(Batch(1)), p, Key.FromSeed(76), buffers: buffers);
        Assert.Equal(held, buffers.Bytes); // the second call's tensors came from the first call's memory, the gradients' apart
        Assert.Equal(digest0, grads0.Digest()); // which were given away: nothing the first call returned was overwritten
        var fresh = Grad.ValueAndGrad(Loss(Batch(1)), p, Key.FromSeed(76));
        Assert.Equal(fresh.Loss, loss1);
        Assert.Equal(fresh.Grads.Digest(), grads1.Digest());
        Assert.NotEqual(loss0, loss1);
    }

    [Fact]
    public void Inference_in_reused_buffers_gives_the_same_bits_and_each_output_stays_valid()
    {
        var (p, buffers) = (Initial(), new StepBuffers());
        var outputs = Enumerable.Range(0, 4).Select(i => Net.Output(Gpt.Logits<float>(Config, Batch(i).X), p, buffers)).ToList();
        var held = buffers.Bytes;
        Net.Output(Gpt.Logits<float>(Config, Batch(4).X), p, buffers);
        Assert.Equal(held, buffers.Bytes);
        for (var i = 0; i < outputs.Count; i++)
            Assert.True(outputs[i].BitEquals(Net.Apply(Gpt.Logits<float>(Config, Batch(i).X), p).Value), $"output {i} differs from a fresh forward");
    }

    [Fact]
    public void A_zero_filled_tensor_built_in_a_reused_buffer_is_zero()
    {
        var buffers = new StepBuffers();
        using (buffers.Lend()) Tensor.Full<double>([50, 7], 3.5);
        using (buffers.Lend())
        {
            var zeros = Tensor.Zeros<double>([50, 7]);
            Assert.All(zeros.Data, v => Assert.Equal(0.0, v));
        }
        Assert.Equal(50 * 7 * sizeof(double), buffers.Bytes);
    }

    [Fact]
    public void Buffers_under_a_kilobyte_are_never_lent()
    {
        var buffers = new StepBuffers();
        using (buffers.Lend())
        {
            Tensor.Zeros<float>([255]);
            Tensor.Zeros<double>([127]);
        }
        Assert.Equal(0, buffers.Bytes);
        using (buffers.Lend()) Tensor.Zeros<float>([256]);
        Assert.Equal(1024, buffers.Bytes);
    }

    // A call's requests: element type (double or float), length (in lent sizes: 256 floats is the smallest), and
    // whether the caller keeps the buffer for good.
    private static readonly Gen<(bool Double, int Length, bool Keep)[]> Requests =
        Gen.Bool.Select(Gen.Int[1, 6].Select(n => 256 * n), Gen.Int[0, 9].Select(k => k == 0)).Array[0, 12];

    [Fact]
    public void Buffers_are_reused_in_any_order_never_twice_at_once_and_never_once_given_away() =>
        Gen.Select(Requests, Gen.Int[0, 3]).Array[1, 6].Sample(calls =>
        {
            var buffers = new StepBuffers();
            var givenAway = new HashSet<Array>(ReferenceEqualityComparer.Instance);
            var previous = Array.Empty<(bool Double, int Length, bool Keep)>();
            foreach (var (fresh, repeat) in calls)
            {
                // repeat = 0 runs the previous call's requests again: it reuses that call's memory, and needs new memory
                // only for what that call kept.
                var requests = repeat == 0 ? previous.Select(r => r with { Keep = false }).ToArray() : fresh;
                var allowed = buffers.Bytes + previous.Where(r => r.Keep).Sum(r => r.Length * (r.Double ? sizeof(double) : sizeof(float)));
                var lent = new HashSet<Array>(ReferenceEqualityComparer.Instance);
                using (buffers.Lend())
                    foreach (var (isDouble, length, keep) in requests)
                    {
                        Array buffer = isDouble ? Tensor.Zeros<double>([length]).UnsafeBuffer() : Tensor.Zeros<float>([length]).UnsafeBuffer();
                        Assert.Equal(length, buffer.Length);
                        Assert.True(lent.Add(buffer), "a buffer was lent twice in one call");
                        Assert.DoesNotContain(buffer, givenAway);
                        if (!keep) continue;
                        if (isDouble) buffers.GiveAway((double[])buffer);
                        else buffers.GiveAway((float[])buffer);
                        givenAway.Add(buffer);
                    }
                if (repeat == 0)
                    Assert.True(buffers.Bytes <= allowed, $"a repeated call holds {buffers.Bytes} bytes, more than the {allowed} it needs");
                previous = requests;
            }
        });

    [Fact]
    public void No_buffers_are_lent_while_an_observer_watches()
    {
        var buffers = new StepBuffers();
        var seen = new List<Tensor<float>>();
        Grad.ValueAndGrad(Loss(Batch(0)), Initial(), Key.FromSeed(75), observer: new Keeper(seen), buffers: buffers);
        Assert.Equal(0, buffers.Bytes);
        Assert.NotEmpty(seen);
    }

    [Fact]
    public void Lending_twice_at_once_is_refused_with_a_reason()
    {
        var (a, b) = (new StepBuffers(), new StepBuffers());
        using (a.Lend())
        {
            Assert.Contains("already lending to another computation", Assert.Throws<InvalidOperationException>(() => a.Lend()).Message);
            Assert.Contains("already lending on this thread", Assert.Throws<InvalidOperationException>(() => b.Lend()).Message);
        }
        using (b.Lend()) Tensor.Ones<float>([256]); // once a's lending has ended, b lends on this thread
        Assert.Equal(256 * sizeof(float), b.Bytes);
    }

    private sealed class Keeper(List<Tensor<float>> seen) : IOpObserver<float>
    {
        public void Forward(ForwardOp<float> op) => seen.Add(op.Output.Value);

        public void Backward(BackwardOp<float> op) { }
    }
}
