namespace ViTok.Training;

/// <summary>Where a data stream stands: the epoch and the index of the next item within that epoch's order.</summary>
public readonly record struct DataPosition(long Epoch, long Index);
