using NeuralPhotoEdit.Optimisation;
using NeuralPhotoEdit.Networks;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NeuralPhotoEdit.Training;

/// <summary>
/// Tunes a trained model for reconstruction after its training: the encoder (trunk and encoder head),
/// and optionally the decoder, learn to raise the crops' mean PSNR of G(μ(E(X))) — each step lowers
/// the mean over crops of log mean (G(μ(E(X))) − X)² — with the networks as the editor runs them
/// (inference mode: running batch-norm statistics, the code μ with no noise). A decoder that learns
/// also sees the code with the posterior's noise, G(μ + σε), as in training, so it stays smooth around
/// the codes of photos: samples and edits move codes off μ.
/// <para>
/// Not in the paper, which trains the encoder with the rest of the IAN throughout and has no phase
/// after it. Why: the encoder is one forward pass that learned to invert a decoder that kept moving,
/// and on photos unlike its training photos it lands far short of the codes the finished decoder can
/// take (Adam steps on the code raise out-of-source PSNR by dBs: the model card, "Tuning"). With
/// the decoder fixed this is amortised inversion: the encoder learns to do in one pass what
/// <see cref="PhotoCodes"/> does in twenty. The logarithm weighs every crop's error relative to its
/// own, as PSNR does: a smooth sky matters as much as a textured cliff, where a plain mean square (or
/// the training's absolute error) lets textures dominate — and smooth crops are where a linear model
/// beat ours.
/// </para>
/// <para>
/// With an even-change weight λ the decoder's loss also has λ times the <see cref="EvenChange"/> term
/// (not in the paper): the decoder learns to change a flat area evenly when the code takes the
/// editor's kind of step, not only to draw photos closely. With a reach weight ρ it also has ρ times
/// the same step's reach (<see cref="EvenChange.Terms"/>): how far that step takes the colour under
/// the stroke, so evening the change out does not come at the cost of the painted spot.
/// </para>
/// <para>
/// The discriminator's head and the log σ layer get no gradient. The trunk is shared with the
/// discriminator, so after tuning the discriminator no longer matches it: a tuned model edits,
/// samples and is evaluated as any other, but adversarial training does not resume from it.
/// </para>
/// </summary>
public sealed class ReconstructionTuning : IDisposable
{
    public const double Beta1 = 0.9, Beta2 = 0.999;
    /// <summary>Keeps the logarithm finite for a perfect crop; on [−1, 1], an error of 46 dB PSNR.</summary>
    const double ErrorFloor = 1e-4;

    readonly IntrospectiveAdversarialNetwork _network;
    readonly bool _tunesDecoder;
    readonly double _evenChangeWeight;
    readonly double _reachWeight;
    readonly Parameter[] _parameters;
    readonly AdamOptimizer _optimizer;

    /// <summary>The weights this tuning changes, in a fixed order.</summary>
    public IReadOnlyList<Parameter> Parameters => _parameters;

    public ReconstructionTuning(IntrospectiveAdversarialNetwork network, double learningRate, bool tuneDecoder = false, double evenChangeWeight = 0,
        double reachWeight = 0)
    {
        if (!(learningRate > 0 && learningRate < 1)) throw new ArgumentOutOfRangeException(nameof(learningRate),
            "The learning rate must be between 0 and 1.");
        CheckTermWeight(evenChangeWeight, "even-change", tuneDecoder, nameof(evenChangeWeight));
        CheckTermWeight(reachWeight, "reach", tuneDecoder, nameof(reachWeight));
        _network = network;
        _tunesDecoder = tuneDecoder;
        _evenChangeWeight = evenChangeWeight;
        _reachWeight = reachWeight;
        _parameters = network.Trunk.parameters().Concat(network.Encoder.parameters())
            .Concat(tuneDecoder ? network.Decoder.parameters() : []).ToArray();
        // The inference decoder holds copies: a decoder that learns must run on its own weights.
        if (tuneDecoder) network.train();
        _optimizer = new AdamOptimizer(_parameters, learningRate, Beta1, Beta2);
    }

    /// <summary>One step on a batch of photos in [−1, 1] (<paramref name="noise"/> draws ε for the
    /// decoder's noisy code); returns the batch's mean PSNR before the step, on [−1, 1] (peak-to-peak 2).</summary>
    public double Step(Tensor images, Generator noise)
    {
        using var scope = NewDisposeScope();
        _network.eval();
        var (code, logSigma) = _network.Encode(images);
        var reconstruction = _network.Decode(code);
        var error = (reconstruction - images).Squared().mean([1, 2, 3]);
        var loss = LogError(error);
        if (_evenChangeWeight > 0 || _reachWeight > 0)
        {
            var (roughness, reach) = EvenChange.Terms(_network, code, reconstruction, images, noise);
            loss = loss.Plus(roughness.Times(_evenChangeWeight)).Plus(reach.Times(_reachWeight));
        }
        if (_tunesDecoder)
        {
            var noisy = code.Plus(logSigma.detach().exp() * randn(code.shape, generator: noise, device: code.device));
            loss = loss.Plus(LogError((_network.Decode(noisy) - images).Squared().mean([1, 2, 3])));
        }
        var gradients = autograd.grad([loss], _parameters.Cast<Tensor>().ToList(), allow_unused: true);
        _optimizer.Step(gradients.Select(g => g is null || g.IsInvalid ? null : g).ToArray());
        return 10 * Math.Log10(4) - 10 * error.log10().mean().item<float>();
    }

    static void CheckTermWeight(double weight, string term, bool tuneDecoder, string parameter)
    {
        if (!(weight >= 0 && double.IsFinite(weight))) throw new ArgumentOutOfRangeException(parameter, $"The {term} weight must be 0 or more.");
        if (weight > 0 && !tuneDecoder) throw new ArgumentException($"The {term} term shapes the decoder: it needs the decoder tuned.", parameter);
    }

    static Tensor LogError(Tensor perCropError)
    {
        using Scalar floor = ErrorFloor.ToScalar();   // owned by this call, not the finalizable kind
        return perCropError.add(floor).log().mean();
    }

    public void Dispose() => _optimizer.Dispose();
}
