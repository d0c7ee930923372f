using ViTok.Training;
using ViTok.Tests.Support;
using ViTok.Models.Paper;

namespace ViTok.Tests.Training;

[Collection(TorchCollection.Name)]
public class OptimTests
{
    [Fact]
    public void AdamWMatchesTorchSharpsAdamW()
    {
        // Arrange: two identical parameters, one per optimiser.
        torch.manual_seed(0);
        var init = torch.randn(5, 4);
        var a = new TorchSharp.Modules.Parameter(init.clone());
        var b = new TorchSharp.Modules.Parameter(init.clone());
        using var ours = new AdamW([("w", a)], (_, _) => true, lr: 1e-2, beta1: 0.9, beta2: 0.95, weightDecay: 0.1);
        using var theirs = optim.AdamW([b], lr: 1e-2, beta1: 0.9, beta2: 0.95, weight_decay: 0.1);

        // Act
        for (int i = 0; i < 5; i++)
        {
            var target = torch.randn(5, 4);
            ours.ZeroGrad();
            (a - target).square().sum().backward();
            ours.StepOnce();
            theirs.zero_grad();
            (b - target).square().sum().backward();
            theirs.step();
        }

        // Assert
        TensorAssert.Close(b.detach(), a.detach(), 1e-6);
    }

    [Fact]
    public void StateRoundTripContinuesIdentically()
    {
        torch.manual_seed(1);
        var p1 = new TorchSharp.Modules.Parameter(torch.randn(3));
        var p2 = new TorchSharp.Modules.Parameter(p1.detach().clone());
        using var o1 = new AdamW([("p", p1)], (_, _) => false, 1e-2);
        using var o2 = new AdamW([("p", p2)], (_, _) => false, 1e-2);
        void StepWith(AdamW o, TorchSharp.Modules.Parameter p, Tensor g) { o.ZeroGrad(); (p * g).sum().backward(); o.StepOnce(); }
        var g1 = torch.randn(3);
        StepWith(o1, p1, g1);
        StepWith(o2, p2, g1);
        o2.LoadStateDict(o1.StateDict(), "test");
        var g2 = torch.randn(3);
        StepWith(o1, p1, g2);
        StepWith(o2, p2, g2);
        Assert.True(p1.equal(p2).all().item<bool>());
        Assert.Equal(2, o2.Step);
    }

    [Fact]
    public void Bf16ParametersKeepFp32MasterWeights()
    {
        var p = new TorchSharp.Modules.Parameter(torch.ones(4, dtype: ScalarType.BFloat16));
        using var o = new AdamW([("p", p)], (_, _) => false, 1e-4);
        Assert.True(o.MasterWeights);
        for (int i = 0; i < 3; i++) { o.ZeroGrad(); p.sum().backward(); o.StepOnce(); }
        // 3 steps of 1e-4 are below bf16 resolution near 1.0 (0.0078), but the master weights move.
        Assert.Equal(ScalarType.Float32, o.StateDict()["p.master"].dtype);
        Assert.InRange(o.StateDict()["p.master"][0].item<float>(), 0.9996f, 0.99975f);
    }

    [Fact]
    public void ScheduleWarmsUpThenFollowsTheCosineToTheFloor()
    {
        var s = new LrSchedule(1e-3, 10, 110, 1e-5);
        Assert.Equal(1e-4, s.At(0), 12);
        Assert.Equal(1e-3, s.At(9), 12);
        Assert.Equal(1e-3, s.At(10), 12);
        Assert.Equal(1e-5 + 0.5 * (1e-3 - 1e-5), s.At(60), 12);
        Assert.Equal(1e-5, s.At(110), 12);
        Assert.True(s.At(30) > s.At(31));
    }

    [Fact]
    public void OnlyWeightMatricesDecay()
    {
        using var model = new ViTok.Models.Paper.PaperAutoencoder(TinyConfigs.Image());
        var decayed = model.named_parameters().Where(p => ParamGroups.Decays(p.name, p.parameter)).Select(p => p.name).ToHashSet();
        Assert.Contains("encoder.blocks.0.attn.qkv.weight", decayed);
        Assert.Contains("tubelet_embed.proj.weight", decayed);
        Assert.DoesNotContain("encoder.blocks.0.attn.proj.bias", decayed);
        Assert.DoesNotContain("encoder.blocks.0.norm1.weight", decayed);
        Assert.DoesNotContain("encoder.norm.weight", decayed);
    }

    [Fact]
    public void EmaFollowsItsFormula()
    {
        var p = new TorchSharp.Modules.Parameter(torch.zeros(2));
        using var ema = new Ema([("p", p)], 0.9);
        using (torch.no_grad()) p.fill_(1f);
        ema.Update([("p", p)]);
        ema.Update([("p", p)]);
        Assert.Equal(1 - 0.81, ema.Values["p"][0].item<float>(), 5);
    }
}
