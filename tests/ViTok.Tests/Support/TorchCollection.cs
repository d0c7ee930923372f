namespace ViTok.Tests.Support;

/// <summary>Tests that touch global torch state (seeds, default dtype/device, live-tensor statistics) run in this
/// collection, one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TorchCollection
{
    public const string Name = "torch";
}
