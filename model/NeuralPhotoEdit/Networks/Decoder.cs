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
public sealed class Decoder : nn.Module<Tensor, Tensor>, IPreparesInference
{
    readonly long _baseChannels;
    /// <summary>Inference weights of the dense layer with its normalisation folded in.</summary>
    Tensor? _denseWeight, _denseBias;
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
                ? new ResizeConvolution(widths[i - 1], outChannels, k, bilinear: config.Upsampling == IanConfig.BilinearUpsampling, config.ReflectsBorders)
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
        // Prepared for inference: each normalisation that follows a layer is folded into it.
        bool prepared = _denseWeight is not null && !training;
        var dense0 = prepared ? nn.functional.linear(z, _denseWeight!, _denseBias) : denseNorm.forward(dense.forward(z));
        var h = nn.functional.relu(dense0).view(-1, _baseChannels, 4, 4);
        for (int i = 0; i < upsamplers.Count; i++)
        {
            var upsampled = upsamplers[i].forward(h);
            h = nn.functional.relu(prepared ? upsampled : upsampleNorms[i].forward(upsampled));
            if (i < blocks.Count) h = blocks[i].forward(h);
        }
        return output.forward(h);
    }

    public void PrepareInference((Tensor Scale, Tensor Shift)? followingNorm = null)
    {
        if (followingNorm is not null) throw new ArgumentException("The decoder ends in its output layer.", nameof(followingNorm));
        DropInference();
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var (scale, shift) = denseNorm.InferenceAffine();
        _denseWeight = InferenceWeights.Keep(dense.weight! * scale.view(-1, 1));
        _denseBias = InferenceWeights.Keep(shift);
        for (int i = 0; i < upsamplers.Count; i++)
            ((IPreparesInference)upsamplers[i]).PrepareInference(upsampleNorms[i].InferenceAffine());
        foreach (var block in blocks.OfType<IPreparesInference>()) block.PrepareInference();
        if (output is IPreparesInference preparable) preparable.PrepareInference();
    }

    public void DropInference()
    {
        InferenceWeights.Drop(ref _denseWeight);
        InferenceWeights.Drop(ref _denseBias);
        foreach (var layer in upsamplers.OfType<IPreparesInference>()) layer.DropInference();
        foreach (var block in blocks.OfType<IPreparesInference>()) block.DropInference();
        if (output is IPreparesInference preparable) preparable.DropInference();
    }
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
}

/// <summary>×2 nearest-neighbour (or bilinear) upsampling followed by a k×k "same" convolution without
/// bias. Every output pixel sees the same number of kernel taps, so no checkerboard can arise.</summary>
public sealed class ResizeConvolution : nn.Module<Tensor, Tensor>, IPreparesInference
{
    readonly Conv2d conv;
    readonly long _padding;
    readonly InterpolationMode _mode;
    readonly bool _reflect;
    /// <summary>Inference weights: the kernel with the following normalisation folded in, and its bias.</summary>
    Tensor? _inferenceWeight, _inferenceBias;

    public ResizeConvolution(long inChannels, long outChannels, int kernel, bool bilinear = false, bool reflect = false) : base(nameof(ResizeConvolution))
    {
        _reflect = reflect;
        _mode = bilinear ? InterpolationMode.Bilinear : InterpolationMode.Nearest;
        if (kernel % 2 == 0) throw new InvalidDataException($"Invalid model config: a resize convolution needs an odd kernel (got {kernel}).");
        conv = nn.Conv2d(inChannels, outChannels, kernel, padding: kernel / 2, bias: false);
        _padding = kernel / 2;
        RegisterComponents();
    }

    // FastConv2d: the input gradient as a forward convolution (see TransposedConvolution for why).
    public override Tensor forward(Tensor x)
    {
        bool prepared = _inferenceWeight is not null && !training;
        var resized = nn.functional.interpolate(x, scale_factor: [2, 2], mode: _mode, align_corners: _mode == InterpolationMode.Bilinear ? false : null);
        return FastConv2d.Apply(resized, prepared ? _inferenceWeight! : conv.weight!, _padding, bias: prepared ? _inferenceBias : null, reflect: _reflect);
    }

    public void PrepareInference((Tensor Scale, Tensor Shift)? followingNorm = null)
    {
        DropInference();
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        _inferenceWeight = InferenceWeights.Keep(InferenceWeights.ScaleOutputs(conv.weight!, followingNorm?.Scale));
        _inferenceBias = followingNorm is { Shift: var shift } ? InferenceWeights.Keep(shift) : null;
    }

    public void DropInference()
    {
        InferenceWeights.Drop(ref _inferenceWeight);
        InferenceWeights.Drop(ref _inferenceBias);
    }
}
