namespace ViTok.Layers;

/// <summary>Activation checkpointing (torch.utils.checkpoint): runs a block without keeping its activations and
/// recomputes them in the backward pass, trading compute for memory. Gradients are those of the plain block. The no_grad
/// forward and the recomputation each run in their own dispose scope, so their temporaries are freed at once instead of
/// living (in the caller's scope) until the training step ends, which made checkpointing cost more memory than none.</summary>
public sealed class ActivationCheckpoint : autograd.SingleTensorFunction<ActivationCheckpoint>
{
    /// <inheritdoc />
    public override string Name => nameof(ActivationCheckpoint);

    /// <summary>y = fn(x), recomputed in backward. Parameters used by <paramref name="fn"/> receive their gradients then.</summary>
    public static Tensor Run(Func<Tensor, Tensor> fn, Tensor x) => apply(x, fn);

    /// <inheritdoc />
    public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
    {
        var x = (Tensor)vars[0];
        var fn = (Func<Tensor, Tensor>)vars[1];
        ctx.save_for_backward([x]);
        ctx.save_data("fn", fn);
        using var _ = torch.no_grad();
        return torch.WrappedTensorDisposeScope(() => fn(x));
    }

    /// <inheritdoc />
    public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor grad)
    {
        var x = ctx.get_saved_variables()[0];
        var fn = (Func<Tensor, Tensor>)ctx.get_data("fn");
        using var scope = torch.NewDisposeScope();
        using var _ = torch.enable_grad();
        var input = x.detach().requires_grad_(true);
        var y = fn(input);
        torch.autograd.backward([y], [grad]);
        // One gradient per forward argument: the tensor, and none for the function.
        return [input.grad!.MoveToOuterDisposeScope(), null!];
    }
}
