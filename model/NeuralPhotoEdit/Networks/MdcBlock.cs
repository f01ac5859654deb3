using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NeuralPhotoEdit.Networks;

/// <summary>
/// The paper's residual MDC block: x → BN → LReLU → MDC → BN → LReLU → MDC, added to x,
/// then BN → LReLU. Keeps the channel count and resolution.
/// </summary>
public sealed class MdcBlock : nn.Module<Tensor, Tensor>, IPreparesInference
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

    bool _bn2Folded;

    public override Tensor forward(Tensor x)
    {
        var h = mdc1.forward(Activations.LeakyRelu(bn1.forward(x)));
        if (!(_bn2Folded && !training)) h = bn2.forward(h);
        h = mdc2.forward(Activations.LeakyRelu(h));
        return Activations.LeakyRelu(bnOut.forward(x.Plus(h)));
    }

    /// <summary>The second normalisation follows the first MDC directly: it is folded into it.
    /// (The others follow the block's input and the residual sum, not a convolution.)</summary>
    public void PrepareInference((Tensor Scale, Tensor Shift)? followingNorm = null)
    {
        if (followingNorm is not null) throw new ArgumentException("An MDC block ends in its own normalisation.", nameof(followingNorm));
        using var scope = NewDisposeScope();
        mdc1.PrepareInference(bn2.InferenceAffine());
        mdc2.PrepareInference();
        _bn2Folded = true;
    }

    public void DropInference()
    {
        mdc1.DropInference();
        mdc2.DropInference();
        _bn2Folded = false;
    }
}
