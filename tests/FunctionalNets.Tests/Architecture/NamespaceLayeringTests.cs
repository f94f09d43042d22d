using FunctionalNets.Tensors;

namespace FunctionalNets.Tests.Architecture;

/// <summary>
/// The core assembly's namespaces form layers: the graph of which namespace uses which, read from the compiled
/// FunctionalNets.dll, has no cycle, and the kernels at the bottom use no other FunctionalNets namespace.
/// </summary>
public class NamespaceLayeringTests
{
    private const string Root = "FunctionalNets";

    // Namespace → the FunctionalNets namespaces it uses.
    private static readonly Lazy<IReadOnlyDictionary<string, string[]>> Graph = new(() =>
        AssemblyScan.Namespaces(typeof(Tensor<>).Assembly.Location)
            .Where(kv => IsLibrary(kv.Key))
            .ToDictionary(kv => kv.Key, kv => kv.Value.Uses.Where(IsLibrary).ToArray()));

    private static bool IsLibrary(string ns) => ns == Root || ns.StartsWith(Root + ".", StringComparison.Ordinal);

    /// <summary>A cycle of the graph as "A → B → A", or null when it has none (depth-first search).</summary>
    internal static string? FindCycle(IReadOnlyDictionary<string, string[]> graph)
    {
        var (done, path) = (new HashSet<string>(), new List<string>());
        string? Visit(string node)
        {
            var at = path.IndexOf(node);
            if (at >= 0) return string.Join(" → ", path[at..].Append(node));
            if (!done.Add(node)) return null;
            path.Add(node);
            foreach (var next in graph.GetValueOrDefault(node, []).Order(StringComparer.Ordinal))
                if (Visit(next) is { } cycle) return cycle;
            path.RemoveAt(path.Count - 1);
            return null;
        }
        return graph.Keys.Order(StringComparer.Ordinal).Select(Visit).FirstOrDefault(c => c is not null);
    }

    [Fact]
    public void The_namespace_graph_has_no_cycle()
    {
        var cycle = FindCycle(Graph.Value);
        Assert.True(cycle is null, $"namespace cycle: {cycle}");
    }

    [Fact]
    public void Kernels_use_no_other_FunctionalNets_namespace()
    {
        var uses = Graph.Value[$"{Root}.Kernels"];
        Assert.True(uses.Length == 0, "Kernels uses " + string.Join(", ", uses));
    }

    [Fact]
    public void The_scan_sees_uses_in_signatures_and_in_method_bodies()
    {
        // Net.Param's signature names Parameters.Initializer; the ops reach the kernels only from their bodies.
        Assert.Contains($"{Root}.Parameters", Graph.Value[$"{Root}.Autodiff"]);
        Assert.Contains($"{Root}.Kernels", Graph.Value[$"{Root}.Ops"]);
        Assert.Contains($"{Root}.Tensors", Graph.Value[$"{Root}.Ops"]);
    }

    [Fact]
    public void The_cycle_finder_names_a_cycle()
    {
        var graph = new Dictionary<string, string[]> { ["a"] = ["b"], ["b"] = ["c"], ["c"] = ["a"], ["d"] = ["a"] };
        Assert.Equal("a → b → c → a", FindCycle(graph));
        Assert.Null(FindCycle(new Dictionary<string, string[]> { ["a"] = ["b", "c"], ["b"] = ["c"], ["c"] = [] }));
    }
}
