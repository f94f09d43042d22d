using FunctionalNets.Benchmarks;

return WorkloadRunner.Run(args);
