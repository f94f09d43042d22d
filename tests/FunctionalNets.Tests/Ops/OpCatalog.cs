using System.Reflection;
using FunctionalNets.Ops;
using FunctionalNets.Testing;

namespace FunctionalNets.Tests.Ops;

/// <summary>
/// Every op under the generic laws. Each op family adds a static <c>OpSpec[]</c> property in its own
/// partial file; <see cref="All"/> collects them all.
/// </summary>
public static partial class OpCatalog
{
    public static TheoryData<OpSpec> All
    {
        get
        {
            var data = new TheoryData<OpSpec>();
            var families = typeof(OpCatalog).GetProperties(BindingFlags.Static | BindingFlags.NonPublic | BindingFlags.Public)
                .Where(p => p.PropertyType == typeof(OpSpec[]))
                .OrderBy(p => p.Name, StringComparer.Ordinal);
            foreach (var family in families)
                foreach (var spec in (OpSpec[])family.GetValue(null)!)
                    data.Add(spec);
            return data;
        }
    }
}

public class OpLawTests
{
    [Theory, MemberData(nameof(OpCatalog.All), MemberType = typeof(OpCatalog))]
    public void Vjp_matches_central_differences(OpSpec op) => OpLaws.VjpMatchesFiniteDifferences(op);

    [Theory, MemberData(nameof(OpCatalog.All), MemberType = typeof(OpCatalog))]
    public void Vjp_is_linear_in_the_cotangent(OpSpec op) => OpLaws.VjpIsLinearInCotangent(op);

    [Theory, MemberData(nameof(OpCatalog.All), MemberType = typeof(OpCatalog))]
    public void Forward_is_pure_and_leaves_inputs_unchanged(OpSpec op) => OpLaws.ForwardIsPure(op);

    [Theory, MemberData(nameof(OpCatalog.All), MemberType = typeof(OpCatalog))]
    public void Float32_agrees_with_float64(OpSpec op) => OpLaws.FloatAgreesWithDouble(op);

    [Theory, MemberData(nameof(OpCatalog.All), MemberType = typeof(OpCatalog))]
    public void Apply_records_the_vjp_on_the_tape(OpSpec op) => OpLaws.ApplyRecordsItsVjp(op);

    [Theory, MemberData(nameof(OpCatalog.All), MemberType = typeof(OpCatalog))]
    public void Float32_vjp_agrees_with_float64(OpSpec op) => OpLaws.FloatVjpAgreesWithDouble(op);

    [Fact]
    public void Every_op_that_records_on_the_tape_has_a_catalog_entry()
    {
        // An op class with a public Apply (nested ones named Outer.Inner) must name at least one entry, so no pullback
        // goes unchecked by the tape laws.
        var names = ((IEnumerable<object[]>)OpCatalog.All).Select(row => ((OpSpec)row[0]).Name).ToArray();
        var ops = typeof(Add).Assembly.GetTypes()
            .Where(t => t.Namespace == typeof(Add).Namespace && (t.IsPublic || t.IsNestedPublic) && t.GetMethods().Any(m => m.Name == nameof(Add.Apply)))
            .Select(t => t.IsNested ? $"{t.DeclaringType!.Name}.{t.Name}" : t.Name)
            .ToArray();
        Assert.NotEmpty(ops);
        Assert.All(ops, op => Assert.Contains(names, name => name == op || name.StartsWith(op + "(", StringComparison.Ordinal) || name.StartsWith(op + "→", StringComparison.Ordinal)));
    }
}
