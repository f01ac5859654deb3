using NeuralPhotoEdit.Editing;
using NeuralPhotoEdit.Imaging;
using NeuralPhotoEdit.ModelFiles;

namespace NeuralPhotoEdit.Plugin;

/// <summary>
/// Everything the effect does, without Paint.NET types: validates the request, keeps one model per
/// process, keeps the encoded region between requests (a change of step size, steps, σ or blend
/// never encodes again), runs the engine with cancellation, and turns every failure into a message
/// with the photo left unchanged. One instance per effect (dialog); not thread-safe by design — the
/// effect calls it from one thread at a time.
/// </summary>
public sealed class PluginEngine : IDisposable
{
    static readonly object ModelGate = new();
    static LoadedModel? _model;
    static string? _modelKey;

    EditSession? _session;
    string? _sessionKey;

    /// <summary>Runs a request. Never throws for bad input, a bad model, or running out of memory;
    /// throws <see cref="OperationCanceledException"/> when cancelled (the caller drops the result).</summary>
    public PluginResult Run(PluginRequest request, CancellationToken cancellation)
    {
        try
        {
            // Keeps every temporary tensor referenced until its native call returns (see Scalars).
            using var scope = TorchSharp.torch.NewDisposeScope();
            return RunChecked(request, cancellation);
        }
        catch (OperationCanceledException) { throw; }
        catch (Exception e) when (NativeFailure.Describe(e) is string message)
        {
            Forget();
            return new PluginResult(request.Photo, message);
        }
        catch (Exception e) when (e is UserInputException or ModelFileException or InvalidDataException or IOException
                                     or UnauthorizedAccessException or InvalidOperationException or ArgumentException)
        {
            return new PluginResult(request.Photo, e.Message);
        }
    }

    PluginResult RunChecked(PluginRequest request, CancellationToken cancellation)
    {
        request.Settings.Validate();
        var photo = request.Photo;
        var strokes = request.Mode == PluginMode.EditWithStrokes ? CheckStrokes(request) : request.Strokes;
        if (strokes is not null && (strokes.Width != photo.Width || strokes.Height != photo.Height))
            throw new UserInputException("The strokes layer is not the size of the image.");
        // One scan of the strokes layer (a whole layer, on every slider move) for its painted bounds.
        var strokeBounds = strokes is null ? null : RegionOfInterest.StrokeBounds(strokes);
        if (request.Mode == PluginMode.EditWithStrokes && strokeBounds is null)
            throw new UserInputException("The strokes layer is empty: paint some colour strokes on it first.");
        // Without a selection the area is the strokes' surroundings; without strokes (sampling,
        // reconstruction) it is the whole image.
        var whole = new PixelRect(0, 0, photo.Width, photo.Height);
        var area = EditSession.ChooseArea(photo.Width, photo.Height, request.Selection ?? (strokeBounds is null ? whole : null), strokeBounds);
        var model = Model(request.ModelPath, request.Device);
        cancellation.ThrowIfCancellationRequested();

        var session = Session(model, photo, area, cancellation);
        session.Reset();
        switch (request.Mode)
        {
            case PluginMode.EditWithStrokes:
                if (!session.Paint(strokes!, request.Settings, cancellation))
                    return new PluginResult(photo, "None of the strokes fall inside the selection: nothing to do.");
                break;
            case PluginMode.RandomSample:
                session.Sample(request.Seed);
                break;
            case PluginMode.ReconstructOnly:
                return new PluginResult(session.Reconstruction(cancellation), null);
        }
        return new PluginResult(session.Render(request.Settings, cancellation).Image, null);
    }

    static RgbaImage CheckStrokes(PluginRequest request)
    {
        if (request.StrokesProblem is not null) throw new UserInputException(request.StrokesProblem);
        var strokes = request.Strokes ?? throw new UserInputException("Choose a strokes layer: add a layer, paint rough colour strokes on it, and pick it in the dialog.");
        return strokes;
    }

    /// <summary>One model per process, loaded once (and again only when the file or device changes).</summary>
    static LoadedModel Model(string? path, string device)
    {
        string resolved = DefaultModel.Resolve(path);
        string key = Path.GetFullPath(resolved) + "|" + device;
        lock (ModelGate)
        {
            if (_model is not null && _modelKey == key) return _model;
            var loaded = ModelFile.Load(resolved, Devices.Resolve(device));
            _model?.Dispose();
            (_model, _modelKey) = (loaded, key);
            return loaded;
        }
    }

    /// <summary>The session for this photo region and model, encoding only when one of them changed.</summary>
    EditSession Session(LoadedModel model, RgbaImage photo, WorkArea area, CancellationToken cancellation)
    {
        string key = $"{_modelKey}|{area.Bounds}|{ContentHash(photo, area.Bounds, cancellation)}";
        if (_session is not null && _sessionKey == key) return _session;
        Forget();
        _session = EditSession.Open(model.Network, photo, area, cancellation: cancellation);
        _sessionKey = key;
        return _session;
    }

    static int ContentHash(RgbaImage photo, PixelRect roi, CancellationToken cancellation)
    {
        var hash = new HashCode();
        for (int y = roi.Y; y < roi.Bottom; y++)
        {
            if ((y & 63) == 0) cancellation.ThrowIfCancellationRequested();
            hash.AddBytes(photo.Pixels.AsSpan(photo.Offset(roi.X, y), roi.Width * 4));
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
