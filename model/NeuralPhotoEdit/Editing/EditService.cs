using NeuralPhotoEdit.Imaging;
using NeuralPhotoEdit.ModelFiles;

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

/// <summary>One request to the engine: a photo, its strokes, an optional area limit and the settings.</summary>
public sealed record EditRequest
{
    public required RgbaImage Photo { get; init; }
    /// <summary>The strokes, the photo's size: colour = target, alpha = brush weight. Required to paint.</summary>
    public RgbaImage? Strokes { get; init; }
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
}

/// <summary>The outcome: the new image (or the photo itself, unchanged, with the reason in
/// <see cref="Problem"/>), and the rendered edit's work area and mask when there is one.</summary>
public sealed record EditOutcome(RgbaImage Image, EditResult? Edit, string? Problem)
{
    public bool Changed => Problem is null;
}

/// <summary>
/// The engine's entry point for front ends (the command line, the Paint.NET effect): checks a
/// request, keeps one model per process and the encoded work area between requests (a change of
/// the step size, steps, mask or blend never encodes again), runs the edit with cancellation, and
/// turns every failure into a one-line message with the photo left unchanged. Not thread-safe: one
/// request at a time per instance (a front end's dialog or command).
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
            catch (InvalidOperationException e) { return new EditOutcome(request.Photo, null, e.Message); }
            // Keeps every temporary tensor referenced until its native call returns (see Scalars).
            using var scope = TorchSharp.torch.NewDisposeScope();
            return RunChecked(request, cancellation);
        }
        catch (OperationCanceledException) { throw; }
        catch (Exception e) when (NativeFailure.Describe(e) is string message)
        {
            Forget();
            return new EditOutcome(request.Photo, null, message);
        }
        catch (Exception e) when (e is UserInputException or ModelFileException or InvalidDataException or IOException or UnauthorizedAccessException)
        {
            return new EditOutcome(request.Photo, null, e.Message);
        }
    }

    EditOutcome RunChecked(EditRequest request, CancellationToken cancellation)
    {
        request.Settings.Validate();
        var photo = request.Photo;
        var strokes = request.Strokes;
        if (request.Kind == EditKind.Paint && strokes is null) throw new UserInputException("There are no strokes to paint with.");
        if (strokes is not null) EditSession.CheckSameSize(strokes, photo);
        // Only painting reads the strokes' colours; sampling and reconstructing use them for the area.
        if (request.Kind == EditKind.Paint && !HasTransparency(strokes!))
            throw new UserInputException("The strokes have no transparent pixels, so every pixel would count as a stroke: paint them on a transparent layer (saved as a PNG with transparency, not a flattened JPEG).");
        // One scan of the strokes (a whole layer, on every slider move) for their painted bounds.
        var strokeBounds = strokes is null ? null : RegionOfInterest.StrokeBounds(strokes);
        if (request.Kind == EditKind.Paint && strokeBounds is null)
            throw new UserInputException("The strokes are empty: paint some colour strokes first.");
        // Without a limit the area is the strokes' surroundings; without strokes (sampling,
        // reconstruction) it is the whole image.
        var whole = new PixelRect(0, 0, photo.Width, photo.Height);
        var area = EditSession.ChooseArea(photo.Width, photo.Height, request.Limit ?? (strokeBounds is null ? whole : null), strokeBounds);
        var model = Model(request.ModelPath, request.Device);
        cancellation.ThrowIfCancellationRequested();

        var session = Session(model, photo, area, cancellation);
        session.Reset();
        switch (request.Kind)
        {
            case EditKind.Paint:
                if (!session.Paint(strokes!, request.Settings, cancellation))
                    return new EditOutcome(photo, null, "None of the strokes fall inside the area to edit: nothing to do.");
                break;
            case EditKind.Sample:
                session.Sample(request.Seed);
                break;
            case EditKind.Reconstruct:
                return new EditOutcome(session.Reconstruction(cancellation), null, null);
        }
        var edit = session.Render(request.Settings, cancellation);
        return new EditOutcome(edit.Image, edit, null);
    }

    /// <summary>Whether any pixel is less than opaque: strokes are what is painted over transparency.</summary>
    static bool HasTransparency(RgbaImage strokes)
    {
        var pixels = strokes.Pixels;
        for (int i = 3; i < pixels.Length; i += 4)
            if (pixels[i] != 255) return true;
        return false;
    }

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
    EditSession Session(LoadedModel model, RgbaImage photo, WorkArea area, CancellationToken cancellation)
    {
        string key = $"{_modelKey}|{area.Bounds}|{ContentHash(photo, area.Bounds, cancellation)}";
        if (_session is not null && _sessionKey == key) return _session;
        Forget();
        _session = EditSession.Open(model.Network, photo, area, cancellation: cancellation);
        _sessionKey = key;
        return _session;
    }

    static int ContentHash(RgbaImage photo, PixelRect area, CancellationToken cancellation)
    {
        var hash = new HashCode();
        for (int y = area.Y; y < area.Bottom; y++)
        {
            if ((y & 63) == 0) cancellation.ThrowIfCancellationRequested();
            hash.AddBytes(photo.Pixels.AsSpan(photo.Offset(area.X, y), area.Width * 4));
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
