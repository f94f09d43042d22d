using FunctionalNets.Tensors;

namespace FunctionalNets.Text;

/// <summary>
/// Chunking: cutting a long id sequence into fixed-length training examples. Each chunk's target is its input
/// shifted one token left, so position t learns to predict token t + 1.
/// </summary>
public static class Chunking
{
    /// <summary>
    /// Non-overlapping chunks of <paramref name="length"/> inputs (with their shifted targets); a trailing
    /// remainder shorter than a chunk is dropped.
    /// </summary>
    public static IEnumerable<(Tensor<int> Input, Tensor<int> Target)> NextToken(ReadOnlyMemory<int> ids, int length, int stride = 0)
    {
        if (length <= 0) throw new ArgumentException($"Chunking.NextToken: length must be positive, got {length}");
        var step = stride > 0 ? stride : length;
        for (var start = 0; start + length + 1 <= ids.Length; start += step)
            yield return (Tensor.From<int>([length], ids.Span.Slice(start, length)),
                          Tensor.From<int>([length], ids.Span.Slice(start + 1, length)));
    }

    /// <summary>The chunk starting at <paramref name="start"/>: ids[start..start+length] and the same shifted by one.</summary>
    public static (Tensor<int> Input, Tensor<int> Target) At(ReadOnlySpan<int> ids, int start, int length)
    {
        if (start < 0 || start + length + 1 > ids.Length)
            throw new ArgumentOutOfRangeException(nameof(start), $"Chunking.At: a chunk of {length} at {start} needs {start + length + 1} ids, have {ids.Length}");
        return (Tensor.From<int>([length], ids.Slice(start, length)), Tensor.From<int>([length], ids.Slice(start + 1, length)));
    }
}
