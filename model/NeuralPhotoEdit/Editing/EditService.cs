using NeuralPhotoEdit.Imaging;
using NeuralPhotoEdit.ModelFiles;
using NeuralPhotoEdit.Networks;

namespace NeuralPhotoEdit.Editing;

/// <summary>
/// The engine's entry point for front ends (the command line, the Paint.NET effect): checks a
/// request, keeps one model per process and the encoded work area between requests (a change of
/// the step size, steps, mask or blend never encodes again), runs the edit with cancellation, and
/// turns every failure into a one-line message with the photo left unchanged. It reads only the
/// part it edits from the photo and the strokes and edits that part (<see cref="WorkArea.RelativeTo"/>):
/// the work area for a local edit (context 0, and reconstructions and samples) — work and memory then
/// follow the area, never the photo — and the scene (the whole photo, or the selection) when the photo
/// may follow the edit (<see cref="EditSettings.Context"/>): the model's work is then one more window,
/// and the pixel work and memory follow the photo. A live front end's frames come from
/// <see cref="Preview"/> (driven by <see cref="LiveEdit"/>), its results from <see cref="Run"/>. Not
/// thread-safe: one request at a time per instance (a front end's dialog, command or page).
/// </summary>
public sealed class EditService : IDisposable
{
    static readonly Lock ModelGate = new();
    static LoadedModel? _model;
    static string? _modelKey;

    EditSession? _session;
    string? _sessionKey;
    PixelSource? _sessionPhoto;     // the photo the session was read from, for the live loop (by reference)
    PixelRect _sessionBounds;       // the part of it the session holds
    int _sessionRefinement;

    /// <summary>Runs a request. Never throws for bad input, a bad model, or running out of memory;
    /// throws <see cref="OperationCanceledException"/> when cancelled (the caller drops the result).</summary>
    public EditOutcome Run(EditRequest request, CancellationToken cancellation = default) =>
        Guarded(() => RunChecked(request, cancellation), EditOutcome.Failed);

    /// <summary>
    /// One frame of the live loop (in a session of its own: <see cref="PreviewRefinementSteps"/>):
    /// <paramref name="steps"/> more latent steps toward the request's strokes
    /// (and its last lightening brush, or a share of its last nudge), from where the codes are — not from
    /// the photo's code, as <see cref="Run"/> starts — and a preview of the result at most
    /// <paramref name="side"/> pixels on its longer side. The encoded area is kept while the strokes stay
    /// inside it (the photo must be the same <see cref="PixelSource"/>), and chosen again around all of
    /// them when they reach beyond it. Never throws but for cancellation, as <see cref="Run"/>.
    /// </summary>
    public EditPreview Preview(EditRequest request, int steps, int side, CancellationToken cancellation = default) =>
        Preview(request, steps, side, continueDescent: false, cancellation);

    /// <summary><see cref="Preview(EditRequest, int, int, CancellationToken)"/>; with <paramref name="continueDescent"/>
    /// the steps go on with the last frame's descent (<see cref="EditSession.Paint(RgbaImage, EditSettings, bool, CancellationToken)"/>):
    /// for frames toward strokes that have not changed since.</summary>
    public EditPreview Preview(EditRequest request, int steps, int side, bool continueDescent, CancellationToken cancellation = default) =>
        Guarded(() => PreviewChecked(request, steps, side, continueDescent, cancellation), problem => new EditPreview(null, default, problem));

    /// <summary>The current code averaged over the area's windows (for showing it), or null before any edit.</summary>
    public float[]? CurrentCode() => _session?.MeanCode();

    T Guarded<T>(Func<T> work, Func<string, T> failed)
    {
        try
        {
            // Loads libtorch with this engine's settings before the first TorchSharp call below.
            try { TorchRuntime.EnsureInitialised(); }
            catch (InvalidOperationException e) { return failed(e.Message); }
            // Keeps every temporary tensor referenced until its native call returns (see Scalars).
            using var scope = TorchSharp.torch.NewDisposeScope();
            return work();
        }
        catch (OperationCanceledException) { throw; }
        catch (Exception e) when (NativeFailure.Describe(e) is string message)
        {
            Forget();
            return failed(message);
        }
        catch (Exception e) when (e is UserInputException or ModelFileException or InvalidDataException or IOException or UnauthorizedAccessException)
        {
            return failed(e.Message);
        }
    }

    /// <summary>What a request will edit: checked, with its work area, scene and the part of the photo it reads.</summary>
    sealed record Plan(PixelRect? Touched, WorkArea Area, WorkArea? Scene, PixelRect Bounds, bool HasStrokes);

    Plan CheckedPlan(EditRequest request, CancellationToken cancellation)
    {
        request.Settings.Validate();
        PhotoCodes.CheckSteps(request.RefinementSteps);
        var photo = request.Photo;
        var strokes = request.Strokes;
        bool painting = request.Kind == EditKind.Paint;
        if (painting && strokes is null && request.Adjustments.Count == 0) throw new UserInputException("There are no strokes to paint with.");
        if (strokes is not null) EditSession.CheckSameSize(strokes.Width, strokes.Height, photo.Width, photo.Height);
        var (strokeBounds, transparent) = strokes is null ? new StrokesScan(null, true)
            : request.StrokesScan ?? StrokesScan.Of(strokes, cancellation);
        // Only painting reads the strokes' colours; sampling and reconstructing use them for the area.
        if (painting && !transparent)
            throw new UserInputException("The strokes have no transparent pixels, so every pixel would count as a stroke: paint them on a " +
                "transparent layer (saved as a PNG with transparency, not a flattened JPEG).");
        var touched = strokeBounds;
        if (painting)
            foreach (var brush in request.Adjustments.OfType<LightenAdjustment>())
            {
                EditSession.CheckSameSize(brush.Brush.Width, brush.Brush.Height, photo.Width, photo.Height);
                if (StrokesScan.Of(brush.Brush, cancellation).Bounds is PixelRect brushed) touched = touched?.Union(brushed) ?? brushed;
            }
        bool nudges = painting && request.Adjustments.OfType<NudgeAdjustment>().Any();
        if (painting && touched is null && !nudges)
            throw new UserInputException("The strokes are empty: paint some colour strokes first.");
        // Without a selection the area is the strokes' surroundings; without strokes (sampling,
        // reconstruction, latent nudges alone) it is the whole image.
        var whole = new PixelRect(0, 0, photo.Width, photo.Height);
        var area = WorkArea.Choose(photo.Width, photo.Height, request.Selection ?? (touched is null ? whole : null), touched);
        // Strokes that miss the area are found before any model work (not after encoding it).
        if (painting && !nudges && touched is PixelRect painted && painted.Intersect(area.Bounds).Width == 0)
            throw new UserInputException(NoStrokesInArea);
        // Painting with context also shows the model the whole scene: the photo, or the selection.
        var scene = painting && request.Settings.SeesScene
            ? WorkArea.SceneAround(area, limited: request.Selection is not null, photo.Width, photo.Height)
            : null;
        return new Plan(touched, area, scene, scene?.Bounds ?? area.Bounds, strokeBounds is not null);
    }

    EditOutcome RunChecked(EditRequest request, CancellationToken cancellation)
    {
        var plan = CheckedPlan(request, cancellation);
        var model = Model(request.ModelPath, request.Device);
        cancellation.ThrowIfCancellationRequested();

        // Everything the result depends on is read once, and named by its content (SHA-256).
        var bounds = plan.Bounds;
        var part = request.Photo.Read(bounds, cancellation);
        string photoDigest = Digest(part, cancellation);
        bool painting = request.Kind == EditKind.Paint;
        var strokes = painting && plan.HasStrokes ? request.Strokes!.Read(bounds, cancellation) : null;
        var adjustments = painting
            ? request.Adjustments.Select(a => a is LightenAdjustment l ? (a, l.Brush.Read(bounds, cancellation)) : (a, (RgbaImage?)null)).ToList()
            : [];
        string outcomeKey = string.Join("|", _modelKey, request.Kind, request.Seed, request.Settings, request.RefinementSteps, request.Selection,
            bounds, plan.Area.Bounds, photoDigest, strokes is null ? "-" : Digest(strokes, cancellation),
            string.Join(";", adjustments.Select(a => a.Item2 is RgbaImage brush
                ? $"lighten {((LightenAdjustment)a.a).Amount} {Digest(brush, cancellation)}"
                : $"nudge {string.Join(",", ((NudgeAdjustment)a.a).Indices)} {((NudgeAdjustment)a.a).Target} {((NudgeAdjustment)a.a).Strength}")));
        if (RecentOutcomes.Find(outcomeKey) is EditOutcome known) return known with { Encoded = false, Reused = true };

        var (session, encoded) = Session(model, request.Photo, part, photoDigest, bounds, plan, request.RefinementSteps, cancellation);
        session.Reset();
        EditOutcome outcome;
        switch (request.Kind)
        {
            case EditKind.Paint:
                bool painted = strokes is not null && session.Paint(strokes, request.Settings, cancellation);
                bool adjusted = Adjust(session, adjustments, request.Settings, cancellation);
                if (!painted && !adjusted) return EditOutcome.Failed(NoStrokesInArea);
                break;
            case EditKind.Sample:
                session.Sample(request.Seed);
                break;
            case EditKind.Reconstruct:
                outcome = new EditOutcome(session.Reconstruction(cancellation), bounds, null, null) { Encoded = encoded };
                RecentOutcomes.Add(outcomeKey, outcome);
                return outcome;
        }
        var edit = session.Render(request.Settings, cancellation);
        outcome = new EditOutcome(edit.Image, bounds, edit, null) { Encoded = encoded };
        RecentOutcomes.Add(outcomeKey, outcome);
        return outcome;
    }

    /// <summary>
    /// The last results, shared by every instance in the process: a front end that asks again for what it
    /// just computed gets it back at once (Paint.NET sets the same settings again on OK, and Repeat Effect
    /// runs them on a new effect instance). Keyed by everything the result depends on, the pixels read
    /// named by their SHA-256 (a shorter hash could collide and hand back another photo's result); two
    /// results at most, and at most <see cref="RecentOutcomeBytes"/> of pixels.
    /// </summary>
    static readonly RecentResults<EditOutcome> RecentOutcomes = new(2, RecentOutcomeBytes, o => o.Pixels?.Pixels.LongLength ?? 0);

    const long RecentOutcomeBytes = 256L << 20;

    /// <summary>The pixels' SHA-256, as text.</summary>
    static string Digest(RgbaImage image, CancellationToken cancellation)
    {
        using var hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        int row = image.Width * 4;
        for (int y = 0; y < image.Height; y++)
        {
            if ((y & 63) == 0) cancellation.ThrowIfCancellationRequested();
            hash.AppendData(image.Pixels, y * row, row);
        }
        hash.AppendData(BitConverter.GetBytes(image.Width));
        return Convert.ToHexString(hash.GetHashAndReset());
    }

    /// <summary>Applies the lightening brushes and nudges in order; true when any of them changed the codes.</summary>
    static bool Adjust(EditSession session, IEnumerable<(LatentAdjustment Adjustment, RgbaImage? Brush)> adjustments, EditSettings settings,
                       CancellationToken cancellation)
    {
        bool any = false;
        foreach (var (adjustment, brush) in adjustments)
            any |= adjustment switch
            {
                LightenAdjustment lighten => session.Lighten(lighten.Amount, brush!, settings, cancellation),
                NudgeAdjustment nudge => Nudged(session, nudge, nudge.Strength),
                _ => throw new ArgumentException($"Unknown adjustment {adjustment.GetType().Name}."),
            };
        return any;
    }

    static bool Nudged(EditSession session, NudgeAdjustment nudge, double strength)
    {
        session.NudgeLatents(nudge.Indices, nudge.Target, strength);
        return true;
    }

    EditPreview PreviewChecked(EditRequest request, int steps, int side, bool continueDescent, CancellationToken cancellation)
    {
        if (request.Kind != EditKind.Paint) throw new ArgumentException("Only painting has a live preview.", nameof(request));
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(side, 1);
        var plan = CheckedPlan(request, cancellation);
        var model = Model(request.ModelPath, request.Device);
        cancellation.ThrowIfCancellationRequested();

        bool encoded = false;
        if (!KeepsLiveArea(request, plan))
        {
            // A stroke being painted grows: the area is chosen with room for it to grow into, so that it
            // is not encoded again at every frame (which would also throw away the steps taken so far).
            if (request.Selection is null && plan.Touched is PixelRect touched)
                plan = plan with { Area = WorkArea.Choose(request.Photo.Width, request.Photo.Height, null, WithRoom(touched, request.Photo)) };
            var coarse = plan with { Area = plan.Area.WithGridSide(PreviewGridSide), Scene = plan.Scene?.WithGridSide(PreviewGridSide) };
            var part = request.Photo.Read(plan.Bounds, cancellation);
            (_, encoded) = Session(model, request.Photo, part, Digest(part, cancellation), plan.Bounds, coarse, PreviewRefinementSteps,
                cancellation);
            if (encoded) _session!.Reset();
        }
        var session = _session!;
        var bounds = _sessionBounds;
        var settings = request.Settings;
        var frame = settings with { Steps = steps };
        // Strokes unchanged since the last frame are not read again.
        bool continuing = continueDescent && !encoded;
        if (plan.HasStrokes && !(continuing && session.PaintOn(frame, cancellation)))
            session.Paint(request.Strokes!.Read(bounds, cancellation), frame, continuing, cancellation);
        switch (request.Adjustments.LastOrDefault())
        {
            case LightenAdjustment lighten:
                session.Lighten(lighten.Amount, lighten.Brush.Read(bounds, cancellation), frame, cancellation);
                break;
            case NudgeAdjustment nudge:
                // A frame's share of the nudge: a drag over the code's tiles shows it grow.
                Nudged(session, nudge, nudge.Strength * Math.Min(1, (double)steps / Math.Max(1, settings.Steps)));
                break;
        }
        var preview = session.RenderPreview(settings, side, cancellation);
        var changed = preview.ChangedBounds;
        return new EditPreview(preview.Image, changed with { X = changed.X + bounds.X, Y = changed.Y + bounds.Y }, null) { Encoded = encoded };
    }

    /// <summary>
    /// The live loop's session is its own, cheaper than <see cref="Run"/>'s, because a preview only has to
    /// show where the edit is going: the photo's code is the encoder's mean (the paper's Z₀; the refinement
    /// brings the reconstruction closer to the photo, which the full result needs and a preview of the
    /// change Δ = G(Z) − G(Z₀) hardly shows), and the stages on the grid run on a coarser one.
    /// </summary>
    public const int PreviewRefinementSteps = 0, PreviewGridSide = 128;

    /// <summary>Strokes' bounds grown by half their longer side each way, at least an eighth of the photo's
    /// (inside the photo): where a stroke being painted is likely to go next.</summary>
    static PixelRect WithRoom(PixelRect touched, PixelSource photo)
    {
        int room = Math.Max(Math.Max(touched.Width, touched.Height) / 2, Math.Max(photo.Width, photo.Height) / 8);
        return new PixelRect(touched.X - room, touched.Y - room, touched.Width + 2 * room, touched.Height + 2 * room)
            .Intersect(new PixelRect(0, 0, photo.Width, photo.Height));
    }

    /// <summary>Whether the live loop may go on in the kept session: a preview session on the same photo,
    /// model and kind of edit, with everything painted inside its area.</summary>
    bool KeepsLiveArea(EditRequest request, Plan plan)
    {
        if (_session is null || !ReferenceEquals(_sessionPhoto, request.Photo)) return false;
        if (!(_sessionKey ?? "").StartsWith(ModelKey(request.ModelPath, request.Device) + "|", StringComparison.Ordinal)) return false;
        if ((_session.Scene is not null) != (plan.Scene is not null) || _sessionRefinement != PreviewRefinementSteps
            || _session.Area.GridWidth > PreviewGridSide || _session.Area.GridHeight > PreviewGridSide) return false;
        var area = _session.Area.Bounds with { X = _session.Area.Bounds.X + _sessionBounds.X, Y = _session.Area.Bounds.Y + _sessionBounds.Y };
        var wanted = plan.Touched ?? plan.Area.Bounds;
        return wanted.Intersect(area) == wanted && (request.Selection is null || plan.Area.Bounds == area);
    }

    const string NoStrokesInArea = "None of the strokes fall inside the area to edit: nothing to do.";

    static string ModelKey(string? path, string device) => Path.GetFullPath(DefaultModel.Resolve(path)) + "|" + device;

    /// <summary>One model per process, loaded once (and again only when the file or device changes).</summary>
    static LoadedModel Model(string? path, string device)
    {
        string resolved = DefaultModel.Resolve(path);
        string key = ModelKey(path, device);
        lock (ModelGate)
        {
            if (_model is not null && _modelKey == key) return _model;
            var loaded = ModelFile.Open(resolved, device);
            _model?.Dispose();
            (_model, _modelKey) = (loaded, key);
            return loaded;
        }
    }

    /// <summary>The session for this photo area and model, encoding only when one of them changed.</summary>
    (EditSession Session, bool Encoded) Session(LoadedModel model, PixelSource photo, RgbaImage part, string partDigest, PixelRect bounds,
                                                Plan plan, int refinementSteps, CancellationToken cancellation)
    {
        var (area, scene) = (plan.Area.RelativeTo(bounds), plan.Scene?.RelativeTo(bounds));
        string key = $"{_modelKey}|{bounds}|{area.Bounds}|{area.GridWidth}|{scene is not null}|{refinementSteps}|{partDigest}";
        if (_session is not null && _sessionKey == key)
        {
            _sessionPhoto = photo;
            return (_session, false);
        }
        Forget();
        _session = EditSession.Open(model.Network, part, area, refinementSteps: refinementSteps, cancellation: cancellation, scene: scene);
        (_sessionKey, _sessionPhoto, _sessionBounds, _sessionRefinement) = (key, photo, bounds, refinementSteps);
        return (_session, true);
    }


    void Forget()
    {
        _session?.Dispose();
        _session = null;
        _sessionKey = null;
        _sessionPhoto = null;
    }

    public void Dispose() => Forget();
}
