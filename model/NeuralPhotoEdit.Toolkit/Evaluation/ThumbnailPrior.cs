using NeuralPhotoEdit.Imaging;
using static TorchSharp.torch;

namespace NeuralPhotoEdit.Evaluation;

/// <summary>
/// A simple model of how real photos look at a glance: a probabilistic PCA (Tipping &amp; Bishop 1999)
/// of whole photos' 8×8 thumbnails (area averages, 192 values in [0, 1]), fitted on training photos
/// and their mirror images. Thumbnails keep the global colour layout — sky above, land below, the light
/// of the one falling on the other — and nothing of the texture. C = U diag(λ₁…λ_q) Uᵀ + σ²(I − UUᵀ),
/// σ² the mean of the discarded eigenvalues; <see cref="NegativeLogLikelihood"/> is the Gaussian's
/// −log p(x). An edit that makes a photo less like photos (an orange band over unchanged blue-grey
/// land) raises it; one that changes the scene as scenes change (a sunset's light on the land) less so.
/// </summary>
public sealed class ThumbnailPrior
{
    public const int Side = 8, Components = 20;
    const int Dimensions = 3 * Side * Side;

    readonly double[] _mean;
    readonly double[][] _axes;       // q unit vectors
    readonly double[] _variances;    // their eigenvalues λᵢ
    readonly double _noise;          // σ²
    readonly double _logDeterminant;

    ThumbnailPrior(double[] mean, double[][] axes, double[] variances, double noise)
    {
        (_mean, _axes, _variances, _noise) = (mean, axes, variances, noise);
        _logDeterminant = variances.Sum(Math.Log) + (Dimensions - variances.Length) * Math.Log(noise);
    }

    /// <summary>The photos used to fit it.</summary>
    public int Photos { get; private init; }

    /// <summary>Fits the prior to <paramref name="photos"/> and their mirror images (at least
    /// <see cref="Components"/> photos).</summary>
    public static ThumbnailPrior Fit(IReadOnlyList<RgbaImage> photos)
    {
        if (photos.Count < Components)
            throw new UserInputException($"The thumbnail prior needs at least {Components} photos to fit (got {photos.Count}).");
        var rows = photos.SelectMany(p => new[] { Thumbnail(p, mirrored: false), Thumbnail(p, mirrored: true) }).ToArray();
        using var scope = NewDisposeScope();
        var x = tensor(rows.SelectMany(r => r).ToArray(), [rows.Length, Dimensions], ScalarType.Float64);
        var mean = x.mean([0]);
        var centred = x - mean;
        var covariance = centred.t().matmul(centred).DividedBy(rows.Length - 1);
        var (values, vectors) = linalg.eigh(covariance.Plus(covariance.t()).DividedBy(2));   // ascending
        var eigenvalues = values.data<double>().ToArray();
        var columns = vectors.t().contiguous();
        var axes = new double[Components][];
        var variances = new double[Components];
        for (int i = 0; i < Components; i++)
        {
            int k = Dimensions - 1 - i;
            axes[i] = columns[k].data<double>().ToArray();
            variances[i] = Math.Max(eigenvalues[k], 1e-12);
        }
        double noise = Math.Max(eigenvalues.Take(Dimensions - Components).Select(v => Math.Max(v, 0)).Average(), 1e-12);
        return new ThumbnailPrior(mean.data<double>().ToArray(), axes, variances, noise) { Photos = photos.Count };
    }

    /// <summary>−log p(thumbnail of <paramref name="image"/>) under the fitted Gaussian (nats).</summary>
    public double NegativeLogLikelihood(RgbaImage image)
    {
        var d = Thumbnail(image, mirrored: false);
        for (int i = 0; i < Dimensions; i++) d[i] -= _mean[i];
        double squared = d.Sum(v => v * v), mahalanobis = 0, explained = 0;
        for (int k = 0; k < _axes.Length; k++)
        {
            double projection = 0;
            for (int i = 0; i < Dimensions; i++) projection += _axes[k][i] * d[i];
            mahalanobis += projection * projection / _variances[k];
            explained += projection * projection;
        }
        mahalanobis += (squared - explained) / _noise;
        return 0.5 * (mahalanobis + _logDeterminant + Dimensions * Math.Log(2 * Math.PI));
    }

    /// <summary>The image's 8×8 area-average thumbnail: R, G, B planes in [0, 1], 192 values.</summary>
    public static double[] Thumbnail(RgbaImage image, bool mirrored)
    {
        var sums = new double[Dimensions];
        var counts = new double[Side * Side];
        for (int y = 0; y < image.Height; y++)
        {
            int ty = y * Side / image.Height;
            for (int x = 0; x < image.Width; x++)
            {
                int tx = x * Side / image.Width;
                if (mirrored) tx = Side - 1 - tx;
                int cell = ty * Side + tx, o = image.Offset(x, y);
                counts[cell]++;
                for (int c = 0; c < 3; c++) sums[c * Side * Side + cell] += image.Pixels[o + c] / 255.0;
            }
        }
        for (int i = 0; i < Dimensions; i++) sums[i] /= Math.Max(1, counts[i % (Side * Side)]);
        return sums;
    }
}
