using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NeuralPhotoEdit.Networks;

/// <summary>
/// The discriminator's head: global mean pool of the trunk, minibatch discrimination, and a dense
/// layer giving logits over {real, reconstructed, generated} (the full IAN's ternary loss).
/// </summary>
public sealed class DiscriminatorHead : nn.Module<Tensor, Tensor>
{
    readonly MinibatchDiscrimination minibatch;
    readonly Linear classifier;

    public DiscriminatorHead(long trunkChannels, IanConfig config) : base(nameof(DiscriminatorHead))
    {
        minibatch = new MinibatchDiscrimination(trunkChannels, config.MinibatchKernels, config.MinibatchKernelDims);
        classifier = nn.Linear(minibatch.OutputFeatures(trunkChannels), config.DiscriminatorClasses);
        RegisterComponents();
    }

    public override Tensor forward(Tensor trunkOutput) =>
        classifier.forward(minibatch.forward(trunkOutput.mean([2, 3])));
}
