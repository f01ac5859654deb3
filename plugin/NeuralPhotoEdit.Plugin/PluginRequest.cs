using NeuralPhotoEdit.Editing;
using NeuralPhotoEdit.Imaging;

namespace NeuralPhotoEdit.Plugin;

/// <summary>What the dialog asks for, in the engine's terms.</summary>
public enum PluginMode { EditWithStrokes, ReconstructOnly, RandomSample }

/// <summary>One render request: the photo layer, the strokes layer (if any), the selection, the settings.
/// Pixels are Paint.NET's BGRA, straight alpha, converted here so the engine sees RGBA.</summary>
public sealed record PluginRequest
{
    public required RgbaImage Photo { get; init; }
    public RgbaImage? Strokes { get; init; }
    /// <summary>The selection's bounds, or null when the whole image is selected.</summary>
    public PixelRect? Selection { get; init; }
    public required EditSettings Settings { get; init; }
    public PluginMode Mode { get; init; } = PluginMode.EditWithStrokes;
    public int Seed { get; init; }
    public string Device { get; init; } = "auto";
    public string? ModelPath { get; init; }
    /// <summary>Why there are no usable strokes, when the caller already knows (no layer, same layer).</summary>
    public string? StrokesProblem { get; init; }
}

/// <summary>The outcome: the new pixels, or the reason the image was left as it was.</summary>
public sealed record PluginResult(RgbaImage Image, string? Problem)
{
    public bool Changed => Problem is null;
}

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
