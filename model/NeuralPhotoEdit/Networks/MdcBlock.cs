using TorchSharp;
using static TorchSharp.torch;

namespace NeuralPhotoEdit.Networks;

/// <summary>
/// The paper's residual MDC block: x → BN → LReLU → MDC → BN → LReLU → MDC, added to x,
/// then BN → LReLU. Keeps the channel count and resolution.
/// </summary>
public sealed class MdcBlock : nn.Module<Tensor, Tensor>
{
    readonly BatchNormalization bn1, bn2, bnOut;
    readonly MdcConv2d mdc1, mdc2;

    public MdcBlock(long channels, IReadOnlyList<int> scales, bool reflect = false) : base(nameof(MdcBlock))
    {
        bn1 = BatchNormalization.ForImages(channels);
        mdc1 = new MdcConv2d(channels, channels, scales, reflect);
        bn2 = BatchNormalization.ForImages(channels);
        mdc2 = new MdcConv2d(channels, channels, scales, reflect);
        bnOut = BatchNormalization.ForImages(channels);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        var h = mdc1.forward(Activations.LeakyRelu(bn1.forward(x)));
        h = mdc2.forward(Activations.LeakyRelu(bn2.forward(h)));
        return Activations.LeakyRelu(bnOut.forward(x.Plus(h)));
    }

    /// <summary>The layers in the order the forward pass uses them (for <see cref="Inference.InferenceDecoder"/>).</summary>
    internal (BatchNormalization Norm1, MdcConv2d Mdc1, BatchNormalization Norm2, MdcConv2d Mdc2, BatchNormalization OutputNorm) Layers =>
        (bn1, mdc1, bn2, mdc2, bnOut);
}
