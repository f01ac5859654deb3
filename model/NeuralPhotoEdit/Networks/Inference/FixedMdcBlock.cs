using TorchSharp;
using static TorchSharp.torch;

namespace NeuralPhotoEdit.Networks.Inference;

/// <summary>
/// An MDC residual block for inference: x → BN → LReLU → MDC → BN → LReLU → MDC, added to x, then
/// BN → LReLU, with the normalisation after the first MDC folded into it. The other two follow the
/// block's input and the residual sum, not a convolution: they stay normalisations by fixed statistics.
/// </summary>
sealed class FixedMdcBlock : IFixedLayer
{
    readonly FixedNormalization _inputNorm, _outputNorm;
    readonly FixedConvolution _first, _second;

    public FixedMdcBlock(MdcBlock block)
    {
        var (norm1, mdc1, norm2, mdc2, outputNorm) = block.Layers;
        _inputNorm = new FixedNormalization(norm1);
        _first = FixedConvolution.OfMdc(mdc1, norm2.InferenceAffine());
        _second = FixedConvolution.OfMdc(mdc2);
        _outputNorm = new FixedNormalization(outputNorm);
    }

    public Tensor Apply(Tensor x)
    {
        var h = _first.Apply(Activations.LeakyRelu(_inputNorm.Apply(x)));
        h = _second.Apply(Activations.LeakyRelu(h));
        return Activations.LeakyRelu(_outputNorm.Apply(x.Plus(h)));
    }

    public void Dispose()
    {
        _inputNorm.Dispose();
        _first.Dispose();
        _second.Dispose();
        _outputNorm.Dispose();
    }
}

/// <summary>A batch normalisation by its running statistics, as in evaluation mode.</summary>
sealed class FixedNormalization(BatchNormalization norm) : IFixedLayer
{
    readonly Tensor _mean = Kept.Copy(norm.running_mean!), _variance = Kept.Copy(norm.running_var!),
                    _weight = Kept.Copy(norm.weight!), _bias = Kept.Copy(norm.bias!);
    readonly double _epsilon = norm.eps;

    public Tensor Apply(Tensor input) =>
        nn.functional.batch_norm(input, _mean, _variance, _weight, _bias, training: false, momentum: 0, eps: _epsilon);

    public void Dispose()
    {
        foreach (var tensor in new[] { _mean, _variance, _weight, _bias }) tensor.Dispose();
    }
}
