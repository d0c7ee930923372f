using System.Text.Json;

namespace ViTok.Tests.Metrics;

/// <summary>The reference values of Fixtures/metrics/expected.json (scikit-image 0.19 PSNR/SSIM, SciPy sqrtm Fréchet
/// distance), copied from shared/golden/metrics.</summary>
internal static class GoldenMetrics
{
    public static string Dir => Path.Combine(AppContext.BaseDirectory, "Fixtures", "metrics");

    public static string PathOf(string name) => Path.Combine(Dir, name);

    private static JsonElement Root => JsonDocument.Parse(File.ReadAllText(PathOf("expected.json"))).RootElement;

    public static IEnumerable<object[]> Images() =>
        Root.GetProperty("images").EnumerateArray().Select(e => new object[]
        {
            e.GetProperty("name").GetString()!, e.GetProperty("ref").GetString()!, e.GetProperty("test").GetString()!,
            e.GetProperty("psnr_db").GetDouble(), e.GetProperty("ssim").GetDouble(),
        });

    public static IEnumerable<object[]> Frechet() =>
        Root.GetProperty("frechet").EnumerateArray().Select(e => new object[]
        {
            e.GetProperty("a").GetString()!, e.GetProperty("b").GetString()!,
            e.GetProperty("n").GetInt32(), e.GetProperty("dim").GetInt32(), e.GetProperty("frechet_distance").GetDouble(),
        });
}
