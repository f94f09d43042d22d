using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using System.Text.Json;
using FunctionalNets.Tensors;

namespace FunctionalNets.Book;

/// <summary>One named value of a worked example: a scalar, vector or matrix, with an optional remark.</summary>
/// <param name="Label">What the value is, e.g. <c>attention weights (last position)</c>.</param>
/// <param name="Value">The value, in double.</param>
/// <param name="Note">A remark on how it was computed, or null.</param>
public sealed record Step(string Label, Tensor<double> Value, string? Note = null);

/// <summary>
/// A worked example as a sequence of named values, with where it comes from and remarks (such as where the
/// book's printed numbers and its formulas disagree), printable as a text worksheet or as JSON.
/// </summary>
/// <param name="Title">The example's title.</param>
/// <param name="Steps">The values in the order they are computed.</param>
public sealed record Worksheet(string Title, ImmutableList<Step> Steps)
{
    /// <summary>Where the example comes from (the book and the example's number), or null.</summary>
    public string? Source { get; init; }

    /// <summary>Remarks printed after the values, in order.</summary>
    public ImmutableList<string> Remarks { get; init; } = [];

    /// <summary>An empty worksheet.</summary>
    public static Worksheet Titled(string title) => new(title, []);

    /// <summary>This worksheet with its source set.</summary>
    public Worksheet From(string source) => this with { Source = source };

    /// <summary>This worksheet with one more remark.</summary>
    public Worksheet Remark(string text) => this with { Remarks = Remarks.Add(text) };

    /// <summary>This worksheet with one more value.</summary>
    public Worksheet Add(string label, Tensor<double> value, string? note = null) => this with { Steps = Steps.Add(new Step(label, value, note)) };

    /// <summary>This worksheet with one more scalar.</summary>
    public Worksheet Add(string label, double value, string? note = null) => Add(label, Tensor.Scalar(value), note);

    /// <summary>The value recorded under <paramref name="label"/> (the last one, when repeated).</summary>
    public Tensor<double> this[string label] => Steps.LastOrDefault(s => s.Label == label)?.Value
        ?? throw new KeyNotFoundException($"{Title}: no step '{label}' (have: {string.Join(", ", Steps.Select(s => s.Label))})");

    /// <summary>The worksheet as aligned text, one value per line, matrices row by row.</summary>
    public string ToText()
    {
        var sb = new StringBuilder().AppendLine(Title).AppendLine(new string('=', Title.Length));
        if (Source is not null) sb.AppendLine(Source).AppendLine();
        var width = Steps.Select(s => s.Label.Length).DefaultIfEmpty(0).Max();
        foreach (var s in Steps)
        {
            var rows = Rows(s.Value);
            for (var i = 0; i < rows.Count; i++)
                sb.Append(i == 0 ? s.Label.PadRight(width) : new string(' ', width)).Append("  ").AppendLine(rows[i]);
            if (s.Note is not null) sb.Append(new string(' ', width)).Append("  (").Append(s.Note).AppendLine(")");
        }
        if (Remarks.Count > 0) sb.AppendLine().AppendLine("Notes:");
        foreach (var r in Remarks) sb.Append("- ").AppendLine(r);
        return sb.ToString();
    }

    /// <summary>
    /// The worksheet as JSON: <c>{"title":…, "source":…, "steps":[{"label":…, "shape":[…], "values":[…], "note":…}],
    /// "remarks":[…]}</c>, values in round-trip precision.
    /// </summary>
    public string ToJson()
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("title", Title);
            if (Source is not null) w.WriteString("source", Source);
            w.WriteStartArray("steps");
            foreach (var s in Steps)
            {
                w.WriteStartObject();
                w.WriteString("label", s.Label);
                w.WriteStartArray("shape");
                foreach (var d in s.Value.Shape) w.WriteNumberValue(d);
                w.WriteEndArray();
                w.WriteStartArray("values");
                foreach (var v in s.Value.Span) w.WriteNumberValue(v);
                w.WriteEndArray();
                if (s.Note is not null) w.WriteString("note", s.Note);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteStartArray("remarks");
            foreach (var r in Remarks) w.WriteStringValue(r);
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static List<string> Rows(Tensor<double> t)
    {
        static string F(double v) => v.ToString("0.000000", CultureInfo.InvariantCulture).PadLeft(10);
        // Long rows (a loss curve) show their ends; the JSON form keeps every value.
        static string Row(IEnumerable<double> values)
        {
            var v = values.ToArray();
            var shown = v.Length <= 16 ? v.Select(F) : [.. v[..8].Select(F), "       …", .. v[^4..].Select(F)];
            return "[" + string.Join(" ", shown) + " ]";
        }
        if (t.Rank == 0)
        {
            var x = t.ToScalar();
            return [double.IsInteger(x) ? x.ToString(CultureInfo.InvariantCulture) : F(x).Trim()];
        }
        if (t.Rank == 1) return [Row(t.Data)];
        var cols = t.Dim(-1);
        return [.. Enumerable.Range(0, t.Size / Math.Max(1, cols)).Select(r => Row(t.Data.Skip(r * cols).Take(cols)))];
    }
}
