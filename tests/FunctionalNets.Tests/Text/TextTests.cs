using FunctionalNets.Tensors;
using FunctionalNets.Text;

namespace FunctionalNets.Tests.Text;

public class TextTests
{
    [Fact]
    public void Words_splits_words_and_punctuation()
    {
        Assert.Equal(["The", "cat", "sat", "on", "the", "mat", "."], Tokenizer.Words("The cat sat on the mat."));
        Assert.Equal(["don't", "stop", "!"], Tokenizer.Words("  don't stop!"));
    }

    [Fact]
    public void Vocabulary_encodes_and_decodes_round_trip()
    {
        var vocab = new Vocabulary(["A", "B", "C", "D"]);
        var ids = vocab.Encode(["A", "B", "C"]);
        Assert.Equal(Tensor.Vector(0, 1, 2), ids);
        Assert.Equal(["A", "B", "C"], vocab.Decode(ids.Data));
    }

    [Fact]
    public void Vocabulary_from_corpus_is_sorted_and_distinct()
    {
        var vocab = Vocabulary.FromCorpus(Tokenizer.Characters("hello"));
        Assert.Equal(["e", "h", "l", "o"], vocab.Tokens.AsEnumerable());
    }

    [Fact]
    public void Unknown_token_and_bad_id_name_the_problem()
    {
        var vocab = new Vocabulary(["A"]);
        Assert.Contains("'Z'", Assert.Throws<KeyNotFoundException>(() => vocab.Id("Z")).Message);
        Assert.Contains("id 5", Assert.Throws<ArgumentOutOfRangeException>(() => vocab.Token(5)).Message);
        Assert.Contains("appears twice", Assert.Throws<ArgumentException>(() => new Vocabulary(["A", "A"])).Message);
    }

    [Fact]
    public void Chunks_pair_each_input_with_the_next_token()
    {
        int[] ids = [0, 1, 2, 3, 4, 5, 6];
        var chunks = Chunking.NextToken(ids, 3).ToList();
        Assert.Equal(2, chunks.Count);
        Assert.Equal(Tensor.Vector(0, 1, 2), chunks[0].Input);
        Assert.Equal(Tensor.Vector(1, 2, 3), chunks[0].Target);
        Assert.Equal(Tensor.Vector(3, 4, 5), chunks[1].Input);
        Assert.Equal(Tensor.Vector(4, 5, 6), chunks[1].Target);
    }
}
