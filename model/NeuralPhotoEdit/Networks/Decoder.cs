using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NeuralPhotoEdit.Networks;

/// <summary>
/// The decoder G(z): dense to C×4×4 + BN + ReLU, then ×2 upsamplings with BN + ReLU (stride-2
/// transposed convolutions, or a nearest-neighbour or bilinear resize + 3×3 convolution: see
/// <see cref="IanConfig.Upsampling"/>), each followed by an MDC residual block where the config asks
/// for one, a last upsampling to full resolution, and the RGB-Beta (or tanh) output. Images are in [−1, 1].
/// </summary>
public sealed class Decoder : nn.Module<Tensor, Tensor>
{
    readonly long _baseChannels;
    readonly Linear dense;
    readonly BatchNormalization denseNorm;
    readonly ModuleList<nn.Module<Tensor, Tensor>> upsamplers = new();
    readonly ModuleList<BatchNormalization> upsampleNorms = new();
    readonly ModuleList<nn.Module<Tensor, Tensor>> blocks = new();
    readonly nn.Module<Tensor, Tensor> output;

    public Decoder(IanConfig config) : base(nameof(Decoder))
    {
        var widths = config.GeneratorWidths;
        _baseChannels = widths[0];
        dense = nn.Linear(config.LatentSize, _baseChannels * 16, hasBias: false);
        denseNorm = BatchNormalization.ForFeatures(_baseChannels * 16);

        int k = config.GeneratorKernel, padding = (k - 1) / 2, outputPadding = 2 + 2 * padding - k;
        for (int i = 1; i <= widths.Length; i++)
        {
            bool last = i == widths.Length;
            long outChannels = last ? config.OutputFeatures : widths[i];
            upsamplers.Add(config.ResizesThenConvolves
                ? new ResizeConvolution(widths[i - 1], outChannels, k, bilinear: config.Upsampling == IanConfig.BilinearUpsampling,
                    config.ReflectsBorders)
                : new TransposedConvolution(widths[i - 1], outChannels, k, padding, outputPadding));
            upsampleNorms.Add(BatchNormalization.ForImages(outChannels));
            if (!last)
            {
                var scales = config.GeneratorMdcScales[i - 1];
                blocks.Add(scales.Length > 0 ? new MdcBlock(outChannels, scales, config.ReflectsBorders) : nn.Identity());
            }
        }
        output = config.RgbBeta
            ? new RgbBetaOutput(config.OutputFeatures, config.RgbBetaScales, config.ReflectsBorders)
            : new TanhOutput(config.OutputFeatures);
        RegisterComponents();
    }

    public override Tensor forward(Tensor z)
    {
        var h = nn.functional.relu(denseNorm.forward(dense.forward(z))).view(-1, _baseChannels, 4, 4);
        for (int i = 0; i < upsamplers.Count; i++)
        {
            h = nn.functional.relu(upsampleNorms[i].forward(upsamplers[i].forward(h)));
            if (i < blocks.Count) h = blocks[i].forward(h);
        }
        return output.forward(h);
    }

    /// <summary>The layers in the order the forward pass uses them (for <see cref="Inference.InferenceDecoder"/>):
    /// each upsampling with its normalisation and the block after it (an identity where there is none).</summary>
    internal (Linear Dense, BatchNormalization DenseNorm, long BaseChannels,
              (nn.Module<Tensor, Tensor> Upsampling, BatchNormalization Norm, nn.Module<Tensor, Tensor>? Block)[] Stages,
              nn.Module<Tensor, Tensor> Output) Layers =>
        (dense, denseNorm, _baseChannels,
         Enumerable.Range(0, upsamplers.Count).Select(i => (upsamplers[i], upsampleNorms[i], i < blocks.Count ? blocks[i] : null)).ToArray(),
         output);
}

/// <summary>The plain DCGAN output: a 3×3 convolution to RGB and tanh (used when RGB-Beta is off).</summary>
public sealed class TanhOutput : nn.Module<Tensor, Tensor>
{
    readonly Conv2d conv;

    public TanhOutput(long features) : base(nameof(TanhOutput))
    {
        conv = nn.Conv2d(features, 3, 3, padding: 1);
        RegisterComponents();
    }

    public override Tensor forward(Tensor h) => torch.tanh(conv.forward(h));

    internal Conv2d Convolution => conv;
}

/// <summary>×2 nearest-neighbour (or bilinear) upsampling followed by a k×k "same" convolution without
/// bias. Every output pixel sees the same number of kernel taps, so no checkerboard can arise.</summary>
public sealed class ResizeConvolution : nn.Module<Tensor, Tensor>
{
    readonly Conv2d conv;
    readonly long _padding;
    readonly InterpolationMode _mode;
    readonly bool _reflect;

    public ResizeConvolution(long inChannels, long outChannels, int kernel, bool bilinear = false, bool reflect = false)
        : base(nameof(ResizeConvolution))
    {
        _reflect = reflect;
        _mode = bilinear ? InterpolationMode.Bilinear : InterpolationMode.Nearest;
        if (kernel % 2 == 0) throw new InvalidDataException($"Invalid model config: a resize convolution needs an odd kernel (got {kernel}).");
        conv = nn.Conv2d(inChannels, outChannels, kernel, padding: kernel / 2, bias: false);
        _padding = kernel / 2;
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => Apply(x, conv.weight!, bias: null);

    internal Tensor Weight => conv.weight!;

    /// <summary>Resizes <paramref name="x"/> ×2 and convolves it with <paramref name="kernel"/> plus
    /// <paramref name="bias"/>, padding as this layer does.</summary>
    // FastConv2d: the input gradient as a forward convolution (see TransposedConvolution for why).
    internal Tensor Apply(Tensor x, Tensor kernel, Tensor? bias)
    {
        bool? alignCorners = _mode == InterpolationMode.Bilinear ? false : null;
        var resized = nn.functional.interpolate(x, scale_factor: [2, 2], mode: _mode, align_corners: alignCorners);
        return FastConv2d.Apply(resized, kernel, _padding, bias: bias, reflect: _reflect);
    }
}
