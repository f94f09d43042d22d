using System.CommandLine;
using FunctionalNets.Book;

var number = new Argument<int>("n") { Description = "Which worked example, 1 to 7" };
var json = new Option<bool>("--json") { Description = "Print the values as JSON instead of a worksheet" };
var example = new Command("example", "Run one of the book's worked examples and print every step") { number, json };
example.SetAction(parse =>
{
    var n = parse.GetValue(number);
    if (n is < 1 or > 7)
    {
        Console.Error.WriteLine($"fnets example: there are examples 1 to 7, not {n}");
        return 2;
    }
    var sheet = Examples.Run(n);
    Console.WriteLine(parse.GetValue(json) ? sheet.ToJson() : sheet.ToText());
    return 0;
});

var root = new RootCommand("fnets: FunctionalNets from the command line") { example };
return root.Parse(args).Invoke();
