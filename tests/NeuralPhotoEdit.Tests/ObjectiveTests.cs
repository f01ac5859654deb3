using NeuralPhotoEdit.Training;
using static TorchSharp.torch;
using static NeuralPhotoEdit.Training.IanObjective;

namespace NeuralPhotoEdit.Tests;

public class ObjectiveTests
{
    public ObjectiveTests() => TorchRuntime.EnsureInitialised();

    [Fact]
    public void OrthogonalRegulariserIsZeroExactlyForOrthonormalFilters()
    {
        using var scope = NewDisposeScope();
        var (q, _) = linalg.qr(randn(36, 8, dtype: ScalarType.Float64));      // 36×8 with orthonormal columns
        var filters = q.t().reshape(8, 4, 3, 3);                               // 8 orthonormal filters of 4×3×3
        Assert.True(Orthogonal([filters]).item<double>() < 1e-9);

        var scaled = filters.Times(1.1);
        Assert.True(Orthogonal([scaled]).item<double>() > 0.1);
        Assert.True(Orthogonal([randn(8, 4, 3, 3, dtype: ScalarType.Float64)]).item<double>() > 1);
    }

    [Fact]
    public void TernaryLabelsAreRealReconstructedGenerated()
    {
        using var scope = NewDisposeScope();
        // Logits that put all mass on class k: the loss is ~0 for label k and large for the others.
        foreach (var label in new[] { Label.Real, Label.Reconstructed, Label.Generated })
        {
            var logits = full(4, 3, NeuralPhotoEdit.Scalars.Of(-20f));
            logits[.., (long)label].fill_(NeuralPhotoEdit.Scalars.Of(20f));
            Assert.True(Adversarial(logits, label).item<float>() < 1e-6);
            foreach (var other in new[] { Label.Real, Label.Reconstructed, Label.Generated }.Where(l => l != label))
                Assert.True(Adversarial(logits, other).item<float>() > 30);
        }
        // A binary discriminator folds reconstructed and generated into "fake" (class 1).
        var binary = tensor(new float[] { -20, 20 }).view(1, 2);
        Assert.True(Adversarial(binary, Label.Generated).item<float>() < 1e-6);
    }

    [Fact]
    public void KlIsZeroForThePriorAndPositiveOtherwise()
    {
        using var scope = NewDisposeScope();
        Assert.Equal(0, Kl(zeros(4, 10), zeros(4, 10)).item<float>(), 6);
        // ½(μ² + σ² − 2 log σ − 1): μ = 1, σ = 1 gives ½; μ = 0, log σ = −2 gives ½(e⁻⁴ + 3).
        Assert.Equal(0.5, Kl(ones(4, 10), zeros(4, 10)).item<float>(), 5);
        Assert.Equal(0.5 * (Math.Exp(-4) + 3), Kl(zeros(4, 10), full(4, 10, NeuralPhotoEdit.Scalars.Of(-2f))).item<float>(), 5);
    }
}
