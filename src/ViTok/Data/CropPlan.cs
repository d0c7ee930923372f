namespace ViTok.Data;

/// <summary>The geometry one transform applies to an image (or to every frame of a clip): the source box
/// [<see cref="SrcTop"/>, +<see cref="SrcHeight"/>) × [<see cref="SrcLeft"/>, +<see cref="SrcWidth"/>) is resized to
/// <see cref="ResizeHeight"/> × <see cref="ResizeWidth"/>, the window at (<see cref="OutTop"/>, <see cref="OutLeft"/>) of
/// size <see cref="OutHeight"/> × <see cref="OutWidth"/> is kept, and it is mirrored when <see cref="Flip"/> is set.</summary>
/// <param name="SrcTop">Top row of the source box.</param>
/// <param name="SrcLeft">Left column of the source box.</param>
/// <param name="SrcHeight">Height of the source box.</param>
/// <param name="SrcWidth">Width of the source box.</param>
/// <param name="ResizeHeight">Height the box is resized to.</param>
/// <param name="ResizeWidth">Width the box is resized to.</param>
/// <param name="OutTop">Top row of the kept window in the resized box.</param>
/// <param name="OutLeft">Left column of the kept window in the resized box.</param>
/// <param name="OutHeight">Output height.</param>
/// <param name="OutWidth">Output width.</param>
/// <param name="Flip">Mirror left-right.</param>
public readonly record struct CropPlan(
    int SrcTop, int SrcLeft, int SrcHeight, int SrcWidth,
    int ResizeHeight, int ResizeWidth,
    int OutTop, int OutLeft, int OutHeight, int OutWidth,
    bool Flip)
{
    /// <summary>The plan that keeps an image as it is.</summary>
    public static CropPlan Identity(int height, int width) =>
        new(0, 0, height, width, height, width, 0, 0, height, width, false);

    /// <summary>True when no resampling is needed (the box is copied, possibly mirrored).</summary>
    public bool IsCopy => SrcHeight == ResizeHeight && SrcWidth == ResizeWidth;
}
