using System.CommandLine;
using ViTok.Export;
using ViTok.IO;

namespace ViTok.Cli.Commands;

/// <summary><c>vitok export onnx</c>: a tokenizer as <c>encoder.onnx</c> / <c>decoder.onnx</c>.</summary>
public static class ExportCommand
{
    /// <summary>Builds the command group.</summary>
    public static Command Create()
    {
        var cmd = new Command("export", "Export a tokenizer to another runtime's format.");
        cmd.Subcommands.Add(Onnx());
        return cmd;
    }

    private static Command Onnx()
    {
        var output = CommonOptions.Output("Output folder for encoder.onnx / decoder.onnx (created when missing).", required: true);
        var part = new Option<string>("--part") { Description = "Which half to export: encoder, decoder or both.", DefaultValueFactory = _ => "both" };
        part.AcceptOnlyFromAmong("encoder", "decoder", "both");
        var opset = new Option<int>("--opset") { Description = "ONNX opset of the default domain (17 to 21).", DefaultValueFactory = _ => 17 }.Range(17, 21);
        var json = CommonOptions.Json("Print one JSON object: output, files, family, variant, opset.");
        var overwrite = OutputOptions.Overwrite();
        var model = new ModelOptions();
        var cmd = new Command("onnx", "Write the encoder and/or decoder as ONNX graphs (float32; dynamic batch and token/grid axes; the " +
                                      "latent contract in the metadata; weights over 1.8 GB go to <part>.onnx.data). Check the pair with " +
                                      "`vitok reconstruct --onnx FOLDER`.") { part, opset, json, overwrite };
        output.AddTo(cmd);
        model.AddTo(cmd);
        cmd.SetAction(parse => CommandRunner.Run(() =>
        {
            bool asJson = parse.GetValue(json);
            var log = JsonOut.Log(asJson);
            string outDir = OutputPaths.RequireFolder(output.Get(parse), "-o");
            var which = parse.GetValue(part) switch { "encoder" => OnnxPart.Encoder, "decoder" => OnnxPart.Decoder, _ => OnnxPart.Both };
            var guard = new OverwriteGuard(parse.GetValue(overwrite)).Protect(parse.GetValue(model.Checkpoint), "the checkpoint");
            foreach (var name in new[] { "encoder", "decoder" })
            {
                if (!which.HasFlag(name == "encoder" ? OnnxPart.Encoder : OnnxPart.Decoder)) continue;
                guard.Check(Path.Combine(outDir, name + ".onnx"), OnnxWriter.IsOwnFile);
                guard.Check(Path.Combine(outDir, name + ".onnx.data"), OnnxWriter.IsOwnFile);
            }
            using var ae = model.Load(parse);
            ae.Module.to(ScalarType.Float32);
            var files = OnnxExport.Export(ae, outDir, which, parse.GetValue(opset), progress: log);
            foreach (var f in files) log($"wrote {f} ({new FileInfo(f).Length / 1e6:F1} MB)");
            if (asJson)
                JsonOut.Print(new System.Text.Json.Nodes.JsonObject
                {
                    ["output"] = outDir, ["files"] = new System.Text.Json.Nodes.JsonArray([.. files.Select(f => (System.Text.Json.Nodes.JsonNode?)f)]),
                    ["family"] = ae.Family, ["variant"] = ae.Variant, ["opset"] = parse.GetValue(opset),
                });
            return 0;
        }));
        return cmd;
    }
}
