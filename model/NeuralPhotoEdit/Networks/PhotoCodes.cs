using NeuralPhotoEdit.Optimisation;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NeuralPhotoEdit.Networks;

/// <summary>
/// The code Z₀ an edit starts from: the encoder's mean μ(E(X)), then a few Adam steps on the
/// reconstruction error with the decoder fixed — Z₀ = argmin_Z mean (G(Z) − X)², started at μ(E(X)).
/// <para>
/// This departs from the paper, whose editor starts from μ(E(X)) itself. Why: the encoder is one
/// forward pass fitted to its training photos, and on photos unlike them it lands well short of the
/// best code the decoder has. What the refinement gains (<c>npe eval</c>'s <c>refined_psnr</c> against
/// <c>psnr</c>) is in docs/model.md.
/// Starting from the encoder's guess keeps the code where the encoder put it when that guess is
/// already good (encoder-initialised inversion, as in GAN-inversion work such as Zhu et al., ECCV
/// 2016). The decoder's weights get no gradient (<c>autograd.grad</c> on the code only), so a model
/// shared between threads is never written to.
/// </para>
/// Each photo's code follows the gradient of its own error only (the sum of per-photo means, and
/// Adam is per entry), so a window's code never depends on which other windows share the batch.
/// </summary>
public static class PhotoCodes
{
    public const int DefaultRefinementSteps = 20, MaxRefinementSteps = 500;
    /// <summary>Adam's step, in latent units. The default model's decoder, tuned with the even-change and
    /// reach terms, answers a step of the code strongly, and a larger step overshoots it (measured with
    /// <c>npe eval --data data/photos/train --crops 200 --seed 0</c> from builds that set this step: the
    /// model card, "Tuning").</summary>
    public const double LearningRate = 0.05;
    const double Beta1 = 0.9, Beta2 = 0.999;

    /// <summary>
    /// Z₀ for each photo of <paramref name="photos"/> (N×3×S×S in [−1, 1]): μ(E(X)) refined by
    /// <paramref name="refinementSteps"/> steps (0 = the encoder's mean, as in the paper). Puts the
    /// network in eval mode. The result is detached, N×latent, owned by the caller's dispose scope; a
    /// damaged model can make it non-finite, which the caller's check of G(Z₀) reports.
    /// <paramref name="learningRate"/>: Adam's step (<see cref="LearningRate"/> unless measuring another).
    /// </summary>
    public static Tensor Encode(IntrospectiveAdversarialNetwork network, Tensor photos, int refinementSteps = DefaultRefinementSteps,
                                CancellationToken cancellation = default, double learningRate = LearningRate)
    {
        CheckSteps(refinementSteps);
        network.eval();
        Tensor mean;
        using (no_grad()) mean = network.Encode(photos).Mean;
        if (refinementSteps == 0) return mean;

        using var code = new Parameter(mean.detach().clone().DetachFromDisposeScope(), requires_grad: true);
        using var adam = new AdamOptimizer([code], learningRate, Beta1, Beta2);
        // Adam can overshoot, so the last step's code is not always the closest: each photo keeps the
        // best code it has seen, and Z₀ is never farther from the photo than μ(E(X)).
        var best = mean.detach().clone();
        var bestError = full([best.shape[0]], Scalars.Of(double.PositiveInfinity), dtype: best.dtype, device: best.device);
        using (enable_grad())
        {
            for (int i = 0; i < refinementSteps; i++)
            {
                cancellation.ThrowIfCancellationRequested();
                using var scope = NewDisposeScope();
                var errors = ErrorsOf(network, code, photos);
                KeepTheCloser(best, bestError, code, errors);
                // Σ over photos of each photo's mean squared error: one backward pass, independent gradients.
                adam.Step([autograd.grad([errors.sum()], [code])[0]]);
            }
        }
        using (var scope = NewDisposeScope())
        using (no_grad())
            KeepTheCloser(best, bestError, code, ErrorsOf(network, code, photos));
        return best;
    }

    /// <summary>Each photo's mean squared error of G(Z).</summary>
    static Tensor ErrorsOf(IntrospectiveAdversarialNetwork network, Tensor code, Tensor photos) =>
        (network.Decode(code) - photos).Squared().mean([1, 2, 3]);

    /// <summary>Where a photo's error is below its best so far, its code and error replace the best.</summary>
    static void KeepTheCloser(Tensor best, Tensor bestError, Tensor code, Tensor errors)
    {
        using var _ = no_grad();
        var closer = errors.lt(bestError);
        best.copy_(where(closer.unsqueeze(1), code, best));
        bestError.copy_(minimum(errors, bestError));
    }

    /// <summary>Refuses a step count outside 0…<see cref="MaxRefinementSteps"/>.</summary>
    public static void CheckSteps(int refinementSteps)
    {
        if (refinementSteps is < 0 or > MaxRefinementSteps)
            throw new UserInputException($"Refinement steps must be between 0 and {MaxRefinementSteps} (got {refinementSteps}).");
    }
}
