using ViTok.Data;
using ViTok.Models;
using ViTok.Models.Paper;
using ViTok.Models.V2;

namespace ViTok.Generation;

/// <summary>The tokenizer as the generator sees it: batches of same-size images [B, 3, H, W] or clips [B, 3, T, H, W]
/// in [-1, 1] to latent sequences [B, L, c] on a (T, H, W) grid and back. Paper family: posterior mean and log-variance
/// (no_grad, own scopes). ViTok-v2: deterministic latents of images whose sides are multiples of p (no budget resize).</summary>
public static class LatentCodec
{
    /// <summary>Encodes a batch: posterior means (or v2 latents) [B, L, c] float32, log-variances (null for v2), the grid
    /// and whether the input was an image batch.</summary>
    public static (Tensor Mean, Tensor? LogVar, (long T, long H, long W) Grid, bool IsImage) Encode(IAutoencoder tokenizer, Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        switch (tokenizer)
        {
            case PaperAutoencoder paper:
            {
                using var latents = paper.Encode(x.to(paper.ParameterDtype));
                return (latents.Mean.to(ScalarType.Float32).MoveToOuterDisposeScope(), latents.LogVar.to(ScalarType.Float32).MoveToOuterDisposeScope(),
                    latents.Grid, latents.IsImage);
            }
            case V2Autoencoder v2:
            {
                int p = v2.Config.PatchSize;
                if (x.dim() != 4 || x.shape[2] % p != 0 || x.shape[3] % p != 0)
                    throw new ViTokException($"ViTok-v2 latents for generation need image batches [B, 3, H, W] with H and W multiples of {p}; got [{string.Join(", ", x.shape)}]. Set --size or --pad-to.");
                long rows = x.shape[2] / p, cols = x.shape[3] / p;
                var images = Enumerable.Range(0, (int)x.shape[0]).Select(i => x[i].to(ScalarType.Float32)).ToList();
                using var batch = NaFlex.Patchify(images, p, (int)(rows * cols), resize: false);
                var z = v2.Encode(batch);                                               // [B, N, c]
                return (z.MoveToOuterDisposeScope(), null, (1, rows, cols), true);
            }
            default:
                throw new ViTokException($"model family '{tokenizer.Family}' cannot encode latents for generation.");
        }
    }

    /// <summary>Decodes latents [B, L, c] (raw tokenizer latents, not DiT-scaled) of <paramref name="space"/> to pixels
    /// [B, 3, H, W] or [B, 3, T, H, W] float32 in about [-1, 1] (no_grad, own scope).</summary>
    public static Tensor Decode(IAutoencoder tokenizer, Tensor z, LatentSpace space)
    {
        using var scope = torch.NewDisposeScope();
        using var _ = torch.no_grad();
        var grid = space.GridShape;
        switch (tokenizer)
        {
            case PaperAutoencoder paper:
            {
                var pixels = paper.Decode(z.to(paper.ParameterDtype), grid, space.IsImage);
                return pixels.to(ScalarType.Float32).MoveToOuterDisposeScope();
            }
            case V2Autoencoder v2:
            {
                int p = v2.Config.PatchSize;
                long b = z.shape[0], n = grid.H * grid.W;
                var rows = torch.arange(Scalars.Of(0), Scalars.Of(n), Scalars.One, dtype: ScalarType.Int64).div(Scalars.Of(grid.W), RoundingMode.floor).unsqueeze(0).expand(b, n);
                var cols = torch.arange(Scalars.Of(0), Scalars.Of(n), Scalars.One, dtype: ScalarType.Int64).remainder(Scalars.Of(grid.W)).unsqueeze(0).expand(b, n);
                var layout = new PatchBatch(torch.zeros(b, n, 3 * p * p), torch.ones([b, n], ScalarType.Bool), rows.contiguous(), cols.contiguous(),
                    torch.full([b], Scalars.Of(grid.H * p), ScalarType.Int64), torch.full([b], Scalars.Of(grid.W * p), ScalarType.Int64), p);
                var patches = v2.Decode(z.to(ScalarType.Float32), layout);                 // [B, N, 3p²]
                return NaFlex.Unpatchify(patches, layout).MoveToOuterDisposeScope();       // [B, 3, H, W]
            }
            default:
                throw new ViTokException($"model family '{tokenizer.Family}' cannot decode latents.");
        }
    }
}
