using System.CommandLine;
using ViTok.IO;
using System.Text.Json.Nodes;
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
        var source = new SourceOptions(workers: 2);
        var output = CommonOptions.Output("Output folder of shard_NNNNN.safetensors.", required: true);
        var padTo = new Option<int>("--pad-to") { Description = "Pad items centred with black to S×S before encoding (e.g. Fashion-MNIST 28 → 32).", DefaultValueFactory = _ => 0 }.Range(0, 16384);
        var shard = new Option<string>("--shard") { Description = "Write only the shards j with j mod N = i (i/N), as one of N processes.", DefaultValueFactory = _ => "0/1" };
        var shardSize = new Option<int>("--shard-size") { Description = "Source items per shard file.", DefaultValueFactory = _ => 4096 }.Range(1);
        var batch = new Option<int>("--batch-size") { Description = "Items per tokenizer call.", DefaultValueFactory = _ => 64 }.Range(1, 65536);
        var count = CommonOptions.Count("Encode only the first N items of the source (0 = all; generated sources: generate N).", 0, 0, "--limit");
        var seed = CommonOptions.Seed("Seed of generated sources' content.", 0, oldDataSeed: true);
        var json = CommonOptions.Json("Print one JSON object: shards_written, shards_skipped, items_encoded, output, grid, channels.");
        var cmd = new Command("encode-dataset", "Encode a data source into sharded latents (posterior mean and log-variance, labels, the latent contract and the " +
                                                "tokenizer path) for train-dit. Finished shards are skipped, so rerunning resumes.") { padTo, shard, shardSize, batch, json };
        output.AddTo(cmd);
        count.AddTo(cmd);
        seed.AddTo(cmd);
        model.AddTo(cmd);
        source.AddTo(cmd);
        cmd.SetAction(parse => CommandRunner.Run(() =>
        {
            OutputPaths.RequireFolder(output.Get(parse), "-o");
            bool asJson = parse.GetValue(json);
            var log = JsonOut.Log(asJson);
            var shardSpec = ShardSpec.Parse(parse.GetValue(shard)!);
            using var tokenizer = model.Load(parse);
            int n = count.Get(parse);
            var data = source.Open(parse, n, seed.Get(parse));
            string outDir = output.Get(parse)!;
            var report = LatentDatasetEncoder.Run(tokenizer, parse.GetValue(model.Checkpoint)!, data, new EncodeDatasetOptions
            {
                Output = outDir,
                PadTo = parse.GetValue(padTo),
                Shard = shardSpec,
                ShardSize = parse.GetValue(shardSize),
                BatchSize = parse.GetValue(batch),
                Workers = parse.GetValue(source.Workers!),
                Limit = n,
                Preprocessing = source.Describe(parse),
            }, log);
            if (asJson)
            {
                JsonOut.Print(new JsonObject
                {
                    ["output"] = Path.GetFullPath(outDir),
                    ["shards_written"] = report.ShardsWritten,
                    ["shards_skipped"] = report.ShardsSkipped,
                    ["items_encoded"] = report.ItemsEncoded,
                    ["grid"] = report.Space is null ? null : new JsonArray(report.Space.Grid.Select(g => (JsonNode?)JsonValue.Create(g)).ToArray()),
                    ["channels"] = report.Space?.Contract.Channels,
                });
                return 0;
            }
            string grid = report.Space is null ? "" : $", grid {string.Join("×", report.Space.Grid)} of c = {report.Space.Contract.Channels}";
            Console.WriteLine($"{report.ShardsWritten} shard(s) written, {report.ShardsSkipped} already complete, {report.ItemsEncoded} items encoded{grid}");
            return 0;
        }));
        return cmd;
    }
}
