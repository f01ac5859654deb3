using static TorchSharp.torch;

namespace NeuralPhotoEdit.Networks;

/// <summary>
/// A Gaussian over codes, N(μ, LLᵀ), fitted after training to the codes of real photos: what a
/// model file may carry for drawing samples G(z) that look like its photos.
///
/// Why: the paper samples z ~ N(0, I), the prior its KL term (weight 1) pulls every code toward. Our
/// KL weight is 0.01 (<c>ObjectiveWeights.DefaultKl</c>, docs/model.md), so the codes of real
/// photos do not fill N(0, I): a draw from it lands where no photo's code lies, and G paints colour
/// fields and bars there. Fitting a density to the codes after training is the remedy Ghosh et al.
/// ("From Variational to Deterministic Autoencoders", ICLR 2020) use for the same gap. Editing never
/// samples; only samples (`npe sample`) use this.
/// </summary>
public sealed class CodeDistribution
{
    public const string MeanTensor = "code_distribution.mean", ScaleTensor = "code_distribution.scale_tril";
    const string Prefix = "code_distribution.";

    /// <summary>μ, length L.</summary>
    public double[] Mean { get; }
    /// <summary>The covariance's lower-triangular Cholesky factor L (positive diagonal), L×L row-major.</summary>
    public double[] Scale { get; }
    public int LatentSize => Mean.Length;

    public CodeDistribution(double[] mean, double[] scale)
    {
        if (Problem(mean, scale) is string problem) throw new ArgumentException(problem);
        (Mean, Scale) = (mean, scale);
    }

    /// <summary>True for the names of this distribution's tensors in a model file.</summary>
    public static bool IsTensorName(string name) => name.StartsWith(Prefix, StringComparison.Ordinal);

    /// <summary>Null when <paramref name="mean"/> and <paramref name="scale"/> make a usable distribution,
    /// else what is wrong with them.</summary>
    public static string? Problem(double[] mean, double[] scale)
    {
        int n = mean.Length;
        if (n == 0 || scale.Length != (long)n * n) return $"needs a mean of L values and an L×L scale (got {mean.Length} and {scale.Length} values)";
        if (!mean.All(double.IsFinite) || !scale.All(double.IsFinite)) return "has non-finite values";
        for (int row = 0; row < n; row++)
        {
            if (!(scale[row * n + row] > 0)) return "has a scale whose diagonal is not positive";
            for (int column = row + 1; column < n; column++)
                if (scale[row * n + column] != 0) return "has a scale that is not lower-triangular";
        }
        return null;
    }

    /// <summary><paramref name="count"/> codes z = μ + L·ε, ε ~ N(0, I), from <paramref name="generator"/>.</summary>
    public Tensor Sample(long count, Generator generator, Device device)
    {
        using var scope = NewDisposeScope();
        var noise = randn([count, LatentSize], generator: generator, device: device);
        var mean = tensor(Mean, device: device).to(ScalarType.Float32);
        var scale = tensor(Scale, [LatentSize, LatentSize], device: device).to(ScalarType.Float32);
        return noise.matmul(scale.t()).add(mean).MoveToOuterDisposeScope();
    }

    /// <summary><paramref name="count"/> codes from the paper's prior N(0, I).</summary>
    public static Tensor SampleStandard(long count, int latentSize, Generator generator, Device device) =>
        randn([count, latentSize], generator: generator, device: device);

    /// <summary>The tensors a model file stores: float64, which a half-precision file leaves as it is
    /// (the Cholesky factor's small entries would not survive float16).</summary>
    public IEnumerable<(string Name, Tensor Tensor)> ToTensors() =>
        [(MeanTensor, tensor(Mean)), (ScaleTensor, tensor(Scale, [LatentSize, LatentSize]))];
}
