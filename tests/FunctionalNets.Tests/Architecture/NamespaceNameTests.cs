using System.Reflection;
using System.Runtime.CompilerServices;
using FunctionalNets.Parameters;
using FunctionalNets.Randomness;
using FunctionalNets.Tensors;

namespace FunctionalNets.Tests.Architecture;

/// <summary>
/// A namespace named like a type shadows that type for all code under <c>FunctionalNets</c>: a namespace whose last
/// segment was <c>Random</c> hid <c>System.Random</c>, and one ending in <c>Params</c> made callers spell out the
/// namespace before <c>Params&lt;double&gt;</c>.
/// </summary>
public class NamespaceNameTests
{
    private static readonly Assembly[] Shipped =
        [
            typeof(Tensor<>).Assembly, typeof(FunctionalNets.Testing.OpLaws).Assembly, typeof(FunctionalNets.Plots.LossPlot).Assembly,
            typeof(FunctionalNets.Book.Examples).Assembly,
        ];

    // Simple type names without the generic arity: Params`1 → Params.
    private static string Simple(Type t) => t.Name.Split('`')[0];

    private static IEnumerable<Type> Named(Assembly a) =>
        a.GetTypes().Where(t => !t.IsNested && t.GetCustomAttribute<CompilerGeneratedAttribute>() is null && t.Namespace is not null);

    [Fact]
    public void No_namespace_shares_its_name_with_a_library_or_System_type()
    {
        var typeNames = Shipped.SelectMany(Named).Select(Simple)
            .Concat(typeof(object).Assembly.GetExportedTypes().Where(t => t.Namespace == "System").Select(Simple))
            .ToHashSet(StringComparer.Ordinal);
        var clashes = Shipped.SelectMany(Named).Select(t => t.Namespace!).Distinct()
            .Where(ns => typeNames.Contains(ns[(ns.LastIndexOf('.') + 1)..]))
            .Order(StringComparer.Ordinal)
            .ToList();
        Assert.True(clashes.Count == 0, "namespaces named like a type: " + string.Join(", ", clashes));
    }

    [Fact]
    public void Parameter_trees_and_keys_live_in_Parameters_and_Randomness()
    {
        Assert.Equal("FunctionalNets.Parameters", typeof(Params<>).Namespace);
        Assert.Equal("FunctionalNets.Randomness", typeof(Key).Namespace);
    }
}
