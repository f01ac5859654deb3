using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NeuralPhotoEdit.Networks;

/// <summary>
/// The paper's stride-2 transposed convolution (no bias), computed as a stride-1 forward convolution
/// of the input with a zero inserted after every pixel: conv_transpose2d(x, W, stride 2, p, o) =
/// conv2d(pad(spread(x), k−1−p), Wᵀ flipped). Same values, same parameter ("weight", [in, out, k, k],
/// ConvTranspose2d's layout) so every model file loads unchanged.
/// <para>
/// Why: libtorch's conv_transpose2d is used wherever the start-up check finds it correct, but its
/// oneDNN kernel returns wrong values or NaN on some CPUs (AMD Zen 5 with AVX-512, libtorch 2.10; see
/// <see cref="OneDnnGuard"/>) — e.g. when training there with oneDNN limited to AVX2. This form needs
/// only forward convolutions (the input gradient through <see cref="FastConv2d"/>) and weight
/// gradients, the kernels checked correct; the zeros cost 4× the multiply-adds.
/// </para>
/// </summary>
public sealed class TransposedConvolution : nn.Module<Tensor, Tensor>, IPreparesInference
{
    readonly long _padding, _outputPadding;
    readonly Parameter weight;
    /// <summary>Inference weights: the kernel with the following normalisation folded in, and its bias.</summary>
    Tensor? _inferenceWeight, _inferenceBias;

    public TransposedConvolution(long inChannels, long outChannels, int kernel, long padding, long outputPadding)
        : base(nameof(TransposedConvolution))
    {
        if (padding > kernel - 1 || outputPadding < 0 || outputPadding > 1)
            throw new InvalidDataException($"Invalid model config: a transposed {kernel}×{kernel} convolution cannot have padding {padding} and output padding {outputPadding}.");
        _padding = padding;
        _outputPadding = outputPadding;
        weight = new Parameter(empty(inChannels, outChannels, kernel, kernel));
        RegisterComponents();
    }

    /// <summary>[in, out, k, k], as ConvTranspose2d stores it.</summary>
    public Parameter Weight => weight;

    public override Tensor forward(Tensor x)
    {
        bool prepared = _inferenceWeight is not null && !training;
        var kernel = prepared ? _inferenceWeight! : weight;
        var bias = prepared ? _inferenceBias : null;
        if (OneDnnGuard.TransposedConvolutionIsCorrect)
            return nn.functional.conv_transpose2d(x, kernel, bias, strides: [2, 2], padding: [_padding, _padding],
                                                  output_padding: [_outputPadding, _outputPadding]);
        long n = x.shape[0], c = x.shape[1], h = x.shape[2], w = x.shape[3], k = weight.shape[2];
        // Zeros after every column, then after every row: 2h × 2w with x at the even positions.
        var spread = nn.functional.pad(x.view(n, c, h, 1, w, 1), [0, 1, 0, 0, 0, 1]).view(n, c, 2 * h, 2 * w);
        // The transposed convolution's output starts k−1−p before the first input pixel and ends
        // k−1−p+o after the last one; the spread already has one zero after the last.
        long before = k - 1 - _padding, after = before + _outputPadding - 1;
        var padded = nn.functional.pad(spread, [before, after, before, after]);
        return FastConv2d.Apply(padded, kernel.transpose(0, 1).flip(2, 3), padding: 0, bias: bias);
    }

    public void PrepareInference((Tensor Scale, Tensor Shift)? followingNorm = null)
    {
        DropInference();
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        // [in, out, k, k]: the output channels are dimension 1.
        _inferenceWeight = InferenceWeights.Keep(followingNorm is { Scale: var scale } ? weight * scale.view(1, -1, 1, 1) : weight.clone());
        _inferenceBias = followingNorm is { Shift: var shift } ? InferenceWeights.Keep(shift) : null;
    }

    public void DropInference()
    {
        InferenceWeights.Drop(ref _inferenceWeight);
        InferenceWeights.Drop(ref _inferenceBias);
    }
}
