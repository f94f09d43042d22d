using FunctionalNets.Randomness;

namespace FunctionalNets.Tests.Randomness;

public class PhiloxTests
{
    // Known-answer vectors for Philox4x32-10 from the Random123 distribution's kat_vectors file
    // (Salmon, Moraes, Dror, Shaw: "Parallel random numbers: as easy as 1, 2, 3", SC 2011).
    // Columns: counter (4 words), key (2 words), expected output (4 words).
    public static TheoryData<uint[], uint[], uint[]> KnownAnswers => new()
    {
        { [0x00000000, 0x00000000, 0x00000000, 0x00000000], [0x00000000, 0x00000000], [0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8] },
        { [0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff], [0xffffffff, 0xffffffff], [0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd] },
        { [0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344], [0xa4093822, 0x299f31d0], [0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1] },
    };

    [Theory, MemberData(nameof(KnownAnswers))]
    public void Philox_hash_matches_the_published_known_answer_vectors(uint[] counter, uint[] key, uint[] expected)
    {
        var (a, b, c, d) = Philox.Hash(counter[0], counter[1], counter[2], counter[3], key[0], key[1]);
        Assert.Equal(expected, new[] { a, b, c, d });
    }

    [Theory, MemberData(nameof(KnownAnswers))]
    public void Key_block_is_philox_under_the_key_words(uint[] counter, uint[] key, uint[] expected)
    {
        var (a, b, c, d) = new Key(key[0], key[1]).Block(counter[0], counter[1], counter[2], counter[3]);
        Assert.Equal(expected, new[] { a, b, c, d });
    }
}
