using System.Text.Json.Serialization;

namespace FunctionalNets.IO;

/// <summary>Source-generated JSON for the optimizer slot list in checkpoint metadata (no reflection, bounded depth).</summary>
[JsonSourceGenerationOptions(MaxDepth = 2)]
[JsonSerializable(typeof(IReadOnlyList<string>))]
[JsonSerializable(typeof(string[]))]
internal sealed partial class SlotsContext : JsonSerializerContext;
