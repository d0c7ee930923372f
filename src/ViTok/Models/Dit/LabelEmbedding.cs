using ViTok.Layers;

namespace ViTok.Models.Dit;

/// <summary>DiT's class embedder (mirrors <c>models.py: LabelEmbedder</c>): a table of <c>num_classes + 1</c> rows
/// (key <c>embedding_table</c>) whose last row is the null class used for classifier-free guidance. Labels [B] int64
/// → [B, W]. With no classes the table holds only the null row (unconditional generation).</summary>
public sealed class LabelEmbedding : nn.Module<Tensor, Tensor>
{
    private readonly Embedding embedding_table;

    /// <summary>The index of the null ("no class") row: <see cref="NumClasses"/>.</summary>
    public int NullClass => NumClasses;

    /// <summary>Number of real classes.</summary>
    public int NumClasses { get; }

    /// <summary>Creates the table for <paramref name="numClasses"/> classes plus the null class.</summary>
    public LabelEmbedding(int numClasses, int width) : base(nameof(LabelEmbedding))
    {
        ArgumentOutOfRangeException.ThrowIfNegative(numClasses);
        NumClasses = numClasses;
        embedding_table = nn.Embedding(numClasses + 1, width);
        RegisterComponents();
    }

    /// <summary>Replaces each label by the null class with probability <paramref name="probability"/> (classifier-free
    /// guidance training), drawing from <paramref name="generator"/>.</summary>
    public static Tensor DropLabels(Tensor labels, int nullClass, double probability, Generator? generator)
    {
        if (probability <= 0) return labels;
        var drop = BatchDraws.Rand(labels.shape, ScalarType.Float32, labels.device, generator) < Scalars.Of(probability);
        return torch.where(drop, torch.full_like(labels, Scalars.Of(nullClass)), labels);
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor labels) => embedding_table.call(labels);   // [B, W]
}
