using NeuralPhotoEdit.Networks;
using NeuralPhotoEdit.Training;
using TorchSharp.Modules;
using static NeuralPhotoEdit.Training.IanObjective;
using static TorchSharp.torch;

namespace NeuralPhotoEdit.Tests;

/// <summary>
/// <see cref="IanTrainer"/> gives every parameter its gradient from one backward pass of a combined
/// loss. Checked against the naive way, two separate passes on the same batch and noise:
///   1. the discriminator's loss with the reconstructions and samples detached → trunk and classifier;
///   2. the generator's and encoder's loss judged by a frozen copy of the discriminator → decoder,
///      encoder head, and the trunk through the encoding path only.
/// The trunk's reference gradient is the sum of both (it is D's body and the encoder's). Both batch
/// layouts: reconstructions and samples through the decoder and trunk as one batch, or as two.
/// </summary>
public class GradientRoutingTests
{
    const int Batch = 6, Seed = 11;
    static readonly ObjectiveWeights Weights = new(Kl: 0.5, Adversarial: 1);

    public GradientRoutingTests() => TorchRuntime.EnsureInitialised();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void EachNetworkGetsTheGradientOfItsOwnLossFromTheSingleBackwardPass(bool separateBatches)
    {
        manual_seed(5);
        var config = IanConfig.Tiny;
        using var network = new IntrospectiveAdversarialNetwork(config);
        using var images = rand(Batch, 3, config.ImageSize, config.ImageSize).Times(2).Minus(1);
        // The judge: D's weights as they are before the step, frozen.
        using var judge = new IntrospectiveAdversarialNetwork(config);
        judge.load_state_dict(network.state_dict());
        foreach (var p in judge.parameters()) p.requires_grad = false;

        using var trainer = new IanTrainer(network, Weights, separateBatches: separateBatches);
        using (var noise = new Generator(Seed)) trainer.ComputeGradients(images, noise, IanTrainer.AdversarialWarmupSteps);
        var single = network.named_parameters().ToDictionary(p => p.name, p => p.parameter.grad?.detach().clone());

        var discriminatorPass = DiscriminatorPass(network, images, separateBatches);
        var generatorPass = GeneratorEncoderPass(network, judge, images, separateBatches);
        int checkedGroups = 0;
        foreach (var (name, parameter) in network.named_parameters())
        {
            var expected = (discriminatorPass.GetValueOrDefault(name), generatorPass.GetValueOrDefault(name)) switch
            {
                (null, null) => null,
                (Tensor d, null) => d,
                (null, Tensor g) => g,
                (Tensor d, Tensor g) => d.Plus(g),
            };
            var actual = single[name];
            if (expected is null) { Assert.True(actual is null || actual.abs().max().item<float>() == 0, $"{name} got a gradient from no loss");
                continue; }
            Assert.NotNull(actual);
            float scale = expected.abs().max().item<float>();
            float error = (actual - expected).abs().max().item<float>();
            Assert.True(error <= 1e-4f * scale + 1e-7f, $"{name}: gradient differs from the two-pass reference by {error:G3} (largest entry " +
                $"{scale:G3})");
            checkedGroups++;
        }
        Assert.True(checkedGroups > 20, $"only {checkedGroups} parameters had gradients");
        // Both passes reach the trunk: its first filter gets gradient from D's loss and from the encoder's.
        string firstTrunkWeight = network.named_parameters().First(p => p.name.StartsWith("trunk")).name;
        Assert.True(discriminatorPass[firstTrunkWeight].abs().max().item<float>() > 0);
        Assert.True(generatorPass[firstTrunkWeight].abs().max().item<float>() > 0);
    }

    /// <summary>D's loss; the encoder, the reparameterisation and the decoder run without gradient.</summary>
    static Dictionary<string, Tensor> DiscriminatorPass(IntrospectiveAdversarialNetwork network, Tensor images, bool separate)
    {
        using var noise = new Generator(Seed);
        var imageFeatures = network.Trunk.Features(images);
        var realLogits = network.DiscriminatorHead.forward(imageFeatures[^1]);
        Tensor generated;
        using (no_grad())
        {
            var (mean, logSigma) = network.Encoder.forward(imageFeatures[^1]);
            generated = Generate(network, mean, logSigma, noise, separate);
        }
        var fakeFeatures = FakeFeatures(network, generated, separate)[^1];
        // Minibatch discrimination compares samples within a batch: each kind is judged on its own.
        var loss = Adversarial(realLogits, Label.Real)
            .Plus(Adversarial(network.DiscriminatorHead.forward(fakeFeatures[..Batch]), Label.Reconstructed))
            .Plus(Adversarial(network.DiscriminatorHead.forward(fakeFeatures[Batch..]), Label.Generated))
            .Plus(Orthogonal(FilterBanks(network.Trunk).Concat(FilterBanks(network.DiscriminatorHead))).Times(OrthogonalWeight));
        return Gradients(network, loss);
    }

    /// <summary>G's and the encoder's loss, every term judged by the frozen copy of D.</summary>
    static Dictionary<string, Tensor> GeneratorEncoderPass(IntrospectiveAdversarialNetwork network, IntrospectiveAdversarialNetwork judge,
        Tensor images,
                                                           bool separate)
    {
        using var noise = new Generator(Seed);
        var imageFeatures = network.Trunk.Features(images);
        var (mean, logSigma) = network.Encoder.forward(imageFeatures[^1]);
        var generated = Generate(network, mean, logSigma, noise, separate);
        var fakeFeatures = FakeFeatures(judge, generated, separate);
        var reconstructionLogits = judge.DiscriminatorHead.forward(fakeFeatures[^1][..Batch]);
        var sampleLogits = judge.DiscriminatorHead.forward(fakeFeatures[^1][Batch..]);
        var loss = Adversarial(reconstructionLogits, Label.Real).Plus(Adversarial(sampleLogits, Label.Real)).Times(Weights.Adversarial)
            .Plus(Feature(fakeFeatures.Select(f => f[..Batch]).ToArray(), imageFeatures.Select(f => f.detach()).ToArray()).Times(FeatureWeight))
            .Plus(Pixel(generated[..Batch], images).Times(PixelWeight))
            .Plus(Kl(mean, logSigma).Times(Weights.Kl))
            .Plus(Orthogonal(FilterBanks(network.Decoder).Concat(FilterBanks(network.Encoder))).Times(OrthogonalWeight));
        return Gradients(network, loss);
    }

    /// <summary>Reconstructions of the photos then samples from the prior, drawing the noise in the
    /// trainer's order; decoded as one batch, or each kind on its own.</summary>
    static Tensor Generate(IntrospectiveAdversarialNetwork network, Tensor mean, Tensor logSigma, Generator noise, bool separate)
    {
        var z = mean.Plus(logSigma.exp() * randn(mean.shape, generator: noise));
        var prior = randn([Batch, network.Config.LatentSize], generator: noise);
        return separate ? cat([network.Decode(z), network.Decode(prior)], 0) : network.Decode(cat([z, prior], 0));
    }

    /// <summary>The trunk's features of the generated images: one batch, or each kind on its own.</summary>
    static Tensor[] FakeFeatures(IntrospectiveAdversarialNetwork network, Tensor generated, bool separate)
    {
        if (!separate) return network.Trunk.Features(generated).ToArray();
        var reconstructions = network.Trunk.Features(generated[..Batch]);
        var samples = network.Trunk.Features(generated[Batch..]);
        return reconstructions.Zip(samples, (r, s) => cat([r, s], 0)).ToArray();
    }

    static Dictionary<string, Tensor> Gradients(IntrospectiveAdversarialNetwork network, Tensor loss)
    {
        var named = network.named_parameters().ToArray();
        var gradients = autograd.grad([loss], named.Select(p => (Tensor)p.parameter).ToList(), allow_unused: true);
        var result = new Dictionary<string, Tensor>();
        for (int i = 0; i < named.Length; i++)
            if (gradients[i] is { IsInvalid: false } g) result[named[i].name] = g;
        return result;
    }
}
