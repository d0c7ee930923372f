namespace ViTok.Study;

/// <summary>How long a whole plan took when it was really run (the <c>"measured"</c> entry of a plan; shown by
/// <c>vitok study presets</c>). Only ever filled from a real run's wall time, never estimated.</summary>
/// <param name="WallMinutes">Wall-clock minutes of all runs and the report, &gt; 0.</param>
/// <param name="Machine">Where and how: cores, build, threads, shards, load, date.</param>
public sealed record StudyMeasured(double WallMinutes, string Machine);
