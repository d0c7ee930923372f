namespace ViTok.Data;

/// <summary>A point in the loader's stream that a trainer can save and resume from: <see cref="Index"/> items of epoch
/// <see cref="Epoch"/>'s (sharded) order have been consumed, skipped ones included.</summary>
/// <param name="Epoch">The epoch, from 0.</param>
/// <param name="Index">Items of that epoch's order already consumed.</param>
public readonly record struct LoaderPosition(int Epoch, long Index)
{
    /// <inheritdoc/>
    public override string ToString() => $"epoch {Epoch}, item {Index}";
}
