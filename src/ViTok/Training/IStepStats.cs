namespace ViTok.Training;

/// <summary>What the shared loop (<see cref="TrainingRun{TConfig, TStats}"/>) reads of a recipe's step figures.</summary>
public interface IStepStats
{
    /// <summary>The step (0-based) these figures are of.</summary>
    int Step { get; }

    /// <summary>Whether the step was skipped for a non-finite loss or gradient (nothing was updated).</summary>
    bool Skipped { get; }
}
