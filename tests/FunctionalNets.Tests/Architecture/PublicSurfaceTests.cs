using System.Collections.Immutable;
using System.Reflection;
using FunctionalNets.Autodiff;
using FunctionalNets.Book;
using FunctionalNets.Parameters;
using FunctionalNets.Tensors;

namespace FunctionalNets.Tests.Architecture;

/// <summary>
/// What users must not reach: helpers, writable buffers and constructors that forge tape slots stay internal, and
/// members nothing uses are gone.
/// </summary>
public class PublicSurfaceTests
{
    private const BindingFlags PublicMembers = BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static;

    [Fact]
    public void The_ops_shape_checks_are_internal()
    {
        var check = typeof(Tensor<>).Assembly.GetType("FunctionalNets.Ops.Check");
        Assert.NotNull(check);
        Assert.False(check.IsPublic);
    }

    [Fact]
    public void A_tensor_hands_out_no_buffer_that_could_be_written()
    {
        Assert.Null(typeof(Tensor<float>).GetProperty("Memory", PublicMembers));
        Assert.DoesNotContain(typeof(Tensor<float>).GetProperties(PublicMembers), p =>
            p.PropertyType == typeof(ReadOnlyMemory<float>) || p.PropertyType == typeof(Memory<float>) || p.PropertyType == typeof(float[]));
    }

    [Fact]
    public void Tape_slots_cannot_be_forged_and_tape_inputs_cannot_be_changed()
    {
        Assert.Empty(typeof(Var<float>).GetConstructors());
        Assert.Empty(typeof(NetState<float>).GetConstructors());
        Assert.Empty(typeof(Tape<float>).GetConstructors());
        Assert.Equal(typeof(ImmutableArray<int>), typeof(Tape<float>).GetProperty(nameof(Tape<float>.Inputs))!.PropertyType);
    }

    [Fact]
    public void Members_nothing_used_are_gone()
    {
        Assert.Null(typeof(Params<float>).GetMethod("Summary", PublicMembers));
        Assert.Empty(typeof(DigitClassifier).GetMember("Classes", PublicMembers));
    }
}
