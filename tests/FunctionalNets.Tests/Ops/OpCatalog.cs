using System.Reflection;
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
}
