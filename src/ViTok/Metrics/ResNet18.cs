namespace ViTok.Metrics;

/// <summary>The ImageNet ResNet18 that ships as ONNX in the NuGet package Microsoft.ML.DnnImageFeaturizer.ResNet18
/// (a CNTK 2.6 export), rebuilt op by op as a frozen TorchSharp module so that gradients reach the image. It is
/// CNTK's variant, not torchvision's: [2, 2, 2, 3] basic blocks, 7×7/2 stem padded [3, 3, 2, 2], 3×3/2 max-pool and
/// strided convolutions padded top/left only, BatchNorm ε 1e-5, 7×7 average pool → 512-d features. Its own
/// preprocessing graph (also in the package) takes RGB in 0..255, reorders to BGR and subtracts a 224×224 mean image;
/// <see cref="Preprocess"/> reproduces it from images in [-1, 1].</summary>
public sealed class ResNet18 : nn.Module<Tensor, Tensor>
{
    /// <summary>Input side of the exported graph (and of the mean image).</summary>
    public const int InputSize = 224;

    /// <summary>Width of the pooled features.</summary>
    public const int FeatureDim = 512;

    /// <summary>Blocks per stage: CNTK's ResNet18 has three in the last stage.</summary>
    internal static readonly int[] BlocksPerStage = [2, 2, 2, 3];

    internal static readonly int[] StageWidths = [64, 128, 256, 512];

    private readonly Conv2d conv1;                        // 3 → 64, 7×7 stride 2, ONNX pads [3, 3, 2, 2]
    private readonly BatchNorm2d bn1;
    private readonly ModuleList<ResNet18Block> layer1;   // 64 @ 56²
    private readonly ModuleList<ResNet18Block> layer2;   // 128 @ 28²
    private readonly ModuleList<ResNet18Block> layer3;   // 256 @ 14²
    private readonly ModuleList<ResNet18Block> layer4;   // 512 @ 7²
    private readonly Tensor mean_image;                  // [1, 3, 224, 224], BGR order, 0..255 scale

    /// <summary>Builds the architecture with untrained weights and a zero mean image; <see cref="Load"/> fills them.</summary>
    public ResNet18() : base(nameof(ResNet18))
    {
        conv1 = nn.Conv2d(3, 64, 7, stride: 2, bias: false);
        bn1 = nn.BatchNorm2d(64, eps: 1e-5);
        layer1 = Stage(64, 64, BlocksPerStage[0], 1);
        layer2 = Stage(64, 128, BlocksPerStage[1], 2);
        layer3 = Stage(128, 256, BlocksPerStage[2], 2);
        layer4 = Stage(256, 512, BlocksPerStage[3], 2);
        mean_image = torch.zeros(1, 3, InputSize, InputSize);
        RegisterComponents();
    }

    /// <summary>Where the package's build step puts the network: DnnImageModels/ResNet18Onnx/ResNet18.onnx beside the
    /// application.</summary>
    public static string DefaultModelPath => Path.Combine(AppContext.BaseDirectory, "DnnImageModels", "ResNet18Onnx", "ResNet18.onnx");

    /// <summary>Where the package's build step puts the preprocessing graph (mean image).</summary>
    public static string DefaultPreprocessPath =>
        Path.Combine(AppContext.BaseDirectory, "DnnImageModels", "ResNetPrepOnnx", "ResNetPreprocess.onnx");

    /// <summary>Loads the weights and mean image from the two ONNX files (defaults: <see cref="DefaultModelPath"/>,
    /// <see cref="DefaultPreprocessPath"/>) after checking that the graphs have exactly this architecture. The
    /// module is returned in eval mode with every parameter frozen.</summary>
    /// <exception cref="ViTokException">A model file is missing or cannot be loaded.</exception>
    public static ResNet18 Load(string? modelPath = null, string? preprocessPath = null)
    {
        modelPath ??= DefaultModelPath;
        preprocessPath ??= DefaultPreprocessPath;
        foreach (var path in new[] { modelPath, preprocessPath })
            if (!File.Exists(path))
                throw new ViTokException($"{path}: file not found. The ResNet18 ONNX files ship in the NuGet package " +
                                         "Microsoft.ML.DnnImageFeaturizer.ResNet18 0.23.1, which the build copies to DnnImageModels/ " +
                                         "beside the application: rebuild, or pass the paths of ResNet18.onnx and ResNetPreprocess.onnx.");
        var model = new ResNet18();
        try
        {
            ResNet18OnnxLoader.Load(model, modelPath, preprocessPath);
        }
        catch
        {
            model.Dispose();
            throw;
        }
        model.eval();
        foreach (var p in model.parameters()) p.requires_grad = false;
        return model;
    }

    /// <summary>Always stays in eval mode: a frozen metric network must never switch to batch statistics or dropout,
    /// even when a parent module is put into training mode.</summary>
    public override void train(bool on = true) => base.train(false);

    /// <summary>The exported graph proper (Input247 → Pooling395): preprocessed [B, 3, 224, 224] → features [B, 512].
    /// Other sizes run too, the 7×7 average pool then giving a map that is averaged globally.</summary>
    public override Tensor forward(Tensor x)
    {
        var h = Trunk(x, null);                               // [B, 512, H/32, W/32]
        h = F.avg_pool2d(h, 7, stride: 1);                    // the graph's AveragePool 7×7 (count_include_pad off)
        return h.mean([2, 3]);                                // [B, 512]
    }

    /// <summary>The preprocessing graph from images [B, 3, H, W] in [-1, 1] (RGB): to 0..255, RGB → BGR, minus the
    /// mean image (bilinearly resized when the images are not 224×224).</summary>
    public Tensor Preprocess(Tensor images)
    {
        CheckImages(images);
        var rgb255 = (images.Plus(1)).Times(127.5);
        var bgr = rgb255.flip(1);
        var mean = mean_image;
        if (images.shape[2] != InputSize || images.shape[3] != InputSize)
            mean = F.interpolate(mean_image, [images.shape[2], images.shape[3]], mode: InterpolationMode.Bilinear, align_corners: false);
        return bgr - mean.to(images.dtype);
    }

    /// <summary>Pooled 512-d features of images [B, 3, H, W] in [-1, 1]: bilinear resize to 224×224, preprocessing,
    /// network. Differentiable; callers that only evaluate wrap it in <c>torch.no_grad()</c>.</summary>
    public Tensor Features(Tensor images)
    {
        CheckImages(images);
        using var scope = torch.NewDisposeScope();
        var x = images.shape[2] == InputSize && images.shape[3] == InputSize
            ? images
            : F.interpolate(images, [InputSize, InputSize], mode: InterpolationMode.Bilinear, align_corners: false);
        return forward(Preprocess(x)).MoveToOuterDisposeScope();
    }

    /// <summary>Feature maps of five stages for images [B, 3, H, W] in [-1, 1] at their own size (H, W ≥ 32):
    /// stem after ReLU (64 @ H/2), then the outputs of layer1..layer4 (64 @ H/4, 128 @ H/8, 256 @ H/16,
    /// 512 @ H/32). Differentiable.</summary>
    public IReadOnlyList<Tensor> FeatureMaps(Tensor images)
    {
        CheckImages(images);
        if (images.shape[2] < 32 || images.shape[3] < 32)
            throw new ArgumentException($"ResNet18 feature maps need images of at least 32x32, got {images.shape[3]}x{images.shape[2]}; resize first");
        var taps = new List<Tensor>(5);
        Trunk(Preprocess(images), taps);
        return taps;
    }

    /// <summary>The stem and the four stages in graph order (for the loader).</summary>
    internal IEnumerable<(string Prefix, ResNet18Block Block)> Blocks()
    {
        var stages = new[] { layer1, layer2, layer3, layer4 };
        for (int s = 0; s < stages.Length; s++)
            for (int b = 0; b < stages[s].Count; b++)
                yield return ($"layer{s + 1}.{b}", stages[s][b]);
    }

    private Tensor Trunk(Tensor x, List<Tensor>? taps)
    {
        var h = F.pad(x, [3, 2, 3, 2]);                                       // left 3, right 2, top 3, bottom 2
        h = F.relu(bn1.call(conv1.call(h)));                                  // [B, 64, H/2, W/2]
        taps?.Add(h);
        h = F.max_pool2d(F.pad(h, [1, 0, 1, 0], value: double.NegativeInfinity), 3, stride: 2);   // [B, 64, H/4, W/4]
        foreach (var stage in new[] { layer1, layer2, layer3, layer4 })
        {
            foreach (var block in stage) h = block.call(h);
            taps?.Add(h);
        }
        return h;                                                             // [B, 512, H/32, W/32]
    }

    private static ModuleList<ResNet18Block> Stage(long inChannels, long outChannels, int blocks, long stride)
    {
        var list = new ModuleList<ResNet18Block>();
        for (int i = 0; i < blocks; i++)
            list.Add(new ResNet18Block(i == 0 ? inChannels : outChannels, outChannels, i == 0 ? stride : 1));
        return list;
    }

    private static void CheckImages(Tensor images)
    {
        if (images.dim() != 4 || images.shape[1] != 3)
            throw new ArgumentException($"expected images [B, 3, H, W], got [{string.Join(", ", images.shape)}]");
    }
}
