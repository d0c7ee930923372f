namespace ViTok.Evaluation;

/// <summary>The paper's 8-bit quantisation of images before metrics: round((clamp(x, −1, 1) + 1) / 2 · 255), then
/// back to [-1, 1]; applied to the reconstructions and to the references alike.</summary>
public static class Quantization
{
    /// <summary>x in [-1, 1] (any shape) snapped to the 256 levels of 8-bit images, as float32 in [-1, 1].</summary>
    public static Tensor To8Bit(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        var levels = ((x.to(ScalarType.Float32).clamp(Scalars.Of(-1), Scalars.Of(1)).Plus(1)).Times(127.5)).round();   // 0..255
        return (levels.Over(127.5).Minus(1)).MoveToOuterDisposeScope();
    }

    /// <summary>The 8-bit levels of a quantised tensor, in memory order.</summary>
    public static byte[] ToBytes(Tensor quantised)
    {
        using var scope = torch.NewDisposeScope();
        var levels = ((quantised.to(ScalarType.Float32).clamp(Scalars.Of(-1), Scalars.Of(1)).Plus(1)).Times(127.5)).round().to(ScalarType.Byte).cpu().contiguous();
        return levels.data<byte>().ToArray();
    }

    /// <summary>A float tensor in [-1, 1] of <paramref name="shape"/> from 8-bit levels.</summary>
    public static Tensor FromBytes(byte[] levels, long[] shape)
    {
        using var scope = torch.NewDisposeScope();
        var t = torch.tensor(levels, shape, ScalarType.Byte).to(ScalarType.Float32).Over(127.5).Minus(1);
        return t.MoveToOuterDisposeScope();
    }
}
