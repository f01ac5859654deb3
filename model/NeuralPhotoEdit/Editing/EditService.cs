using NeuralPhotoEdit.Imaging;
using NeuralPhotoEdit.ModelFiles;
using NeuralPhotoEdit.Networks;

namespace NeuralPhotoEdit.Editing;

/// <summary>What an edit request asks the model to do.</summary>
public enum EditKind
{
    /// <summary>Paint: latent steps toward the strokes, then render (the contextual paintbrush).</summary>
    Paint,
    /// <summary>The area replaced by the model's reconstruction (to judge how well it knows the photo).</summary>
    Reconstruct,
    /// <summary>The area's codes replaced by a seeded random sample from the prior.</summary>
    Sample,
}

/// <summary>One request to the engine: a photo, its strokes, an optional area limit and the settings.
/// The engine reads from the photo only the area it edits, and scans the strokes once per request.</summary>
public sealed record EditRequest
{
    public required PixelSource Photo { get; init; }
    /// <summary>The strokes, the photo's size: colour = target, alpha = brush weight. Required to paint.</summary>
    public PixelSource? Strokes { get; init; }
    /// <summary>The strokes' painted bounds and whether they have transparency, when the front end
    /// already knows them (<see cref="RegionOfInterest.ScanStrokes"/>): saves a pass over the layer.</summary>
    public (PixelRect? Bounds, bool HasTransparency)? StrokesScan { get; init; }
    /// <summary>The area the edit must stay inside (a selection), or null for the strokes' surroundings.</summary>
    public PixelRect? Limit { get; init; }
    public EditSettings Settings { get; init; } = new();
    public EditKind Kind { get; init; } = EditKind.Paint;
    /// <summary>Seed of <see cref="EditKind.Sample"/>.</summary>
    public int Seed { get; init; }
    /// <summary>auto, cpu or cuda (<see cref="Devices"/>).</summary>
    public string Device { get; init; } = "auto";
    /// <summary>The model file, or null for the bundled model.</summary>
    public string? ModelPath { get; init; }
    /// <summary>How far the photo's code is refined when the area is encoded (<see cref="PhotoCodes"/>).</summary>
    public int RefinementSteps { get; init; } = PhotoCodes.DefaultRefinementSteps;
}

/// <summary>
/// The outcome: the new pixels of the area the edit worked on (<see cref="Pixels"/>, placed at
/// <see cref="Bounds"/> in the photo; everything outside is the photo's), the rendered edit in the
/// area's coordinates when there is one — or no pixels and the reason in <see cref="Problem"/>.
/// </summary>
public sealed record EditOutcome(RgbaImage? Pixels, PixelRect Bounds, EditResult? Edit, string? Problem)
{
    public bool Changed => Problem is null;
    /// <summary>Whether this request encoded the area (false when the service reused the codes of an
    /// earlier request on the same area: only the settings changed).</summary>
    public bool Encoded { get; init; }

    internal static EditOutcome Failed(string problem) => new(null, default, null, problem);

    /// <summary>The photo with the outcome applied: a copy, or the photo itself when nothing changed.</summary>
    public RgbaImage ApplyTo(RgbaImage photo, CancellationToken cancellation = default)
    {
        if (Pixels is null) return photo;
        var result = photo.Clone(cancellation);
        for (int y = 0; y < Bounds.Height; y++)
            Pixels.Pixels.AsSpan(y * Bounds.Width * 4, Bounds.Width * 4).CopyTo(result.Pixels.AsSpan(result.Offset(Bounds.X, Bounds.Y + y)));
        return result;
    }
}

/// <summary>
/// The engine's entry point for front ends (the command line, the Paint.NET effect): checks a
/// request, keeps one model per process and the encoded work area between requests (a change of
/// the step size, steps, mask or blend never encodes again), runs the edit with cancellation, and
/// turns every failure into a one-line message with the photo left unchanged. It reads only the
/// region it edits from the photo and the strokes and edits that region (<see cref="WorkArea.InRegion"/>):
/// the work area for a local edit (context 0, and reconstructions and samples) — work and memory then
/// follow the area, never the photo — and the scene (the whole photo, or the selection) when the photo
/// may follow the edit (<see cref="EditSettings.Context"/>): the model's work is then one more window,
/// and the pixel work and memory follow the photo. Not thread-safe: one request at a time per
/// instance (a front end's dialog or command).
/// </summary>
public sealed class EditService : IDisposable
{
    static readonly Lock ModelGate = new();
    static LoadedModel? _model;
    static string? _modelKey;

    EditSession? _session;
    string? _sessionKey;

    /// <summary>Runs a request. Never throws for bad input, a bad model, or running out of memory;
    /// throws <see cref="OperationCanceledException"/> when cancelled (the caller drops the result).</summary>
    public EditOutcome Run(EditRequest request, CancellationToken cancellation = default)
    {
        try
        {
            // Loads libtorch with this engine's settings before the first TorchSharp call below.
            try { TorchRuntime.EnsureInitialised(); }
            catch (InvalidOperationException e) { return EditOutcome.Failed(e.Message); }
            // Keeps every temporary tensor referenced until its native call returns (see Scalars).
            using var scope = TorchSharp.torch.NewDisposeScope();
            return RunChecked(request, cancellation);
        }
        catch (OperationCanceledException) { throw; }
        catch (Exception e) when (NativeFailure.Describe(e) is string message)
        {
            Forget();
            return EditOutcome.Failed(message);
        }
        catch (Exception e) when (e is UserInputException or ModelFileException or InvalidDataException or IOException or UnauthorizedAccessException)
        {
            return EditOutcome.Failed(e.Message);
        }
    }

    EditOutcome RunChecked(EditRequest request, CancellationToken cancellation)
    {
        request.Settings.Validate();
        PhotoCodes.CheckSteps(request.RefinementSteps);
        var photo = request.Photo;
        var strokes = request.Strokes;
        if (request.Kind == EditKind.Paint && strokes is null) throw new UserInputException("There are no strokes to paint with.");
        if (strokes is not null) EditSession.CheckSameSize(strokes.Width, strokes.Height, photo.Width, photo.Height);
        var (strokeBounds, transparent) = strokes is null ? (null, true)
            : request.StrokesScan ?? RegionOfInterest.ScanStrokes(strokes, cancellation);
        // Only painting reads the strokes' colours; sampling and reconstructing use them for the area.
        if (request.Kind == EditKind.Paint && !transparent)
            throw new UserInputException("The strokes have no transparent pixels, so every pixel would count as a stroke: paint them on a transparent layer (saved as a PNG with transparency, not a flattened JPEG).");
        if (request.Kind == EditKind.Paint && strokeBounds is null)
            throw new UserInputException("The strokes are empty: paint some colour strokes first.");
        // Without a limit the area is the strokes' surroundings; without strokes (sampling,
        // reconstruction) it is the whole image.
        var whole = new PixelRect(0, 0, photo.Width, photo.Height);
        var area = WorkArea.Choose(photo.Width, photo.Height, request.Limit ?? (strokeBounds is null ? whole : null), strokeBounds);
        // Strokes that miss the area are found before any model work (not after encoding it).
        if (request.Kind == EditKind.Paint && strokeBounds is PixelRect painted && painted.Intersect(area.Bounds).Width == 0)
            return EditOutcome.Failed(NoStrokesInArea);
        // Painting with context also shows the model the whole scene: the photo, or the selection.
        var scene = request.Kind == EditKind.Paint && request.Settings.SeesScene
            ? WorkArea.SceneAround(area, limited: request.Limit is not null, photo.Width, photo.Height)
            : null;
        var model = Model(request.ModelPath, request.Device);
        cancellation.ThrowIfCancellationRequested();

        var bounds = scene?.Bounds ?? area.Bounds;
        var (session, encoded) = Session(model, photo.Read(bounds, cancellation), bounds, area.InRegion(bounds), scene?.InRegion(bounds),
                                         request.RefinementSteps, cancellation);
        session.Reset();
        switch (request.Kind)
        {
            case EditKind.Paint:
                if (!session.Paint(strokes!.Read(bounds, cancellation), request.Settings, cancellation))
                    return EditOutcome.Failed(NoStrokesInArea);
                break;
            case EditKind.Sample:
                session.Sample(request.Seed);
                break;
            case EditKind.Reconstruct:
                return new EditOutcome(session.Reconstruction(cancellation), bounds, null, null) { Encoded = encoded };
        }
        var edit = session.Render(request.Settings, cancellation);
        return new EditOutcome(edit.Image, bounds, edit, null) { Encoded = encoded };
    }

    const string NoStrokesInArea = "None of the strokes fall inside the area to edit: nothing to do.";

    /// <summary>One model per process, loaded once (and again only when the file or device changes).</summary>
    static LoadedModel Model(string? path, string device)
    {
        string resolved = DefaultModel.Resolve(path);
        string key = Path.GetFullPath(resolved) + "|" + device;
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
    (EditSession Session, bool Encoded) Session(LoadedModel model, RgbaImage region, PixelRect bounds, WorkArea area, WorkArea? scene,
                                                int refinementSteps, CancellationToken cancellation)
    {
        string key = $"{_modelKey}|{bounds}|{area.Bounds}|{scene is not null}|{refinementSteps}|{ContentHash(region, cancellation)}";
        if (_session is not null && _sessionKey == key) return (_session, false);
        Forget();
        _session = EditSession.Open(model.Network, region, area, refinementSteps: refinementSteps, cancellation: cancellation, scene: scene);
        _sessionKey = key;
        return (_session, true);
    }

    static int ContentHash(RgbaImage region, CancellationToken cancellation)
    {
        var hash = new HashCode();
        int row = region.Width * 4;
        for (int y = 0; y < region.Height; y++)
        {
            if ((y & 63) == 0) cancellation.ThrowIfCancellationRequested();
            hash.AddBytes(region.Pixels.AsSpan(y * row, row));
        }
        return hash.ToHashCode();
    }

    void Forget()
    {
        _session?.Dispose();
        _session = null;
        _sessionKey = null;
    }

    public void Dispose() => Forget();
}
