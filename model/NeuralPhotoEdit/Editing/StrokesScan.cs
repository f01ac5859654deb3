using NeuralPhotoEdit.Imaging;

namespace NeuralPhotoEdit.Editing;

/// <summary>
/// What one pass over a strokes layer finds: the bounding box of its painted (non-zero alpha) pixels,
/// null when nothing is painted, and whether any pixel is less than opaque — strokes are what is
/// painted over transparency, so a layer without any is a flattened picture, not strokes.
/// </summary>
public sealed record StrokesScan(PixelRect? Bounds, bool HasTransparency)
{
    /// <summary>Rows of a strokes layer read at a time by <see cref="Of"/>.</summary>
    const int ScanBand = 128;

    /// <summary>The painted bounds of <paramref name="strokes"/>, or null when nothing is painted.</summary>
    public static PixelRect? BoundsOf(RgbaImage strokes) => Of(strokes).Bounds;

    /// <summary>Scans <paramref name="strokes"/> once, <see cref="ScanBand"/> rows at a time.</summary>
    public static StrokesScan Of(PixelSource strokes, CancellationToken cancellation = default)
    {
        int minX = int.MaxValue, minY = int.MaxValue, maxX = -1, maxY = -1;
        bool transparent = false;
        // A picture in memory is scanned in place; a front end's layer, band by band.
        int bandHeight = strokes.InMemoryImage is null ? ScanBand : strokes.Height;
        for (int top = 0; top < strokes.Height; top += bandHeight)
        {
            cancellation.ThrowIfCancellationRequested();
            var band = strokes.InMemoryImage ?? strokes.Read(new PixelRect(0, top, strokes.Width, Math.Min(bandHeight, strokes.Height - top)),
                cancellation);
            var pixels = band.Pixels;
            for (int y = 0; y < band.Height; y++)
            {
                int row = y * band.Width * 4;
                for (int x = 0; x < band.Width; x++)
                {
                    byte alpha = pixels[row + x * 4 + 3];
                    if (alpha != 255) transparent = true;
                    if (alpha == 0) continue;
                    if (x < minX) minX = x;
                    if (x > maxX) maxX = x;
                    if (top + y < minY) minY = top + y;
                    if (top + y > maxY) maxY = top + y;
                }
            }
        }
        return new(maxX < 0 ? null : new PixelRect(minX, minY, maxX - minX + 1, maxY - minY + 1), transparent);
    }
}
