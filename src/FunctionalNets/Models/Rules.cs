using LanguageExt;
using LanguageExt.Common;
using static LanguageExt.Prelude;

namespace FunctionalNets.Models;

/// <summary>Field checks that accumulate: combine them with <c>|</c>, which keeps a success and gathers every failure.</summary>
internal static class Rules
{
    /// <summary>A check that passed.</summary>
    public static readonly Validation<Error, Unit> Ok = Success<Error, Unit>(unit);

    /// <summary>Passes when <paramref name="ok"/>, else fails with <paramref name="problem"/>.</summary>
    public static Validation<Error, Unit> Require(bool ok, string problem) => ok ? Ok : Fail<Error, Unit>(Error.New(problem));

    /// <summary>Throws one <see cref="ArgumentException"/> listing every failure, prefixed by <paramref name="what"/>.</summary>
    public static void ThrowIfFail(Validation<Error, Unit> checks, string what) =>
        checks.IfFail(errors => throw new ArgumentException($"{what}: {string.Join("; ", errors.Map(e => e.Message))}"));
}
