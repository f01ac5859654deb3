using NeuralPhotoEdit.Imaging;
using NeuralPhotoEdit.Networks;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralPhotoEdit.Editing;

/// <summary>
/// The Neural Photo Editor (Brock et al. 2017, §2) on one region of one photo. Opening a session
/// encodes the region once: Z₀ = μ(E(X)), X̂₀ = G(Z₀), E = X − X̂₀. Edits move the code Z (painting
/// with strokes, lightening, nudging latents, sampling); <see cref="Render"/> decodes it and blends the
/// change into the photo through the paper's mask, at any photo size — only the region is processed.
/// Front ends (the command line, the Paint.NET plugin) all drive this one class.
/// </summary>
public sealed class EditSession : IDisposable
{
    readonly IntrospectiveAdversarialNetwork _network;
    readonly Device _device;
    readonly int _size;
    RgbaImage _photo;
    Tensor _photoRegion = null!;      // X, 1×3×S×S
    Tensor _initialCode = null!;      // Z₀
    Tensor _initialOutput = null!;    // X̂₀ = G(Z₀)
    Tensor _code = null!;             // Z, the current edit

    EditSession(IntrospectiveAdversarialNetwork network, RgbaImage photo, PixelRect roi, Device device, CancellationToken cancellation)
    {
        _network = network;
        _device = device;
        _size = network.Config.ImageSize;
        _photo = photo;
        Roi = roi;
        Encode(cancellation);
    }

    /// <summary>Counts encoder runs in this process (front ends use it to check their caching).</summary>
    public static int EncodeCount => _encodeCount;
    static int _encodeCount;

    public PixelRect Roi { get; }
    public RgbaImage Photo => _photo;
    public int ModelSize => _size;

    /// <summary>
    /// Opens a session on <paramref name="photo"/>. The region is <paramref name="roi"/> when given,
    /// else the strokes' bounding box grown by a margin and made square.
    /// </summary>
    public static EditSession Open(IntrospectiveAdversarialNetwork network, RgbaImage photo, PixelRect? roi = null,
                                   RgbaImage? strokes = null, Device? device = null, CancellationToken cancellation = default)
    {
        var region = roi is PixelRect r
            ? RegionOfInterest.Validate(r, photo.Width, photo.Height)
            : RegionOfInterest.Around(
                (strokes is null ? null : RegionOfInterest.StrokeBounds(CheckSameSize(strokes, photo)))
                    ?? throw new UserInputException("Nothing to edit: the strokes are empty and no region was given."),
                photo.Width, photo.Height);
        if (region.Width < RegionOfInterest.MinimumSide || region.Height < RegionOfInterest.MinimumSide)
            throw new UserInputException($"The image is too small to edit ({photo.Width}×{photo.Height}; the region must be at least {RegionOfInterest.MinimumSide}×{RegionOfInterest.MinimumSide}).");
        var dev = device ?? network.parameters().First().device;
        return new EditSession(network, photo, region, dev, cancellation);
    }

    static RgbaImage CheckSameSize(RgbaImage strokes, RgbaImage photo) =>
        strokes.Width == photo.Width && strokes.Height == photo.Height
            ? strokes
            : throw new UserInputException($"The strokes image is {strokes.Width}×{strokes.Height} but the photo is {photo.Width}×{photo.Height}; they must be the same size.");

    void Encode(CancellationToken cancellation)
    {
        var planes = Resampling.ToModelPlanes(_photo, Roi, _size, alphaWeighted: false, cancellation);
        cancellation.ThrowIfCancellationRequested();
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        _network.eval();
        var x = tensor(planes, [1, 3, _size, _size], device: _device);
        var z = _network.Encode(x).Mean;
        Interlocked.Increment(ref _encodeCount);
        var output = CheckFinite(_network.Decode(z));
        Replace(ref _photoRegion, x);
        Replace(ref _initialCode, z);
        Replace(ref _initialOutput, output);
        Replace(ref _code, z.clone());
    }

    static void Replace(ref Tensor field, Tensor value)
    {
        field?.Dispose();
        field = value.DetachFromDisposeScope();
    }

    /// <summary>
    /// The contextual paintbrush: <paramref name="settings"/>.Steps steps of normalised gradient descent
    /// on the alpha-weighted mean squared error between G(Z) and the stroke colours, over the painted
    /// pixels of the region. Returns false (and changes nothing) when no stroke falls in the region.
    /// </summary>
    public bool Paint(RgbaImage strokes, EditSettings settings, CancellationToken cancellation = default)
    {
        settings.Validate();
        CheckSameSize(strokes, _photo);
        var planes = Resampling.ToModelPlanes(strokes, Roi, _size, alphaWeighted: true, cancellation);
        int plane = _size * _size;
        if (!planes.AsSpan(3 * plane, plane).ContainsAnyExcept(0f)) return false;

        using var scope = NewDisposeScope();
        var all = tensor(planes, [1, 4, _size, _size], device: _device);
        var colours = all[.., ..3];
        var weights = all[.., 3..];
        var normaliser = weights.sum().mul(Scalars.Of(3));
        Step(settings, cancellation, output => ((output - colours).square() * weights).sum() / normaliser);
        return true;
    }

    /// <summary>Lightens (<paramref name="amount"/> &gt; 0) or darkens (&lt; 0) the model's output where
    /// <paramref name="weights"/> (size×size, [0, 1], null = the whole region) is on — the paper's
    /// scroll-wheel control, as gradient steps on mean brightness.</summary>
    public void Lighten(double amount, EditSettings settings, float[]? weights = null, CancellationToken cancellation = default)
    {
        settings.Validate();
        using var scope = NewDisposeScope();
        var w = weights is null ? ones(1, 1, _size, _size, device: _device) : tensor(weights, [1, 1, _size, _size], device: _device);
        var normaliser = w.sum().clamp_min(Scalars.Of(1e-6)).mul(Scalars.Of(3));
        double sign = Math.Sign(amount);
        var scaled = settings with { StepSize = settings.StepSize * Math.Min(1, Math.Abs(amount)) };
        Step(scaled, cancellation, output => (output * w).sum().mul(Scalars.Of(-sign)) / normaliser);
    }

    /// <summary>The latent brush: moves each chosen latent entry a fraction <paramref name="strength"/>
    /// (0–1) of the way toward <paramref name="target"/> (the paper's slider, −1…1, scaled to the
    /// prior's ±3σ).</summary>
    public void NudgeLatents(IReadOnlyList<int> indices, double target, double strength)
    {
        if (!double.IsFinite(target) || target is < -1 or > 1) throw new UserInputException("The latent target must be between −1 and 1.");
        if (!double.IsFinite(strength) || strength is < 0 or > 1) throw new UserInputException("The nudge strength must be between 0 and 1.");
        long latent = _code.shape[1];
        using var _ = no_grad();
        foreach (int i in indices)
        {
            if (i < 0 || i >= latent) throw new UserInputException($"Latent index {i} is outside 0…{latent - 1}.");
            using var entry = _code[0, i];
            entry.add_(Scalars.Of((target * 3 - entry.item<float>()) * strength), Scalars.One);
        }
    }

    /// <summary>Replaces the code with a random one from the prior (seeded: same seed, same sample).</summary>
    public void Sample(int seed)
    {
        using var generator = new Generator((ulong)seed, _device);
        Replace(ref _code, randn(_initialCode.shape, generator: generator, device: _device));
    }

    /// <summary>Back to the photo's own code: Z = Z₀.</summary>
    public void Reset() => Replace(ref _code, _initialCode.clone());

    /// <summary>Makes the rendered result the new photo and encodes it again.</summary>
    public void Commit(EditSettings settings, CancellationToken cancellation = default)
    {
        _photo = Render(settings, cancellation).Image;
        Encode(cancellation);
    }

    /// <summary>
    /// Normalised gradient descent on Z: Z ← Z − η·∇/‖∇‖, Steps times, with η halved whenever a step
    /// made the loss worse. Why the halving: a fixed step length cannot settle, so once the code is
    /// within η of where the strokes want it, further steps jump back and forth across it and a larger
    /// η would end further away than a smaller one (measured on the demo strokes: η 2 moved the colour
    /// 64 % of the way, η 1 79 %). Halving after an overshoot keeps "larger η, bolder edit" true.
    /// </summary>
    void Step(EditSettings settings, CancellationToken cancellation, Func<Tensor, Tensor> loss)
    {
        if (settings.StepSize == 0) return;
        _network.eval();
        double stepSize = settings.StepSize, previousLoss = double.PositiveInfinity;
        for (int i = 0; i < settings.Steps; i++)
        {
            cancellation.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            var z = _code.detach().requires_grad_(true);
            var value = loss(_network.Decode(z));
            var gradient = autograd.grad([value], [z])[0];
            double current = value.item<float>();
            if (current > previousLoss) stepSize /= 2;
            previousLoss = current;
            using (no_grad())
            {
                var norm = gradient.norm();
                if (!norm.isfinite().item<bool>()) throw ModelFailure();
                if (norm.item<float>() < 1e-12f) return;   // already where the strokes want it
                Replace(ref _code, z.detach() - gradient * norm.reciprocal().mul(Scalars.Of(stepSize)));
            }
        }
    }

    /// <summary>
    /// Decodes the current code and blends it into the photo. At the model's resolution:
    /// Δ = G(Z) − X̂₀, M = min(k·blur_σ(mean_c |Δ|), 1) (k = 1 is the paper's mask; see
    /// <see cref="EditSettings.MaskGain"/>), Y = X̂₀ + MΔ + (1 − M)E. At full resolution,
    /// M and G(Z) (paper) or MΔ (detail) are upsampled bilinearly, M fades out toward the region's
    /// border (<see cref="RegionFeather"/>), and the result is applied to the region's pixels only;
    /// everything else, and alpha everywhere, is copied unchanged.
    /// </summary>
    public EditResult Render(EditSettings settings, CancellationToken cancellation = default)
    {
        settings.Validate();
        cancellation.ThrowIfCancellationRequested();
        float[] mask, output, blend, delta;
        using (var scope = NewDisposeScope())
        using (no_grad())
        {
            _network.eval();
            var generated = CheckFinite(_network.Decode(_code));
            var change = generated - _initialOutput;
            var m = GaussianBlur.Apply(change.abs().mean([1], keepdim: true), settings.Sigma).mul(Scalars.Of(settings.MaskGain)).clamp_max(Scalars.One);
            var residual = _photoRegion - _initialOutput;
            var y = _initialOutput.Plus(m * change).Plus(m.neg().add(Scalars.One, Scalars.One) * residual);   // X̂₀ + MΔ + (1 − M)E
            mask = ImageTensors.ToPlanes(m);
            output = ImageTensors.ToPlanes(generated);
            blend = ImageTensors.ToPlanes(y);
            delta = ImageTensors.ToPlanes(change);
        }
        var image = BlendIntoPhoto(settings.Blend, mask, settings.Blend == BlendMode.Paper ? output : delta, cancellation);
        return new EditResult(image, Roi, _size, mask, output, blend);
    }

    RgbaImage BlendIntoPhoto(BlendMode mode, float[] mask, float[] source, CancellationToken cancellation)
    {
        var result = _photo.Clone(cancellation);
        var pixels = result.Pixels;
        var roi = Roi;
        double sx = (double)_size / roi.Width, sy = (double)_size / roi.Height;
        Parallel.For(roi.Y, roi.Bottom, new ParallelOptions { CancellationToken = cancellation }, py =>
        {
            double v = (py - roi.Y + 0.5) * sy;
            for (int px = roi.X; px < roi.Right; px++)
            {
                double u = (px - roi.X + 0.5) * sx;
                float m = Resampling.Sample(mask, 0, _size, u, v) * RegionFeather.At(u, v, _size);
                if (m <= 0) continue;
                int o = result.Offset(px, py);
                for (int c = 0; c < 3; c++)
                {
                    float x = pixels[o + c] / 127.5f - 1;
                    float s = Resampling.Sample(source, c, _size, u, v);
                    float y = mode == BlendMode.Paper ? x + m * (s - x) : x + m * s;
                    pixels[o + c] = ImageTensors.ToByte(y);
                }
            }
        });
        return result;
    }

    static Tensor CheckFinite(Tensor output) =>
        output.isfinite().all().item<bool>() ? output : throw ModelFailure();

    static UserInputException ModelFailure() =>
        new("The model produced invalid values (NaN or infinity); the photo was left unchanged. The model file may be damaged.");

    public void Dispose()
    {
        _photoRegion?.Dispose();
        _initialCode?.Dispose();
        _initialOutput?.Dispose();
        _code?.Dispose();
    }
}
