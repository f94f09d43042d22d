using System.Security.Cryptography;
using System.Text;
using FunctionalNets.Randomness;
using FunctionalNets.Text;

namespace FunctionalNets.Tests.Text;

public class TextDatasetTests
{
    // 1000 characters using all seven letters a…g.
    private static readonly string Corpus = string.Concat(Enumerable.Range(0, 1000).Select(i => (char)('a' + (3 * i + i / 7) % 7)));

    // The ids by hand: the corpus uses 'a'…'g', all of them, so a letter's id is its distance from 'a'.
    private static readonly int[] RawIds = [.. Corpus.Select(c => c - 'a')];

    private static readonly Key DataKey = Key.FromSeed(42);

    private static TextDataset Dataset(string text, int batchSize = 8, int contextLength = 16, double trainFraction = 0.9)
    {
        var source = TextSource.FromText("corpus", text);
        return TextDataset.Create(source, CharTokenizer.FromText(text), batchSize, contextLength, trainFraction).ThrowIfFail();
    }

    private static string Failure(string text, int contextLength, double trainFraction = 0.9) =>
        TextDataset.Create(TextSource.FromText("corpus", text), CharTokenizer.FromText("abcdefg"), 4, contextLength, trainFraction)
            .Match(_ => "", e => e.Message);

    [Fact]
    public void Ids_are_the_whole_text_encoded()
    {
        Assert.Equal(7, CharTokenizer.FromText(Corpus).VocabSize);
        Assert.Equal(RawIds, Dataset(Corpus).Ids.ToArray());
    }

    [Theory]
    [InlineData(0.9, 900)]
    [InlineData(0.75, 750)]
    [InlineData(0.5, 500)]
    public void Split_is_the_first_fraction_then_the_rest(double fraction, int trainCount)
    {
        var data = Dataset(Corpus, trainFraction: fraction);
        Assert.Equal(RawIds[..trainCount], data.Train.ToArray());
        Assert.Equal(RawIds[trainCount..], data.Validation.ToArray());
    }

    [Fact]
    public void Same_key_and_step_give_the_same_batch_and_other_steps_differ()
    {
        var (a, b) = (Dataset(Corpus), Dataset(Corpus));
        Assert.Equal(a.TrainBatch(DataKey, 7), b.TrainBatch(DataKey, 7));
        Assert.NotEqual(a.TrainBatch(DataKey, 7).Inputs, a.TrainBatch(DataKey, 8).Inputs);
        Assert.NotEqual(a.TrainBatch(DataKey, 7).Inputs, a.TrainBatch(Key.FromSeed(43), 7).Inputs);
        Assert.Equal(a.ValidationBatch(DataKey, 3), b.ValidationBatch(DataKey, 3));
        Assert.NotEqual(a.ValidationBatch(DataKey, 3).Inputs, a.ValidationBatch(DataKey, 4).Inputs);
    }

    [Fact]
    public void Each_row_is_a_window_of_its_split_with_targets_shifted_by_one()
    {
        const int B = 8, T = 16;
        var data = Dataset(Corpus, B, T);
        for (var step = 0; step < 20; step++)
        {
            AssertWindows(data.TrainBatch(DataKey, step), RawIds[..900]);
            AssertWindows(data.ValidationBatch(DataKey, step), RawIds[900..]);
        }

        static void AssertWindows(TokenBatch batch, int[] split)
        {
            Assert.Equal([B, T], batch.Inputs.Shape.ToArray());
            Assert.Equal([B, T], batch.Targets.Shape.ToArray());
            for (var row = 0; row < B; row++)
            {
                var inputs = batch.Inputs.Span.Slice(row * T, T).ToArray();
                var targets = batch.Targets.Span.Slice(row * T, T).ToArray();
                Assert.Contains(Enumerable.Range(0, split.Length - T), o =>
                    inputs.SequenceEqual(split[o..(o + T)]) && targets.SequenceEqual(split[(o + 1)..(o + T + 1)]));
            }
        }
    }

    [Fact]
    public void Offsets_reach_both_ends_of_the_split()
    {
        // 20 distinct letters: a window's first id is its offset. With 15 training ids and T = 4 the offsets are 0…10.
        var text = string.Concat(Enumerable.Range(0, 20).Select(i => (char)('a' + i)));
        var data = Dataset(text, batchSize: 4, contextLength: 4, trainFraction: 0.75);
        var firsts = Enumerable.Range(0, 200).SelectMany(step => data.TrainBatch(DataKey, step).Inputs.Data.Where((_, i) => i % 4 == 0)).ToHashSet();
        Assert.Equal(Enumerable.Range(0, 11), firsts.Order());
    }

    [Fact]
    public void A_split_shorter_than_one_window_names_the_split_its_count_and_T()
    {
        var text = new string('a', 20);
        Assert.Equal("text dataset 'corpus': the validation split has 2 tokens, fewer than one window of T + 1 = 9 (T = 8)", Failure(text, 8));
        Assert.Equal("text dataset 'corpus': the training split has 4 tokens, fewer than one window of T + 1 = 9 (T = 8)", Failure(text, 8, 0.2));
    }

    [Fact]
    public void Bad_configuration_and_unknown_characters_fail_as_values()
    {
        Assert.Contains("T = 0", Failure(Corpus, 0));
        Assert.Contains("got 1", Failure(Corpus, 8, 1.0));
        Assert.Contains("'z' U+007A", Failure(Corpus + "z", 8));
    }

    [Fact]
    public void Records_the_source_and_its_digest() =>
        Assert.Equal(("corpus", Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Corpus)))), (Dataset(Corpus).SourceName, Dataset(Corpus).Sha256));
}
