using System.CommandLine;
using ViTok.IO;
using ViTok.Data;
using ViTok.Generation;

namespace ViTok.Cli.Commands;

/// <summary><c>vitok encode-dataset</c>: a data source to latent shards for DiT training (resumable, shardable).</summary>
public static class EncodeDatasetCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var model = new ModelOptions();
        var source = new SourceOptions();
        var output = new Option<string>("-o", "--output") { Description = "Output folder of shard_NNNNN.safetensors.", Required = true };
        var padTo = new Option<int>("--pad-to") { Description = "Pad items centred with black to S×S before encoding (e.g. Fashion-MNIST 28 → 32).", DefaultValueFactory = _ => 0 };
        var shard = new Option<string>("--shard") { Description = "Write only the shards j with j mod N = i (i/N), as one of N processes.", DefaultValueFactory = _ => "0/1" };
        var shardSize = new Option<int>("--shard-size") { Description = "Source items per shard file.", DefaultValueFactory = _ => 4096 };
        var batch = new Option<int>("--batch-size") { Description = "Items per tokenizer call.", DefaultValueFactory = _ => 64 };
        var workers = new Option<int>("--workers") { Description = "Decoding threads.", DefaultValueFactory = _ => 2 };
        var limit = new Option<long>("--limit") { Description = "Encode only the first N items of the source (0 = all).", DefaultValueFactory = _ => 0 };
        var cmd = new Command("encode-dataset", "Encode a data source into sharded latents (posterior mean and log-variance, labels, the latent contract and the " +
                                                "tokenizer path) for train-dit. Finished shards are skipped, so rerunning resumes.") { output, padTo, shard, shardSize, batch, workers, limit };
        model.AddTo(cmd);
        source.AddTo(cmd);
        cmd.SetAction(parse => CommandRunner.Run(() =>
        {
            OutputPaths.RequireFolder(parse.GetValue(output), "-o");
            using var tokenizer = model.Load(parse);
            var data = source.Open(parse);
            var report = LatentDatasetEncoder.Run(tokenizer, parse.GetValue(model.Checkpoint)!, data, new EncodeDatasetOptions
            {
                Output = parse.GetValue(output)!,
                PadTo = parse.GetValue(padTo),
                Shard = ShardSpec.Parse(parse.GetValue(shard)!),
                ShardSize = parse.GetValue(shardSize),
                BatchSize = parse.GetValue(batch),
                Workers = parse.GetValue(workers),
                Limit = parse.GetValue(limit),
                Preprocessing = source.Describe(parse),
            }, Console.WriteLine);
            string grid = report.Space is null ? "" : $", grid {string.Join("×", report.Space.Grid)} of c = {report.Space.Contract.Channels}";
            Console.WriteLine($"{report.ShardsWritten} shard(s) written, {report.ShardsSkipped} already complete, {report.ItemsEncoded} items encoded{grid}");
            return 0;
        }));
        return cmd;
    }
}
