using System.Diagnostics;

namespace FunctionalNets.Benchmarks.Workloads;

/// <summary>Timing helpers shared by the workloads: a monotonic clock and medians.</summary>
internal static class Measure
{
    public static double Seconds(Action work)
    {
        var t0 = Stopwatch.GetTimestamp();
        work();
        return Stopwatch.GetElapsedTime(t0).TotalSeconds;
    }

    public static double Median(IReadOnlyList<double> xs)
    {
        var s = xs.Order().ToArray();
        return s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2;
    }

    /// <summary>Per-step median over <paramref name="reps"/> repetitions of <paramref name="steps"/> steps.</summary>
    public static double MedianPerStep(int reps, int steps, Action step) =>
        Median(Enumerable.Range(0, reps).Select(_ => Seconds(() =>
        {
            for (var i = 0; i < steps; i++) step();
        }) / steps).ToArray());
}
