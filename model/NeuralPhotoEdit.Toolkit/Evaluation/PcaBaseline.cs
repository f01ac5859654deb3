using static TorchSharp.torch;

namespace NeuralPhotoEdit.Evaluation;

/// <summary>
/// The linear baseline a learned autoencoder has to beat: principal component analysis fitted on
/// training crops, reconstructing a crop from its first k components.
/// </summary>
public sealed class PcaBaseline : IDisposable
{
    readonly Tensor _mean;        // 1×D
    readonly Tensor _components;  // K×D, orthonormal rows, largest variance first

    PcaBaseline(Tensor mean, Tensor components)
    {
        _mean = mean;
        _components = components;
    }

    /// <summary>Fits on N×D samples (N ≥ k). Uses the N×N Gram matrix, which is cheaper than the
    /// D×D covariance when there are fewer samples than dimensions.</summary>
    public static PcaBaseline Fit(Tensor samples, int maxComponents)
    {
        using var scope = NewDisposeScope();
        var x = samples.to(ScalarType.Float64);
        var mean = x.mean([0], keepdim: true);
        var centred = x - mean;
        var gram = centred.matmul(centred.t());
        var (eigenvalues, eigenvectors) = linalg.eigh(gram);          // ascending
        int k = (int)Math.Min(maxComponents, samples.shape[0]);
        var top = eigenvectors[.., ^k..].flip(1);                      // N×k, largest first
        var scale = eigenvalues[^k..].flip(0).AtLeast(1e-12).sqrt();
        var components = (centred.t().matmul(top) / scale).t();        // k×D, unit rows
        return new PcaBaseline(mean.MoveToOuterDisposeScope(), components.contiguous().MoveToOuterDisposeScope());
    }

    public int Components => (int)_components.shape[0];

    /// <summary>Projects N×D samples onto the first k components and back.</summary>
    public Tensor Reconstruct(Tensor samples, int k)
    {
        using var scope = NewDisposeScope();
        var basis = _components[..k];
        var centred = samples.to(ScalarType.Float64) - _mean;
        return centred.matmul(basis.t()).matmul(basis).Plus(_mean).to(ScalarType.Float32).MoveToOuterDisposeScope();
    }

    public void Dispose()
    {
        _mean.Dispose();
        _components.Dispose();
    }
}
