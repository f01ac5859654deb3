using NeuralPhotoEdit.Imaging;

namespace NeuralPhotoEdit.Editing;

/// <summary>A change per photo pixel: <paramref name="x"/>, <paramref name="y"/> in the picture, the
/// pixel's colour in [0, 1]; writes the change in [−1, 1] units and returns false for none.</summary>
delegate bool PixelChange(int x, int y, ReadOnlySpan<float> rgb, Span<float> change);

/// <summary>Applying a per-pixel change to the photo (into a full-resolution copy, or at preview size), and
/// the paper's bilinear blends, which make such a change from the grid.</summary>
static class PixelChanges
{
    /// <summary>Bilinear upsampling of the mask and of the output (paper: Y = X + M·(G(Z) − X)) or of the
    /// change (detail: Y = X + M·Δ), on <paramref name="area"/>'s grid.</summary>
    public static PixelChange Bilinear(WorkArea area, BlendMode mode, float[] mask, float[] source)
    {
        int width = area.GridWidth, height = area.GridHeight;
        return (x, y, rgb, delta) =>
        {
            if (!area.Bounds.Contains(x, y)) return false;
            var (u, v) = area.GridPosition(x, y);
            float m = Resampling.Sample(mask, 0, width, height, u, v);
            if (m <= 0) return false;
            for (int c = 0; c < 3; c++)
            {
                float s = Resampling.Sample(source, c, width, height, u, v);
                delta[c] = mode == BlendMode.Paper ? m * (s - (2 * rgb[c] - 1)) : m * s;
            }
            return true;
        };
    }

    /// <summary>The photo with the change applied inside <paramref name="bounds"/>: a full-resolution copy, or
    /// only the bounds at preview size.</summary>
    public static RgbaImage Apply(RgbaImage photo, PixelRect bounds, PixelChange changeAt, CancellationToken cancellation, int? previewSide = null) =>
        previewSide is int side ? Preview(photo, bounds, changeAt, side, cancellation)
            : ApplyInto(photo.Clone(cancellation), bounds, changeAt, cancellation);

    /// <summary>The changed bounds at preview size: each pixel the change at the photo pixel under its centre.</summary>
    static RgbaImage Preview(RgbaImage photo, PixelRect bounds, PixelChange changeAt, int side, CancellationToken cancellation)
    {
        double scale = Math.Max(1.0, (double)Math.Max(bounds.Width, bounds.Height) / side);
        int width = Math.Max(1, (int)(bounds.Width / scale)), height = Math.Max(1, (int)(bounds.Height / scale));
        var preview = new RgbaImage(width, height);
        var pixels = preview.Pixels;
        Parallel.For(0, height, new ParallelOptions { CancellationToken = cancellation }, oy =>
        {
            Span<float> rgb = stackalloc float[3], delta = stackalloc float[3];
            int py = bounds.Y + Math.Min(bounds.Height - 1, (int)((oy + 0.5) * bounds.Height / height));
            for (int ox = 0; ox < width; ox++)
            {
                int px = bounds.X + Math.Min(bounds.Width - 1, (int)((ox + 0.5) * bounds.Width / width));
                int from = photo.Offset(px, py), o = preview.Offset(ox, oy);
                for (int c = 0; c < 4; c++) pixels[o + c] = photo.Pixels[from + c];
                for (int c = 0; c < 3; c++) rgb[c] = pixels[o + c] / 255f;
                if (!changeAt(px, py, rgb, delta)) continue;
                for (int c = 0; c < 3; c++) pixels[o + c] = ImageTensors.ToByte(2 * rgb[c] - 1 + delta[c]);
            }
        });
        return preview;
    }

    static RgbaImage ApplyInto(RgbaImage result, PixelRect bounds, PixelChange changeAt, CancellationToken cancellation)
    {
        var pixels = result.Pixels;
        Parallel.For(bounds.Y, bounds.Bottom, new ParallelOptions { CancellationToken = cancellation }, py =>
        {
            Span<float> rgb = stackalloc float[3], delta = stackalloc float[3];
            for (int px = bounds.X; px < bounds.Right; px++)
            {
                int o = result.Offset(px, py);
                for (int c = 0; c < 3; c++) rgb[c] = pixels[o + c] / 255f;
                if (!changeAt(px, py, rgb, delta)) continue;
                for (int c = 0; c < 3; c++) pixels[o + c] = ImageTensors.ToByte(2 * rgb[c] - 1 + delta[c]);
            }
        });
        return result;
    }
}
