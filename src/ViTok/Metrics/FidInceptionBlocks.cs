namespace ViTok.Metrics;

// The blocks of torchvision's Inception3 with pytorch-fid's FID patches (pytorch_fid/inception.py): the average-pool
// branches ignore padding (TensorFlow semantics), and the last E block max-pools. Field names are the state-dict keys.

/// <summary>Conv (no bias) → BatchNorm (ε 0.001) → ReLU (torchvision's BasicConv2d).</summary>
internal sealed class InceptionConv : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d conv;
    private readonly BatchNorm2d bn;

    public InceptionConv(long inChannels, long outChannels, (long, long) kernel, (long, long)? stride = null, (long, long)? padding = null)
        : base(nameof(InceptionConv))
    {
        conv = nn.Conv2d(inChannels, outChannels, kernel, stride: stride ?? (1, 1), padding: padding ?? (0, 0), bias: false);
        bn = nn.BatchNorm2d(outChannels, eps: 0.001);
        RegisterComponents();
    }

    public InceptionConv(long inChannels, long outChannels, long kernel, long stride = 1, long padding = 0)
        : this(inChannels, outChannels, (kernel, kernel), (stride, stride), (padding, padding)) { }

    public override Tensor forward(Tensor x) => F.relu(bn.call(conv.call(x)));
}

/// <summary>FIDInceptionA (Mixed_5b/c/d): [B, in, 35, 35] → [B, 224 + pool, 35, 35].</summary>
internal sealed class FidInceptionA : nn.Module<Tensor, Tensor>
{
    private readonly InceptionConv branch1x1, branch5x5_1, branch5x5_2, branch3x3dbl_1, branch3x3dbl_2, branch3x3dbl_3, branch_pool;

    public FidInceptionA(long inChannels, long poolFeatures) : base(nameof(FidInceptionA))
    {
        branch1x1 = new InceptionConv(inChannels, 64, 1);
        branch5x5_1 = new InceptionConv(inChannels, 48, 1);
        branch5x5_2 = new InceptionConv(48, 64, 5, padding: 2);
        branch3x3dbl_1 = new InceptionConv(inChannels, 64, 1);
        branch3x3dbl_2 = new InceptionConv(64, 96, 3, padding: 1);
        branch3x3dbl_3 = new InceptionConv(96, 96, 3, padding: 1);
        branch_pool = new InceptionConv(inChannels, poolFeatures, 1);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        var b1 = branch1x1.call(x);
        var b5 = branch5x5_2.call(branch5x5_1.call(x));
        var b3 = branch3x3dbl_3.call(branch3x3dbl_2.call(branch3x3dbl_1.call(x)));
        var bp = branch_pool.call(F.avg_pool2d(x, 3, stride: 1, padding: 1, count_include_pad: false));
        return torch.cat([b1, b5, b3, bp], 1);
    }
}

/// <summary>InceptionB (Mixed_6a): [B, 288, 35, 35] → [B, 768, 17, 17].</summary>
internal sealed class InceptionB : nn.Module<Tensor, Tensor>
{
    private readonly InceptionConv branch3x3, branch3x3dbl_1, branch3x3dbl_2, branch3x3dbl_3;

    public InceptionB(long inChannels) : base(nameof(InceptionB))
    {
        branch3x3 = new InceptionConv(inChannels, 384, 3, stride: 2);
        branch3x3dbl_1 = new InceptionConv(inChannels, 64, 1);
        branch3x3dbl_2 = new InceptionConv(64, 96, 3, padding: 1);
        branch3x3dbl_3 = new InceptionConv(96, 96, 3, stride: 2);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        var b3 = branch3x3.call(x);
        var bd = branch3x3dbl_3.call(branch3x3dbl_2.call(branch3x3dbl_1.call(x)));
        var bp = F.max_pool2d(x, 3, stride: 2);
        return torch.cat([b3, bd, bp], 1);
    }
}

/// <summary>FIDInceptionC (Mixed_6b..e): [B, 768, 17, 17] → [B, 768, 17, 17] with factorised 7×7 convolutions.</summary>
internal sealed class FidInceptionC : nn.Module<Tensor, Tensor>
{
    private readonly InceptionConv branch1x1, branch7x7_1, branch7x7_2, branch7x7_3;
    private readonly InceptionConv branch7x7dbl_1, branch7x7dbl_2, branch7x7dbl_3, branch7x7dbl_4, branch7x7dbl_5, branch_pool;

    public FidInceptionC(long inChannels, long c7) : base(nameof(FidInceptionC))
    {
        branch1x1 = new InceptionConv(inChannels, 192, 1);
        branch7x7_1 = new InceptionConv(inChannels, c7, 1);
        branch7x7_2 = new InceptionConv(c7, c7, (1, 7), padding: (0, 3));
        branch7x7_3 = new InceptionConv(c7, 192, (7, 1), padding: (3, 0));
        branch7x7dbl_1 = new InceptionConv(inChannels, c7, 1);
        branch7x7dbl_2 = new InceptionConv(c7, c7, (7, 1), padding: (3, 0));
        branch7x7dbl_3 = new InceptionConv(c7, c7, (1, 7), padding: (0, 3));
        branch7x7dbl_4 = new InceptionConv(c7, c7, (7, 1), padding: (3, 0));
        branch7x7dbl_5 = new InceptionConv(c7, 192, (1, 7), padding: (0, 3));
        branch_pool = new InceptionConv(inChannels, 192, 1);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        var b1 = branch1x1.call(x);
        var b7 = branch7x7_3.call(branch7x7_2.call(branch7x7_1.call(x)));
        var bd = branch7x7dbl_1.call(x);
        bd = branch7x7dbl_5.call(branch7x7dbl_4.call(branch7x7dbl_3.call(branch7x7dbl_2.call(bd))));
        var bp = branch_pool.call(F.avg_pool2d(x, 3, stride: 1, padding: 1, count_include_pad: false));
        return torch.cat([b1, b7, bd, bp], 1);
    }
}

/// <summary>InceptionD (Mixed_7a): [B, 768, 17, 17] → [B, 1280, 8, 8].</summary>
internal sealed class InceptionD : nn.Module<Tensor, Tensor>
{
    private readonly InceptionConv branch3x3_1, branch3x3_2, branch7x7x3_1, branch7x7x3_2, branch7x7x3_3, branch7x7x3_4;

    public InceptionD(long inChannels) : base(nameof(InceptionD))
    {
        branch3x3_1 = new InceptionConv(inChannels, 192, 1);
        branch3x3_2 = new InceptionConv(192, 320, 3, stride: 2);
        branch7x7x3_1 = new InceptionConv(inChannels, 192, 1);
        branch7x7x3_2 = new InceptionConv(192, 192, (1, 7), padding: (0, 3));
        branch7x7x3_3 = new InceptionConv(192, 192, (7, 1), padding: (3, 0));
        branch7x7x3_4 = new InceptionConv(192, 192, 3, stride: 2);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        var b3 = branch3x3_2.call(branch3x3_1.call(x));
        var b7 = branch7x7x3_4.call(branch7x7x3_3.call(branch7x7x3_2.call(branch7x7x3_1.call(x))));
        var bp = F.max_pool2d(x, 3, stride: 2);
        return torch.cat([b3, b7, bp], 1);
    }
}

/// <summary>FIDInceptionE_1 / _2 (Mixed_7b / Mixed_7c): [B, in, 8, 8] → [B, 2048, 8, 8]. The pool branch averages
/// without padding in _1 and max-pools in _2, as the TensorFlow graph behind FID does.</summary>
internal sealed class FidInceptionE : nn.Module<Tensor, Tensor>
{
    private readonly InceptionConv branch1x1, branch3x3_1, branch3x3_2a, branch3x3_2b;
    private readonly InceptionConv branch3x3dbl_1, branch3x3dbl_2, branch3x3dbl_3a, branch3x3dbl_3b, branch_pool;
    private readonly bool _maxPool;

    public FidInceptionE(long inChannels, bool maxPool) : base(nameof(FidInceptionE))
    {
        _maxPool = maxPool;
        branch1x1 = new InceptionConv(inChannels, 320, 1);
        branch3x3_1 = new InceptionConv(inChannels, 384, 1);
        branch3x3_2a = new InceptionConv(384, 384, (1, 3), padding: (0, 1));
        branch3x3_2b = new InceptionConv(384, 384, (3, 1), padding: (1, 0));
        branch3x3dbl_1 = new InceptionConv(inChannels, 448, 1);
        branch3x3dbl_2 = new InceptionConv(448, 384, 3, padding: 1);
        branch3x3dbl_3a = new InceptionConv(384, 384, (1, 3), padding: (0, 1));
        branch3x3dbl_3b = new InceptionConv(384, 384, (3, 1), padding: (1, 0));
        branch_pool = new InceptionConv(inChannels, 192, 1);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        var b1 = branch1x1.call(x);
        var b3 = branch3x3_1.call(x);
        b3 = torch.cat([branch3x3_2a.call(b3), branch3x3_2b.call(b3)], 1);
        var bd = branch3x3dbl_2.call(branch3x3dbl_1.call(x));
        bd = torch.cat([branch3x3dbl_3a.call(bd), branch3x3dbl_3b.call(bd)], 1);
        var pooled = _maxPool
            ? F.max_pool2d(x, 3, stride: 1, padding: 1)
            : F.avg_pool2d(x, 3, stride: 1, padding: 1, count_include_pad: false);
        return torch.cat([b1, b3, bd, branch_pool.call(pooled)], 1);
    }
}
