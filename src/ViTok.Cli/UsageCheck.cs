using System.CommandLine;
using System.CommandLine.Parsing;

namespace ViTok.Cli;

/// <summary>Turns a parse into at most one line of usage error, before any work: an unknown <c>--word</c> (never taken
/// as an input; the nearest option of the command is suggested), then System.CommandLine's own errors (missing or
/// malformed values, out-of-range numbers from the options' validators).</summary>
public static class UsageCheck
{
    /// <summary>The one-line error for <paramref name="parse"/>, or null when the command line is valid.</summary>
    /// <param name="parse">The parse of the command line.</param>
    public static string? Error(ParseResult parse)
    {
        var command = parse.CommandResult.Command;
        string path = CommandPath(parse.CommandResult);
        string help = $"see `{path} --help`";
        foreach (string word in DashWordsTakenAsInputs(parse))
        {
            string? near = Nearest(word, OptionNames(parse.CommandResult));
            return near is null
                ? $"{path}: unknown option '{word}' ({help}; a file whose name starts with '-' can be given as ./{word} or after --)."
                : $"{path}: unknown option '{word}'; did you mean {near}? ({help})";
        }
        if (parse.Errors.Count == 0) return null;
        string message = parse.Errors[0].Message.Trim().Replace(Environment.NewLine, " ", StringComparison.Ordinal);
        if (command.Subcommands.Count > 0 && command.Action is null)
            return $"{path}: expected a subcommand: {string.Join(", ", command.Subcommands.Where(c => !c.Hidden).Select(c => c.Name))} ({help}).";
        if (message.StartsWith("Unrecognized command or argument", StringComparison.Ordinal))
        {
            string? near = parse.UnmatchedTokens.Count > 0 ? Nearest(parse.UnmatchedTokens[0], command.Subcommands.Where(c => !c.Hidden).Select(c => c.Name)) : null;
            return $"{path}: {message.TrimEnd('.')}{(near is null ? "" : $"; did you mean {near}?")} ({help}).";
        }
        return $"{path}: {message.TrimEnd('.')} ({help}).";
    }

    /// <summary>"vitok data inspect" for a parse of that command.</summary>
    public static string CommandPath(CommandResult result)
    {
        var names = new List<string>();
        for (SymbolResult? r = result; r is CommandResult c; r = c.Parent) names.Add(c.Command is RootCommand ? "vitok" : c.Command.Name);
        names.Reverse();
        return string.Join(' ', names);
    }

    // Tokens that start with '-' (and are not numbers) but were taken as a command argument or left unmatched.
    private static IEnumerable<string> DashWordsTakenAsInputs(ParseResult parse)
    {
        var afterDoubleDash = new HashSet<string>(StringComparer.Ordinal);
        bool seen = false;
        foreach (var t in parse.Tokens)
        {
            if (t.Type == TokenType.DoubleDash) seen = true;
            else if (seen) afterDoubleDash.Add(t.Value);
        }
        var candidates = parse.CommandResult.Children.OfType<ArgumentResult>().SelectMany(a => a.Tokens.Select(t => t.Value))
            .Concat(parse.UnmatchedTokens);
        foreach (string v in candidates)
            if (v.Length > 1 && v[0] == '-' && !double.TryParse(v, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out _)
                && !afterDoubleDash.Contains(v))
                yield return v;
    }

    private static IEnumerable<string> OptionNames(CommandResult result)
    {
        for (SymbolResult? r = result; r is CommandResult c; r = c.Parent)
            foreach (var o in c.Command.Options.Where(o => !o.Hidden && (ReferenceEquals(c, result) || o.Recursive)))
            {
                yield return o.Name;
                foreach (string a in o.Aliases) yield return a;
            }
    }

    /// <summary>The candidate closest to <paramref name="word"/> by edit distance, when close enough to be a typo.</summary>
    public static string? Nearest(string word, IEnumerable<string> candidates)
    {
        string? best = null;
        int bestDistance = int.MaxValue;
        foreach (string c in candidates.Distinct())
        {
            int d = Levenshtein(word, c);
            if (d < bestDistance) (best, bestDistance) = (c, d);
        }
        return best is not null && bestDistance <= Math.Max(2, word.Length / 3) ? best : null;
    }

    private static int Levenshtein(string a, string b)
    {
        var prev = new int[b.Length + 1];
        var cur = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++) prev[j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            cur[0] = i;
            for (int j = 1; j <= b.Length; j++)
                cur[j] = Math.Min(Math.Min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            (prev, cur) = (cur, prev);
        }
        return prev[b.Length];
    }
}
