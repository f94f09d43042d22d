using System.Collections.Immutable;
using FunctionalNets.Tensors;

namespace FunctionalNets.Text;

/// <summary>
/// The set of tokens a model knows, each with an integer id (its position in <see cref="Tokens"/>).
/// Encoding maps tokens to ids, decoding maps ids back.
/// </summary>
public sealed record Vocabulary
{
    private readonly ImmutableDictionary<string, int> ids;

    /// <summary>A vocabulary over <paramref name="tokens"/> in the given order; duplicates are an error.</summary>
    public Vocabulary(IEnumerable<string> tokens)
    {
        Tokens = [.. tokens];
        var builder = ImmutableDictionary.CreateBuilder<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < Tokens.Length; i++)
            if (!builder.TryAdd(Tokens[i], i))
                throw new ArgumentException($"Vocabulary: token '{Tokens[i]}' appears twice (ids {builder[Tokens[i]]} and {i})");
        ids = builder.ToImmutable();
    }

    /// <summary>The vocabulary of the distinct tokens of <paramref name="tokens"/>, sorted ordinally (deterministic ids).</summary>
    public static Vocabulary FromCorpus(IEnumerable<string> tokens) =>
        new(tokens.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal));

    /// <summary>The tokens; a token's id is its index.</summary>
    public ImmutableArray<string> Tokens { get; }

    /// <summary>How many tokens there are (the model's V).</summary>
    public int Size => Tokens.Length;

    /// <summary>The id of <paramref name="token"/>; an unknown token is an error naming it.</summary>
    public int Id(string token) => ids.TryGetValue(token, out var id)
        ? id
        : throw new KeyNotFoundException($"Vocabulary: unknown token '{token}' (vocabulary has {Size} tokens)");

    /// <summary>Token encoding: the ids of <paramref name="tokens"/> as a vector.</summary>
    public Tensor<int> Encode(IEnumerable<string> tokens) => Tensor.Vector<int>([.. tokens.Select(Id)]);

    /// <summary>The token of <paramref name="id"/>.</summary>
    public string Token(int id) => (uint)id < (uint)Size
        ? Tokens[id]
        : throw new ArgumentOutOfRangeException(nameof(id), $"Vocabulary: id {id} is outside [0, {Size})");

    /// <summary>Decoding: the tokens of <paramref name="ids"/>.</summary>
    public IEnumerable<string> Decode(IEnumerable<int> ids) => ids.Select(Token);

    /// <summary>Same tokens in the same order.</summary>
    public bool Equals(Vocabulary? other) => other is not null && Tokens.SequenceEqual(other.Tokens);

    /// <inheritdoc/>
    public override int GetHashCode() => Tokens.Aggregate(0, HashCode.Combine);
}
