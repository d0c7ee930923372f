using ViTok.IO;

namespace ViTok.Losses;

/// <summary>LPIPS v0.1 with the VGG16 backbone (Zhang et al. 2018; mirrors richzhang/PerceptualSimilarity
/// lpips.LPIPS(net='vgg')): inputs in [-1, 1] are shifted and scaled per channel, VGG16 features are taken after
/// relu1_2, relu2_2, relu3_3, relu4_3 and relu5_3, unit-normalised over channels, their squared differences weighted
/// per channel by the learned 1×1 "lin" layers, averaged over positions and summed over layers. The weights are
/// user-supplied: torchvision's <c>vgg16-397923af.pth</c> and LPIPS's <c>vgg.pth</c> (v0.1 lin layers). Inputs
/// [B, 3, H, W]; output [B]. Differentiable with respect to the inputs; every weight is frozen.</summary>
public sealed class LpipsVgg16 : nn.Module<Tensor, Tensor, Tensor>, IPerceptualDistance
{
    /// <summary>Metric key in JSON and logs.</summary>
    public const string Key = "lpips_vgg";

    /// <inheritdoc />
    public string Name => Key;

    /// <inheritdoc />
    public Tensor Distance(Tensor x, Tensor y) => call(x, y);

    /// <summary>Indices in <c>features</c> of the ReLUs whose outputs LPIPS compares.</summary>
    internal static readonly int[] Taps = [3, 8, 15, 22, 29];

    private static readonly int[] Channels = [64, 128, 256, 512, 512];

    private readonly ModuleList<nn.Module<Tensor, Tensor>> features;   // torchvision vgg16().features[0:30]
    private readonly NetLin lin0, lin1, lin2, lin3, lin4;

    /// <summary>Builds the architecture with untrained weights; <see cref="Load"/> fills them.</summary>
    public LpipsVgg16() : base(nameof(LpipsVgg16))
    {
        features = new ModuleList<nn.Module<Tensor, Tensor>>();
        long inCh = 3;
        // VGG16 configuration "D": 64 64 M 128 128 M 256 256 256 M 512 512 512 M 512 512 512 (final pool unused).
        foreach (int v in new[] { 64, 64, -1, 128, 128, -1, 256, 256, 256, -1, 512, 512, 512, -1, 512, 512, 512 })
        {
            if (v < 0)
            {
                features.Add(nn.MaxPool2d(2, stride: 2));
                continue;
            }
            features.Add(nn.Conv2d(inCh, v, 3, padding: 1));
            features.Add(nn.ReLU());
            inCh = v;
        }
        lin0 = new NetLin(Channels[0]);
        lin1 = new NetLin(Channels[1]);
        lin2 = new NetLin(Channels[2]);
        lin3 = new NetLin(Channels[3]);
        lin4 = new NetLin(Channels[4]);
        RegisterComponents();
    }

    /// <summary>Loads torchvision's VGG16 weights (only <c>features.*</c> is used; the classifier is dropped) and the
    /// LPIPS v0.1 lin layers (<c>lin0..lin4.model.1.weight</c>); both zip or legacy torch.save files. Returns the
    /// frozen module in eval mode.</summary>
    /// <exception cref="ViTokException">A weights file is missing or holds other weights.</exception>
    public static LpipsVgg16 Load(string vggPath, string linPath)
    {
        if (!File.Exists(vggPath))
            throw new ViTokException($"{vggPath}: file not found. LPIPS needs torchvision's VGG16 ImageNet weights vgg16-397923af.pth; pass its path.");
        if (!File.Exists(linPath))
            throw new ViTokException($"{linPath}: file not found. LPIPS needs its v0.1 linear layers vgg.pth (7,289 bytes, " +
                                     "from richzhang/PerceptualSimilarity, lpips/weights/v0.1/vgg.pth); pass its path.");
        var vgg = PyTorchCheckpoint.Read(vggPath);
        var lin = PyTorchCheckpoint.Read(linPath);
        var model = new LpipsVgg16();
        try
        {
            // torchvision's file also holds the classifier, which LPIPS never uses.
            var tensors = vgg.Where(kv => kv.Key.StartsWith("features.", StringComparison.Ordinal)).ToDictionary();
            if (tensors.Count == 0)
                throw new ViTokException($"{vggPath}: no VGG16 'features.*' weights; expected torchvision's vgg16-397923af.pth.");
            int linCount = 0;
            foreach (var (k, t) in lin.Where(kv => kv.Key.StartsWith("lin", StringComparison.Ordinal)))
            {
                tensors[k] = t;
                linCount++;
            }
            if (linCount == 0)
                throw new ViTokException($"{linPath}: no 'lin0..lin4' weights; expected LPIPS v0.1 vgg.pth.");
            StateDict.LoadStrict(model, tensors, $"{vggPath} + {linPath}",
                "expected torchvision's vgg16-397923af.pth and LPIPS v0.1 vgg.pth");
        }
        catch
        {
            model.Dispose();
            throw;
        }
        finally
        {
            foreach (var t in vgg.Values.Concat(lin.Values)) t.Dispose();
        }
        model.eval();
        foreach (var p in model.parameters()) p.requires_grad = false;
        return model;
    }

    /// <summary>Always stays in eval mode: a frozen metric network must never switch to batch statistics or dropout,
    /// even when a parent module is put into training mode.</summary>
    public override void train(bool on = true) => base.train(false);

    /// <summary>LPIPS distance per image between <paramref name="x"/> and <paramref name="y"/> ([B, 3, H, W] in [-1, 1]).</summary>
    public override Tensor forward(Tensor x, Tensor y)
    {
        if (x.dim() != 4 || x.shape[1] != 3 || !x.shape.SequenceEqual(y.shape))
            throw new ArgumentException($"expected two image batches [B, 3, H, W] of one shape, got [{string.Join(", ", x.shape)}] " +
                                        $"and [{string.Join(", ", y.shape)}]");
        long b = x.shape[0];
        var shift = torch.tensor(new[] { -.030f, -.088f, -.188f }, device: x.device).view(1, 3, 1, 1);
        var scale = torch.tensor(new[] { .458f, .448f, .450f }, device: x.device).view(1, 3, 1, 1);
        var h = (torch.cat([x, y]) - shift) / scale;                     // [2B, 3, H, W]
        var lins = new[] { lin0, lin1, lin2, lin3, lin4 };
        Tensor? total = null;
        int tap = 0;
        for (int i = 0; i <= Taps[^1]; i++)
        {
            h = features[i].call(h);
            if (i != Taps[tap]) continue;
            var n = h / (h.pow(Scalars.Of(2)).sum(1, keepdim: true).sqrt().Plus(1e-10));
            var halves = n.chunk(2, 0);
            var d = lins[tap].call((halves[0] - halves[1]).pow(Scalars.Of(2))).mean([1, 2, 3]);   // [B]
            total = total is null ? d : total.Plus(d);
            tap++;
        }
        return total!.view(b);
    }

    /// <summary>LPIPS's NetLinLayer: dropout (inactive in eval) then a 1×1 convolution to one channel, no bias.</summary>
    private sealed class NetLin : nn.Module<Tensor, Tensor>
    {
        private readonly Sequential model;

        public NetLin(long channels) : base(nameof(NetLin))
        {
            model = nn.Sequential(nn.Dropout(), nn.Conv2d(channels, 1, 1, bias: false));
            RegisterComponents();
        }

        public override Tensor forward(Tensor x) => model.call(x);
    }
}
