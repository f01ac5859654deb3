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
/// One IAN training step of the full objective, with both networks updated from one step's
/// forward passes (the paper's "simultaneous" update):
///   • discriminator D (trunk + classifier) minimises cross-entropy of D(X)→real,
///     D(X̂)→reconstructed, D(G(z))→generated (X̂ and G(z) detached) + 1e-3·orthogonal;
///   • generator and encoder head minimise α·(D(X̂)→real + D(G(z))→real) + 3·pixel + 1·feature + β·KL
///     + 1e-3·orthogonal, with D held fixed;
///   • the trunk is also the encoder's body, so it additionally receives the encoder's
///     reconstruction terms (3·pixel + β·KL) through the encoding path — and only those: the
///     adversarial and feature terms that G optimises never reach D's weights.
/// Why not the authors' alternating steps: the gradients are the same in kind, and sharing the
/// forward passes is what keeps a CPU step short. Why the trunk learns from reconstruction: with
/// only the discriminator's loss its features discard what an encoder needs, and reconstructions
/// stop improving (measured: pixel loss flat at 0.45 over 400 steps; with it, falling).
///
/// The generator's adversarial terms are ramped in linearly over the first
/// <see cref="AdversarialWarmupSteps"/> steps. Why: from a random start the discriminator wins at
/// once and its gradient swamps the reconstruction terms — measured on real photos, the pixel loss
/// stays flat at ~0.45 with the adversarial terms on from step 0, and falls (0.48 → 0.33 in 40
/// steps) without them. Once G reconstructs, the adversarial terms sharpen it.
///
/// Batch-norm running statistics of the trunk are only updated on real photos: at inference the
/// trunk encodes real photos, so statistics mixed with generated batches would shift every code.
/// Reconstructions and samples go through the decoder (and the trunk) as one batch.
/// </summary>
public sealed class IanTrainer : IDisposable
{
    public const double LearningRate = 2e-4;
    public const double Beta1 = 0.5;
    public const double Beta2 = 0.999;
    public const long AdversarialWarmupSteps = 1000;

    readonly IntrospectiveAdversarialNetwork _network;
    readonly Parameter[] _discriminatorParameters;
    readonly Parameter[] _generatorParameters;
    readonly Tensor[] _discriminatorBanks;
    readonly Tensor[] _generatorBanks;
    readonly NormBase[] _trunkNorms;

    public IanTrainer(IntrospectiveAdversarialNetwork network, ObjectiveWeights? weights = null)
    {
        Weights = weights ?? new ObjectiveWeights();
        if (Weights.Problem() is string problem) throw new ArgumentOutOfRangeException(nameof(weights), problem);
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
    /// <summary>The KL and adversarial weights β and α (see <see cref="ObjectiveWeights"/>).</summary>
    public ObjectiveWeights Weights { get; }
    public Adam DiscriminatorOptimizer { get; }
    public Adam GeneratorOptimizer { get; }

    /// <summary>Runs step number <paramref name="step"/> (0-based) on a batch of photos in [−1, 1];
    /// <paramref name="noise"/> makes the step's random draws (reparameterisation ε and prior z) reproducible.</summary>
    public StepLosses Step(Tensor images, Generator noise, long step)
    {
        double adversarialWeight = Weights.Adversarial * Math.Min(1.0, (step + 1) / (double)AdversarialWarmupSteps);
        using var scope = NewDisposeScope();
        _network.train();
        long n = images.shape[0];
        var config = _network.Config;

        var imageFeatures = _network.Trunk.Features(images);
        var realLogits = _network.DiscriminatorHead.forward(imageFeatures[^1]);
        var (mean, logSigma) = _network.Encoder.forward(imageFeatures[^1]);
        var z = mean + logSigma.exp() * randn(mean.shape, generator: noise, device: images.device);
        var prior = randn([n, config.LatentSize], generator: noise, device: images.device);
        var generated = _network.Decode(cat([z, prior], 0));
        var reconstruction = generated[..(int)n];

        // Minibatch discrimination compares samples within a batch, so each kind gets its own.
        Tensor Logits(Tensor trunkOutput, bool reconstructions) =>
            _network.DiscriminatorHead.forward(reconstructions ? trunkOutput[..(int)n] : trunkOutput[(int)n..]);
        Tensor[] detachedFakeFeatures, fakeFeatures;
        using (RealStatisticsOnly())
        {
            detachedFakeFeatures = _network.Trunk.Features(generated.detach());
            fakeFeatures = _network.Trunk.Features(generated);
        }

        var orthogonalD = Orthogonal(_discriminatorBanks);
        var discriminatorLoss = Adversarial(realLogits, Label.Real)
            + Adversarial(Logits(detachedFakeFeatures[^1], true), Label.Reconstructed)
            + Adversarial(Logits(detachedFakeFeatures[^1], false), Label.Generated)
            + OrthogonalWeight * orthogonalD;

        var advReconstruction = Adversarial(Logits(fakeFeatures[^1], true), Label.Real);
        var advSample = Adversarial(Logits(fakeFeatures[^1], false), Label.Real);
        var pixel = Pixel(reconstruction, images);
        var feature = Feature(fakeFeatures.Select(f => f[..(int)n]).ToArray(), imageFeatures.Select(f => f.detach()).ToArray());
        var kl = Kl(mean, logSigma);
        var orthogonalG = Orthogonal(_generatorBanks);
        var reconstructionTerms = PixelWeight * pixel + Weights.Kl * kl;
        var generatorLoss = adversarialWeight * (advReconstruction + advSample) + FeatureWeight * feature + reconstructionTerms
                            + OrthogonalWeight * orthogonalG;

        SetGradients(_discriminatorParameters, discriminatorLoss + reconstructionTerms, retainGraph: true);
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
