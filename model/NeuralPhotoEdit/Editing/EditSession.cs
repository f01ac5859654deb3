using NeuralPhotoEdit.Imaging;
using NeuralPhotoEdit.Networks;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralPhotoEdit.Editing;

/// <summary>
/// The Neural Photo Editor (Brock et al. 2017, §2) on one photo. Opening a session chooses the work
/// area and its windows (<see cref="WorkArea"/>) and encodes every window once:
/// Z₀ = μ(E(X)) refined toward the photo (<see cref="PhotoCodes"/>; the paper stops at μ(E(X))),
/// X̂₀ = G(Z₀). Edits move the codes Z (painting with strokes, lightening, nudging
/// latents, sampling); <see cref="Render"/> decodes them, joins the windows' changes
/// Δ = G(Z) − X̂₀ on the work grid, confines them with the mask and carries them to the
/// full-resolution photo (<see cref="EditSettings.Mask"/>, <see cref="EditSettings.Blend"/>). Only the
/// work area is processed. Front ends (the command line, the Paint.NET plugin) all drive this class.
/// </summary>
public sealed class EditSession : IDisposable
{
    readonly IntrospectiveAdversarialNetwork _network;
    readonly Device _device;
    readonly int _size;
    readonly int _refinementSteps;
    RgbaImage _photo;
    float[] _gridPhoto = null!;       // the area on the work grid: R, G, B planes in [−1, 1]
    float[]? _gridStrokes;            // the strokes' coverage on the grid, from the last paint since a reset
    float[]? _gridStrokeColours;      // their colour there: R, G, B planes in [−1, 1]
    ColourSteps? _colourSteps;        // the grid photo's colour steps, for the affinity and the smoothing
    EdgeAwareAffinity? _affinity;     // prepared on the grid photo at the first edge-aware render after encoding
    EdgeAwareSmoothing? _smoothing;   // likewise, for the last smoothing extent rendered
    Tensor _initialCode = null!;      // Z₀, one row per window
    Tensor _initialOutput = null!;    // X̂₀ = G(Z₀), windows×3×S×S
    Tensor _code = null!;             // Z, the current edit

    EditSession(IntrospectiveAdversarialNetwork network, RgbaImage photo, WorkArea area, Device device, int refinementSteps,
                CancellationToken cancellation)
    {
        _network = network;
        _refinementSteps = refinementSteps;
        _device = device;
        _size = network.Config.ImageSize;
        _photo = photo;
        Area = area;
        Encode(cancellation);
    }

    public WorkArea Area { get; }
    /// <summary>The only pixels an edit may change.</summary>
    public PixelRect Roi => Area.Bounds;
    public RgbaImage Photo => _photo;
    public int ModelSize => _size;

    /// <summary>
    /// Opens a session on <paramref name="photo"/>. The work area is <paramref name="roi"/> when given
    /// (nothing outside it changes), else the strokes' surroundings (<see cref="WorkArea.AroundStrokes"/>).
    /// <paramref name="refinementSteps"/>: how far the photo's code is refined (<see cref="PhotoCodes"/>;
    /// 0 = the encoder's mean, as in the paper).
    /// </summary>
    public static EditSession Open(IntrospectiveAdversarialNetwork network, RgbaImage photo, PixelRect? roi = null,
                                   RgbaImage? strokes = null, Device? device = null,
                                   int refinementSteps = PhotoCodes.DefaultRefinementSteps, CancellationToken cancellation = default) =>
        Open(network, photo, ChooseArea(photo, roi, strokes), device, refinementSteps, cancellation);

    /// <summary>Opens a session on a work area chosen with <see cref="ChooseArea"/>.</summary>
    public static EditSession Open(IntrospectiveAdversarialNetwork network, RgbaImage photo, WorkArea area,
                                   Device? device = null, int refinementSteps = PhotoCodes.DefaultRefinementSteps,
                                   CancellationToken cancellation = default)
    {
        PhotoCodes.CheckSteps(refinementSteps);
        var dev = device ?? network.parameters().First().device;
        return new EditSession(network, photo, area, dev, refinementSteps, cancellation);
    }

    /// <summary>The work area for a photo: <paramref name="roi"/> when given (nothing outside it
    /// changes), else the strokes' surroundings (<see cref="WorkArea.AroundStrokes"/>).</summary>
    public static WorkArea ChooseArea(RgbaImage photo, PixelRect? roi, RgbaImage? strokes) =>
        ChooseArea(photo.Width, photo.Height, roi,
                   strokes is null ? null : RegionOfInterest.StrokeBounds(CheckSameSize(strokes, photo)));

    /// <summary>The same, for a front end that already knows the strokes' bounds (null = none painted).</summary>
    public static WorkArea ChooseArea(int imageWidth, int imageHeight, PixelRect? roi, PixelRect? strokeBounds)
    {
        var area = roi is PixelRect r
            ? WorkArea.Within(RegionOfInterest.Validate(r, imageWidth, imageHeight), imageWidth, imageHeight, strokeBounds)
            : WorkArea.AroundStrokes(
                strokeBounds ?? throw new UserInputException("Nothing to edit: the strokes are empty and no region was given."),
                imageWidth, imageHeight);
        if (area.Bounds.Width < RegionOfInterest.MinimumSide || area.Bounds.Height < RegionOfInterest.MinimumSide)
            throw new UserInputException($"The image is too small to edit ({imageWidth}×{imageHeight}; the region must be at least {RegionOfInterest.MinimumSide}×{RegionOfInterest.MinimumSide}).");
        return area;
    }

    /// <summary>The strokes, when they are the photo's size; a message when not.</summary>
    internal static RgbaImage CheckSameSize(RgbaImage strokes, RgbaImage photo)
    {
        CheckSameSize(strokes.Width, strokes.Height, photo.Width, photo.Height);
        return strokes;
    }

    internal static void CheckSameSize(int strokesWidth, int strokesHeight, int photoWidth, int photoHeight)
    {
        if (strokesWidth != photoWidth || strokesHeight != photoHeight)
            throw new UserInputException($"The strokes image is {strokesWidth}×{strokesHeight} but the photo is {photoWidth}×{photoHeight}; they must be the same size.");
    }

    void Encode(CancellationToken cancellation)
    {
        var planes = WindowPlanes(_photo, alphaWeighted: false, cancellation);
        _gridPhoto = Resampling.ToPlanes(_photo, Area.Bounds, Area.GridWidth, Area.GridHeight, alphaWeighted: false, cancellation);
        (_colourSteps, _affinity, _smoothing) = (null, null, null);
        cancellation.ThrowIfCancellationRequested();
        using var scope = NewDisposeScope();
        using var threads = TorchRuntime.ThreadsForWindows(Area.Windows.Count);
        var x = tensor(planes, [Area.Windows.Count, 3, _size, _size], device: _device);
        var z = PhotoCodes.Encode(_network, x, _refinementSteps, cancellation);
        using var _ = no_grad();
        var output = CheckFinite(_network.Decode(z));
        Replace(ref _initialCode, z);
        Replace(ref _initialOutput, output);
        Replace(ref _code, z.clone());
        ForgetStrokes();
    }

    /// <summary>The codes no longer follow any strokes: the mask stops looking for them and the colour
    /// match has nothing to match.</summary>
    void ForgetStrokes() => (_gridStrokes, _gridStrokeColours) = (null, null);

    /// <summary>Every window at the model's resolution, one after another (windows × planes × S × S).</summary>
    float[] WindowPlanes(RgbaImage image, bool alphaWeighted, CancellationToken cancellation) =>
        Area.Windows.SelectMany(window => Resampling.ToModelPlanes(image, window, _size, alphaWeighted, cancellation)).ToArray();

    static void Replace(ref Tensor field, Tensor value)
    {
        field?.Dispose();
        field = value.DetachFromDisposeScope();
    }

    /// <summary>
    /// The contextual paintbrush: <paramref name="settings"/>.Steps steps of normalised gradient descent
    /// on the alpha-weighted mean squared error between G(Z) and the stroke colours, over the painted
    /// pixels of each window. Returns false (and changes nothing) when no stroke falls in the area.
    /// </summary>
    public bool Paint(RgbaImage strokes, EditSettings settings, CancellationToken cancellation = default)
    {
        settings.Validate();
        CheckSameSize(strokes, _photo);
        var planes = WindowPlanes(strokes, alphaWeighted: true, cancellation);
        var grid = Resampling.ToPlanes(strokes, Area.Bounds, Area.GridWidth, Area.GridHeight, alphaWeighted: true, cancellation);
        int gridPlane = Area.GridWidth * Area.GridHeight;
        if (!grid.AsSpan(3 * gridPlane, gridPlane).ContainsAnyExcept(0f)) return false;
        _gridStrokes = grid[(3 * gridPlane)..];
        _gridStrokeColours = grid[..(3 * gridPlane)];

        using var scope = NewDisposeScope();
        var all = tensor(planes, [Area.Windows.Count, 4, _size, _size], device: _device);
        var colours = all[.., ..3];
        var weights = all[.., 3..];
        // Per window: Σ w·(G(Z) − S)² / (3 Σ w); a window without strokes contributes nothing.
        var normaliser = weights.sum([1, 2, 3]).Times(3).AtLeast(1e-6);
        Step(settings, cancellation, output => ((output - colours).Squared() * weights).sum([1, 2, 3]) / normaliser);
        return true;
    }

    /// <summary>Lightens (<paramref name="amount"/> &gt; 0) or darkens (&lt; 0) the model's output where
    /// <paramref name="weights"/> (size×size, [0, 1], null = everywhere; the same for every window) is
    /// on — the paper's scroll-wheel control, as gradient steps on mean brightness.</summary>
    public void Lighten(double amount, EditSettings settings, float[]? weights = null, CancellationToken cancellation = default)
    {
        settings.Validate();
        using var scope = NewDisposeScope();
        var w = weights is null ? ones(1, 1, _size, _size, device: _device) : tensor(weights, [1, 1, _size, _size], device: _device);
        var normaliser = w.sum().AtLeast(1e-6).Times(3);
        double sign = Math.Sign(amount);
        var scaled = settings with { StepSize = settings.StepSize * Math.Min(1, Math.Abs(amount)) };
        Step(scaled, cancellation, output => (output * w).sum([1, 2, 3]).Times(-sign) / normaliser);
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
        ForgetStrokes();
    }

    /// <summary>Back to the photo's own codes: Z = Z₀.</summary>
    public void Reset()
    {
        Replace(ref _code, _initialCode.clone());
        ForgetStrokes();
    }

    /// <summary>Makes the rendered result the new photo and encodes it again.</summary>
    public void Commit(EditSettings settings, CancellationToken cancellation = default)
    {
        _photo = Render(settings, cancellation).Image;
        Encode(cancellation);
    }

    /// <summary>
    /// Normalised gradient descent on each window's code: Z ← Z − η·∇/‖∇‖, Steps times, with a
    /// window's η halved whenever its step made its loss worse. Why the halving: a fixed step length
    /// cannot settle, so once the code is within η of where the strokes want it, further steps jump
    /// back and forth across it and a larger η would end further away than a smaller one (measured on
    /// the demo strokes: η 2 moved the colour 64 % of the way, η 1 79 %). Halving after an overshoot
    /// keeps "larger η, bolder edit" true. <paramref name="loss"/> gives one value per window; the
    /// windows' codes are independent (batch norm runs on its stored statistics), so one backward
    /// pass of their sum gives every window its own gradient.
    /// </summary>
    void Step(EditSettings settings, CancellationToken cancellation, Func<Tensor, Tensor> loss)
    {
        if (settings.StepSize == 0) return;
        _network.eval();
        using var threads = TorchRuntime.ThreadsForWindows(Area.Windows.Count);
        int windows = Area.Windows.Count;
        var stepSizes = Enumerable.Repeat(settings.StepSize, windows).ToArray();
        var previous = Enumerable.Repeat(double.PositiveInfinity, windows).ToArray();
        var done = new bool[windows];
        for (int i = 0; i < settings.Steps; i++)
        {
            cancellation.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            var z = _code.detach().requires_grad_(true);
            var values = loss(_network.Decode(z));
            var gradient = autograd.grad([values.sum()], [z])[0];
            using var _ = no_grad();
            var current = values.detach().cpu().data<float>().ToArray();
            var norms = gradient.norm(1, keepdim: false).cpu().data<float>().ToArray();
            var scale = new float[windows];
            for (int w = 0; w < windows; w++)
            {
                if (!float.IsFinite(norms[w])) throw ModelFailure();
                if (current[w] > previous[w]) stepSizes[w] /= 2;
                previous[w] = current[w];
                if (norms[w] < 1e-12f) done[w] = true;   // already where the strokes want it
                scale[w] = done[w] ? 0 : (float)(stepSizes[w] / norms[w]);
            }
            if (done.All(d => d)) return;
            Replace(ref _code, z.detach() - gradient * tensor(scale, [windows, 1], device: _device));
        }
    }

    /// <summary>
    /// Decodes the current codes and puts the change into the photo. At the model's resolution, per
    /// window: Δ = G(Z) − X̂₀ and the paper's mask M = min(k·blur_σ(mean_c |Δ|), 1). On the work grid:
    /// the windows' Δ, M and G(Z) joined with weights that fade toward each window's edge; Δ and M
    /// smoothed along the photo's flat areas (<see cref="EditSettings.Smoothing"/>), Δ keeping its
    /// size under the strokes (<see cref="KeepStrength"/>); the mask
    /// times the affinity to the strokes (<see cref="MaskMode.EdgeAware"/>) and a fade toward the
    /// area's inner borders. At full resolution: the blend (<see cref="BlendMode"/>) on the area's
    /// pixels only; everything else, and alpha everywhere, is copied unchanged.
    /// </summary>
    public EditResult Render(EditSettings settings, CancellationToken cancellation = default)
    {
        settings.Validate();
        cancellation.ThrowIfCancellationRequested();
        float[] masks, source;
        using (var scope = NewDisposeScope())
        using (no_grad())
        using (TorchRuntime.ThreadsForWindows(Area.Windows.Count))
        {
            _network.eval();
            var generated = CheckFinite(_network.Decode(_code));
            var change = generated - _initialOutput;
            var m = GaussianBlur.Apply(change.abs().mean([1], keepdim: true), settings.Sigma).Times(settings.MaskGain).AtMost(1);
            masks = ImageTensors.ToPlanes(m);
            // The paper's blend brings in the model's output; the others only the change.
            source = ImageTensors.ToPlanes(settings.Blend == BlendMode.Paper ? generated : change);
        }
        var paperMask = JoinWindows(masks, 1, cancellation);
        var joined = JoinWindows(source, 3, cancellation);
        if (settings.Blend != BlendMode.Paper)
        {
            var smoothing = Smoothing(settings.Smoothing * Area.Reach / Area.Scale);
            double strength = MeanUnderStrokes(joined);
            smoothing.Apply(joined, 3, cancellation);
            KeepStrength(joined, strength, MeanUnderStrokes(joined));
            smoothing.Apply(paperMask, 1, cancellation);
        }
        var (mask, spread) = FinalMask(paperMask, settings, cancellation);
        var image = settings.Blend == BlendMode.Guided
            ? ApplyGuided(GuidedChange(mask, spread, joined, settings, cancellation), cancellation)
            : ApplyBilinear(settings.Blend, mask, joined, cancellation);
        return new EditResult(image, Area, mask);
    }

    /// <summary>The smoothing prepared on the grid photo for <paramref name="extent"/> (grid pixels): made
    /// again only when the photo was encoded again or the extent changed, not on every render.</summary>
    EdgeAwareSmoothing Smoothing(double extent) =>
        _smoothing is { } kept && kept.SpatialSigma == extent
            ? kept
            : _smoothing = new EdgeAwareSmoothing(ColourStepsOfPhoto, extent, SmoothingEdge);

    /// <summary>The grid photo's colour steps, measured once per encoded photo for both edge-aware filters.</summary>
    ColourSteps ColourStepsOfPhoto => _colourSteps ??= new ColourSteps(_gridPhoto, Area.GridWidth, Area.GridHeight);

    /// <summary>The alpha-weighted mean over the strokes of the change's size, Σ_c |Δ_c| (0 without strokes).</summary>
    double MeanUnderStrokes(float[] change)
    {
        if (_gridStrokes is not { } alpha) return 0;
        int n = alpha.Length;
        double sum = 0, total = 0;
        for (int i = 0; i < n; i++)
        {
            if (alpha[i] <= 0) continue;
            total += alpha[i];
            sum += alpha[i] * (Math.Abs(change[i]) + Math.Abs(change[n + i]) + Math.Abs(change[2 * n + i]));
        }
        return total > 0 ? sum / total : 0;
    }

    /// <summary>
    /// Scales the smoothed change back up to the size it had under the strokes before smoothing (by at
    /// most <see cref="MostStrengthKept"/>). Smoothing evens the decoder's change out, and since that
    /// change is largest under the strokes, evening it out also weakens it there; how strongly the
    /// painted spot changes is the step size's business, not the smoothing's.
    /// </summary>
    static void KeepStrength(float[] change, double before, double after)
    {
        if (before <= 0 || after <= 0) return;
        float gain = (float)Math.Clamp(before / after, 1, MostStrengthKept);
        for (int i = 0; i < change.Length; i++) change[i] *= gain;
    }

    /// <summary>The largest gain <see cref="KeepStrength"/> applies: a guard, so that a change
    /// smoothing has all but cancelled under the strokes is not blown up.</summary>
    const double MostStrengthKept = 2;

    /// <summary>The photo with the area replaced by the model's reconstruction X̂₀ (to judge how well
    /// the model knows the photo).</summary>
    public RgbaImage Reconstruction(CancellationToken cancellation = default)
    {
        float[] outputs;
        using (var scope = NewDisposeScope())
            outputs = ImageTensors.ToPlanes(_initialOutput);
        var full = new float[Area.GridWidth * Area.GridHeight];
        Array.Fill(full, 1f);
        return ApplyBilinear(BlendMode.Paper, full, JoinWindows(outputs, 3, cancellation), cancellation);
    }

    /// <summary>Per-window planes (windows × <paramref name="planes"/> × S × S) on the work grid: each
    /// grid pixel is the weighted mean over the windows that cover it (<see cref="WorkArea.WindowWeight"/>).</summary>
    float[] JoinWindows(float[] windowPlanes, int planes, CancellationToken cancellation)
    {
        int width = Area.GridWidth, height = Area.GridHeight, n = width * height;
        var joined = new float[planes * n];
        Parallel.For(0, height, new ParallelOptions { CancellationToken = cancellation }, gy =>
        {
            Span<double> sum = stackalloc double[planes];
            for (int gx = 0; gx < width; gx++)
            {
                var (x, y) = Area.PhotoPosition(gx, gy);
                double total = 0;
                sum.Clear();
                for (int w = 0; w < Area.Windows.Count; w++)
                {
                    var window = Area.Windows[w];
                    double weight = WorkArea.WindowWeight(window, x, y);
                    if (weight <= 0) continue;
                    double u = (x - window.X) * _size / window.Width, v = (y - window.Y) * _size / window.Height;
                    total += weight;
                    for (int c = 0; c < planes; c++) sum[c] += weight * Resampling.Sample(windowPlanes, planes * w + c, _size, u, v);
                }
                if (total <= 0) continue;
                for (int c = 0; c < planes; c++) joined[c * n + gy * width + gx] = (float)(sum[c] / total);
            }
        });
        return joined;
    }

    /// <summary>The mask: the paper's, times the affinity to the strokes when edge-aware (ending at the
    /// area's inner border, <see cref="WorkArea.InnerBorder"/>), times the
    /// fade toward the area's inner borders. The spread: where the change may go regardless of how
    /// much the model changed there (the affinity times the fade; the mask itself for the paper's).</summary>
    (float[] Mask, float[] Spread) FinalMask(float[] paperMask, EditSettings settings, CancellationToken cancellation)
    {
        int width = Area.GridWidth, height = Area.GridHeight;
        var affinity = settings.Mask == MaskMode.EdgeAware && _gridStrokes is not null
            ? Affinity(cancellation).To(_gridStrokes, cancellation)
            : null;
        var mask = new float[width * height];
        var spread = affinity is null ? mask : new float[width * height];
        cancellation.ThrowIfCancellationRequested();
        for (int gy = 0; gy < height; gy++)
            for (int gx = 0; gx < width; gx++)
            {
                int i = gy * width + gx;
                var (x, y) = Area.PhotoPosition(gx, gy);
                double fade = Area.BorderFade(x, y);
                mask[i] = (float)(paperMask[i] * (affinity?[i] ?? 1) * fade);
                if (affinity is not null) spread[i] = (float)(affinity[i] * fade);
            }
        return (mask, spread);
    }

    /// <summary>The masked change M·Δ on the grid, plus the colour match's share of what it left
    /// between the edited colours and the strokes' (<see cref="EditSettings.ColourMatch"/>).</summary>
    float[] GuidedChange(float[] mask, float[] spread, float[] change, EditSettings settings, CancellationToken cancellation)
    {
        int n = mask.Length;
        var masked = new float[3 * n];
        for (int c = 0; c < 3; c++)
            for (int i = 0; i < n; i++) masked[c * n + i] = mask[i] * change[c * n + i];
        if (settings.EffectiveColourMatch > 0 && _gridStrokes is not null && _gridStrokeColours is not null)
            ColourMatch.Add(masked, _gridPhoto, _gridStrokeColours, _gridStrokes, spread, Area.GridWidth, Area.GridHeight,
                            ColourMatchRadius, settings.EffectiveColourMatch, cancellation);
        return masked;
    }

    /// <summary>The fitted colour transform of a change on the grid, applied to every pixel of the area.</summary>
    RgbaImage ApplyGuided(float[] masked, CancellationToken cancellation)
    {
        var transfer = GuidedTransfer.Fit(_gridPhoto, masked, Area.GridWidth, Area.GridHeight, GuidedRadius, cancellation);
        return ApplyPerPixel(transfer.ChangeAt, cancellation);
    }

    /// <summary>The affinity prepared on the grid photo, ending at the area's sides inside the photo: made
    /// on the first render after the photo was encoded (it depends on nothing else), not on every render.</summary>
    EdgeAwareAffinity Affinity(CancellationToken cancellation) =>
        _affinity ??= new EdgeAwareAffinity(ColourStepsOfPhoto, AffinityReaches * Area.Reach / Area.Scale,
                                            Area.InnerBorder(), cancellation);

    /// <summary>How far the affinity spreads through an even area, in reaches (<see cref="WorkArea.Reach"/>).
    /// Why 2, with the area's inner border as the place the affinity must reach 0: at 1 reach a sky
    /// faded out before its skyline and the area's margin was left unused; at 2 reaches without the
    /// border the change reached the area's sides and its rectangle showed on an even background.</summary>
    const double AffinityReaches = 2;

    /// <summary>The colour step beyond the noise (<see cref="ColourSteps.BeyondNoise"/>, [0, 1] units) at which
    /// the change's smoothing stops: about a horizon's or an outline's step (<see cref="EdgeAwareAffinity.EdgeCost"/>
    /// is the same scale).</summary>
    const double SmoothingEdge = 0.1;

    /// <summary>Radius of the guided fit, in grid pixels: about 1/32 of the grid's longer side, at least 2.</summary>
    int GuidedRadius => Math.Max(2, Math.Max(Area.GridWidth, Area.GridHeight) / 32);

    /// <summary>Radius over which the colour match averages the residual: half the reach, in grid pixels.</summary>
    int ColourMatchRadius => Math.Max(2, (int)Math.Round(Area.Reach / Area.Scale / 2));

    /// <summary>Bilinear upsampling of the mask and of the output (paper: Y = X + M·(G(Z) − X)) or of the
    /// change (detail: Y = X + M·Δ).</summary>
    RgbaImage ApplyBilinear(BlendMode mode, float[] mask, float[] source, CancellationToken cancellation)
    {
        int width = Area.GridWidth, height = Area.GridHeight;
        return ApplyPerPixel((u, v, rgb, delta) =>
        {
            float m = Resampling.Sample(mask, 0, width, height, u, v);
            if (m <= 0) return false;
            for (int c = 0; c < 3; c++)
            {
                float s = Resampling.Sample(source, c, width, height, u, v);
                delta[c] = mode == BlendMode.Paper ? m * (s - (2 * rgb[c] - 1)) : m * s;
            }
            return true;
        }, cancellation);
    }

    /// <summary>A change per pixel of the area: <paramref name="changeAt"/> gets the grid position and
    /// the pixel's colour in [0, 1], writes the change in [−1, 1] units and returns false for none.</summary>
    delegate bool PixelChange(double u, double v, ReadOnlySpan<float> rgb, Span<float> change);

    RgbaImage ApplyPerPixel(PixelChange changeAt, CancellationToken cancellation)
    {
        var result = _photo.Clone(cancellation);
        var pixels = result.Pixels;
        var bounds = Area.Bounds;
        Parallel.For(bounds.Y, bounds.Bottom, new ParallelOptions { CancellationToken = cancellation }, py =>
        {
            Span<float> rgb = stackalloc float[3], delta = stackalloc float[3];
            for (int px = bounds.X; px < bounds.Right; px++)
            {
                var (u, v) = Area.GridPosition(px, py);
                int o = result.Offset(px, py);
                for (int c = 0; c < 3; c++) rgb[c] = pixels[o + c] / 255f;
                if (!changeAt(u, v, rgb, delta)) continue;
                for (int c = 0; c < 3; c++) pixels[o + c] = ImageTensors.ToByte(2 * rgb[c] - 1 + delta[c]);
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
        _initialCode?.Dispose();
        _initialOutput?.Dispose();
        _code?.Dispose();
    }
}
