namespace ViTok.Metrics;

/// <summary>Argument checks shared by the image metrics.</summary>
internal static class ImageChecks
{
    /// <summary>Both tensors are images [..., C, H, W] (rank ≥ 3) of the same shape.</summary>
    public static void SameImageShape(Tensor reference, Tensor test)
    {
        if (reference.dim() < 3)
            throw new ArgumentException($"expected images [..., C, H, W], got [{string.Join(", ", reference.shape)}]");
        if (!reference.shape.SequenceEqual(test.shape))
            throw new ArgumentException(
                $"reference [{string.Join(", ", reference.shape)}] and test [{string.Join(", ", test.shape)}] differ in shape");
    }
}
