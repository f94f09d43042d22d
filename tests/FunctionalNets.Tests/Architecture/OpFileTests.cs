using System.Text.RegularExpressions;
using FunctionalNets.Tensors;
using FunctionalNets.Tests.Repository;

namespace FunctionalNets.Tests.Architecture;

/// <summary>
/// Op files read as math: forward and VJP over tensors and kernel calls. Pointers, pinning and unsafe code belong in
/// Kernels, behind span entry points.
/// </summary>
public class OpFileTests
{
    [Fact]
    public void Op_types_hold_no_pointers_and_pin_nothing()
    {
        var ops = AssemblyScan.Namespaces(typeof(Tensor<>).Assembly.Location)["FunctionalNets.Ops"];
        Assert.True(ops.PointerTypes.Count == 0, "pointers in " + string.Join(", ", ops.PointerTypes));
        Assert.True(ops.PinningTypes.Count == 0, "fixed in " + string.Join(", ", ops.PinningTypes));
    }

    [Fact]
    public void Op_files_have_no_unsafe_code()
    {
        var files = Directory.EnumerateFiles(Path.Combine(SourceRulesTests.SourceRoot(), "FunctionalNets", "Ops"), "*.cs").ToList();
        Assert.Contains(files, f => f.EndsWith("Attention.cs", StringComparison.Ordinal));
        var offences = files.Where(f => Regex.IsMatch(File.ReadAllText(f), @"\bunsafe\b")).Select(Path.GetFileName).ToList();
        Assert.True(offences.Count == 0, "unsafe in " + string.Join(", ", offences));
    }

    [Fact]
    public void The_scan_sees_pointers_and_pinning_in_the_kernels()
    {
        var kernels = AssemblyScan.Namespaces(typeof(Tensor<>).Assembly.Location)["FunctionalNets.Kernels"];
        Assert.Contains("FunctionalNets.Kernels.AttentionSlices", kernels.PinningTypes);
        Assert.Contains("FunctionalNets.Kernels.SigmoidGate+Pass`3", kernels.PointerTypes);
    }
}
