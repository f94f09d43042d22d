using System.CommandLine;
using FunctionalNets.Book;

namespace FunctionalNets.Cli;

/// <summary><c>fnets example N</c>: one of the book's worked examples as a worksheet.</summary>
public static class ExampleCommand
{
    private static readonly Argument<int> Number = new("n") { Description = "Which worked example, 1 to 7" };
    private static readonly Option<bool> Json = new("--json") { Description = "Print the values as JSON instead of a worksheet" };

    /// <summary>The <c>example</c> verb.</summary>
    public static Command Create(Io io)
    {
        var command = new Command("example", "Run one of the book's worked examples and print every step") { Number, Json };
        command.SetAction(parse =>
        {
            var n = parse.GetValue(Number);
            if (n is < 1 or > 7) throw new UsageException($"example: there are examples 1 to 7, not {n}");
            var sheet = Examples.Run(n);
            io.Out.WriteLine(parse.GetValue(Json) ? sheet.ToJson() : sheet.ToText());
            return 0;
        });
        return command;
    }
}
