using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NeuralPhotoEdit.Networks;

/// <summary>
/// The encoder as a head on the discriminator trunk: flatten → dense + BN + ELU → two dense + BN
/// layers giving μ and log σ of the approximate posterior q(z|x).
/// </summary>
public sealed class EncoderHead : nn.Module<Tensor, (Tensor Mean, Tensor LogSigma)>
{
    readonly Linear hidden, mean, logSigma;
    readonly BatchNormalization hiddenNorm, meanNorm, logSigmaNorm;

    public EncoderHead(long trunkFeatures, IanConfig config) : base(nameof(EncoderHead))
    {
        hidden = nn.Linear(trunkFeatures, config.EncoderHidden, hasBias: false);
        hiddenNorm = BatchNormalization.ForFeatures(config.EncoderHidden);
        mean = nn.Linear(config.EncoderHidden, config.LatentSize, hasBias: false);
        meanNorm = BatchNormalization.ForFeatures(config.LatentSize);
        logSigma = nn.Linear(config.EncoderHidden, config.LatentSize, hasBias: false);
        logSigmaNorm = BatchNormalization.ForFeatures(config.LatentSize);
        RegisterComponents();
    }

    /// <summary>
    /// Batch norm on log σ normalises it to unit variance across the batch, so at a neutral init σ
    /// would range over e^±1 and the sampled code would be mostly noise: the decoder could not learn
    /// to reconstruct at all. Start the posterior narrow instead (log σ ≈ −3, σ ≈ 0.05) and let the KL
    /// term widen it.
    /// </summary>
    internal void InitialiseNarrowPosterior()
    {
        using var _ = torch.no_grad();
        logSigmaNorm.weight!.fill_(Scalars.Of(0.1));
        logSigmaNorm.bias!.fill_(Scalars.Of(-3));
    }

    public override (Tensor Mean, Tensor LogSigma) forward(Tensor trunkOutput)
    {
        var h = hiddenNorm.forward(hidden.forward(trunkOutput.flatten(1))).elu(Scalars.One, Scalars.One, Scalars.One);
        return (meanNorm.forward(mean.forward(h)), logSigmaNorm.forward(logSigma.forward(h)));
    }
}
