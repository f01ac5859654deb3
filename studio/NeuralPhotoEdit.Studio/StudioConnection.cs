using System.Buffers.Binary;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using NeuralPhotoEdit.Editing;
using NeuralPhotoEdit.Imaging;
using SkiaSharp;

namespace NeuralPhotoEdit.Studio;

/// <summary>
/// One open page: its photo, its strokes (<see cref="StrokeHistory"/>), and the engine's live loop
/// (<see cref="LiveEdit"/>) over its own <see cref="EditService"/>. Messages from the page are JSON text
/// (each with the run's token) and, after an "open" message, one binary message with an image file;
/// messages to the page are JSON text, or binary: a 4-byte little-endian length, a JSON header, then
/// RGBA pixels (a frame) or a file's bytes (a download). Any bad message gets one sentence back and the
/// page goes on; closing the page frees everything it held.
/// </summary>
sealed class StudioConnection : IDisposable
{
    /// <summary>Largest image file a page may open, in bytes.</summary>
    public const int MaxUploadBytes = 64 << 20;
    /// <summary>Largest photo the studio edits: it keeps the photo, the result and three stroke layers.</summary>
    public const long MaxPixels = 50_000_000;
    /// <summary>Largest text message (a stroke's points arrive a few at a time).</summary>
    const int MaxTextBytes = 256 << 10;
    /// <summary>Results kept for undo and redo, in bytes of pixels.</summary>
    const long CacheBytes = 400L << 20;

    static int _open;
    public static int Open => Volatile.Read(ref _open);

    readonly WebSocket _socket;
    readonly StudioGuard _guard;
    readonly StudioOptions _options;
    readonly SemaphoreSlim _sending = new(1, 1);
    readonly EditService _service = new();
    readonly LiveEdit _live;
    // For undo and redo: each result with the code it came from, so the code tiles go back with it.
    readonly RecentResults<Rendered> _results = new(int.MaxValue, CacheBytes, r => r.Image.Pixels.LongLength + 4L * r.Code.Length);
    RgbaImage _photo;
    PixelSource _photoSource;      // one instance per photo: the live loop keeps its area by it
    string _name;
    StrokeHistory _strokes;
    EditSettings _settings = new();
    RgbaImage _current;            // what the page shows as the result
    (EditResult Edit, PixelRect Bounds)? _lastEdit;
    string? _pendingUpload;        // the name of the image file the next binary message carries
    CancellationTokenSource _final = new();
    Task _finalTask = Task.CompletedTask;
    int _seed = Environment.TickCount;

    readonly Task<string?> _model;

    public StudioConnection(WebSocket socket, StudioGuard guard, StudioOptions options, RgbaImage photo, string name, Task<string?> model)
    {
        _model = model;
        Interlocked.Increment(ref _open);
        (_socket, _guard, _options) = (socket, guard, options);
        (_photo, _photoSource, _name, _current) = (photo, photo, name, photo);
        _strokes = new StrokeHistory(photo.Width, photo.Height);
        _live = new LiveEdit(_service, (_, preview) => ShowPreviewAsync(preview));
    }

    /// <summary>Refuses a photo too large for the studio, in one sentence.</summary>
    public static void CheckUploadSize(int width, int height, string name)
    {
        if ((long)width * height > MaxPixels)
            throw new UserInputException($"'{name}' is {width}×{height} ({(double)width * height / 1e6:F0} megapixels), above the " +
                $"{MaxPixels / 1_000_000} megapixels the studio edits; scale it down first, or use npe edit.");
    }

    public async Task RunAsync(CancellationToken cancellation)
    {
        if (!_model.IsCompleted)
        {
            await SendJsonAsync(new { type = "photo", width = _photo.Width, height = _photo.Height, name = _name });
            await SendStatusAsync(busy: true, "Loading the model…");
        }
        if (await _model is string problem) await SendErrorAsync(problem);
        await SendPhotoAsync();
        while (_socket.State == WebSocketState.Open && !cancellation.IsCancellationRequested)
        {
            var (type, message) = await ReceiveAsync(cancellation);
            if (type == WebSocketMessageType.Close) break;
            try
            {
                if (type == WebSocketMessageType.Binary) await OpenUploadAsync(message);
                else await HandleAsync(message);
            }
            catch (UserInputException e) { await RefuseAsync(e.Message); }
            catch (JsonException) { await RefuseAsync("The studio received a message it could not read; reload the page."); }
        }
        await _live.StopAsync();
        await CloseAsync();
    }

    /// <summary>Answers the page's close (the close handshake), under the send lock: a frame may be going out.</summary>
    async Task CloseAsync()
    {
        await _sending.WaitAsync();
        try
        {
            if (_socket.State is WebSocketState.CloseReceived or WebSocketState.Open)
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
        }
        catch (WebSocketException) { }
        finally { _sending.Release(); }
    }

    /// <summary>Says why a message was refused; the page is idle again unless a result is still coming.</summary>
    async Task RefuseAsync(string problem)
    {
        await SendErrorAsync(problem);
        if (_finalTask.IsCompleted) await SendStatusAsync(busy: false, "");
    }

    /// <summary>The next whole message; one beyond its limit is read to its end and dropped (null).</summary>
    async Task<(WebSocketMessageType Type, byte[]? Message)> ReceiveAsync(CancellationToken cancellation)
    {
        var buffer = new byte[64 << 10];
        using var message = new MemoryStream();
        bool tooLarge = false;
        while (true)
        {
            WebSocketReceiveResult part;
            try { part = await _socket.ReceiveAsync(buffer, cancellation); }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException) { return (WebSocketMessageType.Close, null); }
            if (part.MessageType == WebSocketMessageType.Close) return (WebSocketMessageType.Close, null);
            int limit = part.MessageType == WebSocketMessageType.Binary ? MaxUploadBytes : MaxTextBytes;
            if (!tooLarge && message.Length + part.Count > limit) tooLarge = true;
            if (!tooLarge) message.Write(buffer, 0, part.Count);
            if (!part.EndOfMessage) continue;
            if (tooLarge)
            {
                await SendErrorAsync(part.MessageType == WebSocketMessageType.Binary
                    ? $"That file is larger than the {MaxUploadBytes >> 20} MB the studio opens."
                    : "The studio received a message larger than it accepts; it was ignored.");
                _pendingUpload = null;
                return (part.MessageType, null);
            }
            return (part.MessageType, message.ToArray());
        }
    }

    async Task HandleAsync(byte[]? text)
    {
        if (text is null) return;
        using var document = JsonDocument.Parse(text);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object) throw new UserInputException("The studio received a message it could not read; reload the page.");
        if (!_guard.IsTokenValid(Text(root, "token")))
        {
            await SendErrorAsync("This page's access token is not this studio's: open the address the studio printed.");
            return;
        }
        switch (Text(root, "type"))
        {
            case "settings": await ApplySettingsAsync(root); break;
            case "begin": await BeginAsync(root); break;
            case "move": Move(root); break;
            case "latent": await LatentAsync(root); break;
            case "end": _strokes.End(); await ShowFinalAsync(); break;
            case "undo": if (_strokes.Undo()) await ShowFinalAsync(); break;
            case "redo": if (_strokes.Redo()) await ShowFinalAsync(); break;
            case "reset": _strokes.Clear(); await ShowFinalAsync(); break;
            case "view": await ShowViewAsync(Text(root, "view")); break;
            case "save": await SaveAsync(strokesOnly: false); break;
            case "save-strokes": await SaveAsync(strokesOnly: true); break;
            case "open": _pendingUpload = SafeName(Text(root, "name")); break;
            case "commit": await CommitAsync(); break;
            default: throw new UserInputException($"The studio does not know the request '{PrintableText.Of(Text(root, "type") ?? "")}'.");
        }
    }

    static string? Text(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    static double Number(JsonElement root, string name, double min, double max, double fallback)
    {
        if (!root.TryGetProperty(name, out var value)) return fallback;
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out double number) || !double.IsFinite(number) || number < min
            || number > max)
            throw new UserInputException($"The studio received {name} outside {min}…{max}; it was ignored.");
        return number;
    }

    async Task ApplySettingsAsync(JsonElement root)
    {
        var settings = _settings with
        {
            StepSize = Number(root, "stepSize", 0, EditSettings.MaxStepSize, _settings.StepSize),
            Steps = (int)Number(root, "steps", 1, 100, _settings.Steps),
            ColourMatch = Number(root, "colourMatch", 0, 1, _settings.ColourMatch),
            Context = Number(root, "spread", 0, 1, _settings.Context),
        };
        settings.Validate();
        if (settings == _settings) return;
        _settings = settings;
        await ShowFinalAsync();
    }

    async Task BeginAsync(JsonElement root)
    {
        await CancelFinalAsync();
        var tool = Text(root, "tool") switch
        {
            "colour" => BrushTool.Colour,
            "lighten" => BrushTool.Lighten,
            "darken" => BrushTool.Darken,
            "erase" => BrushTool.Erase,
            var other => throw new UserInputException($"The studio has no brush '{PrintableText.Of(other ?? "")}'."),
        };
        string colour = Text(root, "colour") ?? "#000000";
        if (!SKColor.TryParse(colour, out var parsed)) throw new UserInputException($"'{PrintableText.Of(colour)}' is not a colour.");
        float size = (float)Number(root, "size", 1, 2000, 20);
        var at = Point(Number(root, "x", double.MinValue, double.MaxValue, 0), Number(root, "y", double.MinValue, double.MaxValue, 0));
        _strokes.BeginBrush(tool, parsed, size, at);
        if (tool != BrushTool.Erase) UpdateLive();
    }

    void Move(JsonElement root)
    {
        if (!root.TryGetProperty("points", out var points) || points.ValueKind != JsonValueKind.Array || points.GetArrayLength() % 2 != 0)
            throw new UserInputException("The studio received a stroke without its points.");
        var list = new List<SKPoint>();
        for (int i = 0; i < points.GetArrayLength(); i += 2)
        {
            if (points[i].ValueKind != JsonValueKind.Number || points[i + 1].ValueKind != JsonValueKind.Number
                || !points[i].TryGetDouble(out double x) || !points[i + 1].TryGetDouble(out double y))
                throw new UserInputException("The studio received a stroke point that is not a number.");
            list.Add(Point(x, y));
        }
        _strokes.Extend(list);
        if (_strokes.Current is BrushStroke { Tool: not BrushTool.Erase }) UpdateLive();
    }

    /// <summary>A point on the photo; strokes outside it are refused in one sentence.</summary>
    SKPoint Point(double x, double y)
    {
        if (!double.IsFinite(x) || !double.IsFinite(y) || x < 0 || y < 0 || x > _photo.Width || y > _photo.Height)
            throw new UserInputException($"A stroke point ({x:0.#}, {y:0.#}) is outside the {_photo.Width}×{_photo.Height} photo; it was ignored.");
        return new SKPoint((float)x, (float)y);
    }

    async Task LatentAsync(JsonElement root)
    {
        if (_strokes.Current is not LatentStroke)
        {
            await CancelFinalAsync();
            _strokes.BeginLatent(Number(root, "target", -1, 1, 1), Number(root, "strength", 0, 1, 0.5));
        }
        if (root.TryGetProperty("indices", out var indices) && indices.ValueKind == JsonValueKind.Array)
            _strokes.Touch(indices.EnumerateArray().Select(i =>
                i.ValueKind == JsonValueKind.Number && i.TryGetInt32(out int n) && n is >= 0 and < 4096
                    ? n
                    : throw new UserInputException("The studio received a latent index that is not one.")).ToList());
        UpdateLive();
    }

    EditRequest Request(EditKind kind = EditKind.Paint) => new()
    {
        Photo = _photoSource, Strokes = _strokes.ColourLayer, Adjustments = kind == EditKind.Paint ? _strokes.Adjustments() : [],
        Settings = _settings, Kind = kind, Seed = _seed, ModelPath = _options.ModelPath, Device = _options.Device,
    };

    void UpdateLive()
    {
        if (_strokes.IsEmpty) return;
        _ = SendStatusAsync(busy: true, "Painting…");
        // Previews take the strokes' drawn box instead of a pass over the layer each frame.
        _live.Update(Request() with { StrokesScan = new StrokesScan(_strokes.ColourBounds, true) });
    }

    async Task ShowPreviewAsync(EditPreview preview)
    {
        if (preview.Problem is not null) { await SendErrorAsync(preview.Problem); return; }
        if (preview.Frame is { } frame) await SendFrameAsync("preview", frame, preview.Bounds);
    }

    /// <summary>Stops the previews and shows the full result of the strokes so far (from the cache when it
    /// was rendered before: an undo gives back the exact earlier image).</summary>
    async Task ShowFinalAsync()
    {
        await CancelFinalAsync();
        string key = $"{_strokes.Key}|{_settings}";
        if ((_strokes.IsEmpty ? new Rendered(_photo, []) : _results.Find(key)) is Rendered rendered)
        {
            await _live.StopAsync();
            _current = rendered.Image;
            await SendResultAsync(rendered.Code);
            return;
        }
        var request = Request();
        var cancellation = _final.Token;
        await SendStatusAsync(busy: true, "Rendering the full result…");
        _finalTask = Task.Run(async () =>
        {
            try
            {
                var (outcome, code) = await _live.RunAsync(service => (service.Run(request, cancellation), service.CurrentCode()), cancellation);
                if (outcome.Problem is not null)
                {
                    await SendErrorAsync(outcome.Problem);
                    await SendResultAsync();
                    return;
                }
                _current = outcome.ApplyTo(_photo, cancellation);
                _lastEdit = (outcome.Edit!, outcome.Bounds);
                _results.Add(key, new Rendered(_current, code ?? []));
                await SendResultAsync(code);
            }
            catch (OperationCanceledException) { }
        });
    }

    async Task CancelFinalAsync()
    {
        _final.Cancel();
        try { await _finalTask; } catch (OperationCanceledException) { }
        _final.Dispose();
        _final = new CancellationTokenSource();
    }

    /// <summary>A full result and the mean code it was decoded from (empty: the photo itself, no code).</summary>
    sealed record Rendered(RgbaImage Image, float[] Code);

    /// <summary>Shows the result; with <paramref name="code"/> the code tiles too (empty clears them).</summary>
    async Task SendResultAsync(float[]? code = null)
    {
        await SendFrameAsync("result", _current, new PixelRect(0, 0, _photo.Width, _photo.Height));
        if (code is not null) await SendJsonAsync(new { type = "latents", values = code });
        await SendJsonAsync(new { type = "history", undo = _strokes.UndoCount, redo = _strokes.RedoCount });
        await SendStatusAsync(busy: false, "");
    }

    /// <summary>The mask, the model's reconstruction or a random sample, shown until the next stroke (after
    /// the result being rendered, which a view doesn't cancel).</summary>
    async Task ShowViewAsync(string? view)
    {
        try { await _finalTask; } catch (OperationCanceledException) { }
        switch (view)
        {
            case "result":
                await SendResultAsync();
                return;
            case "mask":
                if (_lastEdit is not var (edit, bounds)) throw new UserInputException("Paint a stroke first: the mask shows where the last edit " +
                    "changed the photo.");
                await SendFrameAsync("view", MaskView(edit),
                    edit.ChangedBounds with { X = edit.ChangedBounds.X + bounds.X, Y = edit.ChangedBounds.Y + bounds.Y });
                await SendStatusAsync(busy: false, "");
                return;
            case "reconstruct" or "sample":
                if (view == "sample") _seed++;
                await SendStatusAsync(busy: true, view == "sample" ? "Drawing a random sample…" : "Reconstructing…");
                var request = Request(view == "sample" ? EditKind.Sample : EditKind.Reconstruct);
                var outcome = await _live.RunAsync(service => service.Run(request));
                if (outcome.Pixels is null) throw new UserInputException(outcome.Problem ?? "Nothing to show.");
                await SendFrameAsync("view", outcome.Pixels, outcome.Bounds);
                await SendStatusAsync(busy: false, "");
                return;
            default:
                throw new UserInputException($"The studio has no view '{PrintableText.Of(view ?? "")}'.");
        }
    }

    /// <summary>The mask over the changed bounds, grey on black (at most 1024 pixels on a side).</summary>
    static RgbaImage MaskView(EditResult edit)
    {
        var bounds = edit.ChangedBounds;
        double scale = Math.Max(1.0, Math.Max(bounds.Width, bounds.Height) / 1024.0);
        int width = Math.Max(1, (int)(bounds.Width / scale)), height = Math.Max(1, (int)(bounds.Height / scale));
        var view = new RgbaImage(width, height);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                byte grey = (byte)Math.Round(255 * Math.Clamp(edit.MaskAt(bounds.X + (int)(x * scale), bounds.Y + (int)(y * scale)), 0, 1));
                int o = view.Offset(x, y);
                (view.Pixels[o], view.Pixels[o + 1], view.Pixels[o + 2], view.Pixels[o + 3]) = (grey, grey, grey, 255);
            }
        return view;
    }

    async Task SaveAsync(bool strokesOnly)
    {
        try { await _finalTask; } catch (OperationCanceledException) { }   // the result of the last stroke
        var image = strokesOnly ? _strokes.ColourLayer.Read(new PixelRect(0, 0, _photo.Width, _photo.Height)) : _current;
        string stem = Path.GetFileNameWithoutExtension(_name);
        string name = strokesOnly ? $"{stem}-strokes.png" : $"{stem}-edited.png";
        await SendBinaryAsync(new { type = "file", name, mime = "image/png" }, ImageFiles.EncodePng(image));
    }

    /// <summary>The result becomes the photo (the paper's commit): later strokes edit it, encoded afresh.</summary>
    async Task CommitAsync()
    {
        try { await _finalTask; } catch (OperationCanceledException) { }
        await UsePhotoAsync(_current, _name);
    }

    async Task OpenUploadAsync(byte[]? file)
    {
        if (file is null) return;
        string name = _pendingUpload ?? throw new UserInputException("The studio received a file it did not ask for; use Open.");
        _pendingUpload = null;
        if (file.Length == 0) throw new UserInputException($"'{name}' is empty.");
        var (width, height) = ImageFiles.ReadSize(file, name);   // from the header: a bomb costs nothing
        CheckUploadSize(width, height, name);
        await UsePhotoAsync(ImageFiles.Decode(file, name), name);
    }

    async Task UsePhotoAsync(RgbaImage photo, string name)
    {
        await CancelFinalAsync();
        await _live.StopAsync();
        _strokes.Dispose();
        _results.Clear();
        (_photo, _photoSource, _name, _current, _lastEdit) = (photo, photo, name, photo, null);
        _strokes = new StrokeHistory(photo.Width, photo.Height);
        await SendPhotoAsync();
    }

    /// <summary>A file name from the page, for messages and downloads only: never a path.</summary>
    static string SafeName(string? name)
    {
        string plain = Path.GetFileName((name ?? "").Replace('\\', '/'));
        plain = new string(plain.Where(c => !char.IsControl(c) && c is not ('"' or '<' or '>')).Take(120).ToArray());
        return plain.Length == 0 ? "photo" : plain;
    }

    async Task SendPhotoAsync()
    {
        await SendJsonAsync(new { type = "photo", width = _photo.Width, height = _photo.Height, name = _name });
        await SendResultAsync(code: []);
    }

    Task SendStatusAsync(bool busy, string text) => SendJsonAsync(new { type = "status", busy, text });

    Task SendErrorAsync(string text) => SendJsonAsync(new { type = "error", text });

    Task SendFrameAsync(string kind, RgbaImage image, PixelRect bounds) =>
        SendBinaryAsync(new { type = "frame", kind, x = bounds.X, y = bounds.Y, w = bounds.Width, h = bounds.Height, width = image.Width,
            height = image.Height },
                        image.Pixels);

    async Task SendJsonAsync(object message)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(message);
        await SendAsync(bytes, WebSocketMessageType.Text);
    }

    async Task SendBinaryAsync(object header, byte[] payload)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(header);
        var message = new byte[4 + json.Length + payload.Length];
        BinaryPrimitives.WriteInt32LittleEndian(message, json.Length);
        json.CopyTo(message, 4);
        payload.CopyTo(message, 4 + json.Length);
        await SendAsync(message, WebSocketMessageType.Binary);
    }

    async Task SendAsync(byte[] message, WebSocketMessageType type)
    {
        await _sending.WaitAsync();
        try
        {
            if (_socket.State == WebSocketState.Open)
                await _socket.SendAsync(message, type, endOfMessage: true, CancellationToken.None);
        }
        catch (WebSocketException) { }   // the page went away: RunAsync ends with it
        finally { _sending.Release(); }
    }

    public void Dispose()
    {
        _final.Cancel();
        try { _finalTask.Wait(); } catch (AggregateException) { }
        _live.Dispose();
        _service.Dispose();
        _strokes.Dispose();
        _results.Clear();
        _final.Dispose();
        _sending.Dispose();
        Interlocked.Decrement(ref _open);
        NativeMemory.ReturnFreedMemory();
    }
}
