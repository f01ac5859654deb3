namespace NeuralPhotoEdit.Networks;

/// <summary>
/// What a config costs, computed from the config alone — before any tensor is allocated — so a
/// model file can't make the program build a network of gigabytes (a config with widths of 4 096
/// passes <see cref="IanConfig.Validate"/> but would take minutes and gigabytes to initialise).
/// </summary>
public static class NetworkSize
{
    /// <summary>Loads refuse configs above this: 100 M values (400 MB in float32); the paper's
    /// network has 61.7 M.</summary>
    public const long MaxStateElements = 100_000_000;

    /// <summary>Loads refuse configs whose forward pass of one image needs more than this many
    /// activation values (2 GB in float32).</summary>
    public const long MaxActivationElements = 512L * 1024 * 1024;

    /// <summary>
    /// The number of values in the network's state (every parameter and batch-norm buffer — exactly
    /// what a model file stores; NetworkTests checks it against built networks).
    /// </summary>
    public static long StateElements(IanConfig config)
    {
        static long BatchNorm(long channels) => 4 * channels + 1;   // weight, bias, running mean and variance, step count
        static long Mdc(long inChannels, long outChannels, int scales) => outChannels * inChannels * 9 + outChannels * (1 + scales);

        long total = 0, inChannels = 3;
        for (int i = 0; i < config.TrunkWidths.Length; i++)
        {
            long width = config.TrunkWidths[i];
            total += width * inChannels * config.TrunkKernel * config.TrunkKernel + (i == 0 ? width : BatchNorm(width));
            inChannels = width;
        }
        long trunkOutput = inChannels, hidden = config.EncoderHidden, latent = config.LatentSize;
        total += trunkOutput * 16 * hidden + BatchNorm(hidden) + 2 * (hidden * latent + BatchNorm(latent));
        long kernels = config.MinibatchKernels;
        total += trunkOutput * kernels * config.MinibatchKernelDims + kernels;
        total += (trunkOutput + kernels) * config.DiscriminatorClasses + config.DiscriminatorClasses;

        var widths = config.GeneratorWidths;
        total += latent * widths[0] * 16 + BatchNorm(widths[0] * 16L);
        for (int i = 1; i <= widths.Length; i++)
        {
            bool last = i == widths.Length;
            long outChannels = last ? config.OutputFeatures : widths[i];
            total += widths[i - 1] * outChannels * config.GeneratorKernel * config.GeneratorKernel + BatchNorm(outChannels);
            if (!last && config.GeneratorMdcScales[i - 1] is { Length: > 0 } scales)
                total += 3 * BatchNorm(outChannels) + 2 * Mdc(outChannels, outChannels, scales.Length);
        }
        long features = config.OutputFeatures;
        total += config.RgbBeta
            ? Mdc(features, 2, config.RgbBetaScales.Length) + Mdc(features + 1, 2, config.RgbBetaScales.Length)
                + Mdc(features + 2, 2, config.RgbBetaScales.Length)
            : 3 * features * 9 + 3;
        return total;
    }

    /// <summary>
    /// Floating-point operations of one decode G(z) of one code: 2 per multiply-add of the dense
    /// layer and every convolution, counted the way the network is defined (an MDC layer as its
    /// branches: 3×3, 1×1 for scale 0, dilated 3×3 for the others), not the way it is computed
    /// (combined kernels do more, mostly on zeros). Element-wise work (normalisation, activations)
    /// is left out. What `npe bench edit` divides by the decode's time.
    /// </summary>
    public static long DecodeFlops(IanConfig config)
    {
        static long MdcTaps(IReadOnlyList<int> scales) => 9 + scales.Sum(s => s == 0 ? 1 : 9);
        var widths = config.GeneratorWidths;
        long flops = 2L * config.LatentSize * widths[0] * 16, side = 4;
        int k = config.GeneratorKernel;
        for (int i = 1; i <= widths.Length; i++)
        {
            bool last = i == widths.Length;
            long inChannels = widths[i - 1], outChannels = last ? config.OutputFeatures : widths[i];
            // A transposed convolution's multiply-adds are per input pixel; a resize convolution's per output pixel.
            long pixels = config.ResizesThenConvolves ? 4 * side * side : side * side;
            flops += 2 * inChannels * outChannels * k * k * pixels;
            side *= 2;
            if (!last && config.GeneratorMdcScales[i - 1] is { Length: > 0 } scales)
                flops += 2 * (2 * outChannels * outChannels * MdcTaps(scales) * side * side);
        }
        long features = config.OutputFeatures;
        flops += config.RgbBeta
            ? 2 * 2 * (features + features + 1 + features + 2) * MdcTaps(config.RgbBetaScales) * side * side
            : 2 * 3 * features * 9 * side * side;
        return flops;
    }

    /// <summary>
    /// An upper estimate of the activation values one image's forward pass through the trunk and the
    /// generator keeps: each layer's output counted eight times (convolution, normalisation,
    /// activation, residual sums and the RGB-Beta intermediates).
    /// </summary>
    public static long ActivationElements(IanConfig config)
    {
        long total = 0, side = config.ImageSize;
        foreach (long width in config.TrunkWidths) { side /= 2; total += width * side * side; }
        side = 4;
        total += config.GeneratorWidths[0] * 16L;
        for (int i = 1; i <= config.GeneratorWidths.Length; i++)
        {
            side *= 2;
            long channels = i == config.GeneratorWidths.Length ? config.OutputFeatures : config.GeneratorWidths[i];
            total += channels * side * side;
        }
        return 8 * total;
    }
}
