using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace FunctionalNets.Kernels;

/// <summary>
/// Which vector bodies the kernels run: 512, 256 or 128 bits. Every width computes the same bits (see
/// docs/architecture.md, "Vector paths"), so the choice changes speed only. The default is the widest this machine
/// runs natively, or the environment variable <c>FNETS_VECTOR_WIDTH</c> (128, 256 or 512, read once at start-up);
/// <see cref="Use"/> forces a width inside a scope (tests), <see cref="UseForProcess"/> for the whole process (the
/// workload runner's <c>--width</c>).
/// </summary>
/// <remarks>
/// The 128-bit bodies are the floor: they are what ARM64 (NEON) runs, and they run everywhere, emulated by the
/// runtime where a machine has no SIMD at all. A scope is an <see cref="AsyncLocal{T}"/> value, so it does not reach
/// <see cref="StaticParallel"/>'s worker threads by itself: a job that runs width-dependent kernels on workers
/// carries the caller's width in the job (<see cref="Carry"/>).
/// </remarks>
internal static class VectorWidth
{
    /// <summary>The environment variable that sets the process's width at start-up.</summary>
    public const string EnvironmentVariable = "FNETS_VECTOR_WIDTH";

    private static readonly AsyncLocal<int> ScopedBits = new();

    /// <summary>The widest bodies this machine runs natively: 512 (AVX-512), 256 (AVX2) or 128 (SSE, NEON, or none).</summary>
    public static int Widest { get; } = Vector512.IsHardwareAccelerated && Avx512F.IsSupported ? 512 : Vector256.IsHardwareAccelerated ? 256 : 128;

    /// <summary>The environment variable that lets the 512-bit bodies run without AVX-512: <c>FNETS_EMULATE_512=1</c>.</summary>
    public const string EmulateVariable = "FNETS_EMULATE_512";

    /// <summary>
    /// Whether 512 bits can be forced on a machine whose widest native width is less (<c>FNETS_EMULATE_512=1</c>, read
    /// once at start-up): the 512-bit bodies then run on the runtime's software <see cref="Vector512{T}"/>, many times
    /// slower, with the same IEEE operations, so tests check those bodies' bits on any machine. Never the default.
    /// </summary>
    public static bool Emulates512 { get; } = Widest < 512 && Environment.GetEnvironmentVariable(EmulateVariable) == "1";

    // Initialised after Widest (textual order): the start-up width, or why the environment's cannot be used.
    private static readonly (int Bits, string? Error) Startup = FromEnvironment(Environment.GetEnvironmentVariable(EnvironmentVariable));
    private static int process = Startup.Bits;

    // The process's width while no scope has ever been made and the start-up width is valid, else 0: kernels read it
    // on every call, so the common case is one field load (no AsyncLocal read, no error check).
    private static int fast = Startup.Error is null ? Startup.Bits : 0;

    /// <summary>The width <c>FNETS_VECTOR_WIDTH=<paramref name="requested"/></c> asks for, or the widest and why it cannot be had.</summary>
    public static (int Bits, string? Error) FromEnvironment(string? requested)
    {
        if (string.IsNullOrWhiteSpace(requested)) return (Widest, null);
        if (!int.TryParse(requested, out var bits)) return (Widest, $"{EnvironmentVariable}={requested}: expected 128, 256 or 512");
        return Unavailable(bits) is { } error ? (Widest, $"{EnvironmentVariable}={requested}: {error}") : (bits, null);
    }

    /// <summary>The width in force here: the innermost scope's, else the process's.</summary>
    /// <exception cref="InvalidOperationException"><c>FNETS_VECTOR_WIDTH</c> asked for a width this machine cannot run.</exception>
    public static int Current
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => fast != 0 ? fast : Slow();
    }

    private static int Slow()
    {
        if (Startup.Error is not null) throw new InvalidOperationException(Startup.Error);
        return InForce;
    }

    private static int InForce => ScopedBits.Value != 0 ? ScopedBits.Value : process;

    /// <summary>Why <paramref name="bits"/> cannot be forced here, or null when it can.</summary>
    public static string? Unavailable(int bits) => bits switch
    {
        128 or 256 or 512 when bits <= Widest || (bits == 512 && Emulates512) => null,
        256 => $"this machine runs at most {Widest}-bit vectors natively, not 256",
        512 => $"this machine runs at most {Widest}-bit vectors natively, not 512 (tests may emulate 512 with {EmulateVariable}=1)",
        _ => $"the vector width must be 128, 256 or 512 bits, got {bits}",
    };

    /// <summary>Runs the kernels at <paramref name="bits"/> on this logical flow until the scope is disposed.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The width is not 128, 256 or 512, or wider than <see cref="Widest"/>.</exception>
    public static Scope Use(int bits)
    {
        Require(bits);
        return Carry(bits);
    }

    /// <summary>Runs the kernels at <paramref name="bits"/> in the whole process (outside any scope).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The width is not 128, 256 or 512, or wider than <see cref="Widest"/>.</exception>
    public static void UseForProcess(int bits)
    {
        Require(bits);
        process = bits;
        if (fast != 0) fast = bits;
    }

    /// <summary>
    /// Re-enters a width read earlier with <see cref="Current"/> (on another thread, say); a no-op scope when it is
    /// already in force, so jobs that run at the default width pay nothing.
    /// </summary>
    public static Scope Carry(int bits)
    {
        if (bits == InForce) return default;
        fast = 0;
        var previous = ScopedBits.Value;
        ScopedBits.Value = bits;
        return new Scope(previous, restore: true);
    }

    /// <summary>One line for people: the kernels' width, the hardware's widest, FMA, and what TensorPrimitives runs.</summary>
    public static string Describe()
    {
        var fma = Fma.IsSupported || System.Runtime.Intrinsics.Arm.AdvSimd.IsSupported ? "hardware FMA" : "FMA emulated in software (slow)";
        var library = Vector512.IsHardwareAccelerated ? 512 : Vector256.IsHardwareAccelerated ? 256 : Vector128.IsHardwareAccelerated ? 128 : 0;
        var emulated = Current > Widest ? ", emulated in software" : "";
        return $"kernels {Current}-bit{emulated} (widest native {Widest}-bit, {fma}); TensorPrimitives {(library == 0 ? "scalar" : $"{library}-bit")}";
    }

    private static void Require(int bits)
    {
        if (Unavailable(bits) is { } error)
            throw new ArgumentOutOfRangeException(nameof(bits), bits, $"VectorWidth: {error}");
    }

    /// <summary>A forced width, in force until disposed; <c>default</c> is a scope that changes nothing.</summary>
    public readonly struct Scope(int previous, bool restore) : IDisposable
    {
        /// <summary>Restores the width that was in force when the scope was made.</summary>
        public void Dispose()
        {
            if (restore) ScopedBits.Value = previous;
        }
    }
}
