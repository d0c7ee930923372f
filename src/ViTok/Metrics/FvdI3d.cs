namespace ViTok.Metrics;

/// <summary>The I3D feature extractor behind FVD: StyleGAN-V's TorchScript file <c>i3d_torchscript.pt</c>, which users
/// supply. Clips [B, 3, T, H, W] in [-1, 1] are trilinearly resized to T×224×224 and passed as
/// <c>detector(x, rescale=False, resize=False, return_features=True)</c>, which gives the 400-d features before the
/// softmax. TorchSharp calls script methods with positional arguments only, so the flags are placed by the parameter
/// names read from the archive's own code (StyleGAN-V's order x, rescale, resize, return_features when the code cannot
/// be read).</summary>
public sealed class FvdI3d : IDisposable
{
    /// <summary>File name of the published detector.</summary>
    public const string WeightsFileName = "i3d_torchscript.pt";

    /// <summary>Key of the metric in JSON output and logs.</summary>
    public const string Key = "fvd";

    /// <summary>Frame side the detector is fed.</summary>
    public const int InputSize = 224;

    private static readonly string[] Flags = ["rescale", "resize", "return_features"];

    private readonly jit.ScriptModule _module;
    private readonly object[] _flagArguments;
    private readonly string _path;
    private readonly Device _device;

    private FvdI3d(jit.ScriptModule module, object[] flagArguments, string path, Device device)
    {
        _module = module;
        _flagArguments = flagArguments;
        _path = path;
        _device = device;
    }

    /// <summary>Clips per forward pass.</summary>
    public int BatchSize { get; init; } = 8;

    /// <summary>The positional arguments passed after the clip batch (for tests and messages).</summary>
    public IReadOnlyList<object> FlagArguments => _flagArguments;

    /// <summary>Loads the TorchScript detector onto <paramref name="device"/> (CPU by default) in eval mode.</summary>
    /// <exception cref="ViTokException">The detector file is missing or is not a TorchScript module libtorch can load.</exception>
    public static FvdI3d Load(string path, Device? device = null)
    {
        device ??= CPU;
        if (!File.Exists(path))
            throw new ViTokException($"{path}: file not found. FVD needs StyleGAN-V's I3D detector {WeightsFileName} " +
                                     "(51,235,320 bytes, a TorchScript file); pass its path.");
        jit.ScriptModule module;
        try
        {
            module = jit.load(path, device);
        }
        catch (Exception e) when (e is not ViTokException)
        {
            throw new ViTokException($"{path}: not a TorchScript file that libtorch can load ({FirstLine(e.Message)}); " +
                                     $"expected StyleGAN-V's {WeightsFileName}.", e);
        }
        module.eval();
        return new FvdI3d(module, FlagArgumentsFor(path), path, device);
    }

    /// <summary>Features [B, D] (float32, on the detector's device) of clips [B, 3, T, H, W] in [-1, 1], resized to
    /// T×224×224 first.</summary>
    public Tensor Features(Tensor clips)
    {
        if (clips.dim() != 5 || clips.shape[1] != 3)
            throw new ArgumentException($"expected clips [B, 3, T, H, W], got [{string.Join(", ", clips.shape)}]");
        using var scope = torch.NewDisposeScope();
        using var _ = torch.no_grad();
        var chunks = new List<Tensor>();
        for (long i = 0; i < clips.shape[0]; i += BatchSize)
        {
            var x = clips.narrow(0, i, Math.Min(BatchSize, clips.shape[0] - i)).to(ScalarType.Float32, _device);
            if (x.shape[3] != InputSize || x.shape[4] != InputSize)
                x = F.interpolate(x, [x.shape[2], InputSize, InputSize], mode: InterpolationMode.Trilinear, align_corners: false);
            chunks.Add(Detect(x));
        }
        return torch.cat(chunks).MoveToOuterDisposeScope();
    }

    /// <summary>Runs the detector as is on clips [B, 3, T, H, W] (no resize): the features [B, D].</summary>
    /// <exception cref="ViTokException">The detector fails on the clips or returns features of another shape.</exception>
    public Tensor Detect(Tensor clips)
    {
        object result;
        try
        {
            result = _module.call([clips, .. _flagArguments]);
        }
        catch (Exception e)
        {
            throw new ViTokException($"{_path}: the detector failed on clips [{string.Join(", ", clips.shape)}] " +
                                     $"({FirstLine(e.Message)}); expected StyleGAN-V's {WeightsFileName}.", e);
        }
        if (result is not Tensor t || t.dim() != 2 || t.shape[0] != clips.shape[0])
        {
            string got = result is Tensor r ? $"a tensor [{string.Join(", ", r.shape)}]" : result?.GetType().Name ?? "nothing";
            (result as IDisposable)?.Dispose();
            throw new ViTokException($"{_path}: the detector returned {got}, expected features [{clips.shape[0]}, D]; " +
                                     $"expected StyleGAN-V's {WeightsFileName}.");
        }
        return t.to(ScalarType.Float32);
    }

    /// <summary>Frees the script module.</summary>
    public void Dispose() => _module.Dispose();

    // Positional values for the parameters after x, up to the last flag: our flags by name, other parameters by their
    // literal default. Without readable code, StyleGAN-V's order.
    private static object[] FlagArgumentsFor(string path)
    {
        var parameters = TorchScriptSignature.FindForward(path, "return_features");
        if (parameters is null || parameters.Count == 0) return [false, false, true];
        var rest = parameters.Skip(1).ToList();
        int last = rest.FindLastIndex(p => Flags.Contains(p.Name));
        var args = new object[last + 1];
        for (int i = 0; i <= last; i++)
        {
            args[i] = rest[i].Name switch
            {
                "rescale" or "resize" => false,
                "return_features" => true,
                _ => Literal(rest[i], path),
            };
        }
        return args;
    }

    private static object Literal(TorchScriptSignature.Parameter p, string path) => p.Default switch
    {
        "True" => true,
        "False" => false,
        string s when long.TryParse(s, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out long l) => l,
        string s when double.TryParse(s, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double d) => d,
        _ => throw new ViTokException($"{path}: the detector's forward has a parameter '{p.Name}' before return_features " +
                                      $"without a plain default ({p.Default ?? "none"}); expected StyleGAN-V's {WeightsFileName}."),
    };

    private static string FirstLine(string message) => message.Split('\n')[0].Trim();
}
