using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Text.Json.Nodes;
using FunctionalNets.IO;
using FunctionalNets.Kernels;

namespace FunctionalNets.Runs;

/// <summary>Where something ran: the library and its commit, the thread count, the vector paths, the runtime and the machine.</summary>
/// <remarks>
/// The bits of a run do not depend on the thread count; they may depend on the vector paths (the reductions
/// TensorPrimitives runs, see docs/determinism.md), so logs and traces record them for a diff to point at.
/// </remarks>
public static class RunEnvironment
{
    /// <summary>The commit the library was built from: the part of its informational version after <c>+</c>, or null when the build did not record one.</summary>
    public static string? Commit { get; } =
        Checkpoint.LibraryVersion.IndexOf('+') is var plus and >= 0 && plus < Checkpoint.LibraryVersion.Length - 1 ? Checkpoint.LibraryVersion[(plus + 1)..] : null;

    /// <summary>
    /// <c>{library, commit, threads, vector: {v512, v256, v128, fma}, runtime, os, arch}</c> for the calling thread's
    /// compute scope.
    /// </summary>
    public static JsonObject Describe() => new()
    {
        ["library"] = Checkpoint.LibraryVersion,
        ["commit"] = Commit,
        ["threads"] = Compute.Threads,
        ["vector"] = new JsonObject
        {
            ["v512"] = Vector512.IsHardwareAccelerated,
            ["v256"] = Vector256.IsHardwareAccelerated,
            ["v128"] = Vector128.IsHardwareAccelerated,
            ["fma"] = System.Runtime.Intrinsics.X86.Fma.IsSupported || System.Runtime.Intrinsics.Arm.AdvSimd.IsSupported,
        },
        ["runtime"] = RuntimeInformation.FrameworkDescription,
        ["os"] = RuntimeInformation.OSDescription,
        ["arch"] = RuntimeInformation.ProcessArchitecture.ToString(),
    };
}
