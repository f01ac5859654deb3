using System.Runtime.InteropServices;
using NeuralPhotoEdit.Imaging;
using PaintDotNet;
using PaintDotNet.ComponentModel;
using PaintDotNet.Effects;
using PaintDotNet.Imaging;
using PaintDotNet.PropertySystem;
using PaintDotNet.Rendering;

namespace NeuralPhotoEdit.Plugin.Tests;

/// <summary>
/// Plays Paint.NET for the effect: a document of BGRA layers, a selection, a source layer; it creates
/// the property collection and token, calls OnSetToken, renders the output in 128×128 tiles and
/// composites them, clipped to the selection, as Paint.NET does. Like Paint.NET, it catches an
/// exception from the render path, keeps the document as it was and shows the exception's message
/// (<see cref="ErrorDialog"/>). It counts the pixels the effect reads from each layer.
/// </summary>
sealed class TestHost : IBitmapEffectEnvironment, IBitmapEffectDocumentInfo, IBitmapEffectSelectionInfo
{
    public const int Tile = 128;
    readonly List<HostLayer> _layers = new();

    public TestHost(int width, int height) => Size = new SizeInt32(width, height);

    public SizeInt32 Size { get; }
    public RectInt32 RenderBounds { get; set; }
    public int SourceLayerIndex { get; set; }
    public List<HostLayer> LayerList => _layers;

    public TestHost AddLayer(string name, RgbaImage pixels)
    {
        _layers.Add(new HostLayer(name, pixels));
        if (RenderBounds.Width == 0) RenderBounds = new RectInt32(0, 0, Size.Width, Size.Height);
        return this;
    }

    public (NeuralPhotoEditEffect Effect, PropertyBasedEffectConfigToken Token) CreateEffect()
    {
        var effect = new NeuralPhotoEditEffect { HostEnvironment = this };
        var token = new PropertyBasedEffectConfigToken(effect.CreatePropertyCollection());
        effect.CreateConfigUI(token.Properties);
        return (effect, token);
    }

    /// <summary>The message Paint.NET's effect-error dialog showed for the last <see cref="Apply"/>, or null.</summary>
    public string? ErrorDialog { get; private set; }
    /// <summary>Pixels the effect read from each layer while its settings were applied (OnSetToken) in the last <see cref="Apply"/>.</summary>
    public long[] PixelsReadWhileSetting { get; private set; } = [];
    /// <summary>Bytes the process allocated while the effect applied its settings in the last <see cref="Apply"/>.</summary>
    public long BytesAllocatedWhileSetting { get; private set; }

    /// <summary>Sets the token (the expensive part), then renders every tile of the selection's bounds
    /// and returns the source layer as Paint.NET would show it afterwards.</summary>
    public RgbaImage Apply(NeuralPhotoEditEffect effect, PropertyBasedEffectConfigToken token)
    {
        ErrorDialog = null;
        foreach (var layer in _layers) layer.PixelsRead = 0;
        effect.HostInitializeRenderInfo(new RenderInfo());
        long allocated = GC.GetTotalAllocatedBytes(precise: true);
        effect.HostSetToken(token);
        BytesAllocatedWhileSetting = GC.GetTotalAllocatedBytes(precise: true) - allocated;
        PixelsReadWhileSetting = _layers.Select(l => l.PixelsRead).ToArray();
        var canvas = _layers[SourceLayerIndex].Pixels.Clone();
        var sel = RenderBounds;
        try
        {
            for (int y = sel.Y; y < sel.Y + sel.Height; y += Tile)
                for (int x = sel.X; x < sel.X + sel.Width; x += Tile)
                {
                    var bounds = new RectInt32(x, y, Math.Min(Tile, sel.X + sel.Width - x), Math.Min(Tile, sel.Y + sel.Height - y));
                    using var output = new HostOutput(bounds);
                    effect.HostRender(output);
                    output.CompositeInto(canvas);   // clipped to the tile, which lies inside the selection
                }
        }
        catch (Exception e)
        {
            // Paint.NET: the effect-error dialog, and the document as it was.
            ErrorDialog = e.Message;
            return _layers[SourceLayerIndex].Pixels.Clone();
        }
        return canvas;
    }

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
    public bool Visible => true;
    public float Opacity => 1;
    public RgbaImage Pixels { get; } = pixels;
    public long PixelsRead { get; set; }
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
        owner.PixelsRead += (long)rect.Width * rect.Height;
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
    public IBitmapLock Lock(in PixelFormat pixelFormat) => new Borrowed(_lock);

    public void CompositeInto(RgbaImage canvas)
    {
        for (int y = 0; y < bounds.Height; y++)
            for (int x = 0; x < bounds.Width; x++)
            {
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
