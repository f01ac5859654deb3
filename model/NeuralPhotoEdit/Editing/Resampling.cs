using NeuralPhotoEdit.Imaging;

namespace NeuralPhotoEdit.Editing;

/// <summary>
/// Moving pixels between a photo region of any size and the model's small square, in both
/// directions. Hand-written because the engine needs float planes, alpha-weighted averages and
/// region-only work (a 100-megapixel photo must not be copied), which SkiaSharp's whole-bitmap
/// scaling does not give.
/// </summary>
public static class Resampling
{
    /// <summary>
    /// Area-averages a region down (or bilinearly samples it up) to size×size float planes.
    /// Returns R, G, B planes in [−1, 1] and, when <paramref name="alphaWeighted"/>, the colour is the
    /// alpha-weighted mean (what strokes painted at partial opacity mean) and a 4th plane holds the
    /// mean alpha in [0, 1].
    /// </summary>
    public static float[] ToModelPlanes(RgbaImage image, PixelRect region, int size, bool alphaWeighted,
                                        CancellationToken cancellation = default)
    {
        int planes = alphaWeighted ? 4 : 3;
        var output = new float[planes * size * size];
        double scaleX = (double)region.Width / size, scaleY = (double)region.Height / size;
        bool shrinking = scaleX >= 1 && scaleY >= 1;
        var pixels = image.Pixels;
        // Each output row reads a band of the region (a whole 24 MP photo in 64 bands): checking the
        // token per band keeps cancellation prompt.
        Parallel.For(0, size, new ParallelOptions { CancellationToken = cancellation }, oy =>
        {
            Span<double> sum = stackalloc double[4];
            for (int ox = 0; ox < size; ox++)
            {
                // A band of a huge region takes long on a busy CPU: leave it early; the loop throws.
                if (cancellation.IsCancellationRequested) return;
                sum.Clear();
                double totalWeight = 0;
                if (shrinking)
                {
                    // Box filter over the output pixel's footprint, with fractional edge weights.
                    double x0 = region.X + ox * scaleX, x1 = x0 + scaleX, y0 = region.Y + oy * scaleY, y1 = y0 + scaleY;
                    for (int y = (int)y0; y < Math.Ceiling(y1); y++)
                    {
                        double wy = Math.Min(y + 1, y1) - Math.Max(y, y0);
                        for (int x = (int)x0; x < Math.Ceiling(x1); x++)
                        {
                            double w = wy * (Math.Min(x + 1, x1) - Math.Max(x, x0));
                            Accumulate(pixels, image.Offset(x, y), w, alphaWeighted, sum);
                            totalWeight += w;
                        }
                    }
                }
                else
                {
                    double sx = Math.Clamp(region.X + (ox + 0.5) * scaleX - 0.5, region.X, region.Right - 1);
                    double sy = Math.Clamp(region.Y + (oy + 0.5) * scaleY - 0.5, region.Y, region.Bottom - 1);
                    int ix = Math.Min((int)sx, Math.Max(region.X, region.Right - 2)), iy = Math.Min((int)sy, Math.Max(region.Y, region.Bottom - 2));
                    double fx = region.Width > 1 ? sx - ix : 0, fy = region.Height > 1 ? sy - iy : 0;
                    int ix1 = Math.Min(ix + 1, region.Right - 1), iy1 = Math.Min(iy + 1, region.Bottom - 1);
                    Accumulate(pixels, image.Offset(ix, iy), (1 - fx) * (1 - fy), alphaWeighted, sum);
                    Accumulate(pixels, image.Offset(ix1, iy), fx * (1 - fy), alphaWeighted, sum);
                    Accumulate(pixels, image.Offset(ix, iy1), (1 - fx) * fy, alphaWeighted, sum);
                    Accumulate(pixels, image.Offset(ix1, iy1), fx * fy, alphaWeighted, sum);
                    totalWeight = 1;
                }
                int index = oy * size + ox, plane = size * size;
                if (alphaWeighted)
                {
                    double alpha = sum[3];
                    for (int c = 0; c < 3; c++) output[c * plane + index] = alpha > 0 ? (float)(sum[c] / alpha / 127.5 - 1) : 0f;
                    output[3 * plane + index] = (float)(alpha / totalWeight / 255);
                }
                else
                {
                    for (int c = 0; c < 3; c++) output[c * plane + index] = (float)(sum[c] / totalWeight / 127.5 - 1);
                }
            }
        });
        cancellation.ThrowIfCancellationRequested();
        return output;
    }

    static void Accumulate(byte[] pixels, int offset, double weight, bool alphaWeighted, Span<double> sum)
    {
        double w = alphaWeighted ? weight * pixels[offset + 3] : weight;
        sum[0] += w * pixels[offset];
        sum[1] += w * pixels[offset + 1];
        sum[2] += w * pixels[offset + 2];
        if (alphaWeighted) sum[3] += weight * pixels[offset + 3];
    }

    /// <summary>Bilinear sample of one size×size plane at a continuous position (pixel centres at +0.5).</summary>
    public static float Sample(float[] planes, int plane, int size, double x, double y)
    {
        x = Math.Clamp(x - 0.5, 0, size - 1);
        y = Math.Clamp(y - 0.5, 0, size - 1);
        int ix = Math.Min((int)x, size - 2), iy = Math.Min((int)y, size - 2);
        float fx = (float)(x - ix), fy = (float)(y - iy);
        int o = plane * size * size + iy * size + ix;
        float top = planes[o] + (planes[o + 1] - planes[o]) * fx;
        float bottom = planes[o + size] + (planes[o + size + 1] - planes[o + size]) * fx;
        return top + (bottom - top) * fy;
    }
}
