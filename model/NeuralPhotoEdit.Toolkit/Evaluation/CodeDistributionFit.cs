using NeuralPhotoEdit.Networks;
using static TorchSharp.torch;

namespace NeuralPhotoEdit.Evaluation;

/// <summary>
/// Fits <see cref="CodeDistribution"/> to photos: the mean and covariance of the aggregate posterior
/// q(z) = E_x q(z|x) over the crops, i.e. Cov(μ(x)) + E[diag σ(x)²] — the Gaussian closest to the
/// codes the decoder was trained on (it decodes z ~ q(z|x), not only the means).
/// </summary>
public static class CodeDistributionFit
{
    /// <summary>Added to the covariance's diagonal before the Cholesky factorisation, so a direction no
    /// crop varies in still gives a factor with a positive diagonal.</summary>
    const double Jitter = 1e-6;
    const string DataKey = "code_distribution_data", CropsKey = "code_distribution_crops";

    /// <summary>Records in a model file's facts which folder and how many crops the fit used.</summary>
    public static void WriteFacts(IDictionary<string, string> facts, string dataDirectory, long crops)
    {
        facts[DataKey] = Path.GetFileName(Path.TrimEndingDirectorySeparator(dataDirectory));
        facts[CropsKey] = crops.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Drops those facts, for a copy whose fit no longer holds.</summary>
    public static void RemoveFacts(IDictionary<string, string> facts)
    {
        facts.Remove(DataKey);
        facts.Remove(CropsKey);
    }

    /// <param name="crops">N×3×S×S in [−1, 1] (e.g. <see cref="ReconstructionEvaluation.LoadCrops"/>), N ≥ 2.</param>
    public static CodeDistribution Fit(IntrospectiveAdversarialNetwork network, Tensor crops, Device device, Action<int, int>? progress = null)
    {
        int count = (int)crops.shape[0], latent = network.Config.LatentSize;
        if (count < 2) throw new UserInputException("Fitting the codes' distribution needs at least 2 crops.");
        bool wasTraining = network.training;
        network.eval();
        try
        {
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            var means = new List<Tensor>();
            var variance = zeros(latent, dtype: ScalarType.Float64);
            const int chunk = 100;
            for (int start = 0; start < count; start += chunk)
            {
                int end = Math.Min(count, start + chunk);
                var (mean, logSigma) = network.Encode(crops[start..end].to(device));
                means.Add(mean.to(ScalarType.Float64).cpu());
                variance.add_(logSigma.to(ScalarType.Float64).cpu().Times(2).exp().sum([0]));
                progress?.Invoke(end, count);
            }
            var codes = cat(means, 0);
            var centre = codes.mean([0]);
            var centred = codes - centre;
            var covariance = centred.t().matmul(centred).DividedBy(count - 1).Plus(diag(variance.DividedBy(count).Plus(Jitter)));
            var scale = linalg.cholesky(covariance);
            return new CodeDistribution(centre.data<double>().ToArray(), scale.contiguous().data<double>().ToArray());
        }
        finally
        {
            if (wasTraining) network.train();
        }
    }
}
