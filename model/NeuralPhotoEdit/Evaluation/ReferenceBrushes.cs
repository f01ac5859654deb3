using NeuralPhotoEdit.Imaging;

namespace NeuralPhotoEdit.Evaluation;

/// <summary>The two non-neural edits <c>npe eval edits</c> compares against, on the same strokes.</summary>
public static class ReferenceBrushes
{
    /// <summary>The strokes alpha-composited onto the photo: what painting them on a layer gives.</summary>
    public static RgbaImage Plain(RgbaImage photo, RgbaImage strokes) => Editing.EditSheet.Overlay(photo, strokes);

    /// <summary>
    /// A colour brush: the photo's colours shifted by (stroke colour − the photo's mean colour under the
    /// strokes), weighted by a Gaussian falloff around the strokes, σ = the strokes' extent / 6. The
    /// shift is the same for every pixel, so the photo's luminance detail stays.
    /// </summary>
    public static RgbaImage Colour(RgbaImage photo, RgbaImage strokes)
    {
        var bounds = Editing.RegionOfInterest.StrokeBounds(strokes) ?? throw new ArgumentException("empty strokes");
        double sigma = Math.Max(bounds.Width, bounds.Height) / 6.0;
        var shift = new double[3];
        double total = 0;
        for (int i = 0; i < photo.Pixels.Length; i += 4)
        {
            double a = strokes.Pixels[i + 3] / 255.0;
            total += a;
            for (int c = 0; c < 3; c++) shift[c] += a * (strokes.Pixels[i + c] - photo.Pixels[i + c]);
        }
        for (int c = 0; c < 3; c++) shift[c] /= total;

        var distance = DistanceField(strokes, bounds, (int)Math.Ceiling(3 * sigma));
        var result = photo.Clone();
        foreach (var (index, d) in distance)
        {
            double weight = Math.Exp(-d * d / (2 * sigma * sigma));
            for (int c = 0; c < 3; c++)
                result.Pixels[index + c] = (byte)Math.Clamp(Math.Round(photo.Pixels[index + c] + weight * shift[c]), 0, 255);
        }
        return result;
    }

    /// <summary>Distance to the nearest painted pixel for every pixel within <paramref name="range"/>
    /// of the strokes' bounds (sampled painted pixels: exact enough for a falloff).</summary>
    static IEnumerable<(int Offset, double Distance)> DistanceField(RgbaImage strokes, PixelRect bounds, int range)
    {
        var painted = new List<(int X, int Y)>();
        for (int y = bounds.Y; y < bounds.Bottom; y++)
            for (int x = bounds.X; x < bounds.Right; x++)
                if (strokes.Pixels[strokes.Offset(x, y) + 3] > 127) painted.Add((x, y));
        int stride = Math.Max(1, painted.Count / 400);
        var samples = painted.Where((_, i) => i % stride == 0).ToArray();
        var area = new PixelRect(bounds.X - range, bounds.Y - range, bounds.Width + 2 * range, bounds.Height + 2 * range)
            .Intersect(new PixelRect(0, 0, strokes.Width, strokes.Height));
        for (int y = area.Y; y < area.Bottom; y++)
            for (int x = area.X; x < area.Right; x++)
            {
                double best = double.PositiveInfinity;
                foreach (var (px, py) in samples) best = Math.Min(best, (px - x) * (px - x) + (py - y) * (py - y));
                yield return (strokes.Offset(x, y), Math.Sqrt(best));
            }
    }
}
