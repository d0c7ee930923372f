using System.Text.Json.Nodes;

namespace ViTok.Study;

/// <summary>What the study runner needs done for one run: train it (new or resumed) and evaluate it. The project's
/// implementation is <see cref="StudyExecutor"/> (the <c>vitok train</c> trainer and the <c>vitok eval</c>
/// evaluator); tests substitute their own.</summary>
public interface IStudyExecutor
{
    /// <summary>Trains the run folder until its configured steps (resuming from its newest checkpoint when
    /// <paramref name="resume"/>), reporting (step, steps). Returns whether it finished (false: cancelled, state saved).</summary>
    /// <exception cref="ViTokException">Training failed (the runner retries from the last checkpoint).</exception>
    bool Train(JsonObject config, string runFolder, bool resume, Action<int, int> progress, CancellationToken ct);

    /// <summary>Evaluates the trained run folder; returns the row fields: e, tokens, channels, params_encoder,
    /// params_decoder, gmacs_encoder, gmacs_decoder, steps, train_seconds, eval_seconds and metrics{…}.</summary>
    /// <exception cref="ViTokException">The model or the evaluation data cannot be read.</exception>
    JsonObject Evaluate(JsonObject config, string runFolder, StudyEval eval, CancellationToken ct);

    /// <summary>The generation stage of a trained and evaluated run (<see cref="StudyGeneration"/>): encode its
    /// training data, train the DiT, measure its samples against the evaluation data. Returns row fields to add
    /// (<c>metrics{gfd_resnet18}</c>, <c>dit_params</c>, <c>dit_steps</c>, <c>generation_seconds</c>), or null when
    /// cancelled (the state is saved; the next call resumes).</summary>
    /// <exception cref="ViTokException">Encoding, DiT training or the measurement failed (the runner retries).</exception>
    JsonObject? Generate(JsonObject config, string runFolder, StudyGeneration generation, StudyEval eval, CancellationToken ct);
}
