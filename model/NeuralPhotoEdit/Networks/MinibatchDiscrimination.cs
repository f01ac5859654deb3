using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NeuralPhotoEdit.Networks;

/// <summary>
/// Minibatch discrimination (Salimans et al. 2016), as used by the IAN's discriminator head: each
/// sample's features are projected to K kernels of D dims; for every kernel, the sample gets
/// exp(−‖M_i − M_j‖₁) averaged over the other samples of the batch (an average rather than
/// Salimans' sum, so the features stay in [0, 1] whatever the batch size). Output: [features, K closeness].
/// Lets the discriminator see a collapsed batch of near-identical samples.
/// </summary>
public sealed class MinibatchDiscrimination : nn.Module<Tensor, Tensor>
{
    readonly long _kernels, _dims;
    readonly Parameter projection;
    readonly Parameter bias;

    public MinibatchDiscrimination(long inFeatures, long kernels, long dims) : base(nameof(MinibatchDiscrimination))
    {
        _kernels = kernels;
        _dims = dims;
        projection = new Parameter(torch.randn(inFeatures, kernels * dims).Times(0.05));
        bias = new Parameter(torch.zeros(kernels));
        RegisterComponents();
    }

    public long OutputFeatures(long inFeatures) => inFeatures + _kernels;

    public override Tensor forward(Tensor features)
    {
        if (_kernels == 0) return features;
        long n = features.shape[0];
        var m = features.matmul(projection).view(n, _kernels, _dims);            // N×K×D
        var l1 = (m.unsqueeze(0) - m.unsqueeze(1)).abs().sum(3);                  // N×N×K
        // Exclude each sample's distance to itself (exp(0) = 1 would say nothing).
        var notSelf = torch.eye(n, device: features.device).unsqueeze(2).OneMinus();
        var closeness = (torch.exp(-l1) * notSelf).sum(1).DividedBy(Math.Max(1, n - 1)).Plus(bias);  // N×K
        return torch.cat([features, closeness], 1);
    }
}
