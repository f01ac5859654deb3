using NeuralPhotoEdit.Imaging;
using PaintDotNet.Effects;
using PaintDotNet.Imaging;
using PaintDotNet.Rendering;

namespace NeuralPhotoEdit.Plugin;

/// <summary>
/// A Paint.NET layer as the engine reads it: only the rectangles asked for, locked and converted on
/// demand. Paint.NET's layers are virtualised; copying a whole 24-megapixel layer would cost about
/// 100 MB on every slider move. Paint.NET hands out a layer's pixels without its opacity; a strokes layer
/// is read with it (<paramref name="withOpacity"/>), so a half-transparent layer asks for half as much,
/// as it looks.
/// </summary>
sealed class LayerPixels(IEffectLayerInfo layer, SizeInt32 size, bool withOpacity = false) : PixelSource
{
    public override int Width => size.Width;
    public override int Height => size.Height;

    public override unsafe RgbaImage Read(PixelRect rect, CancellationToken cancellation = default)
    {
        cancellation.ThrowIfCancellationRequested();
        RgbaImage image;
        using (var bitmap = layer.GetBitmap(PixelFormats.Bgra32))
        using (var pixels = bitmap.Lock(new RectInt32(rect.X, rect.Y, rect.Width, rect.Height)))
            image = Bgra.ToRgba(pixels.Buffer, pixels.BufferStride, rect.Width, rect.Height);
        float opacity = Math.Clamp(layer.Opacity, 0f, 1f);
        if (withOpacity && opacity < 1)
            for (int i = 3; i < image.Pixels.Length; i += 4)
                image.Pixels[i] = (byte)MathF.Round(image.Pixels[i] * opacity);
        return image;
    }
}
