
namespace ViTok.Models.V2;

/// <summary>One released ViTok-v2 checkpoint: its short name, Hugging Face repository, variant and a note.
/// Users download <c>encoder.safetensors</c> and <c>decoder.safetensors</c> from the repository themselves;
/// nothing is downloaded at run time.</summary>
/// <param name="Name">Registry name, e.g. <c>350M-f16x64</c>.</param>
/// <param name="HuggingFaceRepo">Repository id, e.g. <c>philippehansen/ViTok-v2-350M-f16x64</c>.</param>
/// <param name="Variant">Variant string, e.g. <c>Ld4-Ld24/1x16x64</c>.</param>
/// <param name="Note">Short description from the reference registry and blog.</param>
public sealed record V2PretrainedModel(string Name, string HuggingFaceRepo, string Variant, string Note)
{
    /// <summary>Web address of the repository's file list.</summary>
    public string Url => $"https://huggingface.co/{HuggingFaceRepo}/tree/main";

    /// <summary>The files a full model needs.</summary>
    public static IReadOnlyList<string> Files { get; } = ["encoder.safetensors", "decoder.safetensors"];

    /// <summary>The config built from <see cref="Variant"/>.</summary>
    public V2Config Config => V2Config.FromVariant(Variant);
}
