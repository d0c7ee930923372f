using System.CommandLine;
using ViTok.IO;
using ViTok.Models;
using ViTok.Generation;

namespace ViTok.Cli.Commands;

/// <summary>The options of the commands that sample a trained DiT: <c>--dit</c>, <c>--tokenizer</c> (default: the path
/// recorded in the DiT), <c>--cfg</c>, <c>--steps</c>, <c>--seed</c>, <c>--device</c>, <c>--dtype</c>.</summary>
public sealed class DitOptions(double defaultCfg)
{
    public Option<string> Dit { get; } = new("--dit") { Description = "DiT checkpoint: a run's model.safetensors or one of its checkpoints.", Required = true };

    public Option<string?> Tokenizer { get; } = new("--tokenizer") { Description = "Tokenizer checkpoint (default: the one recorded with the latents)." };

    public Option<double> Cfg { get; } = new Option<double>("--cfg") { Description = "Classifier-free guidance scale (1 = conditional model only), 0 to 100.", DefaultValueFactory = _ => defaultCfg }.Range(0, 100);

    public Option<int?> Steps { get; } = new Option<int?>("--steps") { Description = "Sampler steps, 1 to 10000 (default: the checkpoint's, 250 DDIM or 50 Euler)." }.Range(1, 10000);

    public AliasedOption<long> Seed { get; } = CommonOptions.Seed("Seed of the noise (and of generated data sources' content).");

    public Option<string> Device { get; } = CommonOptions.Device();

    /// <summary><c>--dtype</c> of the DiT and the tokenizer.</summary>
    public Option<string> DType { get; } = CommonOptions.DType();

    /// <summary>Adds the options to a command.</summary>
    public void AddTo(Command cmd)
    {
        foreach (var o in new Option[] { Dit, Tokenizer, Cfg, Steps, Device, DType }) cmd.Options.Add(o);
        Seed.AddTo(cmd);
    }

    /// <summary>Loads the DiT and its tokenizer (checked against the latent contract).</summary>
    /// <exception cref="ViTokException">A checkpoint is missing or damaged, or the tokenizer is not the one the DiT was trained on.</exception>
    public (DitCheckpoint.Contents Generator, IAutoencoder Tokenizer) Load(ParseResult parse)
    {
        var device = CommonOptions.ParseDevice(parse.GetValue(Device)!);
        var dtype = CommonOptions.ParseDType(parse.GetValue(DType)!);
        var gen = DitCheckpoint.Load(parse.GetValue(Dit)!, device, dtype);
        try
        {
            string path = parse.GetValue(Tokenizer) ?? gen.Space.Tokenizer;
            if (!File.Exists(path) && !Directory.Exists(path))
                throw new ViTokException($"{path}: the tokenizer recorded with the latents is not there; pass --tokenizer <checkpoint>.");
            var tok = Autoencoders.Load(path, null, device, dtype);
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
