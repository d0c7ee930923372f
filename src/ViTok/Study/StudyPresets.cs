
namespace ViTok.Study;

/// <summary>The study plans shipped with ViTok.NET (embedded JSON, the same format as a plan file): quick, e-sweep,
/// e-sweep-photos, encoder-size, decoder-size, loss-tradeoff, loss-tradeoff-photos, video, generation. Sizes are CPU-scale (minutes
/// to about two hours of a 2-core machine; a preset's <c>measured</c> entry holds its real wall time once it has been
/// run, null before); the findings they test are the paper's.</summary>
public static class StudyPresets
{
    private const string Prefix = "ViTok.Study.Presets.";

    /// <summary>Preset names in a stable order.</summary>
    public static IReadOnlyList<string> Names { get; } = ["quick", "e-sweep", "e-sweep-photos", "encoder-size", "decoder-size", "loss-tradeoff", "loss-tradeoff-photos", "video", "generation"];

    /// <summary>Whether <paramref name="name"/> is a preset.</summary>
    public static bool Exists(string name) => Names.Contains(name);

    /// <summary>The preset's plan.</summary>
    /// <exception cref="ViTokException">No preset has that name.</exception>
    public static StudyPlan Load(string name)
    {
        if (!Exists(name)) throw new ViTokException($"'{name}' is neither a plan file nor a preset (presets: {string.Join(", ", Names)}).");
        using var stream = typeof(StudyPresets).Assembly.GetManifestResourceStream(Prefix + name + ".json")
            ?? throw new ViTokException($"preset '{name}' is missing from this build of ViTok.Core.");
        using var reader = new StreamReader(stream);
        return StudyPlanLoader.Parse(reader.ReadToEnd(), $"preset {name}", Environment.CurrentDirectory);
    }

    /// <summary>A plan from a file path or a preset name (a file wins when both exist).</summary>
    /// <exception cref="ViTokException">Neither a readable plan file nor a preset, or an invalid plan.</exception>
    public static StudyPlan Resolve(string planOrPreset) =>
        File.Exists(planOrPreset) ? StudyPlanLoader.Load(planOrPreset) : Load(planOrPreset);
}
