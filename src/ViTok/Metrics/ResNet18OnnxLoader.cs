using ViTok.IO;

namespace ViTok.Metrics;

/// <summary>Maps the CNTK ResNet18 ONNX graphs onto <see cref="ResNet18"/>. The graph is matched by topology, not by
/// node order or names: the stem is the Conv on the graph input, each residual Add is one block (its main branch
/// BN(Conv(ReLU(BN(Conv(x))))) and its shortcut x or BN(Conv1×1(x))), and every convolution's strides and pads must
/// equal what the module computes. Anything else is reported as a file that does not fit.</summary>
internal static class ResNet18OnnxLoader
{
    private const string Hint = "expected the CNTK ResNet18 of Microsoft.ML.DnnImageFeaturizer.ResNet18 0.23.1";

    public static void Load(ResNet18 model, string modelPath, string preprocessPath)
    {
        var net = OnnxGraph.Read(modelPath);
        var prep = OnnxGraph.Read(preprocessPath);
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        using var scope = torch.NewDisposeScope();
        try
        {
            ReadNetwork(net, model, tensors);
            tensors["mean_image"] = ReadMeanImage(prep, preprocessPath);
            // BatchNorm's counter is not part of the ONNX graph; it is unused in eval mode.
            foreach (var key in model.state_dict().Keys.Where(k => k.EndsWith("num_batches_tracked", StringComparison.Ordinal)))
                tensors[key] = torch.tensor(0L);
            StateDict.LoadStrict(model, tensors, modelPath, Hint);
        }
        catch (InvalidDataException e)
        {
            throw new ViTokException($"{modelPath}: {e.Message} ({Hint}).", e);
        }
    }

    private static void ReadNetwork(OnnxGraph g, ResNet18 model, Dictionary<string, Tensor> into)
    {
        if (g.Inputs.Count == 0 || g.Outputs.Count != 1) throw new InvalidDataException("the graph has no single input/output");
        var producer = new Dictionary<string, OnnxNode>(StringComparer.Ordinal);
        foreach (var n in g.Nodes)
            foreach (var o in n.Outputs) producer[o] = n;
        string input = g.Inputs.First(i => !g.Initializers.ContainsKey(i));

        OnnxNode? Producer(string value, string op) =>
            producer.TryGetValue(value, out var n) && n.OpType == op ? n : null;

        // Stem: Conv(input) → BN → Relu → MaxPool.
        var stemConv = g.Nodes.SingleOrDefault(n => n.OpType == "Conv" && n.Inputs[0] == input)
            ?? throw new InvalidDataException("no convolution reads the graph input");
        var stemBn = Consumer(g, stemConv, "BatchNormalization");
        var stemRelu = Consumer(g, stemBn, "Relu");
        var pool = Consumer(g, stemRelu, "MaxPool");
        ExpectConv(stemConv, 2, [3, 3, 2, 2], "stem");
        Expect(pool.Ints("kernel_shape").SequenceEqual([3L, 3]) && pool.Ints("strides").SequenceEqual([2L, 2])
               && pool.Ints("pads").SequenceEqual([1L, 1, 0, 0]), "the max-pool is not 3×3/2 with pads [1, 1, 0, 0]");
        AddConvBn(g, stemConv, stemBn, "conv1", "bn1", into);

        // Blocks: one per residual Add, in topological order.
        var adds = g.Nodes.Where(n => n.OpType == "Add").ToList();
        var blocks = model.Blocks().ToList();
        Expect(adds.Count == blocks.Count, $"the graph has {adds.Count} residual additions, the model {blocks.Count} blocks");
        string blockInput = pool.Outputs[0];
        for (int i = 0; i < blocks.Count; i++)
        {
            var (prefix, block) = blocks[i];
            var add = adds[i];
            (OnnxNode c1, OnnxNode b1, OnnxNode c2, OnnxNode b2)? main = null;
            string? shortcut = null;
            for (int k = 0; k < 2 && main is null; k++)
            {
                var b2 = Producer(add.Inputs[k], "BatchNormalization");
                var c2 = b2 is null ? null : Producer(b2.Inputs[0], "Conv");
                var r = c2 is null ? null : Producer(c2.Inputs[0], "Relu");
                var b1 = r is null ? null : Producer(r.Inputs[0], "BatchNormalization");
                var c1 = b1 is null ? null : Producer(b1.Inputs[0], "Conv");
                if (c1 is not null && c1.Inputs[0] == blockInput)
                {
                    main = (c1, b1!, c2!, b2!);
                    shortcut = add.Inputs[1 - k];
                }
            }
            Expect(main is not null, $"residual addition {i + 1} ({add.Name}) is not a basic block on the previous block's output");
            var (conv1, bn1, conv2, bn2) = main!.Value;
            var (stride, pads) = block.Conv1Geometry;
            ExpectConv(conv1, stride, pads, $"{prefix}.conv1");
            ExpectConv(conv2, 1, [1, 1, 1, 1], $"{prefix}.conv2");
            AddConvBn(g, conv1, bn1, $"{prefix}.conv1", $"{prefix}.bn1", into);
            AddConvBn(g, conv2, bn2, $"{prefix}.conv2", $"{prefix}.bn2", into);
            if (block.HasProjection)
            {
                var pb = Producer(shortcut!, "BatchNormalization");
                var pc = pb is null ? null : Producer(pb.Inputs[0], "Conv");
                Expect(pc is not null && pc.Inputs[0] == blockInput, $"block {prefix} should have a 1×1 projection shortcut");
                ExpectConv(pc!, stride, [0, 0, 0, 0], $"{prefix}.downsample");
                AddConvBn(g, pc!, pb!, $"{prefix}.downsample.0", $"{prefix}.downsample.1", into);
            }
            else Expect(shortcut == blockInput, $"block {prefix} should have an identity shortcut");
            blockInput = Consumer(g, add, "Relu").Outputs[0];
        }

        // Head: AveragePool 7×7 on the last block, which is the graph output.
        var avg = Consumer(g, producer[blockInput], "AveragePool");
        Expect(avg.Ints("kernel_shape").SequenceEqual([7L, 7]) && avg.Outputs[0] == g.Outputs[0],
            "the graph does not end in a 7×7 average pool of the last block");
        // Nothing else may hide in the graph: stem 4 nodes, 7 per block, 2 per projection, the pool.
        int expected = 4 + 7 * blocks.Count + 2 * blocks.Count(b => b.Block.HasProjection) + 1;
        Expect(g.Nodes.Count == expected, $"the graph has {g.Nodes.Count} nodes, expected {expected}");
    }

    private static Tensor ReadMeanImage(OnnxGraph g, string path)
    {
        // Split(RGB) → Concat(B, G, R) → Sub(MeanImage).
        var split = g.Nodes.SingleOrDefault(n => n.OpType == "Split");
        var concat = g.Nodes.SingleOrDefault(n => n.OpType == "Concat");
        var sub = g.Nodes.SingleOrDefault(n => n.OpType == "Sub");
        if (split is null || concat is null || sub is null || split.Outputs.Count != 3
            || !concat.Inputs.SequenceEqual([split.Outputs[2], split.Outputs[1], split.Outputs[0]])
            || sub.Inputs[0] != concat.Outputs[0] || !g.Initializers.TryGetValue(sub.Inputs[1], out var mean)
            || !mean.Dims.SequenceEqual([1L, 3, ResNet18.InputSize, ResNet18.InputSize]))
            throw new ViTokException($"{path}: not the ResNet preprocessing graph (Split RGB → Concat BGR → Sub a 1×3×224×224 " +
                                     "mean image) of Microsoft.ML.DnnImageFeaturizer.ResNet18.");
        return mean.ToTensor();
    }

    private static OnnxNode Consumer(OnnxGraph g, OnnxNode node, string op)
    {
        var users = g.Nodes.Where(n => n.Inputs.Contains(node.Outputs[0]) && n.OpType == op).ToList();
        if (users.Count != 1) throw new InvalidDataException($"{node.OpType} node {node.Name} is not followed by one {op}");
        return users[0];
    }

    private static void ExpectConv(OnnxNode conv, long stride, long[] pads, string what)
    {
        Expect(conv.Ints("strides", [1, 1]).SequenceEqual([stride, stride])
               && conv.Ints("pads", [0, 0, 0, 0]).SequenceEqual(pads)
               && conv.Ints("dilations", [1, 1]).SequenceEqual([1L, 1]) && conv.Int("group", 1) == 1
               && conv.Inputs.Count == 2,
            $"convolution {what} ({conv.Name}) has strides [{string.Join(", ", conv.Ints("strides"))}] and pads " +
            $"[{string.Join(", ", conv.Ints("pads"))}], expected stride {stride} and pads [{string.Join(", ", pads)}] without bias");
    }

    private static void AddConvBn(OnnxGraph g, OnnxNode conv, OnnxNode bn, string convKey, string bnKey, Dictionary<string, Tensor> into)
    {
        Expect(bn.Inputs.Count == 5 && bn.Inputs[0] == conv.Outputs[0], $"{bn.Name} does not normalise {conv.Name}");
        Expect(Math.Abs(bn.Float("epsilon", 1e-5f) - 1e-5f) < 1e-9f, $"{bn.Name} has epsilon {bn.Float("epsilon", 1e-5f)}, expected 1e-5");
        into[$"{convKey}.weight"] = Init(g, conv.Inputs[1]);
        into[$"{bnKey}.weight"] = Init(g, bn.Inputs[1]);
        into[$"{bnKey}.bias"] = Init(g, bn.Inputs[2]);
        into[$"{bnKey}.running_mean"] = Init(g, bn.Inputs[3]);
        into[$"{bnKey}.running_var"] = Init(g, bn.Inputs[4]);
    }

    private static Tensor Init(OnnxGraph g, string name) =>
        g.Initializers.TryGetValue(name, out var t) && t.FloatData is not null
            ? t.ToTensor()
            : throw new InvalidDataException($"initializer {name} is missing or not float");

    private static void Expect(bool condition, string message)
    {
        if (!condition) throw new InvalidDataException(message);
    }
}
