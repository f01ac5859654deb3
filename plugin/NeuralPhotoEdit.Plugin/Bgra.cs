using NeuralPhotoEdit.Imaging;

namespace NeuralPhotoEdit.Plugin;

/// <summary>Converts between Paint.NET's BGRA rows and the engine's RGBA images.</summary>
public static class Bgra
{
    public static unsafe RgbaImage ToRgba(void* buffer, int stride, int width, int height)
    {
        var image = new RgbaImage(width, height);
        for (int y = 0; y < height; y++)
        {
            var row = new ReadOnlySpan<byte>((byte*)buffer + (long)y * stride, width * 4);
            var target = image.Pixels.AsSpan(y * width * 4, width * 4);
            for (int x = 0; x < width * 4; x += 4)
            {
                target[x] = row[x + 2]; target[x + 1] = row[x + 1]; target[x + 2] = row[x]; target[x + 3] = row[x + 3];
            }
        }
        return image;
    }

    /// <summary>Writes the rectangle <paramref name="area"/> of <paramref name="image"/> to a BGRA buffer whose (0,0) is the area's corner.</summary>
    public static unsafe void CopyTo(RgbaImage image, PixelRect area, void* buffer, int stride)
    {
        for (int y = 0; y < area.Height; y++)
        {
            var row = new Span<byte>((byte*)buffer + (long)y * stride, area.Width * 4);
            var source = image.Pixels.AsSpan(image.Offset(area.X, area.Y + y), area.Width * 4);
            for (int x = 0; x < area.Width * 4; x += 4)
            {
                row[x] = source[x + 2]; row[x + 1] = source[x + 1]; row[x + 2] = source[x]; row[x + 3] = source[x + 3];
            }
        }
    }
}
