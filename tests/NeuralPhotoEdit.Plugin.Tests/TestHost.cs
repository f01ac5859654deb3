using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using NeuralPhotoEdit.Imaging;
using PaintDotNet;
using PaintDotNet.AppModel;
using PaintDotNet.ComponentModel;
using PaintDotNet.Effects;
using PaintDotNet.Imaging;
using PaintDotNet.IndirectUI;
using PaintDotNet.PropertySystem;
using PaintDotNet.Rendering;

namespace NeuralPhotoEdit.Plugin.Tests;

/// <summary>
/// Plays Paint.NET for the effect, as strictly as Paint.NET: a document of BGRA layers with visibility and
/// opacity (which the layers' bitmaps ignore, as Paint.NET's do), a selection given by its scans, a source
/// layer. It creates the property collection, the dialog and its window properties, hands the effect a clone
/// of the token, and renders the tiles over the selection on several threads at once in no particular order,
/// compositing each clipped to the selection's shape. Lock refuses rectangles outside the bitmap. It offers
/// Paint.NET's error-dialog service (<see cref="ErrorDialog"/>) and, like Paint.NET, catches an exception from
/// the render path, keeps the document as it was and shows it as a plugin error (<see cref="PluginError"/>).
/// It counts the pixels the effect reads from each layer.
/// </summary>
sealed class TestHost : IBitmapEffectEnvironment, IBitmapEffectDocumentInfo, IBitmapEffectSelectionInfo, IServiceProvider, IExceptionDialogService
{
    public const int Tile = 128;
    readonly List<HostLayer> _layers = new();
    List<RectInt32>? _scans;

    public TestHost(int width, int height) => Size = new SizeInt32(width, height);

    public SizeInt32 Size { get; }
    public int SourceLayerIndex { get; set; }
    public List<HostLayer> LayerList => _layers;

    /// <summary>The selection's scans (Paint.NET's render scans); the whole image when nothing is selected.</summary>
    public IReadOnlyList<RectInt32> RenderScans => _scans ?? [new RectInt32(0, 0, Size.Width, Size.Height)];
    public RectInt32 RenderBounds
    {
        get
        {
            var scans = RenderScans;
            int left = scans.Min(s => s.X), top = scans.Min(s => s.Y);
            return new RectInt32(left, top, scans.Max(s => s.X + s.Width) - left, scans.Max(s => s.Y + s.Height) - top);
        }
    }

    public TestHost Select(RectInt32 rectangle) { _scans = [rectangle]; return this; }
    public TestHost SelectScans(List<RectInt32> scans) { _scans = scans; return this; }

    /// <summary>Selects the ellipse inscribed in <paramref name="box"/>, one scan per row.</summary>
    public TestHost SelectEllipse(RectInt32 box)
    {
        double cx = box.X + box.Width / 2.0, cy = box.Y + box.Height / 2.0, rx = box.Width / 2.0, ry = box.Height / 2.0;
        _scans = [];
        for (int y = box.Y; y < box.Y + box.Height; y++)
        {
            double dy = (y + 0.5 - cy) / ry, half = rx * Math.Sqrt(Math.Max(0, 1 - dy * dy));
            int left = (int)Math.Round(cx - half), right = (int)Math.Round(cx + half);
            if (right > left) _scans.Add(new RectInt32(left, y, right - left, 1));
        }
        return this;
    }

    public bool IsSelected(int x, int y) => RenderScans.Any(s => x >= s.X && x < s.X + s.Width && y >= s.Y && y < s.Y + s.Height);

    public TestHost AddLayer(string name, RgbaImage pixels, bool visible = true, float opacity = 1)
    {
        _layers.Add(new HostLayer(name, pixels) { Visible = visible, Opacity = opacity });
        return this;
    }

    /// <summary>A new effect instance with its dialog built, as Paint.NET makes one when the effect is chosen.</summary>
    public (NeuralPhotoEditEffect Effect, PropertyBasedEffectConfigToken Token) CreateEffect()
    {
        var effect = new NeuralPhotoEditEffect { HostEnvironment = this, HostServices = this };
        var token = new PropertyBasedEffectConfigToken(effect.CreatePropertyCollection());
        Dialog = effect.CreateConfigUI(token.Properties);
        Window = new PropertyCollection(new Property[]
        {
            new StringProperty(ControlInfoPropertyNames.WindowTitle, ""),
            StaticListChoiceProperty.CreateForEnum(ControlInfoPropertyNames.WindowHelpContentType, WindowHelpContentType.None),
            new StringProperty(ControlInfoPropertyNames.WindowHelpContent, ""),
        });
        effect.HostCustomizeWindow(Window);
        return (effect, token);
    }

    /// <summary>The dialog and its window's properties, as the last <see cref="CreateEffect"/> set them up.</summary>
    public ControlInfo? Dialog { get; private set; }
    public PropertyCollection? Window { get; private set; }

    /// <summary>What Paint.NET's error dialog (the service) showed during the last <see cref="Apply"/>, or null.</summary>
    public string? ErrorDialog => _errorDialogs.LastOrDefault();
    readonly ConcurrentQueue<string> _errorDialogs = new();
    /// <summary>The plugin error Paint.NET showed for an exception from the render path in the last <see cref="Apply"/>, or null.</summary>
    public string? PluginError { get; private set; }
    /// <summary>Pixels the effect read from each layer while its settings were applied (OnSetToken) in the last <see cref="Apply"/>.</summary>
    public long[] PixelsReadWhileSetting { get; private set; } = [];
    /// <summary>Bytes the process allocated while the effect applied its settings in the last <see cref="Apply"/>.</summary>
    public long BytesAllocatedWhileSetting { get; private set; }

    /// <summary>Sets a clone of the token (the expensive part), then renders the tiles over the selection
    /// and returns the source layer as Paint.NET would show it afterwards.</summary>
    public RgbaImage Apply(NeuralPhotoEditEffect effect, PropertyBasedEffectConfigToken token)
    {
        _errorDialogs.Clear();
        PluginError = null;
        foreach (var layer in _layers) layer.PixelsRead = 0;
        effect.HostInitializeRenderInfo(new RenderInfo());
        long allocated = GC.GetTotalAllocatedBytes(precise: true);
        effect.HostSetToken((PropertyBasedEffectConfigToken)token.Clone());
        BytesAllocatedWhileSetting = GC.GetTotalAllocatedBytes(precise: true) - allocated;
        PixelsReadWhileSetting = _layers.Select(l => l.PixelsRead).ToArray();
        var canvas = _layers[SourceLayerIndex].Pixels.Clone();
        try
        {
            Parallel.ForEach(Tiles(), new ParallelOptions { MaxDegreeOfParallelism = 4 }, bounds =>
            {
                using var output = new HostOutput(bounds);
                effect.HostRender(output);
                output.CompositeInto(canvas, this);   // tiles don't overlap: no two threads write one pixel
            });
        }
        catch (AggregateException e)
        {
            // Paint.NET: the plugin-error dialog, and the document as it was.
            PluginError = e.InnerExceptions[0].ToString();
            return _layers[SourceLayerIndex].Pixels.Clone();
        }
        return canvas;
    }

    /// <summary>The 128×128 tiles over the selection that touch its shape, in a shuffled order.</summary>
    IEnumerable<RectInt32> Tiles()
    {
        var sel = RenderBounds;
        var tiles = new List<RectInt32>();
        for (int y = sel.Y; y < sel.Y + sel.Height; y += Tile)
            for (int x = sel.X; x < sel.X + sel.Width; x += Tile)
            {
                var tile = new RectInt32(x, y, Math.Min(Tile, sel.X + sel.Width - x), Math.Min(Tile, sel.Y + sel.Height - y));
                if (RenderScans.Any(s => s.X < tile.X + tile.Width && tile.X < s.X + s.Width && s.Y < tile.Y + tile.Height && tile.Y < s.Y
                    + s.Height))
                    tiles.Add(tile);
            }
        return tiles.OrderBy(_ => Random.Shared.Next()).ToList();
    }

    // Paint.NET's services: its error dialog.
    object? IServiceProvider.GetService(Type serviceType) => serviceType == typeof(IExceptionDialogService) ? this : null;
    void IExceptionDialogService.ShowErrorDialog(System.Windows.Forms.IWin32Window? owner, Exception exception, ExceptionDetailOptions options) =>
        _errorDialogs.Enqueue(exception.Message);
    void IExceptionDialogService.ShowErrorDialog(System.Windows.Forms.IWin32Window? owner, string? message, Exception exception,
        ExceptionDetailOptions options) => _errorDialogs.Enqueue(message ?? exception.Message);
    void IExceptionDialogService.ShowErrorDialog(System.Windows.Forms.IWin32Window? owner, string? message, string detailsText) =>
        _errorDialogs.Enqueue(message ?? detailsText);

    // IBitmapEffectEnvironment
    IBitmapEffectDocumentInfo IBitmapEffectEnvironment.Document => this;
    IBitmapEffectSelectionInfo IBitmapEffectEnvironment.Selection => this;
    IEffectDocumentInfo IEffectEnvironment.Document => this;
    IEffectSelectionInfo IEffectEnvironment.Selection => this;
    // IBitmapEffectDocumentInfo
    IReadOnlyList<IBitmapEffectLayerInfo> IBitmapEffectDocumentInfo.Layers => _layers;
    IReadOnlyList<IEffectLayerInfo> IEffectDocumentInfo.Layers => _layers;
    public bool IsDisposed => false;
    public void Dispose() { }
}

sealed class HostLayer(string name, RgbaImage pixels) : IBitmapEffectLayerInfo
{
    public string Name { get; } = name;
    public bool Visible { get; init; } = true;
    public float Opacity { get; init; } = 1;
    public RgbaImage Pixels { get; } = pixels;
    long _pixelsRead;
    public long PixelsRead { get => Interlocked.Read(ref _pixelsRead); set => Interlocked.Exchange(ref _pixelsRead, value); }
    internal void CountRead(long pixels) => Interlocked.Add(ref _pixelsRead, pixels);
    /// <summary>The layer's own pixels, without its visibility or opacity, as Paint.NET's are.</summary>
    public IEffectInputBitmap GetBitmap(in PixelFormat pixelFormat) =>
        pixelFormat.Equals(PixelFormats.Bgra32) ? new HostBitmap(Pixels, this) : throw new NotSupportedException("The test host serves Bgra32 only.");
    public bool IsDisposed => false;
    public void Dispose() { }
}

/// <summary>A layer's pixels as Paint.NET hands them out: BGRA rows with a stride wider than the row.</summary>
sealed class HostBitmap(RgbaImage image, HostLayer owner) : IEffectInputBitmap
{
    public SizeInt32 Size => new(image.Width, image.Height);
    public IBitmapLock Lock(RectInt32 rect)
    {
        if (rect.X < 0 || rect.Y < 0 || rect.Width <= 0 || rect.Height <= 0 || rect.X + rect.Width > image.Width || rect.Y
            + rect.Height > image.Height)
            throw new ArgumentOutOfRangeException(nameof(rect), $"{rect.X},{rect.Y} {rect.Width}×{rect.Height} is not inside the " +
                $"{image.Width}×{image.Height} bitmap");
        owner.CountRead((long)rect.Width * rect.Height);
        var buffer = new HostLock(rect.Width, rect.Height);
        for (int y = 0; y < rect.Height; y++)
            for (int x = 0; x < rect.Width; x++)
            {
                int o = image.Offset(rect.X + x, rect.Y + y), t = y * buffer.BufferStride + x * 4;
                buffer.Bytes[t] = image.Pixels[o + 2]; buffer.Bytes[t + 1] = image.Pixels[o + 1];
                buffer.Bytes[t + 2] = image.Pixels[o]; buffer.Bytes[t + 3] = image.Pixels[o + 3];
            }
        return buffer;
    }
    public bool IsDisposed => false;
    public void Dispose() { }
}

unsafe sealed class HostLock : IBitmapLock
{
    GCHandle _pin;
    public HostLock(int width, int height)
    {
        Size = new SizeInt32(width, height);
        BufferStride = width * 4 + 16;   // padded, as real bitmaps may be
        Bytes = new byte[BufferStride * height];
        _pin = GCHandle.Alloc(Bytes, GCHandleType.Pinned);
    }
    public byte[] Bytes { get; }
    public void* Buffer => (void*)_pin.AddrOfPinnedObject();
    public int BufferStride { get; }
    public SizeInt32 Size { get; }
    public bool IsDisposed => !_pin.IsAllocated;
    public void Dispose() { if (_pin.IsAllocated) _pin.Free(); }
}

sealed class HostOutput(RectInt32 bounds) : IBitmapEffectOutput, IDisposable
{
    readonly HostLock _lock = new(bounds.Width, bounds.Height);
    public RectInt32 Bounds => bounds;
    public PixelFormat PixelFormat => PixelFormats.Bgra32;
    public IBitmapLock Lock(in PixelFormat pixelFormat) =>
        pixelFormat.Equals(PixelFormats.Bgra32) ? new Borrowed(_lock) : throw new ArgumentException("The output is Bgra32, as " +
            "OnInitializeRenderInfo asked.");

    /// <summary>Writes the tile into the canvas where the selection covers it (Paint.NET clips to the selection).</summary>
    public void CompositeInto(RgbaImage canvas, TestHost host)
    {
        for (int y = 0; y < bounds.Height; y++)
            for (int x = 0; x < bounds.Width; x++)
            {
                if (!host.IsSelected(bounds.X + x, bounds.Y + y)) continue;
                int s = y * _lock.BufferStride + x * 4, o = canvas.Offset(bounds.X + x, bounds.Y + y);
                canvas.Pixels[o] = _lock.Bytes[s + 2]; canvas.Pixels[o + 1] = _lock.Bytes[s + 1];
                canvas.Pixels[o + 2] = _lock.Bytes[s]; canvas.Pixels[o + 3] = _lock.Bytes[s + 3];
            }
    }

    public void Dispose() => _lock.Dispose();

    /// <summary>The effect disposes its lock; the host keeps the buffer until it has composited it.</summary>
    unsafe sealed class Borrowed(HostLock inner) : IBitmapLock
    {
        public void* Buffer => inner.Buffer;
        public int BufferStride => inner.BufferStride;
        public SizeInt32 Size => inner.Size;
        public bool IsDisposed => false;
        public void Dispose() { }
    }
}

sealed class RenderInfo : IBitmapEffectRenderInfo
{
    public BitmapEffectRenderingFlags Flags { get; set; }
    public BitmapEffectRenderingSchedule Schedule { get; set; }
    public PixelFormat OutputPixelFormat { get; set; }
}
