using System.Text;

namespace FunctionalNets.Random;

/// <summary>
/// A key of the counter-based Philox4x32-10 generator: all randomness in FunctionalNets is a pure function of a
/// key and a counter. Keys derive new keys by <see cref="FoldIn(string)"/> (a path or name) and <see cref="Split"/>.
/// </summary>
/// <remarks>Stream version 1, frozen: changing any derivation here changes every initialisation, so it never changes.</remarks>
public readonly record struct Key(uint K0, uint K1)
{
    /// <summary>The version of the derivation rules (fold-in, split, sampling); bumped only with a new type.</summary>
    public const int StreamVersion = 1;

    // Domain tags in counter word 3 keep fold-in, split and sampling streams apart.
    private const uint FoldTag = 0x464F4C44, SplitTag = 0x53504C54;

    /// <summary>The root key of a 64-bit seed.</summary>
    public static Key FromSeed(ulong seed) => new((uint)seed, (uint)(seed >> 32));

    /// <summary>Philox4x32-10 of counter <c>(c0, c1, c2, c3)</c> under this key.</summary>
    public (uint, uint, uint, uint) Block(uint c0, uint c1, uint c2, uint c3) => Philox.Hash(c0, c1, c2, c3, K0, K1);

    /// <summary>A new key from this one and a 32-bit value (JAX's <c>fold_in</c>).</summary>
    public Key FoldIn(uint data)
    {
        var (a, b, _, _) = Block(data, 0, 0, FoldTag);
        return new Key(a, b);
    }

    /// <summary>A new key from this one and a 64-bit value, such as a step number.</summary>
    public Key FoldIn(long data) => FoldIn((uint)data).FoldIn((uint)(data >> 32));

    /// <summary>A new key from this one and a name or parameter path (its UTF-8 bytes, 4 at a time, then its length).</summary>
    public Key FoldIn(string path)
    {
        var bytes = Encoding.UTF8.GetBytes(path);
        var k = this;
        for (var i = 0; i < bytes.Length; i += 4)
        {
            uint word = 0;
            for (var j = 0; j < 4 && i + j < bytes.Length; j++) word |= (uint)bytes[i + j] << (8 * j);
            k = k.FoldIn(word);
        }
        return k.FoldIn((uint)bytes.Length);
    }

    /// <summary>Two independent keys derived from this one.</summary>
    public (Key, Key) Split()
    {
        var (a, b, c, d) = Block(0, 0, 0, SplitTag);
        return (new Key(a, b), new Key(c, d));
    }

    /// <summary>Prints as <c>Key(0x…, 0x…)</c>.</summary>
    public override string ToString() => $"Key(0x{K0:x8}, 0x{K1:x8})";
}

/// <summary>The Philox4x32-10 bijection (Salmon et al., 2011): ten rounds of multiply-high/low mixing.</summary>
internal static class Philox
{
    private const uint M0 = 0xD2511F53, M1 = 0xCD9E8D57, W0 = 0x9E3779B9, W1 = 0xBB67AE85;

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
