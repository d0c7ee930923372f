using System.CommandLine;

namespace ViTok.Cli.Commands;

/// <summary>The CLI's one vocabulary: every command names the same concept the same way. Output <c>-o/--output</c>
/// (old: <c>--out</c>), <c>--seed</c> (old: <c>--data-seed</c>), <c>--split train|test</c> (old: <c>--test</c>),
/// <c>--count N</c> items (old: <c>--n</c>, <c>--limit</c>), <c>--device</c>, <c>--dtype</c>, <c>--json</c>.</summary>
public static class CommonOptions
{
    /// <summary>The concepts every command spells the same way (the names tests check the command tree against).</summary>
    public static readonly IReadOnlyDictionary<string, string> Names = new Dictionary<string, string>
    {
        ["output"] = "--output", ["seed"] = "--seed", ["split"] = "--split", ["count"] = "--count",
        ["device"] = "--device", ["dtype"] = "--dtype", ["json"] = "--json",
    };

    /// <summary>Old spellings, accepted but hidden from help.</summary>
    public static readonly IReadOnlyList<string> OldSpellings = ["--out", "--data-seed", "--test", "--n", "--limit"];

    /// <summary><c>-o/--output</c> (old spelling <c>--out</c>).</summary>
    public static AliasedOption<string?> Output(string description, bool required, string? defaultValue = null)
    {
        var o = new Option<string?>("--output", "-o") { Description = description };
        if (defaultValue is not null) o.DefaultValueFactory = _ => defaultValue;
        o.Validators.Add(r =>
        {
            if (r.Tokens.Count > 0 && string.IsNullOrWhiteSpace(r.Tokens[0].Value)) r.AddError($"{r.IdentifierToken?.Value ?? "--output"}: the path is empty");
        });
        return new AliasedOption<string?>(o, required, "--out");
    }

    /// <summary><c>--seed S</c> (S ≥ 0; old spelling <c>--data-seed</c> where it was one).</summary>
    public static AliasedOption<long> Seed(string description, long defaultValue = 0, bool oldDataSeed = false)
    {
        var o = new Option<long>("--seed") { Description = description, DefaultValueFactory = _ => defaultValue }.Range(0);
        return oldDataSeed ? new AliasedOption<long>(o, false, "--data-seed") : new AliasedOption<long>(o, false);
    }

    /// <summary><c>--count N</c>: how many items (N ≥ <paramref name="min"/>; old spellings e.g. <c>--n</c>).</summary>
    public static AliasedOption<int> Count(string description, int defaultValue, int min, params string[] oldNames) =>
        Count(description, defaultValue, min, int.MaxValue, oldNames);

    /// <summary><c>--count N</c> with <paramref name="min"/> ≤ N ≤ <paramref name="max"/>.</summary>
    public static AliasedOption<int> Count(string description, int defaultValue, int min, int max, params string[] oldNames) =>
        new(new Option<int>("--count") { Description = description, DefaultValueFactory = _ => defaultValue }.Range(min, max), false, oldNames);

    public static Option<bool> Json(string description) => new("--json") { Description = description };

    /// <summary><c>--device cpu|cuda|cuda:N</c>.</summary>
    public static Option<string> Device() => new("--device") { Description = "Device: cpu, cuda or cuda:N.", DefaultValueFactory = _ => "cpu" };

    /// <summary><c>--seed</c> overriding a config's <c>seed</c> (a whole number ≥ 0).</summary>
    public static Option<long?> SeedOverride()
    {
        var seed = new Option<long?>("--seed") { Description = "Shortcut for --set seed=S." };
        seed.Validators.Add(r => { if (r.GetValueOrDefault<long?>() is long v && v < 0) r.AddError($"--seed {v}: expected a whole number ≥ 0"); });
        return seed;
    }

    /// <summary>The <c>--json</c> of the training commands.</summary>
    public static Option<bool> TrainingJson() =>
        Json("Print one JSON object when training stops: run_folder, model, step, steps, metrics, loss_curve (progress goes to stderr).");

    /// <summary><c>--device</c> without a default (the command's config decides when it is not given).</summary>
    public static Option<string?> DeviceOverride() => new("--device") { Description = "Device: cpu, cuda or cuda:N (default: the config's `device`)." };

    /// <summary><c>--dtype</c> without a default (the command's config decides when it is not given).</summary>
    public static Option<string?> DTypeOverride() => new("--dtype") { Description = "Compute dtype: f32 or bf16 (default: the config's `dtype`)." };

    /// <summary><c>--dtype f32|bf16</c>.</summary>
    public static Option<string> DType() => new("--dtype") { Description = "Compute dtype: f32 or bf16.", DefaultValueFactory = _ => "f32" };

    /// <summary>Parses a device string with a clear error.</summary>
    /// <exception cref="ViTokException">The text is not a device, or CUDA is not available.</exception>
    public static TorchSharp.torch.Device ParseDevice(string text)
    {
        if (text.StartsWith("cuda", StringComparison.Ordinal) && !TorchSharp.torch.cuda.is_available())
            throw new ViTokException($"--device {text}: CUDA is not available in this build/machine; use --device cpu.");
        try
        {
            return new TorchSharp.torch.Device(text);
        }
        catch (Exception e)
        {
            throw new ViTokException($"--device '{text}': expected cpu, cuda or cuda:N ({e.Message}).", e);
        }
    }

    /// <summary>Parses a dtype string with a clear error.</summary>
    /// <exception cref="ViTokException">The text is not f32 or bf16.</exception>
    public static TorchSharp.torch.ScalarType ParseDType(string text) => text switch
    {
        "f32" or "float32" or "fp32" => TorchSharp.torch.ScalarType.Float32,
        "bf16" or "bfloat16" => TorchSharp.torch.ScalarType.BFloat16,
        _ => throw new ViTokException($"--dtype '{text}': expected f32 or bf16."),
    };
}
