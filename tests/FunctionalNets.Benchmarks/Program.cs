using FunctionalNets.Benchmarks;

return WorkloadRunner.Main(args);
