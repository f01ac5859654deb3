using NeuralPhotoEdit.Imaging;

namespace NeuralPhotoEdit.Evaluation;

/// <summary>The two non-neural edits <c>npe eval edits</c> compares against, on the same strokes.</summary>
public static class ReferenceBrushes
{
    /// <summary>The strokes alpha-composited onto the photo: what painting them on a layer gives.</summary>
    public static RgbaImage Plain(RgbaImage photo, RgbaImage strokes) => Editing.EditSheet.Overlay(photo, strokes);

    /// <summary>The strokes' alpha-weighted mean colour minus the photo's under them, per channel, in
    /// 8-bit levels: the one colour shift that takes the painted spot to the strokes' colour on average.</summary>
    public static double[] StrokeShift(RgbaImage photo, RgbaImage strokes)
    {
        var shift = new double[3];
        double total = 0;
        for (int i = 0; i < photo.Pixels.Length; i += 4)
        {
            double a = strokes.Pixels[i + 3] / 255.0;
            total += a;
            for (int c = 0; c < 3; c++) shift[c] += a * (strokes.Pixels[i + c] - photo.Pixels[i + c]);
        }
        for (int c = 0; c < 3; c++) shift[c] /= Math.Max(total, 1e-9);
        return shift;
    }

    /// <summary>
    /// A colour brush: the photo's colours shifted by (stroke colour − the photo's mean colour under the
    /// strokes), weighted by a Gaussian falloff around the strokes, σ = the strokes' extent / 6. The
    /// shift is the same for every pixel, so the photo's luminance detail stays.
    /// </summary>
    public static RgbaImage Colour(RgbaImage photo, RgbaImage strokes)
    {
        var bounds = Editing.StrokesScan.BoundsOf(strokes) ?? throw new ArgumentException("empty strokes");
        double sigma = Math.Max(bounds.Width, bounds.Height) / 6.0;
        var shift = StrokeShift(photo, strokes);

        var distance = EditMetrics.DistanceToStrokes(strokes, paintedAbove: 127);
        var result = photo.Clone();
        for (int i = 0; i < distance.Length; i++)
        {
            if (distance[i] > 3 * sigma) continue;
            double weight = Math.Exp(-distance[i] * distance[i] / (2 * sigma * sigma));
            for (int c = 0; c < 3; c++)
                result.Pixels[4 * i + c] = (byte)Math.Clamp(Math.Round(photo.Pixels[4 * i + c] + weight * shift[c]), 0, 255);
        }
        return result;
    }
}
