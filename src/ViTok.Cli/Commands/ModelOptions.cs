using System.CommandLine;
using ViTok.Models;

namespace ViTok.Cli.Commands;

/// <summary>The options that name and load a tokenizer: <c>--checkpoint</c>, <c>--variant</c>, <c>--device</c>, <c>--dtype</c>.</summary>
public sealed class ModelOptions
{
    /// <summary><c>--checkpoint</c>: a ViTok.NET .safetensors file or a ViTok-v2 weights folder.</summary>
    public Option<string> Checkpoint { get; } = NewCheckpoint();

    /// <summary><c>--variant</c> for v2 weights without variant.txt.</summary>
    public Option<string?> Variant { get; } = new("--variant") { Description = "ViTok-v2 variant or released name (when the folder has no variant.txt), e.g. 350M-f16x64." };

    public Option<string> Device { get; } = CommonOptions.Device();

    public Option<string> DType { get; } = CommonOptions.DType();

    private static Option<string> NewCheckpoint()
    {
        var o = new Option<string>("--checkpoint") { Description = "A ViTok.NET .safetensors checkpoint, or a ViTok-v2 folder with encoder.safetensors/decoder.safetensors.", Required = true };
        o.Validators.Add(r => { if (r.Tokens.Count > 0 && string.IsNullOrWhiteSpace(r.Tokens[0].Value)) r.AddError("--checkpoint: the path is empty"); });
        return o;
    }

    /// <summary>Adds the options to a command.</summary>
    public void AddTo(Command cmd)
    {
        cmd.Options.Add(Checkpoint);
        cmd.Options.Add(Variant);
        cmd.Options.Add(Device);
        cmd.Options.Add(DType);
    }

    /// <summary>Loads the model the parsed options name.</summary>
    public IAutoencoder Load(ParseResult parse)
    {
        var device = CommonOptions.ParseDevice(parse.GetValue(Device)!);
        var dtype = CommonOptions.ParseDType(parse.GetValue(DType)!);
        var model = Autoencoders.Load(parse.GetValue(Checkpoint)!, parse.GetValue(Variant), device, dtype);
        model.Module.eval();
        return model;
    }
}
