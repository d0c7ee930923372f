namespace ViTok.Study;

/// <summary>One axis of a study: a name and the values it takes.</summary>
/// <param name="Name">The axis name (a config key such as "channels", or a free name such as "shape" whose values
/// each set several keys).</param>
/// <param name="Values">At least one value; labels are distinct within the axis.</param>
public sealed record StudyAxis(string Name, IReadOnlyList<StudyAxisValue> Values);
