using System.CommandLine;
using FunctionalNets.IO;

namespace FunctionalNets.Cli;

/// <summary><c>fnets inspect PATH</c>: what a checkpoint holds, after checking it as strictly as resuming would.</summary>
public static class InspectCommand
{
    private static readonly Argument<string> PathArgument = new("path") { Description = "A checkpoint (.safetensors)" };

    /// <summary>The <c>inspect</c> verb.</summary>
    public static Command Create(Io io)
    {
        var command = new Command("inspect", "Print a checkpoint's step, config, tokenizer, every tensor (dtype, shape, L2 norm) and digest") { PathArgument };
        command.SetAction(parse => Inspect(io, parse.GetValue(PathArgument)!));
        return command;
    }

    private static int Inspect(Io io, string path)
    {
        var checkpoint = Checkpoint.Read<float>(path); // validates the layout and the recorded digests
        var file = Safetensors.Read(path);
        var meta = checkpoint.Metadata;
        string Meta(string key) => meta.TryGetValue(key, out var value) ? value : "(none)";
        io.Out.WriteLine($"{path}");
        io.Out.WriteLine($"step       {checkpoint.State.Step}");
        io.Out.WriteLine($"format     {Meta(CheckpointKeys.Format)} (library {Meta(CheckpointKeys.Library)})");
        io.Out.WriteLine($"config     {Meta("config")}");
        io.Out.WriteLine($"tokenizer  {Meta("tokenizer")}, vocabulary of {Meta("vocabulary").EnumerateRunes().Count()} characters");
        io.Out.WriteLine($"digest     {Meta(CheckpointKeys.ParamsDigest)}");
        io.Out.WriteLine($"{"tensor",-40} {"dtype",-5} {"shape",-14} {"L2 norm",12}");
        foreach (var (name, tensor) in file.Tensors)
            io.Out.WriteLine($"{name,-40} {tensor.Dtype,-5} {tensor.Shape.ToString(),-14} {Norm(tensor),12:G6}");
        return 0;
    }

    // √Σx² in double, in index order.
    private static double Norm(StoredTensor tensor) => tensor.Dtype switch
    {
        Dtype.F32 => Math.Sqrt(tensor.As<float>().Span.ToArray().Sum(x => (double)x * x)),
        Dtype.F64 => Math.Sqrt(tensor.As<double>().Span.ToArray().Sum(x => x * x)),
        Dtype.I32 => Math.Sqrt(tensor.As<int>().Span.ToArray().Sum(x => (double)x * x)),
        _ => Math.Sqrt(tensor.As<long>().Span.ToArray().Sum(x => (double)x * x)),
    };
}
