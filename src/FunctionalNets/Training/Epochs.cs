using FunctionalNets.Randomness;

namespace FunctionalNets.Training;

/// <summary>Batches and epochs: a dataset of n examples visited in a keyed, reproducible order.</summary>
public static class Epochs
{
    /// <summary>
    /// A permutation of 0…n−1 drawn from <paramref name="key"/> (Fisher–Yates; swap i draws from
    /// <c>Sample.Unit(key, i)</c>), the same on every machine and run.
    /// </summary>
    public static int[] Shuffle(Key key, int n)
    {
        var order = Enumerable.Range(0, n).ToArray();
        for (var i = n - 1; i > 0; i--)
        {
            var j = (int)(Sample.Unit(key, (uint)i) * (i + 1));
            (order[i], order[j]) = (order[j], order[i]);
        }
        return order;
    }

    /// <summary>
    /// The batches of example indices for epochs <c>0…epochs−1</c>: epoch e visits a fresh permutation drawn
    /// from <c>key.FoldIn(e)</c>, cut into batches of <paramref name="batchSize"/> (the last may be smaller,
    /// unless <paramref name="dropLast"/>).
    /// </summary>
    /// <remarks>
    /// The arguments are checked when called, not when the sequence is first read: a batch size below 1, a negative
    /// example count or a negative number of epochs is an error (0 epochs or 0 examples give no batches).
    /// </remarks>
    public static IEnumerable<int[]> Batches(Key key, int n, int batchSize, int epochs, bool shuffle = true, bool dropLast = false)
    {
        if (batchSize <= 0) throw new ArgumentException($"Epochs.Batches: batch size must be positive, got {batchSize}");
        if (n < 0) throw new ArgumentException($"Epochs.Batches: the number of examples must be ≥ 0, got {n}");
        if (epochs < 0) throw new ArgumentException($"Epochs.Batches: epochs must be ≥ 0, got {epochs}");
        return Visit(key, n, batchSize, epochs, shuffle, dropLast);
    }

    private static IEnumerable<int[]> Visit(Key key, int n, int batchSize, int epochs, bool shuffle, bool dropLast)
    {
        for (var e = 0; e < epochs; e++)
        {
            var order = shuffle ? Shuffle(key.FoldIn((uint)e), n) : Enumerable.Range(0, n).ToArray();
            for (var start = 0; start < n; start += batchSize)
            {
                if (dropLast && start + batchSize > n) break;
                yield return order[start..Math.Min(n, start + batchSize)];
            }
        }
    }
}
