using ViTok.IO;

namespace ViTok.Metrics;

/// <summary>The InceptionV3 that standard FID uses: torchvision's Inception3 (1008 classes, no aux head) with
/// pytorch-fid's patches (FIDInceptionA/C/E_1/E_2), for the TensorFlow-ported weights
/// <c>pt_inception-2015-12-05-6726825d.pth</c> that users supply (mirrors pytorch_fid/inception.py). Images
/// [B, 3, H, W] in [-1, 1] are bilinearly resized to 299×299; <see cref="Features"/> gives the 2048-d pool3
/// features FID is computed on. Field names are the checkpoint keys.</summary>
public sealed class FidInceptionV3 : nn.Module<Tensor, Tensor>
{
    /// <summary>File name of the published FID weights.</summary>
    public const string WeightsFileName = "pt_inception-2015-12-05-6726825d.pth";

    /// <summary>Input side the network expects.</summary>
    public const int InputSize = 299;

    /// <summary>Width of the pool3 features.</summary>
    public const int FeatureDim = 2048;

    private readonly InceptionConv Conv2d_1a_3x3;   // 3 → 32, 3×3/2      → 149²
    private readonly InceptionConv Conv2d_2a_3x3;   // 32 → 32, 3×3       → 147²
    private readonly InceptionConv Conv2d_2b_3x3;   // 32 → 64, 3×3 pad 1 → 147², max-pool → 73²
    private readonly InceptionConv Conv2d_3b_1x1;   // 64 → 80, 1×1
    private readonly InceptionConv Conv2d_4a_3x3;   // 80 → 192, 3×3      → 71², max-pool → 35²
    private readonly FidInceptionA Mixed_5b, Mixed_5c, Mixed_5d;   // → 256, 288, 288 @ 35²
    private readonly InceptionB Mixed_6a;                           // → 768 @ 17²
    private readonly FidInceptionC Mixed_6b, Mixed_6c, Mixed_6d, Mixed_6e;
    private readonly InceptionD Mixed_7a;                           // → 1280 @ 8²
    private readonly FidInceptionE Mixed_7b, Mixed_7c;              // → 2048 @ 8²
    private readonly Linear fc;                                     // 2048 → 1008 (the TF graph's classes; the Inception Score)

    /// <summary>Builds the architecture with untrained weights; <see cref="Load"/> fills them.</summary>
    public FidInceptionV3() : base(nameof(FidInceptionV3))
    {
        Conv2d_1a_3x3 = new InceptionConv(3, 32, 3, stride: 2);
        Conv2d_2a_3x3 = new InceptionConv(32, 32, 3);
        Conv2d_2b_3x3 = new InceptionConv(32, 64, 3, padding: 1);
        Conv2d_3b_1x1 = new InceptionConv(64, 80, 1);
        Conv2d_4a_3x3 = new InceptionConv(80, 192, 3);
        Mixed_5b = new FidInceptionA(192, 32);
        Mixed_5c = new FidInceptionA(256, 64);
        Mixed_5d = new FidInceptionA(288, 64);
        Mixed_6a = new InceptionB(288);
        Mixed_6b = new FidInceptionC(768, 128);
        Mixed_6c = new FidInceptionC(768, 160);
        Mixed_6d = new FidInceptionC(768, 160);
        Mixed_6e = new FidInceptionC(768, 192);
        Mixed_7a = new InceptionD(768);
        Mixed_7b = new FidInceptionE(1280, maxPool: false);
        Mixed_7c = new FidInceptionE(2048, maxPool: true);
        fc = nn.Linear(2048, 1008);
        RegisterComponents();
    }

    /// <summary>Loads the FID weights (zip or legacy torch.save format), frozen and in eval mode. BatchNorm counters
    /// (<c>num_batches_tracked</c>) may be absent from the file; everything else must match exactly.</summary>
    /// <exception cref="ViTokException">The weights file is missing or is not pytorch-fid's Inception state dict.</exception>
    public static FidInceptionV3 Load(string path)
    {
        if (!File.Exists(path))
            throw new ViTokException($"{path}: file not found. FID needs pytorch-fid's TensorFlow-ported Inception weights " +
                                     $"{WeightsFileName} (95,628,359 bytes, release 'fid_weights' of mseitzer/pytorch-fid); pass its path.");
        var tensors = PyTorchCheckpoint.Read(path);
        var model = new FidInceptionV3();
        try
        {
            foreach (var key in model.state_dict().Keys.Where(k => k.EndsWith(".num_batches_tracked", StringComparison.Ordinal)))
                tensors.TryAdd(key, torch.tensor(0L));
            StateDict.LoadStrict(model, tensors, path, $"expected pytorch-fid's {WeightsFileName}");
        }
        catch
        {
            model.Dispose();
            throw;
        }
        finally
        {
            foreach (var t in tensors.Values) t.Dispose();
        }
        model.eval();
        foreach (var p in model.parameters()) p.requires_grad = false;
        return model;
    }

    /// <summary>Always stays in eval mode: a frozen metric network must never switch to batch statistics or dropout,
    /// even when a parent module is put into training mode.</summary>
    public override void train(bool on = true) => base.train(false);

    /// <summary>Pool3 features [B, 2048] of images [B, 3, 299, 299] already in [-1, 1].</summary>
    public override Tensor forward(Tensor x)
    {
        x = Conv2d_2b_3x3.call(Conv2d_2a_3x3.call(Conv2d_1a_3x3.call(x)));
        x = F.max_pool2d(x, 3, stride: 2);
        x = Conv2d_4a_3x3.call(Conv2d_3b_1x1.call(x));
        x = F.max_pool2d(x, 3, stride: 2);
        x = Mixed_5d.call(Mixed_5c.call(Mixed_5b.call(x)));
        x = Mixed_6e.call(Mixed_6d.call(Mixed_6c.call(Mixed_6b.call(Mixed_6a.call(x)))));
        x = Mixed_7c.call(Mixed_7b.call(Mixed_7a.call(x)));            // [B, 2048, 8, 8]
        return x.mean([2, 3]);                                          // [B, 2048]
    }

    /// <summary>Pool3 features [B, 2048] of images [B, 3, H, W] in [-1, 1] (bilinear resize to 299, as pytorch-fid).</summary>
    public Tensor Features(Tensor images)
    {
        if (images.dim() != 4 || images.shape[1] != 3)
            throw new ArgumentException($"expected images [B, 3, H, W], got [{string.Join(", ", images.shape)}]");
        using var scope = torch.NewDisposeScope();
        var x = images.shape[2] == InputSize && images.shape[3] == InputSize
            ? images
            : F.interpolate(images, [InputSize, InputSize], mode: InterpolationMode.Bilinear, align_corners: false);
        return forward(x).MoveToOuterDisposeScope();
    }

    /// <summary>Pool3 features [B, 2048] and the 1008 class logits [B, 1008] of images [B, 3, H, W] in [-1, 1] (same
    /// resize as <see cref="Features"/>). The logits are pool3 · Wᵀ of the <c>fc</c> layer <b>without its bias</b>,
    /// as the original Inception Score code (openai/improved-gan) takes them from the TensorFlow graph's
    /// <c>softmax/logits/MatMul</c>; torch-fidelity's <c>logits_unbiased</c> are the same.</summary>
    public (Tensor Features, Tensor Logits) FeaturesAndLogits(Tensor images)
    {
        using var scope = torch.NewDisposeScope();
        var features = Features(images);                                   // [B, 2048]
        var logits = features.matmul(fc.weight!.t());                       // [B, 1008], no bias
        return (features.MoveToOuterDisposeScope(), logits.MoveToOuterDisposeScope());
    }
}
