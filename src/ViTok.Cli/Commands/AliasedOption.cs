using System.CommandLine;

namespace ViTok.Cli.Commands;

/// <summary>An option with its current name and hidden old spellings (e.g. <c>-o/--output</c> with the old <c>--out</c>):
/// help shows the current name only, old spellings still work, giving two spellings at once is an error.</summary>
/// <typeparam name="T">The value type.</typeparam>
public sealed class AliasedOption<T>
{
    /// <summary>Wraps <paramref name="main"/>; <paramref name="oldNames"/> become hidden options of the same type.</summary>
    /// <param name="main">The option as help shows it (its validators are shared with the old spellings).</param>
    /// <param name="required">Whether one of the spellings must be given.</param>
    /// <param name="oldNames">Old spellings, e.g. "--out".</param>
    public AliasedOption(Option<T> main, bool required, params string[] oldNames)
    {
        Main = main;
        Required = required;
        Old = oldNames.Select(n => new Option<T>(n) { Hidden = true, Description = $"Old spelling of {main.Name}." }).ToArray();
    }

    /// <summary>The visible option.</summary>
    public Option<T> Main { get; }

    /// <summary>The hidden old spellings.</summary>
    public IReadOnlyList<Option<T>> Old { get; }

    /// <summary>Whether one spelling must be given.</summary>
    public bool Required { get; }

    /// <summary>The option's name as help shows it.</summary>
    public string Name => Main.Name;

    /// <summary>Adds the option, its old spellings and the "given once" / "required" checks to <paramref name="cmd"/>.</summary>
    public void AddTo(Command cmd)
    {
        cmd.Options.Add(Main);
        foreach (var o in Old)
        {
            foreach (var v in Main.Validators) o.Validators.Add(v);
            cmd.Options.Add(o);
        }
        cmd.Validators.Add(r =>
        {
            var given = Old.Prepend(Main).Where(o => r.GetResult(o) is { Implicit: false }).ToList();
            if (given.Count > 1) r.AddError($"{given[0].Name} and {given[1].Name} are the same option; give it once, as {Main.Name}");
            else if (Required && given.Count == 0) r.AddError($"Option '{Main.Name}' is required");
        });
    }

    /// <summary>Whether the user gave the option under any spelling.</summary>
    public bool IsGiven(ParseResult parse) => Old.Prepend(Main).Any(o => parse.GetResult(o) is { Implicit: false });

    /// <summary>The value under whichever spelling was given (else the default).</summary>
    public T? Get(ParseResult parse)
    {
        foreach (var o in Old)
            if (parse.GetResult(o) is { Implicit: false }) return parse.GetValue(o);
        return parse.GetValue(Main);
    }
}
