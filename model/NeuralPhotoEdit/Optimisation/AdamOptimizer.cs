using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NeuralPhotoEdit.Optimisation;

/// <summary>
/// Adam (Kingma &amp; Ba 2015), the same operations in the same order as TorchSharp's
/// <c>optim.Adam</c> without weight decay, so its numbers are TorchSharp's:
/// m ← β₁m + (1 − β₁)g;  v ← β₂v + (1 − β₂)g²;  θ ← θ − (η / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε).
/// Why our own: TorchSharp's Adam turns each of those plain numbers into a native scalar that only a
/// finalizer frees (see <see cref="Scalars"/>), and a training step under forced collections failed
/// inside it ("Expected false to be true … toFloat" in <c>add_</c>). Here every scalar is held by a
/// <c>using</c> until libtorch has read it. Training steps the networks' weights with it; the editor
/// steps a photo's code (<see cref="Networks.PhotoCodes"/>).
/// </summary>
public sealed class AdamOptimizer : IDisposable
{
    const double Epsilon = 1e-8;
    readonly Parameter[] _parameters;
    readonly double _beta1, _beta2;

    public AdamOptimizer(IEnumerable<Parameter> parameters, double learningRate, double beta1, double beta2)
    {
        _parameters = parameters.ToArray();
        LearningRate = learningRate;
        (_beta1, _beta2) = (beta1, beta2);
        States = _parameters.Select(p => new ParameterState(zeros_like(p).DetachFromDisposeScope(),
            zeros_like(p).DetachFromDisposeScope())).ToArray();
    }

    /// <summary>η, read at every step (the schedule changes it).</summary>
    public double LearningRate { get; set; }

    /// <summary>Per parameter, in the order given: the moments m and v and the step count t.</summary>
    public IReadOnlyList<ParameterState> States { get; }

    public sealed class ParameterState(Tensor firstMoment, Tensor secondMoment) : IDisposable
    {
        public Tensor FirstMoment { get; } = firstMoment;
        public Tensor SecondMoment { get; } = secondMoment;
        public long Step { get; set; }

        public void Dispose()
        {
            FirstMoment.Dispose();
            SecondMoment.Dispose();
        }
    }

    /// <summary>One update of every parameter that has a gradient.</summary>
    public void Step() => Step(_parameters.Select(p => p.grad).ToArray());

    /// <summary>One update with the given gradients (one per parameter, in order; null = leave it),
    /// e.g. from <c>autograd.grad</c>, which leaves every other tensor's <c>.grad</c> alone.</summary>
    public void Step(IReadOnlyList<Tensor?> gradients)
    {
        if (gradients.Count != _parameters.Length)
            throw new ArgumentException($"{gradients.Count} gradients for {_parameters.Length} parameters.", nameof(gradients));
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        // Scalars owned by this call (made explicitly, disposed when it ends), not the finalizable kind.
        using Scalar beta1 = _beta1.ToScalar(), beta2 = _beta2.ToScalar(), oneMinusBeta1 = (1 - _beta1).ToScalar(),
                     oneMinusBeta2 = (1 - _beta2).ToScalar(), epsilon = Epsilon.ToScalar();
        for (int i = 0; i < _parameters.Length; i++)
        {
            var gradient = gradients[i];
            if (gradient is null) continue;
            var state = States[i];
            state.Step++;
            double biasCorrection1 = 1 - Math.Pow(_beta1, state.Step), biasCorrection2 = 1 - Math.Pow(_beta2, state.Step);
            state.FirstMoment.mul_(beta1).add_(gradient, oneMinusBeta1);
            state.SecondMoment.mul_(beta2).addcmul_(gradient, gradient, oneMinusBeta2);
            using Scalar rootOfCorrection2 = Math.Sqrt(biasCorrection2).ToScalar(), stepSize = (-LearningRate / biasCorrection1).ToScalar();
            var denominator = state.SecondMoment.sqrt().div(rootOfCorrection2).add_(epsilon, Scalars.One);
            _parameters[i].addcdiv_(state.FirstMoment, denominator, stepSize);
        }
    }

    public void Dispose()
    {
        foreach (var state in States) state.Dispose();
    }
}
