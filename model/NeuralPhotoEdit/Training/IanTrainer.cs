using NeuralPhotoEdit.Networks;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static NeuralPhotoEdit.Training.IanObjective;

namespace NeuralPhotoEdit.Training;

/// <summary>The losses of one training step, as plain numbers.</summary>
public sealed record StepLosses(
    double Discriminator, double GeneratorEncoder, double Pixel, double Feature, double Kl,
    double AdversarialReconstruction, double AdversarialSample, double OrthogonalD, double OrthogonalG);

/// <summary>
/// One IAN training step of the full objective.
///
/// Update order: simultaneous, as the paper describes (§3.2). One forward pass gives the
/// discriminator's logits for the photos X, their reconstructions X̂ = G(E(X)) and samples G(z);
/// from it, two gradients are taken and both optimisers step:
///   • discriminator (trunk + classifier): cross-entropy of D(X)→real, D(X̂)→reconstructed,
///     D(G(z))→generated, + 1e-3·orthogonal regularisation — gradient w.r.t. its own weights only;
///   • generator and encoder head: D(X̂)→real, D(G(z))→real, + 3·pixel + 1·feature + KL +
///     1e-3·orthogonal — gradient w.r.t. their own weights only.
/// Why simultaneous rather than the authors' alternating G/D steps: each network's gradient is still
/// strictly its own (no loss leaks into the other's weights), and sharing the forward pass halves
/// the discriminator work, which is what makes a CPU budget of well under a second per batch
/// possible. The encoder head reads the trunk's features of X detached: the trunk belongs to the
/// discriminator, as in the paper's IAN, where the encoder is a head on the discriminator.
///
/// Batch-norm running statistics of the trunk are only updated on real photos: at inference the
/// trunk encodes real photos, so statistics mixed with generated batches would shift every code.
/// Reconstructions and samples go through the trunk (and the decoder) as one batch.
/// </summary>
public sealed class IanTrainer : IDisposable
{
    public const double LearningRate = 2e-4;
    public const double Beta1 = 0.5;
    public const double Beta2 = 0.999;

    readonly IntrospectiveAdversarialNetwork _network;
    readonly Parameter[] _discriminatorParameters;
    readonly Parameter[] _generatorParameters;
    readonly Tensor[] _discriminatorBanks;
    readonly Tensor[] _generatorBanks;
    readonly NormBase[] _trunkNorms;

    public IanTrainer(IntrospectiveAdversarialNetwork network)
    {
        _network = network;
        _discriminatorParameters = network.DiscriminatorParameters().ToArray();
        _generatorParameters = network.GeneratorEncoderParameters().ToArray();
        DiscriminatorOptimizer = optim.Adam(_discriminatorParameters, LearningRate, Beta1, Beta2);
        GeneratorOptimizer = optim.Adam(_generatorParameters, LearningRate, Beta1, Beta2);
        _discriminatorBanks = FilterBanks(network.Trunk).Concat(FilterBanks(network.DiscriminatorHead)).ToArray();
        _generatorBanks = FilterBanks(network.Decoder).Concat(FilterBanks(network.Encoder)).ToArray();
        _trunkNorms = network.Trunk.modules().OfType<NormBase>().ToArray();
    }

    public IntrospectiveAdversarialNetwork Network => _network;
    public Adam DiscriminatorOptimizer { get; }
    public Adam GeneratorOptimizer { get; }

    /// <summary>Runs one step on a batch of photos in [−1, 1]; <paramref name="noise"/> makes the
    /// step's random draws (reparameterisation ε and prior z) reproducible.</summary>
    public StepLosses Step(Tensor images, Generator noise)
    {
        using var scope = NewDisposeScope();
        _network.train();
        long n = images.shape[0];
        var config = _network.Config;

        var imageFeatures = _network.Trunk.Features(images);
        var realLogits = _network.DiscriminatorHead.forward(imageFeatures[^1]);
        var (mean, logSigma) = _network.Encoder.forward(imageFeatures[^1].detach());
        var z = mean + logSigma.exp() * randn(mean.shape, generator: noise, device: images.device);
        var prior = randn([n, config.LatentSize], generator: noise, device: images.device);

        var generated = _network.Decode(cat([z, prior], 0));
        var reconstruction = generated[..(int)n];
        Tensor[] fakeFeatures;
        using (RealStatisticsOnly()) fakeFeatures = _network.Trunk.Features(generated);
        // Minibatch discrimination compares samples within a batch, so each kind gets its own.
        var reconstructionLogits = _network.DiscriminatorHead.forward(fakeFeatures[^1][..(int)n]);
        var sampleLogits = _network.DiscriminatorHead.forward(fakeFeatures[^1][(int)n..]);

        var orthogonalD = Orthogonal(_discriminatorBanks);
        var discriminatorLoss = Adversarial(realLogits, Label.Real)
            + Adversarial(reconstructionLogits, Label.Reconstructed)
            + Adversarial(sampleLogits, Label.Generated)
            + OrthogonalWeight * orthogonalD;

        var advReconstruction = Adversarial(reconstructionLogits, Label.Real);
        var advSample = Adversarial(sampleLogits, Label.Real);
        var pixel = Pixel(reconstruction, images);
        var feature = Feature(fakeFeatures.Select(f => f[..(int)n]).ToArray(), imageFeatures.Select(f => f.detach()).ToArray());
        var kl = Kl(mean, logSigma);
        var orthogonalG = Orthogonal(_generatorBanks);
        var generatorLoss = advReconstruction + advSample + PixelWeight * pixel + FeatureWeight * feature
                            + KlWeight * kl + OrthogonalWeight * orthogonalG;

        SetGradients(_discriminatorParameters, discriminatorLoss, retainGraph: true);
        SetGradients(_generatorParameters, generatorLoss, retainGraph: false);
        DiscriminatorOptimizer.step();
        GeneratorOptimizer.step();

        return new StepLosses(
            discriminatorLoss.item<float>(), generatorLoss.item<float>(), pixel.item<float>(), feature.item<float>(),
            kl.item<float>(), advReconstruction.item<float>(), advSample.item<float>(),
            orthogonalD.item<float>(), orthogonalG.item<float>());
    }

    /// <summary>Sets each parameter's gradient to ∂loss/∂parameter, computing nothing else.</summary>
    static void SetGradients(Parameter[] parameters, Tensor loss, bool retainGraph)
    {
        var gradients = autograd.grad([loss], parameters.Cast<Tensor>().ToList(), retain_graph: retainGraph, allow_unused: true);
        for (int i = 0; i < parameters.Length; i++)
        {
            var g = gradients[i];
            // The parameter keeps its own native reference; the scope may dispose our handle.
            parameters[i].grad = g is null || g.IsInvalid ? null : g;
        }
    }

    /// <summary>While disposed-of scope is open, the trunk's batch norms normalise with batch
    /// statistics as usual but leave their running statistics alone (momentum 0).</summary>
    IDisposable RealStatisticsOnly()
    {
        var saved = _trunkNorms.Select(n => n.momentum).ToArray();
        foreach (var norm in _trunkNorms) norm.momentum = 0;
        return new Restore(() => { for (int i = 0; i < saved.Length; i++) _trunkNorms[i].momentum = saved[i]; });
    }

    sealed class Restore(Action action) : IDisposable
    {
        public void Dispose() => action();
    }

    public void Dispose()
    {
        DiscriminatorOptimizer.Dispose();
        GeneratorOptimizer.Dispose();
    }
}
