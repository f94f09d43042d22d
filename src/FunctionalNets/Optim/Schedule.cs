namespace FunctionalNets.Optim;

/// <summary>A learning-rate schedule: a pure function of the step, counted from 0, to a finite rate ≥ 0.</summary>
public delegate double Schedule(long step);

/// <summary>
/// Ready-made <see cref="Schedule"/>s, defined for steps ≥ 0. Each validates its arguments when made: rates and
/// decay factors positive, floors and starting values ≥ 0, all finite; so a rate is never negative and is 0 only
/// where a warm-up starts from 0 or a decay ends at 0.
/// </summary>
public static class Schedules
{
    /// <summary><c>lr(t) = value</c>.</summary>
    public static Schedule Constant(double value)
    {
        RequirePositive(nameof(Constant), nameof(value), value);
        return _ => value;
    }

    /// <summary>Staircase decay <c>lr(t) = lr·factor^⌊t/every⌋</c>.</summary>
    public static Schedule StepDecay(double lr, long every, double factor)
    {
        RequirePositive(nameof(StepDecay), nameof(lr), lr);
        RequirePositive(nameof(StepDecay), nameof(factor), factor);
        RequirePositive(nameof(StepDecay), nameof(every), every);
        return step => lr * Math.Pow(factor, step / every);
    }

    /// <summary>Smooth exponential decay <c>lr(t) = lr·rate^(t/every)</c>.</summary>
    public static Schedule Exponential(double lr, double rate, long every)
    {
        RequirePositive(nameof(Exponential), nameof(lr), lr);
        RequirePositive(nameof(Exponential), nameof(rate), rate);
        RequirePositive(nameof(Exponential), nameof(every), every);
        return step => lr * Math.Pow(rate, (double)step / every);
    }

    /// <summary>
    /// Linear warmup <c>lr(t) = init + (peak − init)·min(t, W)/W</c> over <c>W = </c><paramref name="warmupSteps"/>, then
    /// <c>peak</c>; with <c>W = 0</c> it is <c>peak</c> from the start.
    /// </summary>
    public static Schedule LinearWarmup(double peak, long warmupSteps, double init = 0)
    {
        RequirePositive(nameof(LinearWarmup), nameof(peak), peak);
        RequireNonNegative(nameof(LinearWarmup), nameof(init), init);
        RequireNonNegative(nameof(LinearWarmup), nameof(warmupSteps), warmupSteps);
        return step => Ramp(step, warmupSteps, init, peak);
    }

    /// <summary>
    /// Cosine decay <c>lr(t) = lr·((1 − α)·½(1 + cos(π·min(t, D)/D)) + α)</c> over <c>D = </c><paramref name="decaySteps"/>:
    /// <c>lr</c> at step 0, <c>α·lr</c> from step <c>D</c> on.
    /// </summary>
    public static Schedule CosineDecay(double lr, long decaySteps, double alpha = 0)
    {
        RequirePositive(nameof(CosineDecay), nameof(lr), lr);
        RequireNonNegative(nameof(CosineDecay), nameof(alpha), alpha);
        RequirePositive(nameof(CosineDecay), nameof(decaySteps), decaySteps);
        return step => lr * ((1 - alpha) * HalfCosine(step, decaySteps) + alpha);
    }

    /// <summary>
    /// Linear warmup from 0 to <c>peak</c> over <c>W = </c><paramref name="warmupSteps"/>, then cosine decay to
    /// <c>end</c> at step <c>total</c>: <c>lr(t) = end + (peak − end)·½(1 + cos(π·min(t − W, total − W)/(total − W)))</c>.
    /// </summary>
    public static Schedule WarmupCosine(double peak, long warmupSteps, long totalSteps, double end = 0)
    {
        RequirePositive(nameof(WarmupCosine), nameof(peak), peak);
        RequireNonNegative(nameof(WarmupCosine), nameof(end), end);
        RequireNonNegative(nameof(WarmupCosine), nameof(warmupSteps), warmupSteps);
        if (totalSteps <= warmupSteps)
            throw new ArgumentException($"Schedules.WarmupCosine: totalSteps must exceed warmupSteps, got {totalSteps} ≤ {warmupSteps}");
        return step => step < warmupSteps
            ? Ramp(step, warmupSteps, 0, peak)
            : end + (peak - end) * HalfCosine(step - warmupSteps, totalSteps - warmupSteps);
    }

    /// <summary>
    /// Warm-up then cosine to a floor: <c>lr(t) = peak·(t + 1)/(W + 1)</c> for <c>t &lt; W</c>, then
    /// <c>floor + (peak − floor)·½(1 + cos(π·(t − W)/(D − W)))</c> up to <c>D = </c><paramref name="decaySteps"/>,
    /// and <c>floor</c> after it.
    /// </summary>
    /// <remarks>
    /// The usual recipe of small language models trained from scratch: the first step already moves (lr &gt; 0 at
    /// t = 0), and a run longer than <c>D</c> keeps the floor.
    /// </remarks>
    public static Schedule WarmupCosineFloor(double peak, long warmupSteps, long decaySteps, double floor)
    {
        RequirePositive(nameof(WarmupCosineFloor), nameof(peak), peak);
        RequireNonNegative(nameof(WarmupCosineFloor), nameof(floor), floor);
        RequireNonNegative(nameof(WarmupCosineFloor), nameof(warmupSteps), warmupSteps);
        if (decaySteps <= warmupSteps)
            throw new ArgumentException($"Schedules.WarmupCosineFloor: decaySteps must exceed warmupSteps, got {decaySteps} ≤ {warmupSteps}");
        return step => step < warmupSteps
            ? peak * (step + 1) / (warmupSteps + 1)
            : floor + (peak - floor) * HalfCosine(step - warmupSteps, decaySteps - warmupSteps);
    }

    private static double Ramp(long step, long steps, double from, double to) =>
        steps == 0 ? to : from + (to - from) * Math.Min(step, steps) / steps;

    // ½(1 + cos(π·min(t, d)/d)): 1 at t = 0, 0 from t = d on.
    private static double HalfCosine(long step, long steps) => 0.5 * (1 + Math.Cos(Math.PI * Math.Min(step, steps) / steps));

    private static void RequirePositive(string schedule, string name, double value)
    {
        if (!(value > 0 && double.IsFinite(value)))
            throw new ArgumentException($"Schedules.{schedule}: {name} must be positive and finite, got {value}");
    }

    private static void RequireNonNegative(string schedule, string name, double value)
    {
        if (!(value >= 0 && double.IsFinite(value)))
            throw new ArgumentException($"Schedules.{schedule}: {name} must be finite and ≥ 0, got {value}");
    }

    private static void RequirePositive(string schedule, string name, long value)
    {
        if (value <= 0) throw new ArgumentException($"Schedules.{schedule}: {name} must be positive, got {value}");
    }

    private static void RequireNonNegative(string schedule, string name, long value)
    {
        if (value < 0) throw new ArgumentException($"Schedules.{schedule}: {name} must be ≥ 0, got {value}");
    }
}
