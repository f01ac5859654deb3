using NeuralPhotoEdit.Networks;
using NeuralPhotoEdit.Networks.Inference;
using static TorchSharp.torch;

namespace NeuralPhotoEdit.Tests;

public class NetworkTests
{
    public NetworkTests() => TorchRuntime.EnsureInitialised();

    [Theory]
    [InlineData("ian-tiny")]
    [InlineData("ian-cpu")]
    [InlineData("ian-cpu-resize")]
    public void EveryBlockHasTheShapesOfItsConfig(string name)
    {
        var config = IanConfig.FromName(name);
        using var scope = NewDisposeScope();
        using var network = new IntrospectiveAdversarialNetwork(config);
        network.eval();
        using var _ = no_grad();
        int s = config.ImageSize;
        var images = rand(3, 3, s, s).Times(2).Minus(1);

        var features = network.Trunk.Features(images);
        Assert.Equal(config.TrunkWidths.Length, features.Length);
        for (int i = 0; i < features.Length; i++)
            Assert.Equal(new long[] { 3, config.TrunkWidths[i], s >> (i + 1), s >> (i + 1) }, features[i].shape);

        var (mean, logSigma) = network.Encode(images);
        Assert.Equal(new long[] { 3, config.LatentSize }, mean.shape);
        Assert.Equal(new long[] { 3, config.LatentSize }, logSigma.shape);
        Assert.Equal(new long[] { 3, 3 }, network.Discriminate(images).shape);

        var decoded = network.Decode(mean);
        Assert.Equal(new long[] { 3, 3, s, s }, decoded.shape);
        Assert.True(decoded.abs().max().item<float>() < 1, "RGB-Beta output must lie strictly inside (−1, 1)");

        var block = new MdcBlock(8, [0, 2, 3]);
        Assert.Equal(new long[] { 2, 8, 16, 16 }, block.forward(randn(2, 8, 16, 16)).shape);
        var beta = new RgbBetaOutput(5, [2, 3, 4]);
        Assert.Equal(new long[] { 2, 3, 16, 16 }, beta.forward(randn(2, 5, 16, 16)).shape);
        var minibatch = new MinibatchDiscrimination(10, 4, 3);
        Assert.Equal(new long[] { 6, 14 }, minibatch.forward(randn(6, 10)).shape);
    }

    [Fact]
    public void PaperConfigBuildsWithThePapersSizeAndTrains()
    {
        var config = IanConfig.Paper;
        using var network = new IntrospectiveAdversarialNetwork(config);
        long parameters = network.parameters().Sum(p => p.numel());
        // The paper's IAN is "about 55 M" at these widths (notes); ours adds MDC blocks and RGB-Beta:
        // the figure the README states.
        Assert.Equal(61_657_281, parameters);
        using var trainer = new Training.IanTrainer(network);
        using var noise = new Generator(0);
        using var images = rand(2, 3, 64, 64).Times(2).Minus(1);
        var losses = trainer.Step(images, noise, step: 0);
        Assert.True(double.IsFinite(losses.Discriminator) && double.IsFinite(losses.GeneratorEncoder));
    }

    [Theory]
    [InlineData(16, 8, new[] { 0, 2 })]
    [InlineData(512, 256, new[] { 0, 2, 3 })]
    [InlineData(2, 7, new[] { 2, 3, 4 })]
    [InlineData(4, 4, new int[0])]
    public void MdcParameterCountIsSharedWeightPlusPerFilterCoefficients(int filters, int channels, int[] scales)
    {
        using var mdc = new MdcConv2d(channels, filters, scales);
        long expected = (long)filters * channels * 9 + (long)filters * (1 + scales.Length);
        Assert.Equal(expected, mdc.parameters().Sum(p => p.numel()));
    }

    [Fact]
    public void MdcBranchesMatchTheirDefinition()
    {
        // Build the expected output branch by branch from the definition, with random coefficients.
        using var scope = NewDisposeScope();
        var x = randn(2, 3, 12, 12);
        var weight = randn(4, 3, 3, 3);
        var coefficients = randn(3, 4);
        int[] scales = [0, 2];
        var plain = nn.functional.conv2d(x, weight, padding: [1, 1]) * coefficients[0].view(1, -1, 1, 1);
        var meanBranch = nn.functional.conv2d(x, weight.mean([2, 3], keepdim: true)) * coefficients[1].view(1, -1, 1, 1);
        var dilated = nn.functional.conv2d(x, weight, padding: [2, 2], dilation: [2, 2]) * coefficients[2].view(1, -1, 1, 1);
        var expected = plain.Plus(meanBranch).Plus(dilated);
        Assert.True(MdcConv2d.Apply(x, weight, coefficients, scales).allclose(expected, rtol: 1e-4, atol: 1e-4));
        var combined = nn.functional.conv2d(x, MdcConv2d.CombinedKernel(weight, coefficients, scales),
                                            padding: [MdcConv2d.CombinedPadding(scales), MdcConv2d.CombinedPadding(scales)]);
        Assert.True(combined.allclose(expected, rtol: 1e-4, atol: 1e-4));
    }

    [Theory]
    [InlineData(4, 6, 9, 4, 1)]   // the RGB-Beta output's combined kernel
    [InlineData(1, 2, 9, 4, 1)]
    [InlineData(5, 3, 3, 2, 2)]   // a dilated branch
    [InlineData(3, 4, 1, 0, 1)]   // the 1×1 mean branch
    [InlineData(2, 3, 3, 0, 1)]   // no padding: the output is smaller than the input
    public void FastConvolutionHasConv2dsValueAndGradients(int inChannels, int outChannels, int kernel, int padding, int dilation)
    {
        using var scope = NewDisposeScope();
        var x = randn(3, inChannels, 13, 11);
        var w = randn(outChannels, inChannels, kernel, kernel);
        Tensor[] ValueAndGradients(bool fast)
        {
            var input = x.clone().requires_grad_(true);
            var weight = w.clone().requires_grad_(true);
            var y = fast ? FastConv2d.Apply(input, weight, padding, dilation)
                         : nn.functional.conv2d(input, weight, padding: [padding, padding], dilation: [dilation, dilation]);
            using var upstream = randn(y.shape, generator: new Generator(7));
            var gradients = autograd.grad([(y * upstream).sum()], [input, weight]);
            return [y.detach(), gradients[0], gradients[1]];
        }
        var expected = ValueAndGradients(fast: false);
        var actual = ValueAndGradients(fast: true);
        Assert.Equal(expected[0].shape, actual[0].shape);
        for (int i = 0; i < 3; i++)
            Assert.True(actual[i].allclose(expected[i], rtol: 1e-4, atol: 1e-3), $"output {i} differs");
        Assert.True(actual[1].abs().sum().item<float>() > 0, "the input gradient must not vanish");
    }

    /// <summary>An MDC layer fixed for inference (a narrow one as one combined kernel, a wide one branch by
    /// branch, the normalisation after it folded in) equals the layer followed by that normalisation.</summary>
    [Fact]
    public void AFixedMdcLayerEqualsTheLayerNarrowOrWide()
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        foreach (var channels in new[] { 8, 80 })
        {
            using var mdc = new MdcConv2d(channels, channels, [0, 2, 3]);
            var x = randn(2, channels, 10, 10);
            var (scale, shift) = (rand(channels).Plus(0.5), randn(channels));
            using var plain = FixedConvolution.OfMdc(mdc);
            using var folded = FixedConvolution.OfMdc(mdc, (scale, shift));
            var expected = mdc.forward(x);
            Assert.True(plain.Apply(x).allclose(expected, rtol: 1e-4, atol: 1e-4), $"{channels} channels");
            var normalised = (expected * scale.view(1, -1, 1, 1)).Plus(shift.view(1, -1, 1, 1));
            Assert.True(folded.Apply(x).allclose(normalised, rtol: 1e-4, atol: 1e-4), $"{channels} channels, folded");
        }
    }

    [Fact]
    public void RgbBetaFastPathEqualsChannelByChannelEvaluation()
    {
        using var scope = NewDisposeScope();
        using var beta = new RgbBetaOutput(6, [2, 3, 4]);
        var h = randn(2, 6, 20, 20);
        Assert.True(beta.forward(h).allclose(beta.ForwardSequential(h), rtol: 1e-4, atol: 1e-5));
    }

    [Fact]
    public void ConfigSurvivesJsonAndRejectsNonsense()
    {
        var config = IanConfig.Cpu;
        var back = IanConfig.FromJson(config.ToJson());
        Assert.Equal(config.ToJson(), back.ToJson());
        var error = Assert.Throws<InvalidDataException>(() => IanConfig.FromJson(config.ToJson().Replace("\"image_size\":64", "\"image_size\":65")));
        Assert.Contains("power of two", error.Message);
        Assert.Throws<InvalidDataException>(() => IanConfig.FromJson(config.ToJson().Replace("\"latent_size\":100", "\"latent_size\":1000000")));
        Assert.Throws<InvalidDataException>(() => IanConfig.FromJson("{not json"));
    }

    [Fact]
    public void ConfigAdaptsToOtherImageSizes()
    {
        foreach (int size in new[] { 32, 128 })
        {
            var config = IanConfig.Cpu.WithImageSize(size);
            config.Validate();
            using var network = new IntrospectiveAdversarialNetwork(config);
            network.eval();
            using var _ = no_grad();
            Assert.Equal(new long[] { 1, 3, size, size }, network.Decode(randn(2, config.LatentSize))[..1].shape);
        }
    }

    [Theory]
    [InlineData("ian-tiny")]
    [InlineData("ian-cpu")]
    [InlineData("ian-cpu-resize")]
    [InlineData("ian-paper")]
    public void TheSizeComputedFromTheConfigIsTheBuiltNetworksState(string name)
    {
        var config = IanConfig.FromName(name);
        using var network = new IntrospectiveAdversarialNetwork(config);
        Assert.Equal(network.state_dict().Values.Sum(t => t.numel()), NetworkSize.StateElements(config));
        Assert.InRange(NetworkSize.StateElements(config), 1, NetworkSize.MaxStateElements);
        Assert.InRange(NetworkSize.ActivationElements(config), 1, NetworkSize.MaxActivationElements);
        var huge = config with { TrunkWidths = [.. config.TrunkWidths.Select(_ => 4096)] };
        Assert.True(NetworkSize.StateElements(huge) > NetworkSize.MaxStateElements);
    }

    /// <summary>
    /// A stride-2 transposed convolution spreads a constant input unevenly (its 4×4 kernel overlaps
    /// some output pixels more than others): the output has a 2-pixel period, the checkerboard seen
    /// in samples. The resize decoder's upsampling maps a constant to a constant, whatever its weights.
    /// </summary>
    [Fact]
    public void ResizeUpsamplingCannotMakeACheckerboard()
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var constant = ones(1, 8, 8, 8);
        var resize = new ResizeConvolution(8, 4, 3);
        var transposed = nn.ConvTranspose2d(8, 4, 4, stride: 2, padding: 1, bias: false);
        static double InteriorPeriodTwoEnergy(Tensor y)
        {
            var inner = y[.., .., 2..^2, 2..^2];
            return (inner[.., .., 0.., 0..] - inner.roll(1, 3)).abs().max().item<float>();
        }
        Assert.True(InteriorPeriodTwoEnergy(resize.forward(constant)) < 1e-5);
        Assert.True(InteriorPeriodTwoEnergy(transposed.forward(constant)) > 1e-3, "the reference must show the checkerboard");
    }

    /// <summary>
    /// Zeros beyond the border make a convolution of a flat image brighter or darker along its edges:
    /// the frame round every reconstruction. A reflecting decoder's layers map a constant to a constant
    /// right up to the border, whatever their weights: the resize convolution, and the RGB-Beta output
    /// with its dilated kernels, both as trained (combined kernel) and as fixed for inference (branches).
    /// </summary>
    [Fact]
    public void AReflectingDecoderHasNoBorderFrame()
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        manual_seed(5);
        var constant = full(2, 8, 16, 16, Scalars.Of(0.7));
        static double Spread(Tensor y) => (y - y.mean([2, 3], keepdim: true)).abs().max().item<float>();
        foreach (bool reflect in new[] { true, false })
        {
            var resize = new ResizeConvolution(8, 4, 3, reflect: reflect);
            var output = new RgbBetaOutput(8, [2, 3, 4], reflect);
            output.eval();
            double trained = Spread(output.forward(constant));
            using var fixedOutput = new FixedRgbBetaOutput(output);
            double prepared = Spread(fixedOutput.Apply(constant));
            if (reflect)
            {
                Assert.True(Spread(resize.forward(constant)) < 1e-5);
                Assert.True(trained < 1e-5 && prepared < 1e-5, $"RGB-Beta output spread {trained:G3} / {prepared:G3}");
            }
            else
            {
                Assert.True(Spread(resize.forward(constant)) > 1e-3, "zeros must show the frame");
                Assert.True(trained > 1e-3 && prepared > 1e-3, "zeros must show the frame");
            }
        }
    }

    [Fact]
    public void AConfigWithoutDecoderPaddingReadsAsZeros()
    {
        var json = IanConfig.CpuResize.ToJson().Replace(",\"decoder_padding\":\"zeros\"", "");
        Assert.DoesNotContain("decoder_padding", json);
        Assert.Equal(IanConfig.ZeroPadding, IanConfig.FromJson(json).DecoderPadding);
        Assert.Throws<InvalidDataException>(() => (IanConfig.CpuResize with { DecoderPadding = "wrap" }).Validate());
        Assert.Throws<InvalidDataException>(() =>
            (IanConfig.CpuResize with { DecoderPadding = IanConfig.ReflectPadding, RgbBetaScales = [2, 8] }).Validate());
    }
}
