using System.CommandLine;

namespace ViTok.Cli.Commands;

/// <summary><c>--split train|test</c> of sources that have splits (Fashion-MNIST); the old flag <c>--test</c> is a hidden
/// alias of <c>--split test</c>.</summary>
public sealed class SplitOption
{
    /// <summary>Creates the option with <paramref name="defaultSplit"/> ("train" or "test").</summary>
    public SplitOption(string defaultSplit)
    {
        Main = new Option<string>("--split") { Description = $"Fashion-MNIST split: train (60k) or test (10k).", DefaultValueFactory = _ => defaultSplit };
        Main.AcceptOnlyFromAmong("train", "test");
    }

    public Option<string> Main { get; }

    /// <summary>The hidden old flag <c>--test</c>.</summary>
    public Option<bool> OldTest { get; } = new("--test") { Hidden = true, Description = "Old spelling of --split test." };

    /// <summary>Adds both to <paramref name="cmd"/>.</summary>
    public void AddTo(Command cmd)
    {
        cmd.Options.Add(Main);
        cmd.Options.Add(OldTest);
        cmd.Validators.Add(r =>
        {
            if (r.GetResult(OldTest) is { Implicit: false } && r.GetResult(Main) is { Implicit: false })
                r.AddError("--test and --split are the same option; give --split test or --split train");
        });
    }

    /// <summary>Whether the test split was chosen.</summary>
    public bool IsTest(ParseResult parse) => parse.GetValue(OldTest) || parse.GetValue(Main) == "test";
}
