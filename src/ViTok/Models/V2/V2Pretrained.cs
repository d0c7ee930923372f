
namespace ViTok.Models.V2;

/// <summary>The released ViTok-v2 checkpoints as data (mirrors <c>vitok/pretrained.py: _MODELS</c>). Only names,
/// repositories and variants live here; the weights are files the user downloads.</summary>
public static class V2Pretrained
{
    /// <summary>All released models, smallest first.</summary>
    public static IReadOnlyList<V2PretrainedModel> All { get; } =
    [
        new("350M-f16x16", "philippehansen/ViTok-v2-350M-f16x16", "Ld4-Ld24/1x16x16", "51M enc + 303M dec, 48:1 compression"),
        new("350M-f16x32", "philippehansen/ViTok-v2-350M-f16x32", "Ld4-Ld24/1x16x32", "24:1 compression"),
        new("350M-f16x64", "philippehansen/ViTok-v2-350M-f16x64", "Ld4-Ld24/1x16x64", "12:1 compression"),
        new("5B-f16x16", "philippehansen/ViTok-v2-5B-f16x16", "Td4-T/1x16x16", "463M enc + 4.5B dec"),
        new("5B-f16x32", "philippehansen/ViTok-v2-5B-f16x32", "Td4-T/1x16x32", ""),
        new("5B-f16x64", "philippehansen/ViTok-v2-5B-f16x64", "Td4-T/1x16x64", "the reference's best model"),
        new("5B-f32x64", "philippehansen/ViTok-v2-5B-f32x64", "Td4-T/1x32x64", "64 tokens at 256 px"),
        new("5B-f32x128", "philippehansen/ViTok-v2-5B-f32x128", "Td4-T/1x32x128", ""),
        new("5B-f32x256", "philippehansen/ViTok-v2-5B-f32x256", "Td4-T/1x32x256", ""),
    ];

    /// <summary>Finds a model by registry name (case-insensitive), by its repository id, or by the repository's last
    /// path part (e.g. <c>ViTok-v2-350M-f16x64</c>, the name a downloaded folder usually has); null if none matches.</summary>
    public static V2PretrainedModel? TryGet(string name)
    {
        string n = name.Trim().TrimEnd('/');
        return All.FirstOrDefault(m =>
            string.Equals(m.Name, n, StringComparison.OrdinalIgnoreCase)
            || string.Equals(m.HuggingFaceRepo, n, StringComparison.OrdinalIgnoreCase)
            || string.Equals(m.HuggingFaceRepo[(m.HuggingFaceRepo.IndexOf('/') + 1)..], n, StringComparison.OrdinalIgnoreCase));
    }
}
