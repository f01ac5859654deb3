using static TorchSharp.torch;

namespace NeuralPhotoEdit.Evaluation;

/// <summary>
/// How far a set of images is, as a whole, from a set of photo crops: the Fréchet distance between
/// Gaussians fitted to their 8×8 thumbnails (area averages, 192 values) — the FID's formula
/// (Heusel et al. 2017) on thumbnails instead of Inception features, which this project has no
/// licence-clean network for. Thumbnails keep what "looks like a natural scene" means at a glance:
/// colours and layout (sky above, ground below, a horizon), and nothing of the fine texture.
/// ‖μ₁ − μ₂‖² + tr(Σ₁ + Σ₂ − 2(Σ₁^½ Σ₂ Σ₁^½)^½), on [0, 1] pixel values. Lower is closer; two
/// independent sets of crops of the same photos give the floor (sampling noise).
/// </summary>
public static class ThumbnailFrechetDistance
{
    public const int Side = 8;

    /// <param name="images">N×3×S×S in [−1, 1], N ≥ 2.</param>
    /// <param name="photos">M×3×S×S in [−1, 1], M ≥ 2.</param>
    public static double Between(Tensor images, Tensor photos)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var (mean1, covariance1) = Moments(images);
        var (mean2, covariance2) = Moments(photos);
        var root1 = SymmetricSqrt(covariance1);
        var cross = SymmetricSqrt(root1.matmul(covariance2).matmul(root1));
        double meanTerm = (mean1 - mean2).Squared().sum().item<double>();
        return meanTerm + (covariance1.trace().Plus(covariance2.trace()) - cross.trace().Times(2)).item<double>();
    }

    static (Tensor Mean, Tensor Covariance) Moments(Tensor images)
    {
        long count = images.shape[0];
        if (count < 2) throw new ArgumentException("The Fréchet distance needs at least 2 images on each side.");
        var thumbnails = nn.functional.adaptive_avg_pool2d(images.to(ScalarType.Float64).cpu(), [Side, Side])
            .flatten(1).Plus(1).DividedBy(2);                                                   // N×192 in [0, 1]
        var mean = thumbnails.mean([0]);
        var centred = thumbnails - mean;
        return (mean, centred.t().matmul(centred).DividedBy(count - 1));
    }

    /// <summary>The symmetric positive semi-definite square root, by eigendecomposition (round-off's
    /// tiny negative eigenvalues clamped to 0).</summary>
    static Tensor SymmetricSqrt(Tensor matrix)
    {
        var symmetric = matrix.Plus(matrix.t()).DividedBy(2);
        var (values, vectors) = linalg.eigh(symmetric);
        return vectors.matmul(diag(values.AtLeast(0).sqrt())).matmul(vectors.t());
    }
}
