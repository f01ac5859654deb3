using NeuralPhotoEdit.Networks;
using static TorchSharp.torch;

namespace NeuralPhotoEdit.Training;

/// <summary>The terms of the IAN objective (paper §3.2 and the authors' code), each on its own.</summary>
public static class IanObjective
{
    /// <summary>Ternary discriminator labels: real photo X, reconstruction G(E(X)), sample G(z).</summary>
    public enum Label : long { Real = 0, Reconstructed = 1, Generated = 2 }

    public const double PixelWeight = 3;
    public const double FeatureWeight = 1;
    // The KL and adversarial weights are training options: see ObjectiveWeights.
    public const double OrthogonalWeight = 1e-3;

    /// <summary>Cross-entropy of the discriminator's logits against one label for the whole batch.
    /// A binary discriminator (2 classes) folds "reconstructed" and "generated" into "fake".</summary>
    public static Tensor Adversarial(Tensor logits, Label label)
    {
        long classes = logits.shape[1];
        long target = Math.Min((long)label, classes - 1);
        using var targets = full(logits.shape[0], Scalars.Of(target), ScalarType.Int64, logits.device);
        return nn.functional.cross_entropy(logits, targets);
    }

    /// <summary>Mean absolute error between reconstruction and photo, on [−1, 1] pixels.</summary>
    public static Tensor Pixel(Tensor reconstruction, Tensor images) => (reconstruction - images).abs().mean();

    /// <summary>Feature matching: mean squared error between the trunk's activations for the photo
    /// and for its reconstruction, averaged over the trunk's layers.</summary>
    public static Tensor Feature(IReadOnlyList<Tensor> reconstructionFeatures, IReadOnlyList<Tensor> imageFeatures)
    {
        var total = zeros(1, device: reconstructionFeatures[0].device).squeeze();
        for (int i = 0; i < reconstructionFeatures.Count; i++)
            total = total.Plus(nn.functional.mse_loss(reconstructionFeatures[i], imageFeatures[i]));
        return total.DividedBy(reconstructionFeatures.Count);
    }

    /// <summary>KL(q(z|x) ‖ N(0, I)) = −½·mean(1 + 2 log σ − μ² − σ²).</summary>
    public static Tensor Kl(Tensor mean, Tensor logSigma)
    {
        var twoLogSigma = logSigma.Times(2);
        var variance = twoLogSigma.exp();
        return (mean.Squared().Plus(variance) - twoLogSigma).Minus(1).mean().Times(0.5);   // ½·mean(μ² + σ² − 2 log σ − 1)
    }

    /// <summary>Orthogonal regularisation Σ |W Wᵀ − I| over filter banks (paper v3): each filter
    /// flattened to a row.</summary>
    public static Tensor Orthogonal(IEnumerable<Tensor> filterBanks)
    {
        Tensor? total = null;
        foreach (var bank in filterBanks)
        {
            var rows = bank.reshape(bank.shape[0], -1);
            var gram = rows.matmul(rows.t());
            var term = (gram - eye(gram.shape[0], device: gram.device)).abs().sum();
            total = total is null ? term : total.Plus(term);
        }
        return total ?? tensor(0f);
    }

    /// <summary>The filter banks of every convolution in a module, one row per output filter.</summary>
    public static IEnumerable<Tensor> FilterBanks(TorchSharp.torch.nn.Module module)
    {
        foreach (var (_, m) in module.named_modules())
        {
            switch (m)
            {
                case TorchSharp.Modules.Conv2d conv: yield return conv.weight!; break;
                // Transposed convolutions store [in, out, k, k]: a filter is one output channel.
                case TransposedConvolution deconv: yield return deconv.Weight.transpose(0, 1); break;
                case MdcConv2d mdc: yield return mdc.Weight; break;
            }
        }
    }
}
