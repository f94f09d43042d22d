using LanguageExt;
using LanguageExt.Common;

namespace FunctionalNets.Cli;

/// <summary>Validated command-line input: every invalid field becomes one usage error (exit 2) that lists them all.</summary>
internal static class Validated
{
    public static T OrUsage<T>(this Validation<Error, T> value) =>
        value.Match(v => v, errors => throw new UsageException(string.Join("; ", errors.Map(e => e.Message))));

    public static (A, B) OrUsage<A, B>(this (Validation<Error, A>, Validation<Error, B>) values) =>
        values.Apply((a, b) => (a, b)).OrUsage();
}
