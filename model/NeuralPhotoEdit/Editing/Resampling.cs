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
                                        CancellationToken cancellation = default) =>
        ToPlanes(image, region, size, size, alphaWeighted, cancellation);

    /// <summary>The same, to width×height planes (the work area's grid).</summary>
    public static float[] ToPlanes(RgbaImage image, PixelRect region, int width, int height, bool alphaWeighted,
                                   CancellationToken cancellation = default)
    {
        int planes = alphaWeighted ? 4 : 3;
        var output = new float[planes * width * height];
        double scaleX = (double)region.Width / width, scaleY = (double)region.Height / height;
        bool shrinking = scaleX >= 1 && scaleY >= 1;
        var pixels = image.Pixels;
        // Each output row reads a band of the region (a whole 24 MP photo in 64 bands): checking the
        // token per band keeps cancellation prompt.
        Parallel.For(0, height, new ParallelOptions { CancellationToken = cancellation }, oy =>
        {
            Span<double> sum = stackalloc double[4];
            for (int ox = 0; ox < width; ox++)
            {
                // A band of a huge region takes long on a busy CPU: leave it early; the loop throws.
                if (cancellation.IsCancellationRequested) return;
                sum.Clear();
                double totalWeight = 0;
                if (shrinking)
                {
                    // Box filter over the output pixel's footprint, with fractional edge weights.
                    double x0 = region.X + ox * scaleX, x1 = x0 + scaleX, y0 = region.Y + oy * scaleY, y1 = y0 + scaleY;
                    for (int y = (int)y0, yEnd = Math.Min((int)Math.Ceiling(y1), region.Bottom); y < yEnd; y++)   // (rounding can put y1 a hair past the region)
                    {
                        double wy = Math.Min(y + 1, y1) - Math.Max(y, y0);
                        for (int x = (int)x0, xEnd = Math.Min((int)Math.Ceiling(x1), region.Right); x < xEnd; x++)
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
                int index = oy * width + ox, plane = width * height;
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
    public static float Sample(float[] planes, int plane, int size, double x, double y) =>
        Sample(planes, plane, size, size, x, y);

    /// <summary>Bilinear sample of one width×height plane at a continuous position (pixel centres at +0.5).</summary>
    public static float Sample(float[] planes, int plane, int width, int height, double x, double y)
    {
        var (o, fx, fy) = Locate(plane, width, height, x, y);
        int right = width > 1 ? 1 : 0, below = height > 1 ? width : 0;
        float top = planes[o] + (planes[o + right] - planes[o]) * fx;
        float bottom = planes[o + below] + (planes[o + below + right] - planes[o + below]) * fx;
        return top + (bottom - top) * fy;
    }

    /// <summary>The top-left neighbour's index and the fractions toward the next column and row.</summary>
    public static (int Offset, float Fx, float Fy) Locate(int plane, int width, int height, double x, double y)
    {
        x = Math.Clamp(x - 0.5, 0, width - 1);
        y = Math.Clamp(y - 0.5, 0, height - 1);
        int ix = Math.Max(0, Math.Min((int)x, width - 2)), iy = Math.Max(0, Math.Min((int)y, height - 2));
        return (plane * width * height + iy * width + ix, (float)(x - ix), (float)(y - iy));
    }
}
