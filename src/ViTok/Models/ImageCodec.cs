using ViTok.Data;
using ViTok.Models.Paper;
using ViTok.Models.V2;

namespace ViTok.Models;

/// <summary>Single images [3, H, W] in [-1, 1] of any size through either family: the paper family pads by edge
/// replication to the patch multiple and crops back; ViTok-v2 follows its NaFlex pipeline (shrink to the token budget,
/// pad with 0, crop to the processed size).</summary>
public static class ImageCodec
{
    /// <summary>Encodes one image (no_grad, own dispose scope; deterministic latents).</summary>
    /// <exception cref="ViTokException">The image is not [3, H, W], or the latents are not finite (names <paramref name="name"/>).</exception>
    public static ImageLatents Encode(IAutoencoder model, Tensor image, string name, int maxTokens = 256)
    {
        if (image.dim() != 3 || image.shape[0] != 3)
            throw new ViTokException($"{name}: expected an image [3, H, W], got [{string.Join(", ", image.shape)}]");
        using var scope = torch.NewDisposeScope();
        int h = (int)image.shape[1], w = (int)image.shape[2];
        switch (model)
        {
            case PaperAutoencoder paper:
            {
                int p = paper.Config.PatchSize;
                int padH = (p - h % p) % p, padW = (p - w % p) % p;
                var x = image.unsqueeze(0).to(paper.ParameterDtype);
                if (padH + padW > 0) x = F.pad(x, [0, padW, 0, padH], PaddingModes.Replicate);
                using var latents = paper.Encode(x);
                var z = latents.Z[0].to(ScalarType.Float32);
                IO.Finite.CheckOutput(z, name, "latents");
                z = z.MoveToOuterDisposeScope();
                return new ImageLatents(name, z, (int)latents.Grid.H, (int)latents.Grid.W, h, w, h, w);
            }
            case V2Autoencoder v2:
            {
                PatchBatch batch;
                try
                {
                    batch = NaFlex.Patchify([image], v2.Config.PatchSize, maxTokens);
                }
                catch (BatchItemException e)
                {
                    throw new ViTokException($"{name}: {e.Detail}", e);
                }
                var z = v2.Encode(batch);                                           // [1, N, c]
                int n = (int)batch.PatchMask[0].sum().item<long>();
                var (ph, pw) = batch.Sizes()[0];
                int p = v2.Config.PatchSize;
                var real = z[0].narrow(0, 0, n).contiguous();
                IO.Finite.CheckOutput(real, name, "latents");
                real = real.MoveToOuterDisposeScope();
                return new ImageLatents(name, real, (ph + p - 1) / p, (pw + p - 1) / p, h, w, ph, pw);
            }
            default:
                throw new ViTokException($"model family '{model.Family}' cannot encode single images.");
        }
    }

    /// <summary>Decodes one image's latents back to [3, ProcessedHeight, ProcessedWidth] (no_grad, own scope).</summary>
    /// <exception cref="ViTokException">The latents do not fit the model, or the pixels are not finite (names the item).</exception>
    public static Tensor Decode(IAutoencoder model, ImageLatents latents)
    {
        using var scope = torch.NewDisposeScope();
        int n = latents.Rows * latents.Cols;
        if (latents.Z.dim() != 2 || latents.Z.shape[0] != n || latents.Z.shape[1] != model.Channels)
            throw new ViTokException($"{latents.Name}: latents [{string.Join(", ", latents.Z.shape)}] do not fit a {latents.Rows}×{latents.Cols} grid of {model.Channels} channels.");
        switch (model)
        {
            case PaperAutoencoder paper:
            {
                var img = paper.Decode(latents.Z.unsqueeze(0), (1, latents.Rows, latents.Cols), asImage: true)[0];
                img = img.narrow(1, 0, latents.ProcessedHeight).narrow(2, 0, latents.ProcessedWidth)
                    .to(ScalarType.Float32).contiguous();
                IO.Finite.CheckOutput(img, latents.Name, "decoded pixels");
                return img.MoveToOuterDisposeScope();
            }
            case V2Autoencoder v2:
            {
                var rows = torch.arange(Scalars.Of(0), Scalars.Of(n), Scalars.One, dtype: ScalarType.Int64).div(Scalars.Of(latents.Cols), RoundingMode.floor);
                var cols = torch.arange(Scalars.Of(0), Scalars.Of(n), Scalars.One, dtype: ScalarType.Int64).remainder(Scalars.Of(latents.Cols));
                int p = v2.Config.PatchSize;
                var positions = new PatchBatch(torch.zeros(1, n, 3 * p * p), torch.ones([1, n], ScalarType.Bool),
                    rows.unsqueeze(0), cols.unsqueeze(0), torch.tensor(new long[] { latents.ProcessedHeight }),
                    torch.tensor(new long[] { latents.ProcessedWidth }), p);
                var img = v2.DecodeImages(latents.Z.unsqueeze(0), positions)[0];
                IO.Finite.CheckOutput(img, latents.Name, "decoded pixels");
                return img.MoveToOuterDisposeScope();
            }
            default:
                throw new ViTokException($"model family '{model.Family}' cannot decode single images.");
        }
    }
}
