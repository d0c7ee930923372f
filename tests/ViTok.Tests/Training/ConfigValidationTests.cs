using ViTok.Generation;
using ViTok.Training;

namespace ViTok.Tests.Training;

/// <summary>Every config key of both trainers is checked at load: kind, finiteness and range, with the key as written
/// and the allowed range; config files mean one thing (no duplicate keys).</summary>
public class ConfigValidationTests
{
    [Theory]
    [InlineData("lr=-1", "--set: lr = -1 is out of range: expected a number in (0, 1].")]
    [InlineData("checkpoint_every=0", "--set: checkpoint_every = 0 is out of range: expected a whole number >= 1.")]
    [InlineData("log_every=0", "--set: log_every = 0 is out of range: expected a whole number >= 1.")]
    [InlineData("sample_every=-5", "--set: sample_every = -5 is out of range: expected a whole number >= 1.")]
    [InlineData("warmup_ratio=2", "--set: warmup_ratio = 2 is out of range: expected a number in [0, 1].")]
    [InlineData("beta2=1", "--set: beta2 = 1 is out of range: expected a number in [0, 1).")]
    [InlineData("loss.kl_weight=-0.1", "--set: loss.kl_weight = -0.1 is out of range: expected a number >= 0.")]
    [InlineData("loss.gan_start=1.5", "--set: loss.gan_start = 1.5 is out of range: expected a number in [0, 1].")]
    [InlineData("first_checkpoint_minutes=-1", "--set: first_checkpoint_minutes = -1 is out of range: expected a number >= 0.")]
    [InlineData("workers=-1", "--set: workers = -1 is out of range: expected a whole number from 0 to 256.")]
    [InlineData("device=gpu", "--set: device = 'gpu' is out of range: expected cpu, cuda or cuda:N.")]
    [InlineData("lr=1e400", "--set: lr = 1e400: expected a finite number.")]
    [InlineData("lr=NaN", "--set: lr = \"NaN\": expected a finite number.")]
    [InlineData("lr=Infinity", "--set: lr = \"Infinity\": expected a finite number.")]
    [InlineData("max_minutes=-Infinity", "--set: max_minutes = \"-Infinity\": expected a finite number.")]
    [InlineData("steps=abc", "--set: steps = \"abc\": expected a whole number (up to 2147483647).")]
    [InlineData("steps=1.5", "--set: steps = 1.5: expected a whole number (up to 2147483647).")]
    [InlineData("steps=1e10", "--set: steps = 1e10: expected a whole number (up to 2147483647).")]
    [InlineData("batch_size=null", "--set: batch_size = null: expected a whole number (up to 2147483647).")]
    [InlineData("augment=1", "--set: augment = 1: expected true or false.")]
    [InlineData("loss=3", "--set: loss = 3: expected an object { ... }.")]
    [InlineData("loss.kl_weigth=0", "--set: unknown key 'loss.kl_weigth'; did you mean 'loss.kl_weight'?")]
    [InlineData("init_from=", "--set: init_from = '' is out of range: expected a non-empty path or name (or leave the key out).")]
    public void TokenizerConfigValuesAreCheckedWithTheKeyAndTheRange(string set, string message)
    {
        var e = Assert.Throws<ViTokException>(() => TrainConfigLoader.Load(null, [set]));
        Assert.Equal(message, e.Message);
        Assert.DoesNotContain("System.", e.Message);
    }

    [Theory]
    [InlineData("lr=1e400", "--set: lr = 1e400: expected a finite number.")]
    [InlineData("checkpoint_every=0", "--set: checkpoint_every = 0 is out of range: expected a whole number >= 1.")]
    [InlineData("warmup_ratio=2", "--set: warmup_ratio = 2 is out of range: expected a number in [0, 1].")]
    [InlineData("class_dropout=1", "--set: class_dropout = 1 is out of range: expected a number in [0, 1).")]
    [InlineData("diffusion.timesteps=0", "--set: diffusion.timesteps = 0 is out of range: expected a whole number from 1 to 100000.")]
    [InlineData("sample_cfg=NaN", "--set: sample_cfg = \"NaN\": expected a finite number.")]
    [InlineData("latent_scale=0", "--set: latent_scale = 0 is out of range: expected a number > 0.")]
    [InlineData("diffusion.sample_step=4", "--set: unknown key 'diffusion.sample_step'; did you mean 'diffusion.sample_steps'?")]
    public void DitConfigValuesAreCheckedWithTheKeyAndTheRange(string set, string message)
    {
        var e = Assert.Throws<ViTokException>(() => DitTrainConfigLoader.Load(null, [set]));
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void AFileAndOverridesAreNamedTogether()
    {
        string path = Path.Combine(Path.GetTempPath(), $"cfg-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, """{ "steps": 10 }""");
        var e = Assert.Throws<ViTokException>(() => TrainConfigLoader.Load(path, ["lr=-1"]));
        Assert.Equal($"{path} (with --set): lr = -1 is out of range: expected a number in (0, 1].", e.Message);
        Assert.Equal(10, TrainConfigLoader.Load(path, []).Steps);
        File.Delete(path);
    }

    [Fact]
    public void DuplicateKeysAreRefusedWithTheKeyAndTheLine()
    {
        string path = Path.Combine(Path.GetTempPath(), $"cfg-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, "{\n  \"steps\": 10,\n  \"loss\": { \"perceptual_weight\": 0 },\n  \"loss\": { \"kl_weight\": 0 }\n}\n");
        var top = Assert.Throws<ViTokException>(() => TrainConfigLoader.Load(path, []));
        File.WriteAllText(path, "{\n  \"steps\": 10,\n  \"diffusion\": {\n    \"kind\": \"flow\",\n    \"kind\": \"ddpm\"\n  }\n}\n");
        var nested = Assert.Throws<ViTokException>(() => DitTrainConfigLoader.Load(path, []));

        Assert.Equal($"{path}: line 4: duplicate key 'loss'; a key may appear once per object (JSON readers disagree on which copy wins), so remove one.", top.Message);
        Assert.Equal($"{path}: line 5: duplicate key 'diffusion.kind'; a key may appear once per object (JSON readers disagree on which copy wins), so remove one.", nested.Message);
        File.Delete(path);
    }

    [Fact]
    public void BrokenJsonNamesTheLineAndANonObjectIsRefused()
    {
        string path = Path.Combine(Path.GetTempPath(), $"cfg-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, "{\n  \"steps\": 10,\n  \"lr\" 0.1\n}\n");
        var broken = Assert.Throws<ViTokException>(() => TrainConfigLoader.Load(path, []));
        File.WriteAllText(path, "[1, 2]");
        var array = Assert.Throws<ViTokException>(() => TrainConfigLoader.Load(path, []));

        Assert.StartsWith($"{path}: line 3: not valid JSON (", broken.Message);
        Assert.Equal($"{path}: a config must be one JSON object ({{ \"key\": value, ... }}), not an array.", array.Message);
        File.Delete(path);
    }

    [Fact]
    public void ValidConfigsStillLoad()
    {
        var c = TrainConfigLoader.Load(null, ["lr=1", "warmup_ratio=0", "first_checkpoint_minutes=0", "device=cuda:1", "data={\"path\":\"x\",\"count\":3}"]);
        Assert.Equal(1.0, c.PeakLr);
        Assert.Equal("cuda:1", c.Device);
        Assert.Equal(3.0, TrainConfigLoader.Load(null, []).FirstCheckpointMinutes);
        Assert.Equal(3.0, DitTrainConfigLoader.Load(null, []).FirstCheckpointMinutes);
    }
}
