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
public sealed class TransposedConvolution : nn.Module<Tensor, Tensor>
{
    readonly long _padding, _outputPadding;
    readonly Parameter weight;

    public TransposedConvolution(long inChannels, long outChannels, int kernel, long padding, long outputPadding)
        : base(nameof(TransposedConvolution))
    {
        if (padding > kernel - 1 || outputPadding < 0 || outputPadding > 1)
            throw new InvalidDataException($"Invalid model config: a transposed {kernel}×{kernel} convolution cannot have padding {padding} and " +
                $"output padding {outputPadding}.");
        _padding = padding;
        _outputPadding = outputPadding;
        weight = new Parameter(empty(inChannels, outChannels, kernel, kernel));
        RegisterComponents();
    }

    /// <summary>[in, out, k, k], as ConvTranspose2d stores it.</summary>
    public Parameter Weight => weight;

    public long Padding => _padding;
    public long OutputPadding => _outputPadding;

    public override Tensor forward(Tensor x) => Apply(x, weight, bias: null, _padding, _outputPadding);

    /// <summary>The stride-2 transposed convolution of <paramref name="x"/> by <paramref name="kernel"/>
    /// ([in, out, k, k]) plus <paramref name="bias"/>, by libtorch where its kernel is correct, else as a
    /// forward convolution of the spread input.</summary>
    public static Tensor Apply(Tensor x, Tensor kernel, Tensor? bias, long padding, long outputPadding)
    {
        if (OneDnnGuard.TransposedConvolutionIsCorrect)
            return nn.functional.conv_transpose2d(x, kernel, bias, strides: [2, 2], padding: [padding, padding],
                                                  output_padding: [outputPadding, outputPadding]);
        long n = x.shape[0], c = x.shape[1], h = x.shape[2], w = x.shape[3], k = kernel.shape[2];
        // Zeros after every column, then after every row: 2h × 2w with x at the even positions.
        var spread = nn.functional.pad(x.view(n, c, h, 1, w, 1), [0, 1, 0, 0, 0, 1]).view(n, c, 2 * h, 2 * w);
        // The transposed convolution's output starts k−1−p before the first input pixel and ends
        // k−1−p+o after the last one; the spread already has one zero after the last.
        long before = k - 1 - padding, after = before + outputPadding - 1;
        var padded = nn.functional.pad(spread, [before, after, before, after]);
        return FastConv2d.Apply(padded, kernel.transpose(0, 1).flip(2, 3), padding: 0, bias: bias);
    }
}
