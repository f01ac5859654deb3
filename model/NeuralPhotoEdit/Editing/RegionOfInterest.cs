using NeuralPhotoEdit.Imaging;

namespace NeuralPhotoEdit.Editing;

/// <summary>Choosing and checking the square region the model edits.</summary>
public static class RegionOfInterest
{
    /// <summary>Smallest region side that still carries a meaningful edit.</summary>
    public const int MinimumSide = 8;
    /// <summary>Rows of a strokes layer read at a time by <see cref="ScanStrokes"/>.</summary>
    const int ScanBand = 128;

    /// <summary>The bounding box of pixels with non-zero alpha, or null when nothing is painted.</summary>
    public static PixelRect? StrokeBounds(RgbaImage strokes) => ScanStrokes(strokes).Bounds;

    /// <summary>
    /// One pass over a strokes layer, <see cref="ScanBand"/> rows at a time: the bounding box of its
    /// painted (non-zero alpha) pixels, null when nothing is painted, and whether any pixel is less
    /// than opaque — strokes are what is painted over transparency, so a layer without any is a
    /// flattened picture, not strokes.
    /// </summary>
    public static (PixelRect? Bounds, bool HasTransparency) ScanStrokes(PixelSource strokes, CancellationToken cancellation = default)
    {
        int minX = int.MaxValue, minY = int.MaxValue, maxX = -1, maxY = -1;
        bool transparent = false;
        // A picture in memory is scanned in place; a front end's layer, band by band.
        int bandHeight = strokes.InMemoryImage is null ? ScanBand : strokes.Height;
        for (int top = 0; top < strokes.Height; top += bandHeight)
        {
            cancellation.ThrowIfCancellationRequested();
            var band = strokes.InMemoryImage ?? strokes.Read(new PixelRect(0, top, strokes.Width, Math.Min(bandHeight, strokes.Height - top)), cancellation);
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
        return (maxX < 0 ? null : new PixelRect(minX, minY, maxX - minX + 1, maxY - minY + 1), transparent);
    }

    /// <summary>Checks a user-given region against the image; it need not be square.</summary>
    public static PixelRect Validate(PixelRect roi, int imageWidth, int imageHeight)
    {
        if (roi.Width <= 0 || roi.Height <= 0)
            throw new UserInputException($"The region {roi} is empty.");
        var clipped = roi.Intersect(new PixelRect(0, 0, imageWidth, imageHeight));
        if (clipped.IsEmpty)
            throw new UserInputException($"The region {roi} lies outside the {imageWidth}×{imageHeight} image.");
        if (clipped != roi)
            throw new UserInputException($"The region {roi} extends past the {imageWidth}×{imageHeight} image.");
        if (roi.Width < MinimumSide || roi.Height < MinimumSide)
            throw new UserInputException($"The region {roi} is only {roi.Width}×{roi.Height} pixels; it must be at least {MinimumSide}×{MinimumSide}.");
        return roi;
    }

    /// <summary>Parses "x,y,w,h".</summary>
    public static PixelRect Parse(string text)
    {
        var parts = text.Split(',');
        if (parts.Length != 4 || !parts.All(p => int.TryParse(p.Trim(), out _)))
            throw new UserInputException($"A region is written x,y,width,height in pixels (got '{text}').");
        var v = parts.Select(p => int.Parse(p.Trim())).ToArray();
        return new PixelRect(v[0], v[1], v[2], v[3]);
    }
}
