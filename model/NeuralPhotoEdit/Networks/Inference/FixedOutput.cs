using TorchSharp;
using static TorchSharp.torch;

namespace NeuralPhotoEdit.Networks.Inference;

/// <summary>
/// The RGB-Beta output for inference: its three parts — what all three colours read from the features,
/// what green reads from red, what blue reads from red and green — branch by branch, not as the combined
/// kernel training uses: at the editor's batch of one the (2m+1)² kernel's extra zeros cost more than the
/// calls it saves (docs/speed.md).
/// </summary>
sealed class FixedRgbBetaOutput : IFixedLayer
{
    readonly FixedConvolution _fromFeatures, _greenFromRed, _blueFromRedGreen;

    public FixedRgbBetaOutput(RgbBetaOutput output)
    {
        using var scope = NewDisposeScope();
        var (fromFeatures, greenFromRed, blueFromRedGreen) = output.Parts(output.Features);
        FixedConvolution Fixed((Tensor Weight, Tensor Coefficients) part) =>
            FixedConvolution.OfMdcBranches(part.Weight, part.Coefficients, output.Scales, output.Reflects);
        (_fromFeatures, _greenFromRed, _blueFromRedGreen) = (Fixed(fromFeatures), Fixed(greenFromRed), Fixed(blueFromRedGreen));
    }

    public Tensor Apply(Tensor h) => RgbBetaOutput.Evaluate(h, _fromFeatures.Apply, _greenFromRed.Apply, _blueFromRedGreen.Apply);

    public void Dispose()
    {
        _fromFeatures.Dispose();
        _greenFromRed.Dispose();
        _blueFromRedGreen.Dispose();
    }
}

/// <summary>The plain DCGAN output for inference: its convolution with bias, then tanh.</summary>
sealed class FixedTanhOutput(TanhOutput output) : IFixedLayer
{
    readonly FixedConvolution _convolution = FixedConvolution.Plain(output.Convolution.weight!, output.Convolution.bias);

    public Tensor Apply(Tensor h) => torch.tanh(_convolution.Apply(h));

    public void Dispose() => _convolution.Dispose();
}
