// A deliberate floor violation, read only by NamespaceFloorsTests.Checker_FindsPlantedViolation to prove the checker
// can fail: the "IO" floor below names a type of the "Training" floor above it (and one that only a method body uses).
namespace ViTok.Tests.Architecture.Planted.Training
{
    public sealed class PlantedTrainer
    {
        public static int Steps => 3;
    }
}

namespace ViTok.Tests.Architecture.Planted.IO
{
    public sealed class PlantedReader
    {
        public int Read() => Training.PlantedTrainer.Steps; // upward: IO -> Training, in a method body only
    }

    public sealed class PlantedGround
    {
        public int Value => 1; // names nothing above it
    }
}

namespace ViTok.Tests.Architecture.Planted.Models
{
    public sealed class PlantedModel
    {
        public IO.PlantedGround Ground { get; } = new(); // downward: allowed
    }
}
