using TorchSharp;
using static TorchSharp.torch;

namespace NeuralPhotoEdit.Networks.Inference;

/// <summary>
/// A ×2 upsampling layer with the batch normalisation after it folded in: its kernel scaled per output
/// channel, the normalisation's shift as its bias. Computed by the trained layer's own operation.
/// </summary>
sealed class FixedUpsampling : IFixedLayer
{
    readonly Func<Tensor, Tensor, Tensor, Tensor> _operation;
    readonly Tensor _kernel, _bias;

    FixedUpsampling(Tensor kernel, Tensor bias, Func<Tensor, Tensor, Tensor, Tensor> operation)
    {
        _kernel = Kept.Copy(kernel);
        _bias = Kept.Copy(bias);
        _operation = operation;
    }

    public static FixedUpsampling Of(nn.Module<Tensor, Tensor> layer, (Tensor Scale, Tensor Shift) followingNorm)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var (scale, shift) = followingNorm;
        return layer switch
        {
            // [in, out, k, k]: the output channels are dimension 1.
            TransposedConvolution transposed => new(transposed.Weight * scale.view(1, -1, 1, 1), shift,
                (x, kernel, bias) => TransposedConvolution.Apply(x, kernel, bias, transposed.Padding, transposed.OutputPadding)),
            ResizeConvolution resize => new(Kept.ScaleOutputs(resize.Weight, scale), shift, resize.Apply),
            _ => throw new ArgumentException($"No fixed form for {layer.GetName()}.", nameof(layer)),
        };
    }

    public Tensor Apply(Tensor input) => _operation(input, _kernel, _bias);

    public void Dispose()
    {
        _kernel.Dispose();
        _bias.Dispose();
    }
}
