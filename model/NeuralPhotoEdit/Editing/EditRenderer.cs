using NeuralPhotoEdit.Imaging;

namespace NeuralPhotoEdit.Editing;

/// <summary>
/// Carries the model's change (<see cref="ModelChange"/>) into the photo, for one encoded picture.
/// <para><b>The local edit</b> (on <see cref="Area"/>'s grid): the windows' Δ, M and G(Z) joined with
/// weights that fade toward each window's edge; Δ and M smoothed along the photo's flat areas
/// (<see cref="EditSettings.Smoothing"/>), Δ keeping its size under the strokes
/// (<see cref="KeepStrength"/>); the mask times the affinity to the strokes
/// (<see cref="MaskMode.EdgeAware"/>) and a fade toward the area's inner borders; the colour match; at
/// full resolution the blend (<see cref="BlendMode"/>) on the area's pixels only.</para>
/// <para><b>The scene</b> (when the session has one and <see cref="EditSettings.Context"/> &gt; 0): the
/// scene window's whole change Δₛ on the scene's grid, smoothed along the photo's flat areas and
/// carried by the same guided transfer, mixed with the local edit: Y = X + (1 − f)·δ_local + f·δₛ,
/// f = context × how much of the scene the local edit repainted (<see cref="SceneFollows"/>). A sky
/// painted over takes the scene's change (a sunset's light on the land), a scribble stays local.
/// Context 0 is the local edit alone, bit for bit.</para>
/// Everything outside the picture's changed area, and alpha everywhere, is copied unchanged.
/// </summary>
public sealed class EditRenderer
{
    readonly RgbaImage _photo;
    readonly int _size;
    readonly float[] _gridPhoto;        // the area on its grid: R, G, B planes in [−1, 1]
    readonly float[]? _sceneGridPhoto;  // the scene on its grid, likewise
    float[]? _gridStrokes;              // the strokes' coverage on the grid, from the last paint since a reset
    float[]? _gridStrokeColours;        // their colour there: R, G, B planes in [−1, 1]
    ColourSteps? _colourSteps;          // the grid photo's colour steps, for the affinity and the smoothing
    EdgeAwareAffinity? _affinity;       // prepared at the first edge-aware render
    EdgeAwareSmoothing? _smoothing;     // likewise, for the last smoothing extent rendered
    ColourSteps? _sceneColourSteps;     // likewise for the scene's grid photo
    EdgeAwareSmoothing? _sceneSmoothing;

    public EditRenderer(RgbaImage photo, WorkArea area, WorkArea? scene, int modelSize, CancellationToken cancellation = default)
    {
        _photo = photo;
        _size = modelSize;
        Area = area;
        Scene = scene;
        _sceneWindow = scene is null ? -1 : area.SceneWindowIndex(scene);
        _gridPhoto = Resampling.ToPlanes(photo, area.Bounds, area.GridWidth, area.GridHeight, alphaWeighted: false, cancellation);
        if (scene is not null)
            _sceneGridPhoto = Resampling.ToPlanes(photo, scene.Bounds, scene.GridWidth, scene.GridHeight, alphaWeighted: false, cancellation);
    }

    /// <summary>The scene's window in a <see cref="ModelChange"/>: after the area's, or the area's own
    /// window when the scene is one of them (-1 without a scene).</summary>
    readonly int _sceneWindow;

    /// <summary>Where the local edit works (its windows come first in a <see cref="ModelChange"/>).</summary>
    public WorkArea Area { get; }
    /// <summary>The scene around it, or null.</summary>
    public WorkArea? Scene { get; }

    /// <summary>The strokes the codes were stepped toward (for the affinity and the colour match);
    /// false when none of them fall inside the area.</summary>
    public bool UseStrokes(RgbaImage strokes, CancellationToken cancellation = default)
    {
        var grid = Resampling.ToPlanes(strokes, Area.Bounds, Area.GridWidth, Area.GridHeight, alphaWeighted: true, cancellation);
        int plane = Area.GridWidth * Area.GridHeight;
        if (!grid.AsSpan(3 * plane, plane).ContainsAnyExcept(0f)) return false;
        _gridStrokes = grid[(3 * plane)..];
        _gridStrokeColours = grid[..(3 * plane)];
        return true;
    }

    /// <summary>A brush that is not a colour (lightening, darkening) marked where the edit belongs: the
    /// mask follows its coverage; there is no colour to match. Used when no colour strokes were given.</summary>
    public void UseCoverage(RgbaImage brush, CancellationToken cancellation = default)
    {
        // Colour strokes lead the mask and the colour match; mixing the brush's coverage into theirs would
        // match its pixels to no colour.
        if (_gridStrokeColours is not null) return;
        var grid = Resampling.ToPlanes(brush, Area.Bounds, Area.GridWidth, Area.GridHeight, alphaWeighted: true, cancellation);
        int plane = Area.GridWidth * Area.GridHeight;
        if (!grid.AsSpan(3 * plane, plane).ContainsAnyExcept(0f)) return;
        var coverage = grid[(3 * plane)..];
        if (_gridStrokes is { } earlier)
            for (int i = 0; i < plane; i++) coverage[i] = Math.Max(coverage[i], earlier[i]);
        _gridStrokes = coverage;
    }

    /// <summary>The codes no longer follow any strokes: the mask stops looking for them and the colour
    /// match has nothing to match.</summary>
    public void ForgetStrokes() => (_gridStrokes, _gridStrokeColours) = (null, null);

    /// <summary>Carries <paramref name="change"/> into the picture. With <paramref name="previewSide"/> the
    /// result is a preview: only the changed bounds, at most that many pixels on their longer side, each
    /// preview pixel the full render's value at the photo pixel under its centre (the same pipeline,
    /// evaluated at fewer pixels, so a live preview costs the grid's work, not the photo's).</summary>
    public EditResult Render(ModelChange change, EditSettings settings, CancellationToken cancellation = default, int? previewSide = null)
    {
        settings.Validate();
        cancellation.ThrowIfCancellationRequested();
        var paperMask = JoinWindows(Area, change.PaperMask, 1, 0, cancellation);
        var joined = JoinWindows(Area, settings.Blend == BlendMode.Paper ? change.Generated : change.Change, 3, 0, cancellation);
        if (settings.Blend != BlendMode.Paper)
        {
            var smoothing = _smoothing = SmoothingOn(_smoothing, ColourStepsOfPhoto, settings.Smoothing * Area.Reach / Area.Scale);
            double strength = MeanUnderStrokes(joined);
            smoothing.Apply(joined, 3, cancellation);
            KeepStrength(joined, strength, MeanUnderStrokes(joined));
            smoothing.Apply(paperMask, 1, cancellation);
        }
        var (mask, spread) = FinalMask(paperMask, settings, cancellation);
        var localChange = settings.Blend == BlendMode.Guided
            ? Guided(_gridPhoto, Area, GuidedChange(mask, spread, joined, settings, cancellation), cancellation)
            : PixelChanges.Bilinear(Area, settings.Blend, mask, joined);

        if (Scene is null || settings.Context <= 0 || _sceneWindow >= change.Windows)
            return new EditResult(PixelChanges.Apply(_photo, Area.Bounds, localChange, cancellation, previewSide), Area, mask);

        double follows = settings.Context * SceneFollows(mask);
        var (sceneChange, sceneMask) = SceneChange(change, _sceneWindow, follows, settings, cancellation);
        var image = PixelChanges.Apply(_photo, Scene.Bounds, Mixed(localChange, follows, sceneChange), cancellation, previewSide);
        return new EditResult(image, Area, mask) { Scene = Scene, SceneMask = sceneMask };
    }

    /// <summary>
    /// How much of the scene's change an edit brings (0–1): in proportion to how much of the scene the
    /// local edit itself repainted (its mask's share of the scene), fully from
    /// <see cref="SceneFollowsFrom"/> on. Why: the model's answer to strokes is a whole new scene, and the
    /// editor's normalised steps move the scene's code as far for a small scribble as for a whole sky.
    /// A sky painted orange is the scene's light, and the land below takes it on; a red scribble on the
    /// sea is not, and with the scene's whole change it tinted the whole photo red (held-out photos,
    /// <c>npe eval edits --context 1 --sheets</c>). The sky strokes repaint about a third of a photo,
    /// scribbles a few hundredths.
    /// </summary>
    double SceneFollows(float[] localMask)
    {
        var scene = Scene!;
        double gridPixel = (double)Area.Bounds.Width * Area.Bounds.Height / (Area.GridWidth * Area.GridHeight);
        double repainted = localMask.Sum(m => (double)m) * gridPixel / ((double)scene.Bounds.Width * scene.Bounds.Height);
        return WorkArea.SmoothStep(repainted / SceneFollowsFrom);
    }

    /// <summary>The share of the scene a local edit must repaint for the scene to follow it fully.</summary>
    const double SceneFollowsFrom = 0.25;

    /// <summary>
    /// The scene window's whole change on the scene's grid, smoothed along the photo's flat areas
    /// (as the local change is, over the scene's reach) and fitted as a colour transform of the photo.
    /// No mask: the scene's change is the model's answer to the strokes everywhere, the small parts of
    /// it (the land warming under a sunset) most of all.
    /// </summary>
    (PixelChange Change, float[] Mask) SceneChange(ModelChange change, int sceneWindow, double follows, EditSettings settings,
                                                   CancellationToken cancellation)
    {
        var scene = Scene!;
        var joined = JoinWindows(scene, change.Change, 3, sceneWindow, cancellation);
        var paperMask = JoinWindows(scene, change.PaperMask, 1, sceneWindow, cancellation);
        if (settings.Blend != BlendMode.Paper && settings.Smoothing > 0)
        {
            var steps = _sceneColourSteps ??= new ColourSteps(_sceneGridPhoto!, scene.GridWidth, scene.GridHeight);
            var smoothing = _sceneSmoothing = SmoothingOn(_sceneSmoothing, steps, settings.Smoothing * scene.Reach / scene.Scale);
            smoothing.Apply(joined, 3, cancellation);
        }
        for (int i = 0; i < paperMask.Length; i++) paperMask[i] *= (float)follows;
        var carried = settings.Blend == BlendMode.Guided
            ? Guided(_sceneGridPhoto!, scene, joined, cancellation)
            : PixelChanges.Bilinear(scene, BlendMode.Detail, Ones(scene), joined);
        return (carried, paperMask);
    }

    static float[] Ones(WorkArea area)
    {
        var ones = new float[area.GridWidth * area.GridHeight];
        Array.Fill(ones, 1f);
        return ones;
    }

    /// <summary>The local edit's change at a photo pixel and the scene's, mixed:
    /// (1 − follows)·δ_local + follows·δₛ.</summary>
    static PixelChange Mixed(PixelChange localChange, double follows, PixelChange sceneChange) =>
        (x, y, rgb, change) =>
        {
            bool changed = localChange(x, y, rgb, change);
            if (changed) for (int c = 0; c < 3; c++) change[c] *= (float)(1 - follows);
            else change.Clear();
            Span<float> scene = stackalloc float[3];
            if (!sceneChange(x, y, rgb, scene)) return changed;
            for (int c = 0; c < 3; c++) change[c] += (float)follows * scene[c];
            return true;
        };

    /// <summary>The smoothing for <paramref name="extent"/> (grid pixels): made again only when the
    /// extent changed, not on every render.</summary>
    static EdgeAwareSmoothing SmoothingOn(EdgeAwareSmoothing? kept, ColourSteps steps, double extent) =>
        kept is not null && kept.SpatialSigma == extent ? kept : new EdgeAwareSmoothing(steps, extent, SmoothingEdge);

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

    /// <summary>The picture with the area replaced by the model's reconstruction X̂₀ (to judge how well
    /// the model knows the photo); <paramref name="outputs"/> are the local windows' X̂₀.</summary>
    public RgbaImage Reconstruction(float[] outputs, CancellationToken cancellation = default)
    {
        var full = Ones(Area);
        return PixelChanges.Apply(_photo, Area.Bounds,
            PixelChanges.Bilinear(Area, BlendMode.Paper, full, JoinWindows(Area, outputs, 3, 0, cancellation)), cancellation);
    }

    /// <summary>Per-window planes (windows × <paramref name="planes"/> × S × S, <paramref name="area"/>'s
    /// windows starting at <paramref name="firstWindow"/>) on the area's grid: each grid pixel is the
    /// weighted mean over the windows that cover it (<see cref="WorkArea.WindowWeight"/>).</summary>
    float[] JoinWindows(WorkArea area, float[] windowPlanes, int planes, int firstWindow, CancellationToken cancellation)
    {
        int width = area.GridWidth, height = area.GridHeight, n = width * height;
        var joined = new float[planes * n];
        Parallel.For(0, height, new ParallelOptions { CancellationToken = cancellation }, gy =>
        {
            Span<double> sum = stackalloc double[planes];
            for (int gx = 0; gx < width; gx++)
            {
                var (x, y) = area.PhotoPosition(gx, gy);
                double total = 0;
                sum.Clear();
                for (int w = 0; w < area.Windows.Count; w++)
                {
                    var window = area.Windows[w];
                    double weight = WorkArea.WindowWeight(window, x, y);
                    if (weight <= 0) continue;
                    double u = (x - window.X) * _size / window.Width, v = (y - window.Y) * _size / window.Height;
                    total += weight;
                    for (int c = 0; c < planes; c++)
                        sum[c] += weight * Resampling.Sample(windowPlanes, planes * (firstWindow + w) + c, _size, u, v);
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

    /// <summary>The fitted colour transform of a change on an area's grid, for every pixel of the area.</summary>
    static PixelChange Guided(float[] gridPhoto, WorkArea area, float[] change, CancellationToken cancellation)
    {
        var transfer = GuidedTransfer.Fit(gridPhoto, change, area.GridWidth, area.GridHeight, GuidedRadius(area), cancellation);
        return (x, y, rgb, delta) =>
        {
            if (!area.Bounds.Contains(x, y)) return false;
            var (u, v) = area.GridPosition(x, y);
            return transfer.ChangeAt(u, v, rgb, delta);
        };
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
    static int GuidedRadius(WorkArea area) => Math.Max(2, Math.Max(area.GridWidth, area.GridHeight) / 32);

    /// <summary>Radius over which the colour match averages the residual: half the reach, in grid pixels.</summary>
    int ColourMatchRadius => Math.Max(2, (int)Math.Round(Area.Reach / Area.Scale / 2));
}
