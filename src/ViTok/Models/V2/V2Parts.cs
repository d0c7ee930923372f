
namespace ViTok.Models.V2;

/// <summary>Which halves of a ViTok-v2 auto-encoder to build or load (the reference's <c>encoder=</c> /
/// <c>decoder=</c> switches).</summary>
[Flags]
public enum V2Parts
{
    /// <summary>The encoder: patch_embed, encoder_blocks, to_code.</summary>
    Encoder = 1,

    /// <summary>The decoder: decoder_embed, decoder_blocks, to_pixels.</summary>
    Decoder = 2,

    /// <summary>Both halves.</summary>
    Both = Encoder | Decoder,
}
