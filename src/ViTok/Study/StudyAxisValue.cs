namespace ViTok.Study;

/// <summary>One value of a study axis: the config overrides it sets (in <c>--set key=value</c> form, keys as in the
/// train config) and the short label that names it in run folders, tables and plot legends.</summary>
/// <param name="Label">e.g. "8" or "p4c8"; letters, digits, '.', '-', '+' only.</param>
/// <param name="Overrides">Config key → JSON value text, e.g. ("channels", "8"), ("loss.perceptual_weight", "0.1").</param>
public sealed record StudyAxisValue(string Label, IReadOnlyList<KeyValuePair<string, string>> Overrides)
{
    /// <summary>The label of another value of the same axis whose run this value's run starts from (e.g. a stage-2 GAN
    /// fine-tune of the stage-1 run "1"): the run with the same other axis values and seed, with
    /// <see cref="DependencyToken"/> in an override replaced by that run's folder. Null = an independent run.</summary>
    public string? DependsOn { get; init; }

    /// <summary>The text in an override value that stands for the dependency's run folder (absolute path), e.g.
    /// <c>"init_from": "$dep/model.safetensors"</c>.</summary>
    public const string DependencyToken = "$dep";
}
