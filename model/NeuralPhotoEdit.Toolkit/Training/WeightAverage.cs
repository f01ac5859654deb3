using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NeuralPhotoEdit.Training;

/// <summary>
/// An exponential moving average of weights over training steps (Polyak averaging; as kept for the
/// generator in progressive GANs, Karras et al. 2018): after each step, θ̄ ← d·θ̄ + (1 − d)·θ. Adam at
/// a constant learning rate leaves the weights circling their optimum, so the last step's weights
/// are one point on that circle, and two neighbouring saves differ by tenths of a decibel; the average
/// sits nearer its centre.
/// <para>
/// The decay ramps up as dₜ = min(d, (1 + t) / (10 + t)) (TensorFlow's ExponentialMovingAverage with
/// num_updates), so the average forgets the starting weights within the first steps rather than
/// carrying them for 1 / (1 − d) steps. Only parameters are averaged: the buffers (batch-norm running
/// statistics) must not change while it runs.
/// </para>
/// </summary>
public sealed class WeightAverage : IDisposable
{
    readonly Parameter[] _parameters;
    readonly Tensor[] _averages;
    readonly double _decay;
    long _updates;

    public WeightAverage(IReadOnlyList<Parameter> parameters, double decay)
    {
        if (!(decay is > 0 and < 1)) throw new ArgumentOutOfRangeException(nameof(decay), "The average's decay must be between 0 and 1.");
        _parameters = parameters.ToArray();
        _decay = decay;
        using var _ = no_grad();
        _averages = _parameters.Select(p => p.detach().clone().DetachFromDisposeScope()).ToArray();
    }

    /// <summary>The decay of the next update.</summary>
    public double NextDecay => Math.Min(_decay, (1.0 + _updates) / (10.0 + _updates));

    /// <summary>Folds the parameters' current values into the average (after an optimiser step).</summary>
    public void Update()
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        using Scalar keep = NextDecay.ToScalar(), take = (1 - NextDecay).ToScalar();   // owned by this call
        for (int i = 0; i < _parameters.Length; i++)
            _averages[i].mul_(keep).add_(_parameters[i], take);
        _updates++;
    }

    /// <summary>The parameters and the average trade values: the network runs on the averaged weights
    /// (to save or score them), and a second call gives it back its own.</summary>
    public void Swap()
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        for (int i = 0; i < _parameters.Length; i++)
        {
            var own = _parameters[i].detach().clone();
            _parameters[i].copy_(_averages[i]);
            _averages[i].copy_(own);
        }
    }

    public void Dispose()
    {
        foreach (var average in _averages) average.Dispose();
    }
}
