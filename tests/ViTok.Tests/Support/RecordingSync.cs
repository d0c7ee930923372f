using ViTok.Training;

namespace ViTok.Tests.Support;

/// <summary>A pass-through <see cref="IGradientSync"/> that pretends to be one rank of several and records every call
/// (how many tensors each broadcast and gradient average got, the length of each averaged value array), so tests can
/// see where the training loop calls the hooks without a second process.</summary>
internal sealed class RecordingSync(int rank, int worldSize) : IGradientSync
{
    public int Rank { get; } = rank;

    public int WorldSize { get; } = worldSize;

    public List<int> Broadcasts { get; } = [];

    public List<int> GradientAverages { get; } = [];

    public List<int> ValueAverages { get; } = [];

    public void AverageGradients(IReadOnlyList<TorchSharp.Modules.Parameter> parameters)
    {
        foreach (var p in parameters)
        {
            using var g = p.grad;
            Assert.NotNull(g);   // called after backward
        }
        GradientAverages.Add(parameters.Count);
    }

    public void Broadcast(IReadOnlyList<Tensor> tensors) => Broadcasts.Add(tensors.Count);

    public double[] AverageValues(double[] values)
    {
        ValueAverages.Add(values.Length);
        return values;
    }
}
