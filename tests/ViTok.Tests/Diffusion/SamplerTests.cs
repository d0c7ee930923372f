using ViTok.Diffusion;
using ViTok.Models;
using ViTok.Tests.Support;
using ViTok.Models.Dit;

namespace ViTok.Tests.Diffusion;

[Collection(TorchCollection.Name)]
public class SamplerTests
{
    [Fact]
    public void LinearScheduleMatchesDdpm()
    {
        // Arrange / Act
        var d = new GaussianDiffusion();

        // Assert: ᾱ_0 = 1 − β_0 and ᾱ_999 = Π(1 − β) for β linear from 1e-4 to 0.02 (≈ 4.04e-5, the ADM/DiT value).
        Assert.Equal(1 - 1e-4, d.AlphaBar[0], 12);
        double prod = 1;
        for (int i = 0; i < 1000; i++) prod *= 1 - (1e-4 + (0.02 - 1e-4) * i / 999);
        Assert.Equal(prod, d.AlphaBar[999], 15);
        Assert.InRange(d.AlphaBar[999], 4.0e-5, 4.1e-5);
    }

    [Theory]
    [InlineData(250, 4)]
    [InlineData(50, 20)]
    [InlineData(1000, 1)]
    public void DdimSpacingIsDitsEveryKthStep(int steps, int stride)
    {
        var ts = new GaussianDiffusion().SampleTimesteps(steps);
        Assert.Equal(Enumerable.Range(0, steps).Select(i => i * stride), ts);
    }

    [Fact]
    public void DdimSpacingFallsBackToEvenlyRoundedSteps()
    {
        // round(i·999/6) with round-half-to-even, as Python's round in DiT's space_timesteps.
        var ts = new GaussianDiffusion().SampleTimesteps(7);
        Assert.Equal(new[] { 0, 166, 333, 500, 666, 832, 999 }, ts);
    }

    [Theory]
    [InlineData(250)]
    [InlineData(7)]
    public void DdimDrivenByTheTrueEpsilonOfAKnownX0RecoversX0(int steps)
    {
        // Arrange: the oracle ε̂(x_t, t) = (x_t − √ᾱ_t·x0)/√(1 − ᾱ_t) of a fixed x0.
        torch.manual_seed(3);
        var d = new GaussianDiffusion();
        var x0 = torch.randn(3, 16, 4);
        var noise = torch.randn(3, 16, 4);
        Denoiser oracle = (x, t, y) =>
        {
            double ab = d.AlphaBar[(int)t[0].item<float>()];
            return (x - Math.Sqrt(ab) * x0) / Math.Sqrt(1 - ab);
        };

        // Act
        var sample = d.Sample(oracle, noise, torch.zeros(3, ScalarType.Int64), steps);

        // Assert
        TensorAssert.Close(x0, sample, 1e-4, "DDIM result");
    }

    [Fact]
    public void DdpmNoisingIsTheClosedForm()
    {
        torch.manual_seed(4);
        var d = new GaussianDiffusion();
        var x0 = torch.randn(2, 5, 3);
        var eps = torch.randn(2, 5, 3);
        var xt = d.AddNoise(x0, eps, torch.tensor(new long[] { 0, 999 }));
        TensorAssert.Close(Math.Sqrt(d.AlphaBar[0]) * x0[0] + Math.Sqrt(1 - d.AlphaBar[0]) * eps[0], xt[0], 1e-6);
        TensorAssert.Close(Math.Sqrt(d.AlphaBar[999]) * x0[1] + Math.Sqrt(1 - d.AlphaBar[999]) * eps[1], xt[1], 1e-6);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(50)]
    public void EulerOnAStraightLineFlowIsExact(int steps)
    {
        // Arrange: along x_t = (1 − t)·x0 + t·ε the velocity ε − x0 = (x_t − x0)/t is constant.
        torch.manual_seed(5);
        var x0 = torch.randn(2, 8, 4);
        var noise = torch.randn(2, 8, 4);
        var seenTimes = new List<float>();
        Denoiser oracle = (x, t, y) =>
        {
            seenTimes.Add(t[0].item<float>());
            return (x - x0) / (t[0] / 1000);
        };

        // Act
        var sample = new RectifiedFlow().Sample(oracle, noise, torch.zeros(2, ScalarType.Int64), steps);

        // Assert: exact up to float rounding, starting at t = 1 (1000 on the model's scale).
        TensorAssert.Close(x0, sample, 1e-5, "Euler result");
        Assert.Equal(steps, seenTimes.Count);
        Assert.Equal(1000f, seenTimes[0]);
    }

    [Fact]
    public void FlowTrainingTargetIsTheVelocity()
    {
        // A model that predicts 0 has the loss E[(ε − x0)²], with ε the generator's draw after the times.
        torch.manual_seed(6);
        var x0 = torch.randn(64, 8, 4);
        var flow = new RectifiedFlow();
        using var g1 = new Generator(9);
        double zero = flow.TrainingLoss((x, t, y) => torch.zeros_like(x), x0, torch.zeros(64, ScalarType.Int64), g1).item<float>();
        using var g2 = new Generator(9);
        torch.rand([64], generator: g2);
        var eps = torch.randn(x0.shape, generator: g2);
        Assert.Equal((eps - x0).square().mean().item<float>(), zero, 4);
    }

    [Fact]
    public void GuidanceScaleOneIsTheConditionalModelAndZeroTheUnconditional()
    {
        // Arrange: a tiny DiT with non-zero weights everywhere (its adaLN-Zero init would make every output 0).
        torch.manual_seed(7);
        using var dit = new Dit(DitConfig.FromVariant("Bw32d2h2", 4, 5));
        using (torch.no_grad()) foreach (var p in dit.parameters()) p.add_(torch.randn_like(p) * 0.05);
        dit.eval();
        var grid = (1L, 4L, 4L);
        var x = torch.randn(3, 16, 4);
        var t = torch.tensor(new float[] { 10, 500, 990 });
        var y = torch.tensor(new long[] { 0, 3, 4 });
        Denoiser model = (xx, tt, yy) => dit.Forward(xx, tt, yy, grid);
        using var _ = torch.no_grad();

        // Act
        var conditional = model(x, t, y);
        var unconditional = model(x, t, torch.full_like(y, dit.NullClass));
        var s1 = Guidance.Apply(model, dit.NullClass, 1.0)(x, t, y);
        var s0 = Guidance.Apply(model, dit.NullClass, 0.0)(x, t, y);
        var s4 = Guidance.Apply(model, dit.NullClass, 4.0)(x, t, y);

        // Assert
        TensorAssert.Close(conditional, s1, 1e-5, "scale 1");
        TensorAssert.Close(unconditional, s0, 1e-5, "scale 0");
        TensorAssert.Close(unconditional + 4 * (conditional - unconditional), s4, 1e-4, "scale 4");
        Assert.True(TensorAssert.MaxAbsDiff(conditional, unconditional) > 1e-3, "the class must change the prediction");
    }
}
