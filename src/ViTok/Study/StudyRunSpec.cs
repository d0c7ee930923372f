namespace ViTok.Study;

/// <summary>One run of a study after the axes are expanded: its folder name, the value it takes on each axis, its
/// seed and the overrides applied to the base training config (axis overrides in axis order, then <c>seed</c>).</summary>
/// <param name="Index">Position j in the plan's run order (0-based); shard i of N runs every j ≡ i (mod N).</param>
/// <param name="Name">Folder name inside the study folder, unique in the study, e.g. "channels-8_seed-0".</param>
/// <param name="Axes">Axis name → value label.</param>
/// <param name="Seed">The run's seed.</param>
/// <param name="Overrides">"key=value" strings for the train config loader (may hold
/// <see cref="StudyAxisValue.DependencyToken"/>, replaced when the run starts).</param>
public sealed record StudyRunSpec(int Index, string Name, IReadOnlyDictionary<string, string> Axes, long Seed, IReadOnlyList<string> Overrides)
{
    /// <summary>The name of the run this one starts from (it must be done first); null = independent.</summary>
    public string? DependsOn { get; init; }
}
