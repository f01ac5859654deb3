using NeuralPhotoEdit.Imaging;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralPhotoEdit.Editing;

/// <summary>The session's latent tools besides the strokes (the studio's brushes and code panel): lighten and
/// darken, the mean code, the latent brush, random samples.</summary>
public sealed partial class EditSession
{
    /// <summary>Lightens (<paramref name="amount"/> &gt; 0) or darkens (&lt; 0) the model's output where
    /// <paramref name="weights"/> (size×size, [0, 1], null = everywhere; the same for every window) is
    /// on — the paper's scroll-wheel control, as gradient steps on mean brightness.</summary>
    public void Lighten(double amount, EditSettings settings, float[]? weights = null, CancellationToken cancellation = default)
    {
        settings.Validate();
        using var scope = NewDisposeScope();
        var w = weights is null ? ones(1, 1, _size, _size, device: _device) : tensor(weights, [1, 1, _size, _size], device: _device);
        StepBrightness(amount, w, w.sum().AtLeast(1e-6).Times(3), settings, cancellation);
    }

    /// <summary>Lightens (<paramref name="amount"/> &gt; 0) or darkens (&lt; 0) the model's output under a
    /// brush painted on the photo (<paramref name="brush"/>, the photo's size; its alpha is the weight),
    /// each window where the brush touches it: the paper's lighten/darken brush. When no colour strokes
    /// guide the mask, the brush's coverage does. False (nothing changed) when the brush misses every window.</summary>
    public bool Lighten(double amount, RgbaImage brush, EditSettings settings, CancellationToken cancellation = default)
    {
        settings.Validate();
        if (!double.IsFinite(amount) || amount is < -1 or > 1) throw new UserInputException("The lighten amount must be between −1 and 1.");
        CheckSameSize(brush, _photo);
        var planes = WindowPlanes(brush, alphaWeighted: true, cancellation);
        if (!planes.AsSpan().ContainsAnyExcept(0f)) return false;
        _renderer.UseCoverage(brush, cancellation);
        using var scope = NewDisposeScope();
        var weights = tensor(planes, [Windows.Count, 4, _size, _size], device: _device)[.., 3..];
        StepBrightness(amount, weights, weights.sum([1, 2, 3]).Times(3).AtLeast(1e-6), settings, cancellation);
        return true;
    }

    /// <summary>Latent steps on the weighted mean brightness Σ w·G(Z) / <paramref name="normaliser"/>: up
    /// for <paramref name="amount"/> &gt; 0, down for &lt; 0, the step size scaled by |amount| (at most 1).</summary>
    void StepBrightness(double amount, Tensor weights, Tensor normaliser, EditSettings settings, CancellationToken cancellation)
    {
        double sign = Math.Sign(amount);
        var scaled = settings with { StepSize = settings.StepSize * Math.Min(1, Math.Abs(amount)) };
        Step(scaled, cancellation, output => (output * weights).sum([1, 2, 3]).Times(-sign) / normaliser);
    }

    /// <summary>The current code, averaged over the windows (for showing the code as NPE does).</summary>
    public float[] MeanCode()
    {
        using var scope = NewDisposeScope();
        return _code.detach().mean([0]).cpu().data<float>().ToArray();
    }

    /// <summary>The latent brush: moves each chosen latent entry a fraction <paramref name="strength"/>
    /// (0–1) of the way toward <paramref name="target"/> (the paper's slider, −1…1, scaled to the
    /// prior's ±3σ), in every window.</summary>
    public void NudgeLatents(IReadOnlyList<int> indices, double target, double strength)
    {
        if (!double.IsFinite(target) || target is < -1 or > 1) throw new UserInputException("The latent target must be between −1 and 1.");
        if (!double.IsFinite(strength) || strength is < 0 or > 1) throw new UserInputException("The nudge strength must be between 0 and 1.");
        long latent = _code.shape[1];
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        foreach (int i in indices)
        {
            if (i < 0 || i >= latent) throw new UserInputException($"Latent index {i} is outside 0…{latent - 1}.");
            var entry = _code[.., i];
            entry.AddInPlace(entry.SubtractedFrom(3 * target).Times(strength));   // z += s·(3t − z)
        }
    }

    /// <summary>Replaces the codes with random ones from the prior (seeded: same seed, same sample).</summary>
    public void Sample(int seed)
    {
        using var generator = new Generator((ulong)seed, _device);
        Replace(ref _code, randn(_initialCode.shape, generator: generator, device: _device));
        (_descent, _strokePlanes) = (null, null);
        _renderer.ForgetStrokes();
    }
}
