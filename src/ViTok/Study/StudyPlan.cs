using System.Text.Json.Nodes;

namespace ViTok.Study;

/// <summary>A scaling study (paper.md §4–§6): a base training config, the axes to vary, seeds, how the axes pair up,
/// and how every run is evaluated. Read from JSON by <see cref="StudyPlanLoader"/> (snake_case keys, validated like
/// train configs); expanded into runs by <see cref="StudyRuns"/>.</summary>
public sealed record StudyPlan
{
    /// <summary>Short name (presets: "quick", "e-sweep", …).</summary>
    public required string Name { get; init; }

    /// <summary>One line saying which finding the plan tests.</summary>
    public string Description { get; init; } = "";

    /// <summary>The resolved base training config (a <c>vitok train</c> config object) every run starts from.</summary>
    public required JsonObject Base { get; init; }

    /// <summary>How runs are evaluated.</summary>
    public required StudyEval Eval { get; init; }

    /// <summary>The axes, in the order they name runs.</summary>
    public required IReadOnlyList<StudyAxis> Axes { get; init; }

    /// <summary>Seeds; every axis combination runs once per seed (≥ 1 seed).</summary>
    public IReadOnlyList<long> Seeds { get; init; } = [0];

    /// <summary>Grid (every combination) or zip (index-wise).</summary>
    public StudyPairing Pairing { get; init; } = StudyPairing.Grid;

    /// <summary>Attempts per run before it is marked failed (a crashed run resumes from its last checkpoint).</summary>
    public int Attempts { get; init; } = 3;

    /// <summary>The axis whose values colour the metric-vs-E plot (e.g. "patch"); null = one colour per first axis.</summary>
    public string? ColourBy { get; init; }

    /// <summary>The plan as JSON with the base config inline (what <c>plan.json</c> in the study folder holds).</summary>
    public required JsonObject Json { get; init; }

    /// <summary>The axis that separates independent fits (e.g. "data"); null = one fit over all runs.</summary>
    public string? FitBy { get; init; }

    /// <summary>Whether fits and plots put E per frame (E / frames) on their x axis instead of E, so that clips and
    /// single-frame images of the same data share one axis (the video finding: the E per frame a clip needs for a given
    /// PSNR against the E an image needs). Default false.</summary>
    public bool EPerFrame { get; init; }

    /// <summary>The generation stage run after each tokenizer (Finding 2); null = reconstruction only.</summary>
    public StudyGeneration? Generation { get; init; }

    /// <summary>The measured wall time of the whole plan on a named machine (presets; filled from real runs), or
    /// null = not measured.</summary>
    public StudyMeasured? Measured { get; init; }
}
