using System.Reflection;
using System.Runtime.CompilerServices;
using FunctionalNets.Book;
using FunctionalNets.Tensors;

namespace FunctionalNets.Tests.Architecture;

/// <summary>The book's worked examples are teaching code: their own assembly, built on the core's public API.</summary>
public class BookProjectTests
{
    private static readonly Assembly Core = typeof(Tensor<>).Assembly;

    [Fact]
    public void The_book_is_its_own_assembly_and_the_core_knows_nothing_of_it()
    {
        Assert.Equal("FunctionalNets.Book", typeof(Examples).Assembly.GetName().Name);
        Assert.DoesNotContain(Core.GetTypes(), t => t.Namespace == "FunctionalNets.Book");
        Assert.DoesNotContain(Core.GetReferencedAssemblies(), a => a.Name == "FunctionalNets.Book");
    }

    [Fact]
    public void The_book_sees_only_the_public_api_of_the_core() =>
        Assert.DoesNotContain(Core.GetCustomAttributes<InternalsVisibleToAttribute>(), a => a.AssemblyName == "FunctionalNets.Book");
}
