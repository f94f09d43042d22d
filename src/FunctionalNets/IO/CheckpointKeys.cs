namespace FunctionalNets.IO;

/// <summary>
/// The <c>__metadata__</c> keys a checkpoint writes, all under the reserved prefix <c>fnets.</c>; callers add their
/// own entries (model configuration, tokenizer) under any other name.
/// </summary>
public static class CheckpointKeys
{
    /// <summary>The prefix of every key FunctionalNets writes; extra entries may not use it.</summary>
    public const string Prefix = "fnets.";

    /// <summary>The checkpoint format version (<see cref="Checkpoint.FormatVersion"/>), a decimal integer.</summary>
    public const string Format = "fnets.format";

    /// <summary>The training step, a decimal integer.</summary>
    public const string Step = "fnets.step";

    /// <summary>The run's root key as <c>K0,K1</c>, two decimal 32-bit unsigned integers.</summary>
    public const string Key = "fnets.key";

    /// <summary>The random stream version the key belongs to (<c>Key.StreamVersion</c>), a decimal integer.</summary>
    public const string KeyStream = "fnets.key_stream";

    /// <summary>The data cursor (batches consumed), a decimal integer.</summary>
    public const string Cursor = "fnets.cursor";

    /// <summary>The optimizer's step, a decimal integer.</summary>
    public const string OptStep = "fnets.opt_step";

    /// <summary>The optimizer's slot names, a JSON array of strings in ordinal order (an empty slot has no tensor to show it).</summary>
    public const string OptSlots = "fnets.opt_slots";

    /// <summary>The parameters' <c>Params.Digest()</c>: 64 lowercase hex digits, the same as a step report's digest.</summary>
    public const string ParamsDigest = "fnets.params_digest";

    /// <summary>The <c>Params.Digest()</c> of the optimizer's tensors under their checkpoint names (<c>opt/&lt;slot&gt;/&lt;path&gt;</c>).</summary>
    public const string OptDigest = "fnets.opt_digest";

    /// <summary>
    /// SHA-256 (64 lowercase hex digits) of every other metadata entry, the caller's included: for each in ordinal
    /// order of keys, the UTF-8 byte length of the key (int32 little-endian), its bytes, then the same for the value.
    /// </summary>
    /// <remarks>With the two tensor digests it covers, a damaged step, key, cursor or configuration fails the read too.</remarks>
    public const string MetadataDigest = "fnets.metadata_digest";

    /// <summary>The informational version of the FunctionalNets library that wrote the file (not checked on reading).</summary>
    public const string Library = "fnets.library";
}
