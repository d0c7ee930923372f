using ViTok.Data;

namespace ViTok.Training;

/// <summary>Everything a resume needs besides the tensors of a training state (<see cref="TrainState"/>).</summary>
/// <typeparam name="TConfig">The recipe's run config.</typeparam>
/// <param name="Config">The resolved run config the state was written with.</param>
/// <param name="Step">Steps done (the next step to run, 0-based).</param>
/// <param name="Position">Data position of the next batch.</param>
/// <param name="BadInRow">Non-finite steps in a row so far.</param>
/// <param name="Metadata">The whole metadata of the file (the recipe's own entries, e.g. the DiT's latent space).</param>
public sealed record TrainStateInfo<TConfig>(TConfig Config, int Step, LoaderPosition Position, int BadInRow, IReadOnlyDictionary<string, string> Metadata);
