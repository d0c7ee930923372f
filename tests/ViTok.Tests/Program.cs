using ViTok.Tests.NativeSafety;

namespace ViTok.Tests;

/// <summary>Entry point of the test assembly as a program (the test runner does not use it):
/// <c>dotnet ViTok.Tests.dll stress STEPS</c> runs <see cref="StressHost"/> in its own process;
/// <c>mpiexec -n N dotnet ViTok.Tests.dll mpi check|hang</c> runs <see cref="Distributed.MpiHost"/> on N ranks.</summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length == 2 && args[0] == "stress" && int.TryParse(args[1], out int steps) && steps > 0)
            return StressHost.Run(steps);
        if (args.Length == 2 && args[0] == "mpi")
            return Distributed.MpiHost.Run(args[1]);
        if (args.Length >= 2 && args[0] == "rewrite-scalars")
            return ScalarRewriter.Run(Support.RepoPaths.Root, args[1..]) >= 0 ? 0 : 1;
        if (args.Length is 6 or 7 && args[0] == "memory-probe")
            return Models.MemoryProbe.Run(args[1..]);
        if (args.Length >= 1 && args[0] == "onnx-bench")
            return Export.OnnxBench.Run(args[1..]);
        Console.Error.WriteLine("usage: dotnet ViTok.Tests.dll stress STEPS | mpi check|hang | memory-probe … | onnx-bench …");
        return 1;
    }
}
