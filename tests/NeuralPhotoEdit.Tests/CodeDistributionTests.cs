using NeuralPhotoEdit.Evaluation;
using NeuralPhotoEdit.ModelFiles;
using NeuralPhotoEdit.Networks;
using static TorchSharp.torch;

namespace NeuralPhotoEdit.Tests;

/// <summary>The Gaussian fitted to a model's codes: fitted to the right moments, stored with the model,
/// sampled from, and refused when damaged.</summary>
public class CodeDistributionTests : IDisposable
{
    readonly TempDirectory _temp = TestSupport.TempDirectory();

    public CodeDistributionTests() => TorchRuntime.EnsureInitialised();

    public void Dispose() => _temp.Dispose();

    /// <summary>The fit is the aggregate posterior's moments: mean of μ(x), Cov(μ(x)) + mean σ(x)²,
    /// computed here independently from the encoder's outputs.</summary>
    [Fact]
    public void TheFitHasTheMeanAndCovarianceOfTheCodesTheDecoderIsTrainedOn()
    {
        using var network = new IntrospectiveAdversarialNetwork(IanConfig.Tiny);
        network.eval();
        using var crops = ReconstructionEvaluation.LoadCrops(TestSupport.FixturePhotos, IanConfig.Tiny.ImageSize, 300, seed: 1);
        var fitted = CodeDistributionFit.Fit(network, crops, CPU);

        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var (mean, logSigma) = network.Encode(crops);
        var codes = mean.to(ScalarType.Float64);
        var centred = codes - codes.mean([0]);
        var expected = centred.t().matmul(centred).DividedBy(crops.shape[0] - 1).Plus(diag(logSigma.to(ScalarType.Float64).Times(2).exp().mean([0])));
        int n = fitted.LatentSize;
        var scale = tensor(fitted.Scale, [n, n]);
        var covariance = scale.matmul(scale.t());
        // Within float32 rounding and the 1e-6 jitter the factorisation adds to the diagonal.
        Assert.InRange((covariance - expected).abs().max().item<double>(), 0, 2e-6 + 1e-4 * expected.abs().max().item<double>());
        // Chunked and whole-batch encodings differ in float32 rounding only.
        Assert.InRange((tensor(fitted.Mean) - codes.mean([0])).abs().max().item<double>(), 0, 1e-5);
    }

    [Fact]
    public void AModelFileKeepsItsCodeDistributionAndSamplesFromIt()
    {
        string path = _temp.File("fitted.safetensors");
        var codes = Diagonal(IanConfig.Tiny.LatentSize, mean: 3, sigma: 0.5);
        using (var network = new IntrospectiveAdversarialNetwork(IanConfig.Tiny))
            ModelFile.Save(path, network, halfPrecision: true, codes: codes);

        using var loaded = ModelFile.Load(path);
        Assert.True(loaded.HalfPrecision);
        Assert.Equal(codes.Mean, loaded.Codes!.Mean);
        Assert.Equal(codes.Scale, loaded.Codes.Scale);
        using var generator = new Generator(5);
        using var fitted = loaded.SampleCodes(4000, generator);
        using var standard = loaded.SampleCodes(4000, generator, standard: true);
        Assert.InRange(fitted.mean().item<float>(), 2.95, 3.05);
        Assert.InRange(fitted.std().item<float>(), 0.48, 0.52);
        Assert.InRange(standard.mean().item<float>(), -0.05, 0.05);
        Assert.InRange(standard.std().item<float>(), 0.97, 1.03);
    }

    /// <summary>z = μ + Lε has covariance LLᵀ: with L = [[1, 0], [0.8, 0.6]] in the first two
    /// dimensions, Var z₀ = 1, Var z₁ = 1 and Cov(z₀, z₁) = 0.8 (εL would give Var z₀ = 1.64).</summary>
    [Fact]
    public void SamplesHaveTheFittedCorrelations()
    {
        int n = IanConfig.Tiny.LatentSize;
        var scale = Diagonal(n, 0, 1).Scale;
        (scale[n], scale[n + 1]) = (0.8, 0.6);
        using var generator = new Generator(7);
        using var z = new CodeDistribution(new double[n], scale).Sample(20_000, generator, CPU);
        using var first = z[.., 0];
        using var second = z[.., 1];
        Assert.InRange(first.var().item<float>(), 0.97, 1.03);
        Assert.InRange(second.var().item<float>(), 0.97, 1.03);
        Assert.InRange((first * second).mean().item<float>(), 0.77, 0.83);
    }

    [Fact]
    public void AModelWithoutOneSamplesFromTheStandardNormal()
    {
        string path = _temp.File("plain.safetensors");
        using (var network = new IntrospectiveAdversarialNetwork(IanConfig.Tiny)) ModelFile.Save(path, network);
        using var loaded = ModelFile.Load(path);
        Assert.False(loaded.HalfPrecision);
        // A copy carries the facts, not the format and config its writer sets itself.
        Assert.Empty(loaded.Facts().Keys.Intersect(["format", "format_version", ModelFile.ConfigKey]));
        Assert.Null(loaded.Codes);
        using var generator = new Generator(5);
        using var z = loaded.SampleCodes(4000, generator);
        Assert.InRange(z.std().item<float>(), 0.97, 1.03);
    }

    public static TheoryData<string, string> Damages => new()
    {
        { "not-lower-triangular", "not lower-triangular" },
        { "zero-diagonal", "diagonal is not positive" },
        { "nan", "non-finite values" },
        { "wrong-size", "wrong shape" },
        { "half", "half of a code distribution" },
        { "unknown", "which no code distribution has" },
    };

    [Theory, MemberData(nameof(Damages))]
    public void ADamagedCodeDistributionIsRefused(string damage, string expected)
    {
        int n = IanConfig.Tiny.LatentSize;
        var codes = Diagonal(n, 0, 1);
        double[] mean = codes.Mean, scale = (double[])codes.Scale.Clone();
        var extra = new List<(string, Tensor)>();
        switch (damage)
        {
            case "not-lower-triangular": scale[1] = 0.5; break;
            case "zero-diagonal": scale[n + 1] = 0; break;
            case "nan": mean = [.. mean]; mean[2] = double.NaN; break;
        }
        extra.Add((CodeDistribution.MeanTensor, damage == "wrong-size" ? tensor(mean[..^1]) : tensor(mean)));
        if (damage != "half") extra.Add((CodeDistribution.ScaleTensor, tensor(scale, [n, n])));
        if (damage == "unknown") extra.Add(("code_distribution.weights", tensor(new double[] { 1 })));

        string path = _temp.File($"{damage}.safetensors");
        using (var network = new IntrospectiveAdversarialNetwork(IanConfig.Tiny)) ModelFile.Save(path, network, extraTensors: extra);
        var error = Assert.Throws<ModelFileException>(() => ModelFile.Load(path).Dispose());
        Assert.Contains(path, error.Message);
        Assert.Contains(expected, error.Message);
    }

    static CodeDistribution Diagonal(int n, double mean, double sigma)
    {
        var scale = new double[n * n];
        for (int i = 0; i < n; i++) scale[i * n + i] = sigma;
        return new CodeDistribution(Enumerable.Repeat(mean, n).ToArray(), scale);
    }
}
