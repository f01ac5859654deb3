using TorchSharp;
using static TorchSharp.torch;

namespace NeuralPhotoEdit.Networks;

/// <summary>
/// A stride-1 2-D convolution (square kernel, no bias) whose gradient with respect to its input is
/// computed as a forward convolution.
/// <para>
/// Why: libtorch's CPU backward computes ∂L/∂x as a transposed convolution, and for the narrow
/// full-resolution layers of the generator's output (1–6 channels, 9×9 combined kernels at 64 px)
/// that is several times slower than the forward convolution it mirrors (measured at training batches;
/// docs/speed.md). With stride 1 the two are the same linear map:
/// ∂L/∂x = conv2d(∂L/∂y, Wᵀ flipped, padding d(k−1)−p, dilation d). So the value and the weight
/// gradient come from libtorch's convolution of the detached input, and a small autograd node
/// attaches the input gradient computed that way. Values and gradients are those of
/// <c>conv2d</c> up to float rounding (tested).
/// </para>
/// <para>
/// Only for training-sized batches: at the editor's batch of one window libtorch's own backward is
/// faster, the managed autograd node's overhead outweighing what it saves (measured on the latent step,
/// alternating in one process).
/// </para>
/// </summary>
public static class FastConv2d
{
    /// <summary>Smallest batch that takes the input gradient as a forward convolution.</summary>
    public const long CustomGradientMinimumBatch = 16;

    /// <param name="reflect">Pad with the input mirrored at its border instead of zeros.</param>
    public static Tensor Apply(Tensor input, Tensor weight, long padding, long dilation = 1, Tensor? bias = null, bool reflect = false)
    {
        if (reflect && padding > 0)
        {
            input = nn.functional.pad(input, [padding, padding, padding, padding], PaddingModes.Reflect);
            padding = 0;
        }
        bool inputNeedsGradient = input.requires_grad && is_grad_enabled();
        long kernel = weight.shape[2];
        if (!inputNeedsGradient || input.shape[0] < CustomGradientMinimumBatch || weight.shape[3] != kernel || padding > dilation * (kernel - 1))
            return nn.functional.conv2d(input, weight, bias, padding: [padding, padding], dilation: [dilation, dilation]);

        var output = nn.functional.conv2d(input.detach(), weight, bias, padding: [padding, padding], dilation: [dilation, dilation]);
        return InputGradient.apply(output, input, weight.detach(), padding, dilation);
    }

    /// <summary>Passes its first argument through unchanged; its backward passes the gradient on to
    /// that argument and adds the convolution's input gradient for the second.</summary>
    sealed class InputGradient : autograd.SingleTensorFunction<InputGradient>
    {
        public override string Name => nameof(FastConv2d);

        public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
        {
            ctx.save_for_backward([(Tensor)vars[2]]);
            ctx.save_data("padding", vars[3]);
            ctx.save_data("dilation", vars[4]);
            return ((Tensor)vars[0]).alias();
        }

        public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor gradOutput)
        {
            var weight = ctx.get_saved_variables()[0];
            long padding = (long)ctx.get_data("padding"), dilation = (long)ctx.get_data("dilation");
            long reversePadding = dilation * (weight.shape[2] - 1) - padding;
            var gradInput = nn.functional.conv2d(gradOutput, weight.transpose(0, 1).flip(2, 3),
                                                 padding: [reversePadding, reversePadding], dilation: [dilation, dilation]);
            return [gradOutput, gradInput, null!, null!, null!];
        }
    }
}
