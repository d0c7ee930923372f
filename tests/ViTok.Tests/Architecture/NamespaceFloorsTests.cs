namespace ViTok.Tests.Architecture;

public sealed class NamespaceFloorsTests
{
    private static string LibraryPath => typeof(ViTokException).Assembly.Location;

    [Fact]
    public void Library_NoNamespaceNamesATypeOfAFloorAbove()
    {
        // Act
        var upward = NamespaceFloors.UpwardReferences(LibraryPath, "ViTok");

        // Assert
        Assert.True(upward.Count == 0,
            $"{upward.Count} upward reference(s) (order: root < IO < Data < Layers < Models < Losses/Metrics < Diffusion < "
            + "Training/Distributed < Evaluation/Generation < Study/Export < Demos):\n  " + string.Join("\n  ", upward));
    }

    [Fact]
    public void Library_EveryNamespaceHasAFloor()
    {
        var unplaced = NamespaceFloors.UnplacedNamespaces(LibraryPath, "ViTok");

        Assert.True(unplaced.Count == 0, "namespaces without a floor in NamespaceFloors.Levels: " + string.Join(", ", unplaced));
    }

    [Fact]
    public void Library_DoesNotReferenceTheCommandLine()
    {
        var refs = typeof(ViTokException).Assembly.GetReferencedAssemblies().Select(a => a.Name).ToList();

        Assert.DoesNotContain("System.CommandLine", refs);
    }

    [Fact]
    public void Checker_FindsPlantedViolation()
    {
        // Arrange: this test assembly holds ViTok.Tests.Architecture.Planted.{IO,Training,Models} (PlantedFloors.cs)
        string testAssembly = typeof(NamespaceFloorsTests).Assembly.Location;

        // Act
        var upward = NamespaceFloors.UpwardReferences(testAssembly, "ViTok.Tests.Architecture.Planted");

        // Assert: exactly the one upward edge, found through a method body; the downward one is allowed
        var edge = Assert.Single(upward);
        Assert.Equal("ViTok.Tests.Architecture.Planted.IO.PlantedReader (IO) -> ViTok.Tests.Architecture.Planted.Training.PlantedTrainer (Training)",
            edge.ToString());
    }

    [Theory]
    [InlineData("ViTok", "")]
    [InlineData("ViTok.IO", "IO")]
    [InlineData("ViTok.Models.Paper", "Models")]
    [InlineData("ViTokX.IO", null)]
    [InlineData("System.Runtime.CompilerServices", null)]
    public void FloorOf_FirstSegmentBelowRoot(string ns, string? floor) => Assert.Equal(floor, NamespaceFloors.FloorOf(ns, "ViTok"));
}
