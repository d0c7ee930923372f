namespace ViTok.Layers;

/// <summary>An open part of a <see cref="ComponentProfile"/> (from <see cref="ComponentProfile.Time"/>); disposing it
/// closes the part. The default value (no profile started) does nothing.</summary>
public readonly struct ComponentTimer : IDisposable
{
    private readonly ComponentProfile? _profile;

    internal ComponentTimer(ComponentProfile profile) => _profile = profile;

    /// <summary>Closes the part (no-op for a timer made with no profile started).</summary>
    public void Dispose() => _profile?.Close();
}
