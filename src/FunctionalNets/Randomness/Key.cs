using System.Text;

namespace FunctionalNets.Randomness;

/// <summary>
/// A key of the counter-based Philox4x32-10 generator: all randomness in FunctionalNets is a pure function of a
/// key and a counter. Keys derive new keys by folding in data (<see cref="FoldIn(string)"/> for a path or name,
/// <see cref="FoldIn(long)"/> for a step) and by <see cref="Split"/>.
/// </summary>
/// <remarks>
/// Stream version 1, frozen (docs/determinism.md): every derivation below is one Philox block whose counter word 3
/// is a domain tag, so fold-in, path, split and sampling streams never share a counter. Changing any of them would
/// change every initialisation and every replay, so they never change.
/// </remarks>
/// <param name="K0">The low key word.</param>
/// <param name="K1">The high key word.</param>
public readonly record struct Key(uint K0, uint K1)
{
    /// <summary>The version of the derivation rules (fold-in, split, sampling); bumped only with a new type.</summary>
    public const int StreamVersion = 1;

    // Domain tags (ASCII "FOLD", "PATH", "SPLT") in counter word 3; sampling uses the small tags 0, 1, 2.
    private const uint FoldTag = 0x464F4C44, PathTag = 0x50415448, SplitTag = 0x53504C54;

    /// <summary>The root key of a 64-bit seed: <c>(K0, K1) = (low 32 bits, high 32 bits)</c>.</summary>
    public static Key FromSeed(ulong seed) => new((uint)seed, (uint)(seed >> 32));

    /// <summary>Philox4x32-10 of counter <c>(c0, c1, c2, c3)</c> under this key.</summary>
    public (uint, uint, uint, uint) Block(uint c0, uint c1, uint c2, uint c3) => Philox.Hash(c0, c1, c2, c3, K0, K1);

    /// <summary>A new key from this one and a 32-bit value (JAX's <c>fold_in</c>): the first two words of block <c>(data, 0, 0, FOLD)</c>.</summary>
    public Key FoldIn(uint data) => Derive(data, 0, 0, FoldTag);

    /// <summary>
    /// A new key from this one and a 64-bit value such as a step number: the first two words of block
    /// <c>(low 32 bits, high 32 bits, 0, FOLD)</c>.
    /// </summary>
    /// <remarks>Equals <see cref="FoldIn(uint)"/> for values in <c>[0, 2³²)</c>, so a step folds in the same whatever its integer type.</remarks>
    public Key FoldIn(long data) => Derive((uint)data, (uint)((ulong)data >> 32), 0, FoldTag);

    /// <summary>
    /// A new key from this one and a name or parameter path: its UTF-8 bytes in 4-byte little-endian words, word
    /// <c>i</c> folded in as block <c>(word, i, 0, PATH)</c>, then the byte length as block <c>(length, 0, 1, PATH)</c>.
    /// </summary>
    /// <remarks>The length block makes every string, the empty one included, give its own key.</remarks>
    public Key FoldIn(string path)
    {
        var bytes = Encoding.UTF8.GetBytes(path);
        var k = this;
        for (var i = 0; 4 * i < bytes.Length; i++)
        {
            uint word = 0;
            for (var j = 0; j < 4 && 4 * i + j < bytes.Length; j++) word |= (uint)bytes[4 * i + j] << (8 * j);
            k = k.Derive(word, (uint)i, 0, PathTag);
        }
        return k.Derive((uint)bytes.Length, 0, 1, PathTag);
    }

    /// <summary>Two independent keys from this one: the word pairs (0, 1) and (2, 3) of block <c>(0, 0, 0, SPLT)</c>.</summary>
    public (Key, Key) Split()
    {
        var (a, b, c, d) = Block(0, 0, 0, SplitTag);
        return (new Key(a, b), new Key(c, d));
    }

    /// <summary>Prints as <c>Key(0x…, 0x…)</c>.</summary>
    public override string ToString() => $"Key(0x{K0:x8}, 0x{K1:x8})";

    private Key Derive(uint c0, uint c1, uint c2, uint tag)
    {
        var (a, b, _, _) = Block(c0, c1, c2, tag);
        return new Key(a, b);
    }
}

/// <summary>The Philox4x32-10 bijection (Salmon et al., 2011): ten rounds of multiply-high/low mixing.</summary>
internal static class Philox
{
    // Round multipliers and Weyl key increments of Philox4x32.
    private const uint M0 = 0xD2511F53, M1 = 0xCD9E8D57, W0 = 0x9E3779B9, W1 = 0xBB67AE85;

    /// <summary>Ten Philox rounds of counter <c>(c0, c1, c2, c3)</c> under key <c>(k0, k1)</c>; the key is bumped between rounds.</summary>
    public static (uint, uint, uint, uint) Hash(uint c0, uint c1, uint c2, uint c3, uint k0, uint k1)
    {
        for (var round = 0; round < 10; round++)
        {
            var p0 = (ulong)M0 * c0;
            var p1 = (ulong)M1 * c2;
            (c0, c1, c2, c3) = ((uint)(p1 >> 32) ^ c1 ^ k0, (uint)p1, (uint)(p0 >> 32) ^ c3 ^ k1, (uint)p0);
            k0 += W0;
            k1 += W1;
        }
        return (c0, c1, c2, c3);
    }
}
