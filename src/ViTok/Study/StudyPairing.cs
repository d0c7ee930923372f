namespace ViTok.Study;

/// <summary>How a plan's axes combine into runs.</summary>
public enum StudyPairing
{
    /// <summary>Every combination of the axes' values (a Cartesian product).</summary>
    Grid,

    /// <summary>The i-th value of every axis together (all axes have the same length).</summary>
    Zip,
}
