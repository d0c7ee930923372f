namespace ViTok;

/// <summary>Tensor arithmetic with no unrooted <see cref="Scalar"/> temporaries (see <see cref="Scalars"/>): each
/// method runs the very native op that the TorchSharp operator it replaces runs (same kernel, same Scalar type, so
/// results are bit-identical), with the Scalar held by <see cref="Scalars"/>. Tensor-with-tensor <c>*</c>, <c>/</c>
/// and <c>-</c> need no replacement: TorchSharp makes no Scalar for them.</summary>
public static class TensorMath
{
    /// <summary><c>a + b</c> (TorchSharp's <c>operator +</c> is <c>a.add(b, 1)</c>).</summary>
    public static Tensor Plus(this Tensor a, Tensor b) => a.add(b, Scalars.One);

    /// <summary><c>a + b</c> in place (<c>a.add_(b, 1)</c>).</summary>
    public static Tensor PlusInPlace(this Tensor a, Tensor b) => a.add_(b, Scalars.One);

    /// <summary><c>x + c</c> for an integer constant c (an int64 Scalar, as TorchSharp's operator makes).</summary>
    public static Tensor Plus(this Tensor x, long c) => x.add(Scalars.Of(c), Scalars.One);

    /// <summary><c>x - c</c> for an integer constant c.</summary>
    public static Tensor Minus(this Tensor x, long c) => x.sub(Scalars.Of(c));

    /// <summary><c>x * c</c> for an integer constant c.</summary>
    public static Tensor Times(this Tensor x, long c) => x.mul(Scalars.Of(c));

    /// <summary><c>x / c</c> for an integer constant c.</summary>
    public static Tensor Over(this Tensor x, long c) => x.div(Scalars.Of(c));

    /// <summary><c>c - x</c> for an integer constant c.</summary>
    public static Tensor SubtractedFrom(this Tensor x, long c) => x.negative().add(Scalars.Of(c), Scalars.One);

    /// <summary><c>x + c</c> for a constant c (<c>x.add(c, 1)</c>).</summary>
    public static Tensor Plus(this Tensor x, double c) => x.add(Scalars.Of(c), Scalars.One);

    /// <summary><c>x - c</c> for a constant c (<c>x.sub(c)</c>).</summary>
    public static Tensor Minus(this Tensor x, double c) => x.sub(Scalars.Of(c));

    /// <summary><c>x * c</c> for a constant c (<c>x.mul(c)</c>).</summary>
    public static Tensor Times(this Tensor x, double c) => x.mul(Scalars.Of(c));

    /// <summary><c>x / c</c> for a constant c (<c>x.div(c)</c>).</summary>
    public static Tensor Over(this Tensor x, double c) => x.div(Scalars.Of(c));

    /// <summary><c>c - x</c> for a constant c (TorchSharp: <c>x.negative().add(c, 1)</c>).</summary>
    public static Tensor SubtractedFrom(this Tensor x, double c) => x.negative().add(Scalars.Of(c), Scalars.One);

    /// <summary><c>c / x</c> for a constant c (TorchSharp: <c>x.reciprocal().mul(c)</c>).</summary>
    public static Tensor DividedInto(this Tensor x, double c) => x.reciprocal().mul(Scalars.Of(c));
}
