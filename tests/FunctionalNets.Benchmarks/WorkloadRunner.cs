namespace FunctionalNets.Benchmarks;

/// <summary>Entry point of the W1–W5 workload runner: `dotnet run -c Release -- w1 [--threads N]`.</summary>
public static class WorkloadRunner
{
    public static int Run(string[] args)
    {
        Console.Error.WriteLine("usage: FunctionalNets.Benchmarks w1 [--threads N]");
        return 2;
    }
}
