using FunctionalNets.Runs;
using FunctionalNets.Text;

namespace FunctionalNets.Tests.Runs;

/// <summary>The built-in task's evaluation: the held-out loss and the greedy answers.</summary>
public class AdditionEvaluationTests
{
    [Fact]
    public void The_held_out_loss_taken_a_batch_at_a_time_is_the_loss_of_all_problems_at_once()
    {
        // Two digits (TinyRun's model), batches of 7, so the held-out problems end in a partial batch.
        var spec = TinyRun.Spec(iters: 10, checkpointEvery: 0);
        var task = AdditionTask.Create(2, 7).ThrowIfFail();
        Assert.NotEqual(0, task.HeldOut.Length % 7);
        var cfg = spec.Model;
        var parameters = LanguageModelRun.Initial(spec).Params;
        var evaluation = new RunData.Addition(task).Evaluate(parameters, cfg, evalBatches: 1);
        var whole = RunData.Loss(parameters, cfg, task.Batch(task.HeldOut));
        Assert.Equal(whole, evaluation.Loss, 1e-6);
        Assert.Equal(task.HeldOut.Length, evaluation.Answers.Length);
        Assert.Equal(evaluation.Answers.Count(a => a.Correct) / (double)task.HeldOut.Length, evaluation.Accuracy);
    }
}
