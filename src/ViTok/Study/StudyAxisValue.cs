namespace ViTok.Study;

/// <summary>One value of a study axis: the config overrides it sets (in <c>--set key=value</c> form, keys as in the
/// train config) and the short label that names it in run folders, tables and plot legends.</summary>
/// <param name="Label">e.g. "8" or "p4c8"; letters, digits, '.', '-', '+' only.</param>
/// <param name="Overrides">Config key → JSON value text, e.g. ("channels", "8"), ("loss.perceptual_weight", "0.1").</param>
public sealed record StudyAxisValue(string Label, IReadOnlyList<KeyValuePair<string, string>> Overrides);
