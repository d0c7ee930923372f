using System.CommandLine;
using ViTok.IO;
using ViTok.Models;
using ViTok.Generation;

namespace ViTok.Cli.Commands;

/// <summary>The options of the commands that sample a trained DiT: <c>--dit</c>, <c>--tokenizer</c> (default: the path
/// recorded in the DiT), <c>--cfg</c>, <c>--steps</c>, <c>--seed</c>, <c>--device</c>.</summary>
public sealed class DitOptions(double defaultCfg)
{
    /// <summary><c>--dit</c>.</summary>
    public Option<string> Dit { get; } = new("--dit") { Description = "DiT checkpoint: a run's model.safetensors or one of its checkpoints.", Required = true };

    /// <summary><c>--tokenizer</c>.</summary>
    public Option<string?> Tokenizer { get; } = new("--tokenizer") { Description = "Tokenizer checkpoint (default: the one recorded with the latents)." };

    /// <summary><c>--cfg</c>.</summary>
    public Option<double> Cfg { get; } = new("--cfg") { Description = "Classifier-free guidance scale (1 = conditional model only).", DefaultValueFactory = _ => defaultCfg };

    /// <summary><c>--steps</c>.</summary>
    public Option<int?> Steps { get; } = new("--steps") { Description = "Sampler steps (default: the checkpoint's, 250 DDIM or 50 Euler)." };

    /// <summary><c>--seed</c>.</summary>
    public Option<long> Seed { get; } = new("--seed") { Description = "Seed of the noise.", DefaultValueFactory = _ => 0L };

    /// <summary><c>--device</c>.</summary>
    public Option<string> Device { get; } = CommonOptions.Device();

    /// <summary>Adds the options to a command.</summary>
    public void AddTo(Command cmd)
    {
        foreach (var o in new Option[] { Dit, Tokenizer, Cfg, Steps, Seed, Device }) cmd.Options.Add(o);
    }

    /// <summary>Loads the DiT and its tokenizer (checked against the latent contract).</summary>
    public (DitCheckpoint.Contents Generator, IAutoencoder Tokenizer) Load(ParseResult parse)
    {
        var device = CommonOptions.ParseDevice(parse.GetValue(Device)!);
        var gen = DitCheckpoint.Load(parse.GetValue(Dit)!, device);
        try
        {
            string path = parse.GetValue(Tokenizer) ?? gen.Space.Tokenizer;
            if (!File.Exists(path) && !Directory.Exists(path))
                throw new ViTokException($"{path}: the tokenizer recorded with the latents is not there; pass --tokenizer <checkpoint>.");
            var tok = Autoencoders.Load(path, null, device);
            tok.Module.eval();
            var c = gen.Space.Contract;
            if (tok.Family != c.Family || tok.Variant != c.Variant || tok.Channels != c.Channels)
            {
                tok.Dispose();
                throw new ViTokException($"{path}: a {tok.Family} {tok.Variant} tokenizer with c = {tok.Channels}, but the DiT was trained on latents of {c.Family} {c.Variant} with c = {c.Channels}.");
            }
            return (gen, tok);
        }
        catch
        {
            gen.Dispose();
            throw;
        }
    }
}
