using System.Text.Json.Nodes;

namespace ViTok.Study;

/// <summary>What <see cref="StudyReport.Write"/> found in a study folder.</summary>
/// <param name="Runs">Runs in the plan.</param>
/// <param name="Done">Runs finished and evaluated.</param>
/// <param name="Failed">Runs marked failed.</param>
/// <param name="Missing">Names of runs with no row yet.</param>
/// <param name="Fits">fits.json's object.</param>
/// <param name="Plots">PNG files written.</param>
public sealed record StudyReportSummary(int Runs, int Done, int Failed, IReadOnlyList<string> Missing, JsonObject Fits, IReadOnlyList<string> Plots);
