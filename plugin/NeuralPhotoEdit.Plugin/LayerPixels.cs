using NeuralPhotoEdit.Imaging;
using PaintDotNet.Effects;
using PaintDotNet.Imaging;
using PaintDotNet.Rendering;

namespace NeuralPhotoEdit.Plugin;

/// <summary>
/// A Paint.NET layer as the engine reads it: only the rectangles asked for, locked and converted on
/// demand. Paint.NET's layers are virtualised; copying a whole 24-megapixel layer would cost about
/// 100 MB on every slider move.
/// </summary>
sealed class LayerPixels(IEffectLayerInfo layer, SizeInt32 size) : PixelSource
{
    public override int Width => size.Width;
    public override int Height => size.Height;

    public override unsafe RgbaImage Read(PixelRect rect, CancellationToken cancellation = default)
    {
        cancellation.ThrowIfCancellationRequested();
        using var bitmap = layer.GetBitmap(PixelFormats.Bgra32);
        using var pixels = bitmap.Lock(new RectInt32(rect.X, rect.Y, rect.Width, rect.Height));
        return Bgra.ToRgba(pixels.Buffer, pixels.BufferStride, rect.Width, rect.Height);
    }
}
