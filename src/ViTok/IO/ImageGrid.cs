namespace ViTok.IO;

/// <summary>Writes rows of images as one PNG grid (2-pixel white gutters), e.g. originals above reconstructions.</summary>
public static class ImageGrid
{
    /// <summary>Builds the grid tensor [3, H', W'] from rows of image batches [N, 3, H, W] in [-1, 1].</summary>
    public static Tensor Build(IReadOnlyList<Tensor> rows, int gutter = 2)
    {
        using var scope = torch.NewDisposeScope();
        long n = rows.Max(r => r.shape[0]), h = rows[0].shape[2], w = rows[0].shape[3];
        var canvas = torch.ones(3, rows.Count * (h + gutter) + gutter, n * (w + gutter) + gutter);
        for (int r = 0; r < rows.Count; r++)
            for (int c = 0; c < rows[r].shape[0]; c++)
            {
                long y = gutter + r * (h + gutter), x = gutter + c * (w + gutter);
                canvas[.., (int)y..(int)(y + h), (int)x..(int)(x + w)] = rows[r][c].detach().to(ScalarType.Float32).cpu().clamp(Scalars.Of(-1), Scalars.Of(1));
            }
        return canvas.MoveToOuterDisposeScope();
    }

    /// <summary>Writes the grid as an 8-bit PNG (atomically).</summary>
    public static void Save(IReadOnlyList<Tensor> rows, string path, int gutter = 2)
    {
        using var grid = Build(rows, gutter);
        ImageIO.SavePng(grid, path);
    }
}
