using System.Text.RegularExpressions;
using ViTok.Cli;
using ViTok.Cli.Commands;
using ViTok.Tests.Support;

namespace ViTok.Tests.Cli;

/// <summary>The README's "Commands" table and the CLI agree: the same commands, and every option a row names exists.</summary>
[Collection(TorchCollection.Name)]
public partial class ReadmeCommandsTests
{
    [GeneratedRegex(@"^\| `vitok ([a-z\-]+(?: [a-z\-]+)?)")]
    private static partial Regex RowCommand();

    [GeneratedRegex(@"(?<![\w-])(--[a-z][a-z0-9\-]*|-o)\b")]
    private static partial Regex OptionWord();

    private static List<(string Command, string Row)> Rows()
    {
        string readme = File.ReadAllText(Path.Combine(RepoPaths.Root, "README.md"));
        int start = readme.IndexOf("\n## Commands", StringComparison.Ordinal);
        Assert.True(start >= 0, "README has no '## Commands' section");
        int end = readme.IndexOf("\n## ", start + 5, StringComparison.Ordinal);
        var rows = new List<(string, string)>();
        foreach (string line in readme[start..(end < 0 ? readme.Length : end)].Split('\n'))
        {
            var m = RowCommand().Match(line);
            if (!m.Success) continue;
            var leaves = FrontDoorTests.Commands(CliApp.BuildRoot(), []).Select(c => string.Join(' ', c.Path)).ToHashSet();
            string cmd = m.Groups[1].Value;
            if (!leaves.Contains(cmd) && cmd.Contains(' ')) cmd = cmd[..cmd.IndexOf(' ')];     // "train --config" style rows
            rows.Add((cmd, line));
        }
        return rows;
    }

    [Fact]
    public void TheTableListsExactlyTheCliCommands()
    {
        var leaves = FrontDoorTests.Commands(CliApp.BuildRoot(), []).Select(c => string.Join(' ', c.Path)).ToHashSet();
        var documented = Rows().Select(r => r.Command).ToHashSet();

        Assert.Empty(leaves.Except(documented));
        Assert.Empty(documented.Except(leaves));
    }

    [Fact]
    public void EveryOptionATableRowNamesExistsOnItsCommand()
    {
        var commands = FrontDoorTests.Commands(CliApp.BuildRoot(), []).ToDictionary(c => string.Join(' ', c.Path), c => c.Command);
        foreach (var (command, row) in Rows())
        {
            // Only the row's first cell (the synopsis) and the JSON-keys text are about this command's options.
            string synopsis = row.Split(" | ")[0];
            var known = commands[command].Options.Where(o => !o.Hidden).SelectMany(o => o.Aliases.Append(o.Name)).ToHashSet();
            foreach (Match m in OptionWord().Matches(synopsis))
                Assert.True(known.Contains(m.Value), $"README row for `vitok {command}` names {m.Value}, which the command does not have");
        }
    }

    [Fact]
    public void TheDemoDefaultsInTheReadmeAreTheCodes()
    {
        string readme = File.ReadAllText(Path.Combine(RepoPaths.Root, "README.md"));
        var defaults = new ViTok.Demos.DemoOptions();

        Assert.Contains($"`vitok demo [--minutes M (default {defaults.Minutes})]", readme);
        Assert.Contains($"[--generate-minutes G (default {DemoCommand.DefaultGenerateMinutes})]", readme);
    }
}
