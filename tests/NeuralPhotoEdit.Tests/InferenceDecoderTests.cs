using NeuralPhotoEdit.Networks;
using NeuralPhotoEdit.Networks.Inference;
using static TorchSharp.torch;

namespace NeuralPhotoEdit.Tests;

/// <summary>The decoder rebuilt for editing (<see cref="InferenceDecoder"/>) is the trained decoder's function.</summary>
public class InferenceDecoderTests
{
    public InferenceDecoderTests() => TorchRuntime.EnsureInitialised();

    /// <summary>Every kind of layer the inference decoder rebuilds: transposed, nearest and bilinear
    /// upsampling; zero and reflecting borders; MDC blocks that run combined and branch by branch;
    /// the RGB-Beta and the tanh output.</summary>
    static IanConfig Config(string name) => name switch
    {
        "wide-blocks" => IanConfig.CpuResize with { Name = name, GeneratorWidths = [160, 80, 24, 8] },
        "reflecting" => IanConfig.CpuBilinear with { Name = name, DecoderPadding = IanConfig.ReflectPadding },
        "tanh-output" => IanConfig.Tiny with { Name = name, RgbBeta = false },
        _ => IanConfig.FromName(name),
    };

    /// <summary>Equal decodes and equal latent gradients (what an edit step uses), with batch
    /// normalisations whose statistics and affine parameters are far from the identity.</summary>
    [Theory]
    [InlineData("ian-cpu")]
    [InlineData("ian-cpu-resize")]
    [InlineData("reflecting")]
    [InlineData("wide-blocks")]
    [InlineData("tanh-output")]
    public void InferenceDecoderEqualsTheDecoder(string name)
    {
        manual_seed(3);
        using var network = new IntrospectiveAdversarialNetwork(Config(name));
        using (no_grad())
            foreach (var norm in network.modules().OfType<BatchNormalization>())
            {
                norm.running_mean!.normal_(0, 0.3);
                norm.running_var!.uniform_(0.5, 2);
                norm.weight!.normal_(1, 0.2);
                // Mostly positive: an untrained layer's small outputs must pass the ReLUs after it.
                norm.bias!.normal_(0.3, 0.2);
            }
        network.eval();
        int size = network.Config.ImageSize;
        using var z = randn(4, network.Config.LatentSize);
        using var target = rand(4, 3, size, size);
        using var inference = new InferenceDecoder(network.Decoder);
        (Tensor Output, Tensor Gradient) DecodeAndStep(Func<Tensor, Tensor> decode)
        {
            var latent = z.detach().requires_grad_(true);
            var output = decode(latent);
            var gradient = autograd.grad([(output - target).Squared().mean()], [latent])[0];
            return (output.detach(), gradient);
        }
        using var scope = NewDisposeScope();
        var (plainOutput, plainGradient) = DecodeAndStep(network.Decoder.forward);
        var (fixedOutput, fixedGradient) = DecodeAndStep(inference.Decode);
        float outputError = (plainOutput - fixedOutput).abs().max().item<float>(), outputScale = plainOutput.abs().max().item<float>();
        float gradientError = (plainGradient - fixedGradient).abs().max().item<float>(), gradientScale = plainGradient.abs().max().item<float>();
        Assert.True(outputScale > 0.05f, $"a decode this flat ({outputScale:G3}) would hide differences");
        Assert.True(outputError < 1e-5f, $"decode differs by {outputError:G3}");
        Assert.True(gradientError < 1e-5f * gradientScale + 1e-9f, $"latent gradient differs by {gradientError:G3} (largest {gradientScale:G3})");
    }

    /// <summary>A loaded network decodes by its inference decoder; back in training it decodes by its own
    /// weights again, so a weight change shows at once.</summary>
    [Fact]
    public void TrainingDecodesByTheNetworksOwnWeights()
    {
        manual_seed(4);
        using var network = new IntrospectiveAdversarialNetwork(IanConfig.Tiny);
        using var z = randn(2, network.Config.LatentSize);
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        network.PrepareForInference();
        var prepared = network.Decode(z);
        Assert.True(prepared.allclose(network.Decoder.forward(z), rtol: 0, atol: 1e-5));

        network.train();
        foreach (var parameter in network.Decoder.parameters()) parameter.mul_(Scalars.Of(1.5));
        network.eval();
        float changed = (network.Decode(z) - prepared).abs().max().item<float>();
        Assert.True(changed > 1e-3f, $"a weight change moved the decode by only {changed:G3}");
    }
}
