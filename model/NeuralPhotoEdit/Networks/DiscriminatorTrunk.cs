using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NeuralPhotoEdit.Networks;

/// <summary>
/// The convolutional trunk shared by the discriminator and the encoder (the "introspective" part of
/// the IAN): stride-2 convolutions down to 4 px, LeakyReLU(0.2), batch norm on all but the first.
/// </summary>
public sealed class DiscriminatorTrunk : nn.Module<Tensor, Tensor>
{
    readonly ModuleList<Conv2d> convs = new();
    readonly ModuleList<nn.Module<Tensor, Tensor>> norms = new();

    public DiscriminatorTrunk(IanConfig config) : base(nameof(DiscriminatorTrunk))
    {
        long inChannels = 3;
        int padding = (config.TrunkKernel - 1) / 2;
        for (int i = 0; i < config.TrunkWidths.Length; i++)
        {
            int width = config.TrunkWidths[i];
            convs.Add(nn.Conv2d(inChannels, width, config.TrunkKernel, stride: 2, padding: padding, bias: i == 0));
            norms.Add(i == 0 ? nn.Identity() : BatchNormalization.ForImages(width));
            inChannels = width;
        }
        OutputChannels = inChannels;
        RegisterComponents();
    }

    public long OutputChannels { get; }

    /// <summary>Every layer's activation, finest first; the last one is the trunk's output (C×4×4).
    /// The feature-matching loss compares all of them.</summary>
    public Tensor[] Features(Tensor images)
    {
        var features = new Tensor[convs.Count];
        var h = images;
        for (int i = 0; i < convs.Count; i++)
        {
            h = Activations.LeakyRelu(norms[i].forward(convs[i].forward(h)));
            features[i] = h;
        }
        return features;
    }

    public override Tensor forward(Tensor images) => Features(images)[^1];
}
