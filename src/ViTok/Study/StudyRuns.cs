using System.Text;

namespace ViTok.Study;

/// <summary>Expands a plan into its runs (grid or zip, times the seeds), names them, and splits them into shards.</summary>
public static class StudyRuns
{
    /// <summary>All runs of a plan in a fixed order: axis combinations (the last axis fastest), then seeds.</summary>
    /// <exception cref="ViTokException">Zip pairing with axes of different lengths.</exception>
    public static IReadOnlyList<StudyRunSpec> Expand(StudyPlan plan)
    {
        var combos = new List<StudyAxisValue[]>();
        if (plan.Axes.Count == 0)
        {
            combos.Add([]);
        }
        else if (plan.Pairing == StudyPairing.Zip)
        {
            int n = plan.Axes[0].Values.Count;
            var bad = plan.Axes.FirstOrDefault(a => a.Values.Count != n);
            if (bad is not null)
                throw new ViTokException($"study '{plan.Name}': pairing \"zip\" needs axes of one length, but '{plan.Axes[0].Name}' has {n} values and '{bad.Name}' has {bad.Values.Count}; use \"grid\" or equal lengths.");
            for (int i = 0; i < n; i++) combos.Add(plan.Axes.Select(a => a.Values[i]).ToArray());
        }
        else
        {
            combos.Add([]);
            foreach (var axis in plan.Axes)
                combos = combos.SelectMany(c => axis.Values.Select(v => c.Append(v).ToArray())).ToList();
        }
        var runs = new List<StudyRunSpec>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var combo in combos)
        {
            foreach (long seed in plan.Seeds)
            {
                var axes = new Dictionary<string, string>(StringComparer.Ordinal);
                var sets = new List<string>();
                for (int a = 0; a < combo.Length; a++)
                {
                    axes[plan.Axes[a].Name] = combo[a].Label;
                    sets.AddRange(combo[a].Overrides.Select(kv => $"{kv.Key}={kv.Value}"));
                }
                sets.Add($"seed={seed}");
                string name = Name(plan, combo, seed);
                if (!names.Add(name))
                    throw new ViTokException($"study '{plan.Name}': two runs would share the folder '{name}'; give the axis values distinct labels.");
                runs.Add(new StudyRunSpec(runs.Count, name, axes, seed, sets) { DependsOn = Dependency(plan, combo, seed) });
            }
        }
        foreach (var r in runs)
            if (r.DependsOn is string dep && !names.Contains(dep))
                throw new ViTokException($"study '{plan.Name}': run '{r.Name}' depends on '{dep}', which the plan does not run (zip pairing drops it); use grid pairing or add that value.");
        return runs;
    }

    /// <summary>How many runs train how many steps, from each run's resolved config, in order of first appearance
    /// (e.g. [(3, 600), (1, 300)] for three stage-1 runs and a 300-step fine-tune).</summary>
    public static IReadOnlyList<(int Runs, int Steps)> StepCounts(StudyPlan plan) =>
        Expand(plan).Select(r => StudyPlanLoader.Resolve(plan, r, plan.Name)["steps"]?.GetValue<int>() ?? 0)
            .GroupBy(s => s).Select(g => (g.Count(), g.Key)).ToList();

    /// <summary>The runs in the order one process takes them: independent runs first (plan order), then the runs that
    /// depend on another run (plan order), so a dependency in the same shard is always done before its dependents.</summary>
    public static IReadOnlyList<StudyRunSpec> ExecutionOrder(IReadOnlyList<StudyRunSpec> runs) =>
        [.. runs.Where(r => r.DependsOn is null), .. runs.Where(r => r.DependsOn is not null)];

    // The folder name of the run a combination depends on: the same combination with the dependent value replaced by
    // the value it names (same seed); null when no value of the combination depends on another.
    private static string? Dependency(StudyPlan plan, IReadOnlyList<StudyAxisValue> combo, long seed)
    {
        for (int a = 0; a < combo.Count; a++)
        {
            if (combo[a].DependsOn is not string label) continue;
            var depCombo = combo.ToArray();
            depCombo[a] = plan.Axes[a].Values.First(v => v.Label == label);
            return Name(plan, depCombo, seed);
        }
        return null;
    }

    /// <summary>The runs of shard <paramref name="shard"/> of <paramref name="shards"/>: every run j with
    /// j ≡ shard (mod shards), so N processes (or a scheduler's array jobs) share a study without overlap.</summary>
    /// <exception cref="ViTokException">Not 0 ≤ shard &lt; shards.</exception>
    public static IReadOnlyList<StudyRunSpec> Shard(IReadOnlyList<StudyRunSpec> runs, int shard, int shards)
    {
        if (shards < 1 || shard < 0 || shard >= shards)
            throw new ViTokException($"--shard {shard}/{shards}: expected i/N with 0 ≤ i < N, e.g. --shard 0/4.");
        return runs.Where(r => r.Index % shards == shard).ToList();
    }

    /// <summary>The folder name of a run: "axis-label" parts joined by '_', then "seed-S", e.g.
    /// "shape-p4c8_seed-0". Characters outside [A-Za-z0-9.+-] become '-'.</summary>
    public static string Name(StudyPlan plan, IReadOnlyList<StudyAxisValue> combo, long seed)
    {
        var sb = new StringBuilder();
        for (int a = 0; a < combo.Count; a++)
            sb.Append(Clean(plan.Axes[a].Name)).Append('-').Append(Clean(combo[a].Label)).Append('_');
        sb.Append("seed-").Append(seed);
        return sb.ToString();
    }

    /// <summary>Replaces every character outside [A-Za-z0-9.+-] by '-'.</summary>
    public static string Clean(string text)
    {
        var sb = new StringBuilder(text.Length);
        foreach (char ch in text) sb.Append(char.IsAsciiLetterOrDigit(ch) || ch is '.' or '+' or '-' ? ch : '-');
        return sb.ToString();
    }
}
