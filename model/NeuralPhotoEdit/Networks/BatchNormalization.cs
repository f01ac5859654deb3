using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NeuralPhotoEdit.Networks;

/// <summary>
/// Batch normalisation over the channels (dimension 1) of N×C features or N×C×H×W images:
/// TorchSharp's BatchNorm1d/BatchNorm2d with one difference. TorchSharp's forward counts batches with
/// <c>num_batches_tracked.add_(1)</c>, whose plain 1 becomes a finalizable native scalar (see
/// <see cref="Scalars"/>): a training step under forced collections failed exactly there. This one
/// counts with a cached integer 1. Parameters, buffers and their names are TorchSharp's (from
/// <see cref="NormBase"/>), so model files and checkpoints are unchanged.
/// </summary>
public sealed class BatchNormalization : BatchNorm
{
    // Integer, not Scalars.One: libtorch refuses to add a floating-point 1 to the int64 counter in place.
    static readonly Scalar OneBatch = 1L.ToScalar();
    readonly long _inputDimensions;

    BatchNormalization(long channels, long inputDimensions, string name)
        : base(channels, eps: 1e-5, momentum: 0.1, affine: true, track_running_stats: true, device: null, dtype: null, name) =>
        _inputDimensions = inputDimensions;

    /// <summary>For N×C features (TorchSharp's BatchNorm1d on 2-D input).</summary>
    public static BatchNormalization ForFeatures(long features) => new(features, 2, "BatchNorm1d");

    /// <summary>For N×C×H×W images (TorchSharp's BatchNorm2d).</summary>
    public static BatchNormalization ForImages(long channels) => new(channels, 4, "BatchNorm2d");

    /// <summary>What this normalisation does at inference, as y = scale·x + shift per channel
    /// (scale = γ/√(σ² + ε), shift = β − μ·scale, from the running statistics): folded into the
    /// layer before it by <see cref="Inference.InferenceDecoder"/>.</summary>
    public (Tensor Scale, Tensor Shift) InferenceAffine()
    {
        using var _ = no_grad();
        var scale = weight!.div(running_var!.Plus(eps).sqrt());
        var shift = bias! - running_mean! * scale;
        return (scale, shift);
    }

    protected override void ValidateInputDimensions(Tensor input)
    {
        if (input.dim() != _inputDimensions)
            throw new ArgumentException($"Batch normalisation expected {_inputDimensions}-D input, got {input.dim()}-D.");
    }

    public override Tensor forward(Tensor input)
    {
        ValidateInputDimensions(input);
        double averagingFactor = momentum ?? 0.0;
        if (training && track_running_stats && num_batches_tracked is not null)
        {
            num_batches_tracked.add_(OneBatch, OneBatch);
            // No momentum: a cumulative average of all batches so far, as in PyTorch.
            if (momentum is null) averagingFactor = 1.0 / num_batches_tracked.item<long>();
        }
        bool useBatchStatistics = training || (running_mean is null && running_var is null);
        bool passRunningStatistics = !training || track_running_stats;
        return nn.functional.batch_norm(input, passRunningStatistics ? running_mean : null, passRunningStatistics ? running_var : null,
                                        weight, bias, useBatchStatistics, averagingFactor, eps);
    }
}
