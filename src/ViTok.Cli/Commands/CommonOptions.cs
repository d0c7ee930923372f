using System.CommandLine;

namespace ViTok.Cli.Commands;

/// <summary>Options shared by the model-running commands: device and compute dtype.</summary>
public static class CommonOptions
{
    /// <summary><c>--device cpu|cuda|cuda:N</c>.</summary>
    public static Option<string> Device() => new("--device") { Description = "Device: cpu, cuda or cuda:N.", DefaultValueFactory = _ => "cpu" };

    /// <summary><c>--dtype f32|bf16</c>.</summary>
    public static Option<string> DType() => new("--dtype") { Description = "Compute dtype: f32 or bf16.", DefaultValueFactory = _ => "f32" };

    /// <summary>Parses a device string with a clear error.</summary>
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
    public static TorchSharp.torch.ScalarType ParseDType(string text) => text switch
    {
        "f32" or "float32" or "fp32" => TorchSharp.torch.ScalarType.Float32,
        "bf16" or "bfloat16" => TorchSharp.torch.ScalarType.BFloat16,
        _ => throw new ViTokException($"--dtype '{text}': expected f32 or bf16."),
    };
}
