using TorchSharp;
using static TorchSharp.torch;

namespace NeuralPhotoEdit.Networks.Inference;

/// <summary>
/// The decoder G(z) built for editing from a trained <see cref="Decoder"/>: the same function, computed
/// faster. Every batch normalisation that follows a layer is folded into it (a loaded model's
/// normalisations are fixed affine maps), and each layer keeps the kernels that run fastest at a batch
/// of one. Editing decodes thousands of times with the same weights, so this is built once per loaded
/// model. Values and latent gradients equal the trained decoder's in evaluation mode to float rounding
/// (tested); the weights are copies, so a later change to the trained ones doesn't reach it.
/// </summary>
public sealed class InferenceDecoder : IDisposable
{
    readonly Tensor _denseWeight, _denseBias;
    readonly long _baseChannels;
    readonly (IFixedLayer Upsampling, IFixedLayer? Block)[] _stages;
    readonly IFixedLayer _output;

    public InferenceDecoder(Decoder decoder)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var (dense, denseNorm, baseChannels, stages, output) = decoder.Layers;
        var (scale, shift) = denseNorm.InferenceAffine();
        _denseWeight = Kept.Copy(dense.weight! * scale.view(-1, 1));
        _denseBias = Kept.Copy(shift);
        _baseChannels = baseChannels;
        _stages = stages.Select(stage => (
            (IFixedLayer)FixedUpsampling.Of(stage.Upsampling, stage.Norm.InferenceAffine()),
            stage.Block is MdcBlock block ? new FixedMdcBlock(block) : (IFixedLayer?)null)).ToArray();
        _output = output switch
        {
            RgbBetaOutput rgbBeta => new FixedRgbBetaOutput(rgbBeta),
            TanhOutput tanh => new FixedTanhOutput(tanh),
            _ => throw new ArgumentException($"No fixed form for {output.GetName()}.", nameof(decoder)),
        };
    }

    /// <summary>G(z): dense + ReLU, then each upsampling + ReLU and its block, then the output layer.</summary>
    public Tensor Decode(Tensor z)
    {
        var h = nn.functional.relu(nn.functional.linear(z, _denseWeight, _denseBias)).view(-1, _baseChannels, 4, 4);
        foreach (var (upsampling, block) in _stages)
        {
            h = nn.functional.relu(upsampling.Apply(h));
            if (block is not null) h = block.Apply(h);
        }
        return _output.Apply(h);
    }

    public void Dispose()
    {
        _denseWeight.Dispose();
        _denseBias.Dispose();
        foreach (var (upsampling, block) in _stages)
        {
            upsampling.Dispose();
            block?.Dispose();
        }
        _output.Dispose();
    }
}
