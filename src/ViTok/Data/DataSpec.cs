using System.Text.Json.Nodes;

namespace ViTok.Data;

/// <summary>The <c>data</c> entry of a run config, parsed and checked: a path (kind detected) or an object
/// <c>{ "path", "kind", "test_split", "frame_stride", "fps", "count", "short_side", "test_fraction" }</c>
/// (<c>short_side</c> and <c>test_fraction</c>: <see cref="PhotoCrops"/>; <c>count</c>: items of generated sources and
/// of photo-crops).</summary>
/// <param name="Path">Folder, file, or a built-in source name.</param>
/// <param name="Kind">One of <see cref="DataSources.Kinds"/>; null = detect from the path.</param>
/// <param name="TestSplit">Read the test split (Fashion-MNIST, photo-crops).</param>
/// <param name="FrameStride">Videos: source frames between clip frames (≥ 1).</param>
/// <param name="Fps">Videos: resample to this rate; null = native.</param>
/// <param name="Count">Items of generated sources and photo-crops; 0 = their default.</param>
/// <param name="ShortSide">photo-crops: short side of the resized photos; 0 = 256.</param>
/// <param name="TestFraction">photo-crops: held-out fraction of each photo's width; 0 = 0.2.</param>
public sealed record DataSpec(string Path, string? Kind, bool TestSplit, int FrameStride, double? Fps, int Count, int ShortSide, double TestFraction)
{
    private static readonly string[] Keys = ["path", "kind", "test_split", "frame_stride", "fps", "count", "short_side", "test_fraction"];

    /// <summary>Parses and checks a config's <c>data</c> node; <paramref name="source"/> names the config in messages.</summary>
    /// <exception cref="ViTokException">No data, an unknown key or kind, or a value of the wrong type or range (one line naming the key and the fix).</exception>
    public static DataSpec From(JsonNode? node, string source = "config")
    {
        switch (node)
        {
            case null:
                throw new ViTokException($"{source}: the config has no data: set \"data\" to a path (an image folder, a Fashion-MNIST folder, a video folder, shards) or an object with \"path\" and \"kind\".");
            case JsonValue v when v.TryGetValue(out string? path):
                return new DataSpec(path, null, false, 1, null, 0, 0, 0);
            case JsonObject o:
                foreach (var kv in o)
                    if (!Keys.Contains(kv.Key))
                        throw new ViTokException($"{source}: unknown key \"data.{kv.Key}\" (known: {string.Join(", ", Keys)}).");
                string? kind = Get<string>(o, "kind", source, "a string");
                if (kind is not null && !DataSources.Kinds.Contains(kind))
                    throw new ViTokException($"{source}: data.kind \"{kind}\" is not known; use one of {string.Join(", ", DataSources.Kinds)}.");
                var spec = new DataSpec(
                    Get<string>(o, "path", source, "a string") ?? "",
                    kind,
                    GetValue<bool>(o, "test_split", source, "true or false") ?? false,
                    GetValue<int>(o, "frame_stride", source, "a whole number ≥ 1") ?? 1,
                    GetValue<double>(o, "fps", source, "a number > 0"),
                    GetValue<int>(o, "count", source, "a whole number ≥ 0") ?? 0,
                    GetValue<int>(o, "short_side", source, "a whole number ≥ 0") ?? 0,
                    GetValue<double>(o, "test_fraction", source, "a number in [0, 1)") ?? 0);
                if (spec.FrameStride < 1) throw new ViTokException($"{source}: data.frame_stride {spec.FrameStride}: expected a whole number ≥ 1.");
                if (spec.Fps is <= 0) throw new ViTokException($"{source}: data.fps {spec.Fps}: expected a number > 0.");
                if (spec.Count < 0) throw new ViTokException($"{source}: data.count {spec.Count}: expected a whole number ≥ 0 (0 = the source's default).");
                if (spec.ShortSide < 0) throw new ViTokException($"{source}: data.short_side {spec.ShortSide}: expected a whole number ≥ 0 (0 = {PhotoCrops.DefaultShortSide}).");
                if (spec.TestFraction is < 0 or >= 1 || !double.IsFinite(spec.TestFraction))
                    throw new ViTokException($"{source}: data.test_fraction {spec.TestFraction}: expected a number in [0, 1) (0 = {PhotoCrops.DefaultTestFraction}).");
                if (kind != "photo-crops" && (o.ContainsKey("short_side") || o.ContainsKey("test_fraction")))
                    throw new ViTokException($"{source}: data.short_side and data.test_fraction belong to kind \"photo-crops\"; set \"kind\": \"photo-crops\" or remove them.");
                return spec;
            default:
                throw new ViTokException($"{source}: \"data\" must be a path or an object with \"path\" and \"kind\".");
        }
    }

    /// <summary>The data-layer options for this spec with the given transform, clip frames and content seed; the
    /// split is the spec's unless <paramref name="testSplit"/> says otherwise, and <paramref name="count"/> (when
    /// &gt; 0) replaces the spec's count.</summary>
    public DataSourceOptions Options(ImageTransform transform, int frames, ulong seed, bool? testSplit = null, int count = 0) => new()
    {
        Kind = Kind,
        Transform = transform,
        TestSplit = testSplit ?? TestSplit,
        Count = count > 0 ? count : Count,
        Seed = seed,
        ShortSide = ShortSide,
        TestFraction = TestFraction,
        Clip = new ClipOptions { Frames = frames, FrameStride = FrameStride, Fps = Fps },
    };

    private static T? Get<T>(JsonObject o, string key, string source, string what) where T : class =>
        o[key] switch
        {
            null => null,
            JsonValue v when v.TryGetValue(out T? t) => t,
            var n => throw new ViTokException($"{source}: data.{key} = {n.ToJsonString()}: expected {what}."),
        };

    private static T? GetValue<T>(JsonObject o, string key, string source, string what) where T : struct =>
        o[key] switch
        {
            null => null,
            JsonValue v when v.TryGetValue(out T t) => t,
            var n => throw new ViTokException($"{source}: data.{key} = {n.ToJsonString()}: expected {what}."),
        };
}
