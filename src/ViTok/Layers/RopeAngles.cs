namespace ViTok.Layers;

/// <summary>The one builder of rotary angle tables. Axis a with rotary dimension d_a gets d_a/2 inverse frequencies
/// ω_k = θ^(−2k/d_a), k = 0 … d_a/2 − 1 (Su et al., RoFormer, eq. 15), and a token at integer position p_a the angles
/// p_a·ω_k; the axes' angles are concatenated in the order given, so a head of dimension Dh = Σ d_a gets Dh/2 angles,
/// one per rotated pair. The paper's 3D RoPE (<see cref="Rope3D"/>), the DiT's grid RoPE and ViTok-v2's 2-D RoPE all
/// take their tables from here; they differ only in how they split Dh and in <see cref="Precision"/>.</summary>
public static class RopeAngles
{
    /// <summary>How the inverse frequencies are computed; both give float32 ω, rounded differently, and each family keeps
    /// the one its reference uses so that its numbers are unchanged.</summary>
    public enum Precision
    {
        /// <summary>θ^(−2k/d) in float64, rounded once to float32 (the paper family and the DiT).</summary>
        Float64,

        /// <summary>1 / θ^(2k/d) with θ and the exponent in float32, as ViTok-v2's reference
        /// (<c>vitok/models/modules/rotary_embedding.py</c>) computes it.</summary>
        Float32Reciprocal,
    }

    /// <summary>Inverse frequencies ω_k = θ^(−2k/d), k = 0 … d/2 − 1: float32 [d/2] on <paramref name="device"/>.</summary>
    /// <param name="axisDim">Rotary dimension d of the axis (even).</param>
    /// <param name="theta">Base θ (10000 in all references).</param>
    /// <param name="precision">How ω is rounded (see <see cref="Precision"/>).</param>
    /// <param name="device">Where the table is made.</param>
    public static Tensor InverseFrequencies(long axisDim, double theta, Precision precision, Device? device = null)
    {
        if (precision == Precision.Float64)
        {
            var k = torch.arange(Scalars.Of(0), Scalars.Of(axisDim), Scalars.Of(2), ScalarType.Float64, device);
            return torch.pow(theta, (-k).Over(axisDim)).to(ScalarType.Float32);                        // [d/2]
        }
        var exponents = torch.arange(Scalars.Of(0), Scalars.Of(axisDim), Scalars.Of(2), dtype: ScalarType.Int64, device: device)
            .to(ScalarType.Float32).Over(axisDim);
        return torch.pow(torch.tensor((float)theta, device: device), exponents).reciprocal();          // [d/2]
    }

    /// <summary>Cosines and sines of the angles of integer positions, one tensor of positions per axis (all of one
    /// shape [...], e.g. [N] or [B, N]): two float32 tensors [..., Σ d_a / 2], the axes' angles side by side in the
    /// order of <paramref name="positions"/>.</summary>
    /// <param name="positions">Integer (or float) positions per axis, each [...].</param>
    /// <param name="axisDims">Rotary dimension d_a of each axis (even), as many as <paramref name="positions"/>.</param>
    /// <param name="theta">Base θ.</param>
    /// <param name="precision">How the inverse frequencies are rounded.</param>
    public static (Tensor Cos, Tensor Sin) CosSin(IReadOnlyList<Tensor> positions, IReadOnlyList<long> axisDims, double theta,
        Precision precision = Precision.Float64)
    {
        if (positions.Count != axisDims.Count || positions.Count == 0)
            throw new ArgumentException($"{positions.Count} position axes for {axisDims.Count} rotary dimensions");
        var parts = new List<Tensor>(positions.Count);
        for (int a = 0; a < positions.Count; a++)
        {
            var invFreq = InverseFrequencies(axisDims[a], theta, precision, positions[a].device);      // [d_a/2]
            parts.Add(positions[a].to(ScalarType.Float32).unsqueeze(-1) * invFreq);                     // [..., d_a/2]
        }
        var angles = torch.cat(parts, dim: -1);                                                          // [..., Dh/2]
        return (angles.cos(), angles.sin());
    }
}
