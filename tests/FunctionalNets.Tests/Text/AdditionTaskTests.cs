using FunctionalNets.Randomness;
using FunctionalNets.Text;

namespace FunctionalNets.Tests.Text;

public class AdditionTaskTests
{
    // The task's characters in ordinal order, as the char tokenizer's rule says: '+' (0x2B) < digits < '=' (0x3D).
    private static readonly string Vocab = string.Concat("0123456789+=".Order());

    private static readonly Key TrainKey = Key.FromSeed(7);

    private static AdditionTask Task(int digits, int batchSize = 32) => AdditionTask.Create(digits, batchSize).ThrowIfFail();

    private static string Spell(ReadOnlySpan<int> ids) => string.Concat(ids.ToArray().Select(id => Vocab[id]));

    // The operands of each row, read from its input ids: "012+345=…" → (12, 345).
    private static IEnumerable<(int A, int B)> Operands(TokenBatch batch, int digits)
    {
        var T = batch.Inputs.Dim(1);
        for (var row = 0; row < batch.Inputs.Dim(0); row++)
        {
            var text = Spell(batch.Inputs.Span.Slice(row * T, T));
            yield return (int.Parse(text[..digits]), int.Parse(text[(digits + 1)..(2 * digits + 1)]));
        }
    }

    [Fact]
    public void A_problem_is_padded_operands_then_the_reversed_padded_sum()
    {
        var problem = new AdditionProblem(12, 345, 3);
        Assert.Equal("012+345=", problem.Prompt);
        Assert.Equal("7530", problem.Answer); // 357 → "0357" → reversed
        Assert.Equal("999+999=8991", new AdditionProblem(999, 999, 3).Text);
        Assert.Equal([1, 2, 3, 0, 4, 5, 6, 11], problem.PromptIds);
        Assert.Equal([8, 6, 4, 1], problem.AnswerIds);
        Assert.Equal("+0123456789=", AdditionTask.Tokenizer.State);
    }

    [Fact]
    public void Training_targets_are_the_answer_digits_of_the_correct_sum_and_ignored_elsewhere()
    {
        foreach (var digits in new[] { 1, 3, 5 })
        {
            var task = Task(digits);
            var T = 3 * digits + 2;
            Assert.Equal(T, task.ContextLength);
            for (var step = 0; step < 10; step++)
            {
                var batch = task.TrainBatch(TrainKey, step);
                Assert.Equal([32, T], batch.Inputs.Shape.ToArray());
                Assert.Equal([32, T], batch.Targets.Shape.ToArray());
                var row = 0;
                foreach (var (a, b) in Operands(batch, digits))
                {
                    var targets = batch.Targets.Span.Slice(row * T, T).ToArray();
                    var inputs = batch.Inputs.Span.Slice(row * T, T).ToArray();
                    // Positions 0…2n predict prompt characters: ignored. Positions 2n+1…3n+1 predict the n + 1 answer digits.
                    Assert.All(targets[..(2 * digits + 1)], t => Assert.Equal(-1, t));
                    var expected = new string([.. ((long)a + b).ToString().PadLeft(digits + 1, '0').Reverse()]);
                    Assert.Equal(expected, Spell(targets[(2 * digits + 1)..]));
                    Assert.Equal(expected[..digits], Spell(inputs[(2 * digits + 2)..])); // the answer typed so far
                    Assert.Equal('+', Spell(inputs)[digits]);
                    Assert.Equal('=', Spell(inputs)[2 * digits + 1]);
                    row++;
                }
            }
        }
    }

    [Fact]
    public void Held_out_problems_never_appear_in_training_batches()
    {
        var task = Task(2, 64);
        Assert.Equal(200, task.HeldOut.Length); // 2 % of the 10⁴ problems
        var heldOut = task.HeldOut.SelectMany(p => new[] { (p.A, p.B), (p.B, p.A) }).ToHashSet();
        for (var step = 0; step < 2000; step++)
            foreach (var pair in Operands(task.TrainBatch(TrainKey, step), 2))
                Assert.DoesNotContain(pair, heldOut);
    }

    [Fact]
    public void Training_reaches_every_problem_that_is_not_held_out()
    {
        var task = Task(1, 16);
        var heldOut = task.HeldOut.SelectMany(p => new[] { (p.A, p.B), (p.B, p.A) }).ToHashSet();
        var expected = Enumerable.Range(0, 10).SelectMany(a => Enumerable.Range(0, 10).Select(b => (a, b))).Where(p => !heldOut.Contains(p)).ToHashSet();
        var seen = Enumerable.Range(0, 400).SelectMany(step => Operands(task.TrainBatch(TrainKey, step), 1)).ToHashSet();
        Assert.Equal(2, task.HeldOut.Length);
        Assert.True(expected.SetEquals(seen));
    }

    [Fact]
    public void Held_out_set_is_distinct_capped_deterministic_and_keyed()
    {
        var task = Task(3);
        Assert.Equal(1000, task.HeldOut.Length);
        Assert.Equal(1000, task.HeldOut.Select(p => (Math.Min(p.A, p.B), Math.Max(p.A, p.B))).Distinct().Count());
        Assert.True(task.HeldOut.SequenceEqual(Task(3).HeldOut));
        Assert.False(task.HeldOut.SequenceEqual(AdditionTask.Create(3, 32, splitKey: Key.FromSeed(1)).ThrowIfFail().HeldOut));
        Assert.Equal(50, AdditionTask.Create(3, 32, heldOutCount: 50).ThrowIfFail().HeldOut.Length);
        Assert.All(task.HeldOut, p => Assert.True(task.IsHeldOut(p) && task.IsHeldOut(new AdditionProblem(p.B, p.A, 3))));
    }

    [Fact]
    public void Batches_are_a_pure_function_of_key_and_step()
    {
        var task = Task(3);
        Assert.Equal(task.TrainBatch(TrainKey, 5), Task(3).TrainBatch(TrainKey, 5));
        Assert.NotEqual(task.TrainBatch(TrainKey, 5).Inputs, task.TrainBatch(TrainKey, 6).Inputs);
    }

    [Fact]
    public void Held_out_batch_scores_the_answers_of_the_held_out_problems()
    {
        var task = Task(2);
        var batch = task.Batch(task.HeldOut);
        Assert.Equal([200, 8], batch.Targets.Shape.ToArray());
        Assert.Equal(task.HeldOut.Select(p => (p.A, p.B)), Operands(batch, 2));
    }

    [Fact]
    public void Reading_an_answer_reverses_its_digits()
    {
        int Id(char c) => Vocab.IndexOf(c);
        Assert.Equal(357L, AdditionTask.ReadAnswer("7530".Select(Id).ToArray()));
        Assert.Equal(1998L, AdditionTask.ReadAnswer("8991".Select(Id).ToArray()));
        Assert.True(AdditionTask.ReadAnswer("75+0".Select(Id).ToArray()).IsNone);
        Assert.True(AdditionTask.ReadAnswer([]).IsNone);
    }

    [Fact]
    public void Bad_configuration_fails_as_values()
    {
        string Failure(int digits, int batchSize, int? heldOut = null) =>
            AdditionTask.Create(digits, batchSize, heldOut).Match(_ => "", e => e.Message);
        Assert.Contains("got 0", Failure(0, 8));
        Assert.Contains("got 10", Failure(10, 8));
        Assert.Contains("batch size", Failure(2, 0));
        Assert.Contains("[1, 5]", Failure(1, 8, 6));
        Assert.Throws<ArgumentException>(() => Task(2).Batch([new AdditionProblem(1, 2, 3)]));
    }
}
