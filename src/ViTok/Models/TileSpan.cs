namespace ViTok.Models;

/// <summary>One tile along one axis of a tiled pass (<see cref="Tiling.Layout"/>), in grid units (tokens, or pixels
/// once multiplied by p): the model sees the window [<paramref name="WindowStart"/>, + <paramref name="WindowLength"/>)
/// and the result is kept on the core [<paramref name="CoreStart"/>, + <paramref name="CoreLength"/>) inside it, each
/// core position weighted by <paramref name="Weights"/> (length <paramref name="CoreLength"/>, in [0, 1]). The weights
/// of all tiles of an axis sum to 1 at every position, so the blend needs no normalisation.</summary>
/// <param name="CoreStart">First kept position.</param>
/// <param name="CoreLength">Kept positions.</param>
/// <param name="WindowStart">First position the model sees (≤ CoreStart).</param>
/// <param name="WindowLength">Positions the model sees (≥ CoreLength; the tile size, or the whole axis when shorter).</param>
/// <param name="Weights">Blend weight of each core position: 1 inside, a raised-cosine ramp where a neighbour's core overlaps.</param>
public sealed record TileSpan(long CoreStart, long CoreLength, long WindowStart, long WindowLength, float[] Weights)
{
    /// <summary>Position of the core inside the window.</summary>
    public long CoreOffset => CoreStart - WindowStart;

    /// <summary>One past the last kept position.</summary>
    public long CoreEnd => CoreStart + CoreLength;
}
