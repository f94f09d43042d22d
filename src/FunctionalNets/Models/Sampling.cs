using System.Numerics;
using FunctionalNets.Randomness;
using FunctionalNets.Tensors;
using LanguageExt;
using LanguageExt.Common;

namespace FunctionalNets.Models;

/// <summary>
/// How the next token is drawn from logits z: with temperature τ &gt; 0, from <c>p ∝ exp(z/τ)</c> restricted to
/// the <see cref="TopK"/> most likely ids and then to the nucleus of mass <see cref="TopP"/>; with τ = 0, the argmax.
/// Validated when made: the constructor throws one <see cref="ArgumentException"/> naming every bad field.
/// </summary>
public sealed record SamplingOptions
{
    /// <summary>Options; throws when τ is negative or not finite, k is negative, or p is outside (0, 1].</summary>
    /// <param name="Temperature">τ ≥ 0: below 1 sharpens, above 1 flattens, 0 is greedy.</param>
    /// <param name="TopK">Keep the k most likely ids (0 = all).</param>
    /// <param name="TopP">Keep the fewest most likely ids whose probabilities sum to at least p (1 = all).</param>
    public SamplingOptions(double Temperature = 1, int TopK = 0, double TopP = 1)
    {
        Rules.ThrowIfFail(Validate(Temperature, TopK, TopP), nameof(SamplingOptions));
        (this.Temperature, this.TopK, this.TopP) = (Temperature, TopK, TopP);
    }

    /// <summary>Always the most likely id (lowest id on ties).</summary>
    public static SamplingOptions Greedy { get; } = new(Temperature: 0);

    /// <summary>τ; 0 means greedy.</summary>
    public double Temperature { get; }

    /// <summary>k; 0 means no top-k cut.</summary>
    public int TopK { get; }

    /// <summary>p; 1 means no nucleus cut.</summary>
    public double TopP { get; }

    /// <summary>The options, or every invalid field; the parameters are the constructor's.</summary>
    public static Validation<Error, SamplingOptions> Create(double Temperature = 1, int TopK = 0, double TopP = 1) =>
        Validate(Temperature, TopK, TopP).Map(_ => new SamplingOptions(Temperature, TopK, TopP));

    private static Validation<Error, Unit> Validate(double temperature, int topK, double topP) =>
        Rules.Require(temperature >= 0 && double.IsFinite(temperature), $"temperature = {temperature} must be finite and ≥ 0")
        | Rules.Require(topK >= 0, $"top_k = {topK} must be ≥ 0 (0 keeps every id)")
        | Rules.Require(topP is > 0 and <= 1, $"top_p = {topP} must be in (0, 1]");
}

/// <summary>Drawing a token id from logits: a pure function of the logits, the options and a <see cref="Key"/>.</summary>
public static class Sampling
{
    /// <summary>
    /// An id drawn from logits [V] by <paramref name="options"/>: ids are ranked by logit (ties: lower id first),
    /// the first k kept, then the shortest prefix whose weights <c>exp((z − max z)/τ)</c> reach p of the kept total,
    /// and <c>u = Sample.Unit(key, 0)</c> times the prefix's total picks along the ranking (inverse CDF).
    /// </summary>
    /// <remarks>
    /// Computed in double. Greedy (τ = 0), k = 1 and a p below the top probability all give the argmax with the lowest
    /// id on ties. A −∞ logit (a masked id) has weight 0 and is never drawn; NaN or +∞ is an error, as is a row of −∞.
    /// </remarks>
    public static int Sample<T>(Tensor<T> logits, SamplingOptions options, Key key)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (logits.Rank != 1 || logits.Size == 0)
            throw new ArgumentException($"{nameof(Sampling)}: expected logits [V] with V ≥ 1, got {logits.Shape}");
        var z = new double[logits.Size];
        for (var i = 0; i < z.Length; i++)
        {
            z[i] = double.CreateTruncating(logits.Span[i]);
            if (double.IsNaN(z[i]) || double.IsPositiveInfinity(z[i]))
                throw new ArgumentException($"{nameof(Sampling)}: logit {z[i]} at id {i} (of V = {z.Length}) cannot be sampled");
        }
        var ranked = Enumerable.Range(0, z.Length).ToArray();
        Array.Sort(ranked, (a, b) => z[a] != z[b] ? z[b].CompareTo(z[a]) : a.CompareTo(b));
        var top = z[ranked[0]];
        if (double.IsNegativeInfinity(top))
            throw new ArgumentException($"{nameof(Sampling)}: every logit is −∞ (V = {z.Length})");
        if (options.Temperature == 0) return ranked[0];

        var kept = options.TopK > 0 ? Math.Min(options.TopK, z.Length) : z.Length;
        var w = new double[kept];
        var total = 0.0;
        for (var j = 0; j < kept; j++) total += w[j] = Math.Exp((z[ranked[j]] - top) / options.Temperature); // top weight is 1
        if (options.TopP < 1)
        {
            var (mass, prefix) = (0.0, 0);
            while (prefix < kept && mass < options.TopP * total) mass += w[prefix++];
            (kept, total) = (prefix, mass);
        }
        var r = Randomness.Sample.Unit(key, 0) * total;
        var (acc, last) = (0.0, 0);
        for (var j = 0; j < kept; j++)
        {
            if (w[j] == 0) break;                 // ranked by logit, so only zero weights follow
            acc += w[j];
            last = j;
            if (r < acc) return ranked[j];
        }
        return ranked[last];                     // r rounded up to the total: the last id with weight
    }
}
