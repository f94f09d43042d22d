using FunctionalNets.Randomness;
using FunctionalNets.Tensors;
using LanguageExt;

namespace FunctionalNets.Text;

/// <summary>
/// A tokenized text cut into a training split (the first part) and a validation split (the rest), read as
/// batches of B random windows of T + 1 ids: inputs are a window's first T ids, targets its last T.
/// </summary>
/// <remarks>
/// A batch is a pure function of a key and a number (<see cref="TrainBatch"/>, <see cref="ValidationBatch"/>):
/// window b starts at offset <c>Sample.Integers(key.FoldIn(step), [B], n − T)[b]</c>, uniform on <c>[0, n − T − 1]</c>
/// for a split of n ids, the same on every machine. Give the data a key of its own (e.g. <c>runKey.FoldIn("data")</c>)
/// rather than the one dropout draws from. The split is contiguous, not shuffled, so no validation window
/// overlaps a training one except across the single boundary.
/// </remarks>
public sealed class TextDataset : ITokenBatches
{
    private readonly int[] ids;
    private readonly int trainCount;

    private TextDataset(TextSource source, ITextTokenizer tokenizer, int[] ids, int trainCount, int batchSize, int contextLength)
    {
        (SourceName, Sha256, Tokenizer, this.ids, this.trainCount) = (source.Name, source.Sha256, tokenizer, ids, trainCount);
        (BatchSize, ContextLength) = (batchSize, contextLength);
    }

    /// <summary>
    /// The dataset of <paramref name="source"/> encoded by <paramref name="tokenizer"/>: the first
    /// <c>⌊trainFraction·n⌋</c> ids train, the rest validate; batches of <paramref name="batchSize"/> windows of
    /// <paramref name="contextLength"/> + 1 ids.
    /// </summary>
    /// <remarks>
    /// Fails with a <see cref="TextDataException"/> when B or T is not positive, the fraction is not in (0, 1), the
    /// text holds characters the tokenizer lacks, or a split has fewer than T + 1 ids (naming the split, its count and T).
    /// </remarks>
    public static Fin<TextDataset> Create(TextSource source, ITextTokenizer tokenizer, int batchSize, int contextLength, double trainFraction = 0.9) =>
        TextFin.Catch(() =>
        {
            if (batchSize <= 0 || contextLength <= 0)
                throw new TextDataException($"text dataset '{source.Name}': batch size and context length must be positive, got B = {batchSize}, T = {contextLength}");
            if (!(trainFraction > 0 && trainFraction < 1))
                throw new TextDataException($"text dataset '{source.Name}': the training fraction must be in (0, 1), got {trainFraction}");
            var ids = tokenizer.Encode(source.Text);
            var trainCount = (int)Math.Floor(trainFraction * ids.Length);
            RequireWindow(source.Name, "training", trainCount, contextLength);
            RequireWindow(source.Name, "validation", ids.Length - trainCount, contextLength);
            return new TextDataset(source, tokenizer, ids, trainCount, batchSize, contextLength);
        });

    /// <summary>Where the text came from (a file path or a name).</summary>
    public string SourceName { get; }

    /// <summary>SHA-256 of the source's bytes, lowercase hex, for the run log's header.</summary>
    public string Sha256 { get; }

    /// <inheritdoc/>
    public ITextTokenizer Tokenizer { get; }

    /// <inheritdoc/>
    public int BatchSize { get; }

    /// <inheritdoc/>
    public int ContextLength { get; }

    /// <summary>The ids of the whole text.</summary>
    public ReadOnlyMemory<int> Ids => ids;

    /// <summary>The training split: the first <c>⌊trainFraction·n⌋</c> ids.</summary>
    public ReadOnlyMemory<int> Train => ids.AsMemory(0, trainCount);

    /// <summary>The validation split: the ids after the training split.</summary>
    public ReadOnlyMemory<int> Validation => ids.AsMemory(trainCount);

    /// <summary>Training batch <paramref name="step"/>: B windows of the training split at offsets drawn from <c>key.FoldIn(step)</c>.</summary>
    public TokenBatch TrainBatch(Key key, long step) => Windows(0, trainCount, key.FoldIn(step));

    /// <summary>Evaluation batch <paramref name="i"/>: B windows of the validation split at offsets drawn from <c>evalKey.FoldIn(i)</c>.</summary>
    /// <remarks>Keep <paramref name="evalKey"/> fixed for a run, so every evaluation scores the same windows.</remarks>
    public TokenBatch ValidationBatch(Key evalKey, int i) => Windows(trainCount, ids.Length - trainCount, evalKey.FoldIn(i));

    // Row b of the inputs is split[o_b .. o_b + T − 1] and of the targets split[o_b + 1 .. o_b + T], for the split
    // ids[start .. start + count − 1] and offsets o_b uniform on [0, count − T − 1].
    private TokenBatch Windows(int start, int count, Key key)
    {
        var (B, T) = (BatchSize, ContextLength);
        var offsets = Sample.Integers(key, [B], count - T);
        return new TokenBatch(Shifted(0), Shifted(1));

        Tensor<int> Shifted(int shift) => Tensor.Build<int>([B, T], y =>
        {
            for (var b = 0; b < B; b++)
                ids.AsSpan(start + offsets.Span[b] + shift, T).CopyTo(y.Slice(b * T, T));
        });
    }

    private static void RequireWindow(string source, string split, int count, int contextLength)
    {
        if (count < contextLength + 1)
            throw new TextDataException($"text dataset '{source}': the {split} split has {count} tokens, fewer than one window of T + 1 = {contextLength + 1} (T = {contextLength})");
    }
}
