using NeuralPhotoEdit.Optimisation;
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
///   • the trunk is also the encoder's body, so it additionally receives the encoder's loss
///     (paper: feature + 3·pixel + adversarial + KL) through the encoding path X → E(X) → X̂ — but
///     never G's terms through the trunk's own view of X̂ and G(z): those reach G only.
/// Why not the authors' alternating steps: the gradients are the same in kind, and sharing the
/// forward and backward passes is what keeps a CPU step short. Why the trunk learns from the
/// encoder's loss: with only the discriminator's loss its features discard what an encoder needs,
/// and reconstructions stop improving (measured: pixel loss flat at 0.45 over 400 steps; with the
/// reconstruction terms, falling).
///
/// The generator's adversarial terms are ramped in linearly over the first
/// <see cref="AdversarialWarmupSteps"/> steps (of the run, or of a fine-tuning phase that adds them;
/// <see cref="ObjectiveWeights.AdversarialFrom"/>). Why: from a random start the discriminator wins at
/// once and its gradient swamps the reconstruction terms — measured on real photos, the pixel loss
/// stays flat at ~0.45 with the adversarial terms on from step 0, and falls (0.48 → 0.33 in 40
/// steps) without them. Once G reconstructs, the adversarial terms sharpen it.
///
/// Batch-norm running statistics of the trunk are only updated on real photos: at inference the
/// trunk encodes real photos, so statistics mixed with generated batches would shift every code.
/// Reconstructions and samples go through the decoder (and the trunk) as one batch, so batch norm
/// normalises both with statistics of the mixture; with <see cref="SeparateBatches"/> each kind goes
/// through on its own, with its own statistics, as in the authors' code.
///
/// Cost (see docs/speed.md): every network runs forward and backward once per step, except the
/// trunk over the generated images, which runs backward twice (for D's weights, and for the
/// gradient toward the generated images that G's adversarial and feature terms need).
/// </summary>
public sealed class IanTrainer : IDisposable
{
    public const double Beta1 = 0.5;
    public const double Beta2 = 0.999;
    public const long AdversarialWarmupSteps = 1000;

    readonly IntrospectiveAdversarialNetwork _network;
    /// <summary>D's parameters, then G's and the encoder head's: one backward pass serves them all.</summary>
    readonly Parameter[] _parameters;
    readonly Tensor[] _discriminatorBanks;
    readonly Tensor[] _generatorBanks;
    readonly NormBase[] _trunkNorms;

    public IanTrainer(IntrospectiveAdversarialNetwork network, ObjectiveWeights? weights = null, LearningRateSchedule? schedule = null,
                      bool separateBatches = false)
    {
        SeparateBatches = separateBatches;
        Weights = weights ?? new ObjectiveWeights();
        if (Weights.Problem() is string problem) throw new ArgumentOutOfRangeException(nameof(weights), problem);
        Schedule = schedule ?? LearningRateSchedule.Constant;
        if (Schedule.Problem() is string scheduleProblem) throw new ArgumentOutOfRangeException(nameof(schedule), scheduleProblem);
        _network = network;
        var discriminatorParameters = network.DiscriminatorParameters().ToArray();
        var generatorParameters = network.GeneratorEncoderParameters().ToArray();
        _parameters = discriminatorParameters.Concat(generatorParameters).ToArray();
        DiscriminatorOptimizer = new AdamOptimizer(discriminatorParameters, LearningRateSchedule.Initial, Beta1, Beta2);
        GeneratorOptimizer = new AdamOptimizer(generatorParameters, LearningRateSchedule.Initial, Beta1, Beta2);
        _discriminatorBanks = FilterBanks(network.Trunk).Concat(FilterBanks(network.DiscriminatorHead)).ToArray();
        _generatorBanks = FilterBanks(network.Decoder).Concat(FilterBanks(network.Encoder)).ToArray();
        _trunkNorms = network.Trunk.modules().OfType<NormBase>().ToArray();
    }

    public IntrospectiveAdversarialNetwork Network => _network;
    /// <summary>The KL and adversarial weights β and α (see <see cref="ObjectiveWeights"/>).</summary>
    public ObjectiveWeights Weights { get; }
    /// <summary>Adam's learning rate by step (see <see cref="LearningRateSchedule"/>).</summary>
    public LearningRateSchedule Schedule { get; }
    public AdamOptimizer DiscriminatorOptimizer { get; }
    public AdamOptimizer GeneratorOptimizer { get; }
    /// <summary>Reconstructions and prior samples through the decoder and the trunk as two batches
    /// (true, the authors' code) or one (false, what the default model was trained with).</summary>
    public bool SeparateBatches { get; }

    const string SeparateBatchesKey = "train_separate_batches";

    public void WriteTo(IDictionary<string, string> metadata) => metadata[SeparateBatchesKey] = SeparateBatches ? "true" : "false";

    /// <summary>Whether a checkpoint's run used separate batches (missing: no, as before it was an
    /// option), or null when the stored value is neither.</summary>
    public static bool? ReadSeparateBatches(IReadOnlyDictionary<string, string> metadata) =>
        !metadata.TryGetValue(SeparateBatchesKey, out var value) ? false
        : value == "true" ? true : value == "false" ? false : null;

    /// <summary>Runs step number <paramref name="step"/> (0-based) on a batch of photos in [−1, 1];
    /// <paramref name="noise"/> makes the step's random draws (reparameterisation ε and prior z) reproducible.</summary>
    public StepLosses Step(Tensor images, Generator noise, long step)
    {
        var losses = ComputeGradients(images, noise, step);
        double rate = Schedule.RateAt(step);
        DiscriminatorOptimizer.LearningRate = GeneratorOptimizer.LearningRate = rate;
        DiscriminatorOptimizer.Step();
        GeneratorOptimizer.Step();
        return losses;
    }

    /// <summary>The step's forward and backward passes: sets every parameter's gradient (see the
    /// class summary for which loss reaches which parameter) and returns the losses.</summary>
    internal StepLosses ComputeGradients(Tensor images, Generator noise, long step)
    {
        double adversarialWeight = Weights.AdversarialAt(step, AdversarialWarmupSteps);
        using var scope = NewDisposeScope();
        _network.train();
        long n = images.shape[0];
        var config = _network.Config;

        var imageFeatures = _network.Trunk.Features(images);
        var realLogits = _network.DiscriminatorHead.forward(imageFeatures[^1]);
        var (mean, logSigma) = _network.Encoder.forward(imageFeatures[^1]);
        var z = mean.Plus(logSigma.exp() * randn(mean.shape, generator: noise, device: images.device));
        var prior = randn([n, config.LatentSize], generator: noise, device: images.device);
        var generated = SeparateBatches
            ? cat([_network.Decode(z), _network.Decode(prior)], 0)
            : _network.Decode(cat([z, prior], 0));
        var reconstruction = generated[..(int)n];

        // The trunk sees the generated images once, as a leaf: the discriminator's loss stops there,
        // and the generator's adversarial and feature terms are carried on into the decoder below.
        // Minibatch discrimination compares samples within a batch, so each kind gets its own.
        var generatedLeaf = generated.detach().requires_grad_(true);
        Tensor[] fakeFeatures;
        using (RealStatisticsOnly())
            fakeFeatures = SeparateBatches
                ? _network.Trunk.Features(generatedLeaf[..(int)n]).Zip(_network.Trunk.Features(generatedLeaf[(int)n..]), (r, s) =>
                    cat([r, s], 0)).ToArray()
                : _network.Trunk.Features(generatedLeaf);
        var reconstructionLogits = _network.DiscriminatorHead.forward(fakeFeatures[^1][..(int)n]);
        var sampleLogits = _network.DiscriminatorHead.forward(fakeFeatures[^1][(int)n..]);

        var orthogonalD = Orthogonal(_discriminatorBanks);
        var discriminatorLoss = Adversarial(realLogits, Label.Real)
            .Plus(Adversarial(reconstructionLogits, Label.Reconstructed))
            .Plus(Adversarial(sampleLogits, Label.Generated))
            .Plus(orthogonalD.Times(OrthogonalWeight));

        var advReconstruction = Adversarial(reconstructionLogits, Label.Real);
        var advSample = Adversarial(sampleLogits, Label.Real);
        var pixel = Pixel(reconstruction, images);
        var feature = Feature(fakeFeatures.Select(f => f[..(int)n]).ToArray(), imageFeatures.Select(f => f.detach()).ToArray());
        var kl = Kl(mean, logSigma);
        var orthogonalG = Orthogonal(_generatorBanks);
        var reconstructionTerms = pixel.Times(PixelWeight).Plus(kl.Times(Weights.Kl));
        var throughDiscriminator = advReconstruction.Plus(advSample).Times(adversarialWeight).Plus(feature.Times(FeatureWeight));
        var orthogonalTermG = orthogonalG.Times(OrthogonalWeight);
        var generatorLoss = throughDiscriminator.Plus(reconstructionTerms).Plus(orthogonalTermG);

        // D is held fixed for G: the terms judged by D reach G (and, through the encoding path, the
        // trunk) only through the generated images, as ∂/∂generated; `throughGenerated` has exactly
        // that gradient. D's loss does not depend on G or the encoder head, nor G's terms on D's
        // classifier, so one backward pass of the sum gives every parameter its own gradient.
        var towardGenerated = autograd.grad([throughDiscriminator], [generatedLeaf], retain_graph: true)[0];
        var throughGenerated = (generated * towardGenerated).sum();
        SetGradients(_parameters, discriminatorLoss.Plus(reconstructionTerms).Plus(orthogonalTermG).Plus(throughGenerated));

        return new StepLosses(
            discriminatorLoss.item<float>(), generatorLoss.item<float>(), pixel.item<float>(), feature.item<float>(),
            kl.item<float>(), advReconstruction.item<float>(), advSample.item<float>(),
            orthogonalD.item<float>(), orthogonalG.item<float>());
    }

    /// <summary>Sets each parameter's gradient to ∂loss/∂parameter, computing nothing else.</summary>
    static void SetGradients(Parameter[] parameters, Tensor loss)
    {
        var gradients = autograd.grad([loss], parameters.Cast<Tensor>().ToList(), allow_unused: true);
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
