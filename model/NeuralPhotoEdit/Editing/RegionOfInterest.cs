using NeuralPhotoEdit.Imaging;

namespace NeuralPhotoEdit.Editing;

/// <summary>Choosing and checking the square region the model edits.</summary>
public static class RegionOfInterest
{
    /// <summary>Smallest region side that still carries a meaningful edit.</summary>
    public const int MinimumSide = 8;
    /// <summary>The bounding box of pixels with non-zero alpha, or null when nothing is painted.</summary>
    public static PixelRect? StrokeBounds(RgbaImage strokes)
    {
        int minX = int.MaxValue, minY = int.MaxValue, maxX = -1, maxY = -1;
        var pixels = strokes.Pixels;
        for (int y = 0; y < strokes.Height; y++)
        {
            int row = y * strokes.Width * 4;
            for (int x = 0; x < strokes.Width; x++)
            {
                if (pixels[row + x * 4 + 3] == 0) continue;
                if (x < minX) minX = x;
                if (x > maxX) maxX = x;
                if (y < minY) minY = y;
                if (y > maxY) maxY = y;
            }
        }
        return maxX < 0 ? null : new PixelRect(minX, minY, maxX - minX + 1, maxY - minY + 1);
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
