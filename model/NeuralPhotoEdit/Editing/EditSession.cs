using NeuralPhotoEdit.Imaging;
using NeuralPhotoEdit.Networks;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralPhotoEdit.Editing;

/// <summary>
/// The Neural Photo Editor (Brock et al. 2017, §2) on one photo: the codes and the tools that move
/// them. Opening a session takes the work area and its windows (<see cref="WorkArea"/>), and, for
/// edits the whole photo may follow, the scene (<see cref="WorkArea.Scene"/>: one more window over
/// all of it), and encodes every window once: Z₀ = μ(E(X)) refined toward the photo
/// (<see cref="PhotoCodes"/>; the paper stops at μ(E(X))), X̂₀ = G(Z₀). Edits move the codes Z
/// (painting with strokes, lightening, nudging latents, sampling); <see cref="Render"/> decodes them
/// (<see cref="ModelChange"/>) and hands the change to the <see cref="EditRenderer"/>, which carries it
/// into the photo. Only the work area (and the scene) is processed. Front ends (the command line, the
/// Paint.NET plugin) all drive this class through <see cref="EditService"/>.
/// </summary>
public sealed partial class EditSession : IDisposable
{
    readonly IntrospectiveAdversarialNetwork _network;
    readonly Device _device;
    readonly int _size;
    readonly int _refinementSteps;
    RgbaImage _photo;
    EditRenderer _renderer = null!;   // made again whenever the photo is encoded
    Tensor _initialCode = null!;      // Z₀, one row per window
    Tensor _initialOutput = null!;    // X̂₀ = G(Z₀), windows×3×S×S
    Tensor _code = null!;             // Z, the current edit
    (double[] StepSizes, double[] Previous)? _descent;   // the last descent's state, for Paint(continueDescent)
    float[]? _strokePlanes;           // the last painted strokes on the windows, for PaintOn

    EditSession(IntrospectiveAdversarialNetwork network, RgbaImage photo, WorkArea area, WorkArea? scene, Device device,
                int refinementSteps, CancellationToken cancellation)
    {
        _network = network;
        _refinementSteps = refinementSteps;
        _device = device;
        _size = network.Config.ImageSize;
        _photo = photo;
        Area = area;
        Scene = scene;
        Windows = scene is null || area.SceneWindowIndex(scene) < area.Windows.Count ? area.Windows : [.. area.Windows, .. scene.Windows];
        Encode(cancellation);
    }

    public WorkArea Area { get; }
    /// <summary>The scene the edit's consequences may reach (<see cref="EditSettings.Context"/>), or null
    /// when the session edits locally only.</summary>
    public WorkArea? Scene { get; }
    public RgbaImage Photo => _photo;
    public int ModelSize => _size;
    /// <summary>Every window the model edits: the area's, then the scene's.</summary>
    IReadOnlyList<PixelRect> Windows { get; }

    /// <summary>
    /// Opens a session on <paramref name="photo"/>. The work area is <paramref name="selection"/> when given
    /// (nothing outside it changes), else the strokes' surroundings (<see cref="WorkArea.AroundStrokes"/>).
    /// With <paramref name="withScene"/> the model also sees the whole photo (or <paramref name="selection"/>),
    /// so the edit's consequences can reach all of it (<see cref="EditSettings.Context"/>).
    /// <paramref name="refinementSteps"/>: how far the photo's code is refined (<see cref="PhotoCodes"/>;
    /// 0 = the encoder's mean, as in the paper).
    /// </summary>
    public static EditSession Open(IntrospectiveAdversarialNetwork network, RgbaImage photo, PixelRect? selection = null,
                                   RgbaImage? strokes = null, Device? device = null,
                                   int refinementSteps = PhotoCodes.DefaultRefinementSteps, CancellationToken cancellation = default,
                                   bool withScene = false)
    {
        var area = ChooseArea(photo, selection, strokes);
        var scene = withScene ? WorkArea.SceneAround(area, limited: selection is not null, photo.Width, photo.Height) : null;
        return Open(network, photo, area, device, refinementSteps, cancellation, scene);
    }

    /// <summary>Opens a session on a work area chosen with <see cref="WorkArea.Choose"/>, and optionally
    /// the scene around it (which contains it).</summary>
    public static EditSession Open(IntrospectiveAdversarialNetwork network, RgbaImage photo, WorkArea area,
                                   Device? device = null, int refinementSteps = PhotoCodes.DefaultRefinementSteps,
                                   CancellationToken cancellation = default, WorkArea? scene = null)
    {
        PhotoCodes.CheckSteps(refinementSteps);
        var dev = device ?? network.parameters().First().device;
        return new EditSession(network, photo, area, scene, dev, refinementSteps, cancellation);
    }

    /// <summary>The work area for a photo: <paramref name="selection"/> when given (nothing outside it
    /// changes), else the strokes' surroundings (<see cref="WorkArea.AroundStrokes"/>).</summary>
    public static WorkArea ChooseArea(RgbaImage photo, PixelRect? selection, RgbaImage? strokes) =>
        WorkArea.Choose(photo.Width, photo.Height, selection,
                        strokes is null ? null : StrokesScan.BoundsOf(CheckSameSize(strokes, photo)));

    /// <summary>The strokes, when they are the photo's size; a message when not.</summary>
    internal static RgbaImage CheckSameSize(RgbaImage strokes, RgbaImage photo)
    {
        CheckSameSize(strokes.Width, strokes.Height, photo.Width, photo.Height);
        return strokes;
    }

    internal static void CheckSameSize(int strokesWidth, int strokesHeight, int photoWidth, int photoHeight)
    {
        if (strokesWidth != photoWidth || strokesHeight != photoHeight)
            throw new UserInputException($"The strokes image is {strokesWidth}×{strokesHeight} but the photo is {photoWidth}×{photoHeight}; they " +
                $"must be the same size.");
    }

    void Encode(CancellationToken cancellation)
    {
        (_descent, _strokePlanes) = (null, null);
        var planes = WindowPlanes(_photo, alphaWeighted: false, cancellation);
        _renderer = new EditRenderer(_photo, Area, Scene, _size, cancellation);
        cancellation.ThrowIfCancellationRequested();
        using var scope = NewDisposeScope();
        using var threads = TorchRuntime.ThreadsForWindows(Windows.Count);
        var x = tensor(planes, [Windows.Count, 3, _size, _size], device: _device);
        var z = PhotoCodes.Encode(_network, x, _refinementSteps, cancellation);
        using var _ = no_grad();
        var output = CheckFinite(_network.Decode(z));
        Replace(ref _initialCode, z);
        Replace(ref _initialOutput, output);
        Replace(ref _code, z.clone());
    }

    /// <summary>Every window at the model's resolution, one after another (windows × planes × S × S).</summary>
    float[] WindowPlanes(RgbaImage image, bool alphaWeighted, CancellationToken cancellation) =>
        Windows.SelectMany(window => Resampling.ToModelPlanes(image, window, _size, alphaWeighted, cancellation)).ToArray();

    static void Replace(ref Tensor field, Tensor value)
    {
        field?.Dispose();
        field = value.DetachFromDisposeScope();
    }

    /// <summary>
    /// The contextual paintbrush: <paramref name="settings"/>.Steps steps of normalised gradient descent
    /// on the alpha-weighted mean squared error between G(Z) and the stroke colours, over the painted
    /// pixels of each window (the scene's too). Returns false (and changes nothing) when no stroke
    /// falls in the area.
    /// </summary>
    public bool Paint(RgbaImage strokes, EditSettings settings, CancellationToken cancellation = default) =>
        Paint(strokes, settings, continueDescent: false, cancellation);

    /// <summary>
    /// <see cref="Paint(RgbaImage, EditSettings, CancellationToken)"/>, a few steps at a time: with
    /// <paramref name="continueDescent"/> the steps go on from where the last call's descent left off
    /// (its step sizes, halved after each overshoot) instead of starting a new one — a live loop's
    /// frames toward the same strokes settle as one call's steps would, instead of jumping back and
    /// forth across the strokes' colours at the full step size.
    /// </summary>
    public bool Paint(RgbaImage strokes, EditSettings settings, bool continueDescent, CancellationToken cancellation = default)
    {
        settings.Validate();
        CheckSameSize(strokes, _photo);
        var planes = WindowPlanes(strokes, alphaWeighted: true, cancellation);
        if (!_renderer.UseStrokes(strokes, cancellation)) return false;
        _strokePlanes = planes;
        PaintToward(planes, settings, continueDescent, cancellation);
        return true;
    }

    /// <summary>More steps toward the strokes of the last <see cref="Paint(RgbaImage, EditSettings, bool, CancellationToken)"/>,
    /// going on with its descent, without reading them again (a live loop's frames while the strokes rest);
    /// false when nothing was painted since the codes were last reset.</summary>
    public bool PaintOn(EditSettings settings, CancellationToken cancellation = default)
    {
        settings.Validate();
        if (_strokePlanes is null) return false;
        PaintToward(_strokePlanes, settings, continueDescent: true, cancellation);
        return true;
    }

    void PaintToward(float[] planes, EditSettings settings, bool continueDescent, CancellationToken cancellation)
    {
        using var scope = NewDisposeScope();
        var all = tensor(planes, [Windows.Count, 4, _size, _size], device: _device);
        var colours = all[.., ..3];
        var weights = all[.., 3..];
        // Per window: Σ w·(G(Z) − S)² / (3 Σ w); a window without strokes contributes nothing.
        var normaliser = weights.sum([1, 2, 3]).Times(3).AtLeast(1e-6);
        if (!continueDescent || _descent is null) _descent = NewDescent(settings);
        Step(settings, cancellation, output => ((output - colours).Squared() * weights).sum([1, 2, 3]) / normaliser, _descent.Value);
    }

    /// <summary>Back to the photo's own codes: Z = Z₀.</summary>
    public void Reset()
    {
        (_descent, _strokePlanes) = (null, null);
        Replace(ref _code, _initialCode.clone());
        _renderer.ForgetStrokes();
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
    /// back and forth across it and a larger η would end further away than a smaller one (measured in
    /// docs/natural-edits.md, "The latent step size"). Halving after an overshoot
    /// keeps "larger η, bolder edit" true. <paramref name="loss"/> gives one value per window; the
    /// windows' codes are independent (batch norm runs on its stored statistics), so one backward
    /// pass of their sum gives every window its own gradient.
    /// </summary>
    /// <summary>A descent's state per window: its step size (halved after each overshoot) and its last loss.</summary>
    (double[] StepSizes, double[] Previous) NewDescent(EditSettings settings) =>
        (Enumerable.Repeat(settings.StepSize, Windows.Count).ToArray(), Enumerable.Repeat(double.PositiveInfinity, Windows.Count).ToArray());

    void Step(EditSettings settings, CancellationToken cancellation, Func<Tensor, Tensor> loss) =>
        Step(settings, cancellation, loss, NewDescent(settings));

    void Step(EditSettings settings, CancellationToken cancellation, Func<Tensor, Tensor> loss, (double[] StepSizes, double[] Previous) descent)
    {
        if (settings.StepSize == 0) return;
        _network.eval();
        using var threads = TorchRuntime.ThreadsForWindows(Windows.Count);
        int windows = Windows.Count;
        var (stepSizes, previous) = descent;
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

    /// <summary>Decodes the current codes and carries the change into the photo (<see cref="EditRenderer"/>).</summary>
    public EditResult Render(EditSettings settings, CancellationToken cancellation = default) =>
        Render(settings, Decode(settings, cancellation), cancellation);

    /// <summary>Carries <paramref name="change"/> (from <see cref="Decode"/>, or derived from it) into the photo.</summary>
    public EditResult Render(EditSettings settings, ModelChange change, CancellationToken cancellation = default) =>
        _renderer.Render(change, settings, cancellation);

    /// <summary>A preview of <see cref="Render(EditSettings, CancellationToken)"/>: the changed bounds, at most
    /// <paramref name="side"/> pixels on their longer side (<see cref="EditRenderer.Render"/>).</summary>
    public EditResult RenderPreview(EditSettings settings, int side, CancellationToken cancellation = default) =>
        _renderer.Render(Decode(settings, cancellation), settings, cancellation, side);

    /// <summary>
    /// The model's change on every window at its resolution: Δ = G(Z) − X̂₀, the paper's mask
    /// M = min(k·blur_σ(mean_c |Δ|), 1) and G(Z).
    /// </summary>
    public ModelChange Decode(EditSettings settings, CancellationToken cancellation = default)
    {
        settings.Validate();
        cancellation.ThrowIfCancellationRequested();
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        using var threads = TorchRuntime.ThreadsForWindows(Windows.Count);
        _network.eval();
        var generated = CheckFinite(_network.Decode(_code));
        var change = generated - _initialOutput;
        var mask = GaussianBlur.Apply(change.abs().mean([1], keepdim: true), settings.Sigma).Times(settings.MaskGain).AtMost(1);
        return new ModelChange(Windows.Count, _size, ImageTensors.ToPlanes(change), ImageTensors.ToPlanes(mask),
                               ImageTensors.ToPlanes(generated));
    }

    /// <summary>The photo with the area replaced by the model's reconstruction X̂₀ (to judge how well
    /// the model knows the photo).</summary>
    public RgbaImage Reconstruction(CancellationToken cancellation = default)
    {
        float[] outputs;
        using (var scope = NewDisposeScope())
            outputs = ImageTensors.ToPlanes(_initialOutput);
        return _renderer.Reconstruction(outputs, cancellation);
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
