namespace FunctionalNets.Tests.Book;

/// <summary>
/// An independent, scalar re-derivation of the book's toy model for the example tests: plain loops over
/// 2-d rows, no library code. Parameters are a name → row-major matrix map. Every position attends to every
/// position (the book uses no causal mask) unless <c>causal</c> is set.
/// </summary>
internal static class ToyReference
{
    public static readonly Dictionary<string, double[]> Embedding = new()
    {
        ["A"] = [1, 0],
        ["B"] = [0, 1],
        ["C"] = [1, 1],
        ["D"] = [0, 0],
    };

    public static readonly string[] Tokens = ["A", "B", "C", "D"];

    public static Dictionary<string, double[,]> Initial(bool ffn) => new()
    {
        ["w_q"] = new[,] { { 0.1, 0 }, { 0, 0.1 } },
        ["w_k"] = new[,] { { 0.1, 0 }, { 0, 0.1 } },
        ["w_v"] = new[,] { { 0.1, 0 }, { 0, 0.1 } },
        // The book's logits [0.1·c0, 0, 0.1·c1, 0].
        ["w_o"] = new[,] { { 0.1, 0, 0, 0 }, { 0, 0, 0.1, 0 } },
        ["ffn/w1"] = ffn ? new[,] { { 0.2, 0.1 }, { 0.1, 0.2 } } : new double[0, 0],
        ["ffn/w2"] = ffn ? new[,] { { 0.2, 0.1 }, { 0.1, 0.2 } } : new double[0, 0],
    };

    /// <summary>Row vector times matrix.</summary>
    private static double[] Times(double[] x, double[,] w)
    {
        var y = new double[w.GetLength(1)];
        for (var j = 0; j < y.Length; j++)
            for (var i = 0; i < x.Length; i++)
                y[j] += x[i] * w[i, j];
        return y;
    }

    private static double[] Softmax(double[] z)
    {
        var m = z.Max();
        var e = z.Select(v => Math.Exp(v - m)).ToArray();
        var s = e.Sum();
        return e.Select(v => v / s).ToArray();
    }

    private static double[] Norm(double[] x)
    {
        var mu = x.Average();
        var var = x.Select(v => (v - mu) * (v - mu)).Average();
        return x.Select(v => (v - mu) / Math.Sqrt(var + 1e-8)).ToArray();
    }

    private static double[] Ffn(double[] x, Dictionary<string, double[,]> p)
    {
        var h = Times(x, p["ffn/w1"]).Select(v => Math.Max(0, v)).ToArray();
        return Times(h, p["ffn/w2"]);
    }

    /// <summary>Every intermediate: weights (last row), contexts (all rows), the vector fed to W_O, logits, probabilities.</summary>
    public static (double[] Weights, double[][] Contexts, double[] Last, double[] Logits, double[] Probs) Forward(
        string text, Dictionary<string, double[,]> p, string parts, bool causal = false)
    {
        var x = text.Split(' ').Select(t => Embedding[t]).ToArray();
        var q = x.Select(r => Times(r, p["w_q"])).ToArray();
        var k = x.Select(r => Times(r, p["w_k"])).ToArray();
        var v = x.Select(r => Times(r, p["w_v"])).ToArray();
        var contexts = new double[x.Length][];
        double[] weights = [];
        for (var t = 0; t < x.Length; t++)
        {
            var seen = causal ? t + 1 : x.Length;
            var scores = Enumerable.Range(0, seen).Select(s => (q[t][0] * k[s][0] + q[t][1] * k[s][1]) / Math.Sqrt(2)).ToArray();
            weights = Softmax(scores);
            contexts[t] = [0, 0];
            for (var s = 0; s < seen; s++)
                for (var j = 0; j < 2; j++)
                    contexts[t][j] += weights[s] * v[s][j];
        }
        var rows = parts switch
        {
            "attention" => contexts,
            "ffn" => contexts.Select(c => c.Zip(Ffn(c, p), (a, b) => a + b).ToArray()).ToArray(),
            _ => x.Select((xr, t) =>
            {
                var r1 = Norm(xr.Zip(contexts[t], (a, b) => a + b).ToArray());
                return Norm(r1.Zip(Ffn(r1, p), (a, b) => a + b).ToArray());
            }).ToArray(),
        };
        var last = rows[^1];
        var logits = Times(last, p["w_o"]);
        return (weights, contexts, last, logits, Softmax(logits));
    }

    public static double Loss(string text, string target, Dictionary<string, double[,]> p, string parts) =>
        -Math.Log(Forward(text, p, parts).Probs[Array.IndexOf(Tokens, target)]);

    public static double BatchLoss(IEnumerable<(string Text, string Target)> patterns, Dictionary<string, double[,]> p, string parts) =>
        patterns.Average(pt => Loss(pt.Text, pt.Target, p, parts));

    /// <summary>
    /// dL/dW for one matrix by central differences with Richardson extrapolation (h and h/2), accurate to about
    /// 1e-11 on these smooth, O(1) functions.
    /// </summary>
    public static double[,] Gradient(Func<Dictionary<string, double[,]>, double> loss, Dictionary<string, double[,]> p, string name)
    {
        var w = p[name];
        var g = new double[w.GetLength(0), w.GetLength(1)];
        double Diff(int i, int j, double h)
        {
            var keep = w[i, j];
            w[i, j] = keep + h;
            var up = loss(p);
            w[i, j] = keep - h;
            var down = loss(p);
            w[i, j] = keep;
            return (up - down) / (2 * h);
        }
        for (var i = 0; i < w.GetLength(0); i++)
            for (var j = 0; j < w.GetLength(1); j++)
            {
                var (d1, d2) = (Diff(i, j, 1e-4), Diff(i, j, 5e-5));
                g[i, j] = (4 * d2 - d1) / 3;
            }
        return g;
    }
}
