namespace NeuralPhotoEdit.Imaging;

/// <summary>
/// Moving pixels between a photo region of any size and the model's small square, in both
/// directions — the one photo→model-resolution resampler: the editor, the training crops, `npe
/// eval` and `npe reconstruct` all see photos through it. Hand-written because the engine needs
/// float planes, alpha-weighted averages, fractional crops and region-only work (a 100-megapixel
/// photo must not be copied), which SkiaSharp's whole-bitmap scaling does not give.
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

    /// <summary>A fractional region (a training crop) to size×size colour planes.</summary>
    public static float[] ToModelPlanes(RgbaImage image, Footprint region, int size) =>
        ToPlanes(image, region, size, size, alphaWeighted: false);

    /// <summary>The same, to width×height planes (the work area's grid).</summary>
    public static float[] ToPlanes(RgbaImage image, PixelRect region, int width, int height, bool alphaWeighted,
                                   CancellationToken cancellation = default) =>
        ToPlanes(image, new Footprint(region.X, region.Y, region.Width, region.Height), width, height, alphaWeighted, cancellation);

    /// <summary>A region with fractional corners (a training crop at a random scale and position).</summary>
    public readonly record struct Footprint(double X, double Y, double Width, double Height)
    {
        public double Right => X + Width;
        public double Bottom => Y + Height;
    }

    /// <summary>The same, from a fractional region inside the image.</summary>
    public static float[] ToPlanes(RgbaImage image, Footprint region, int width, int height, bool alphaWeighted,
                                   CancellationToken cancellation = default)
    {
        if (region.X < 0 || region.Y < 0 || region.Width <= 0 || region.Height <= 0
            || region.Right > image.Width + 1e-9 || region.Bottom > image.Height + 1e-9)
            throw new ArgumentOutOfRangeException(nameof(region), $"{region} is not inside the {image.Width}×{image.Height} image.");
        int planes = alphaWeighted ? 4 : 3;
        var output = new float[planes * width * height];
        double scaleX = region.Width / width, scaleY = region.Height / height;
        bool shrinking = scaleX >= 1 && scaleY >= 1;
        // The whole pixels the region touches: bounds for the box filter and the bilinear taps.
        int left = (int)region.X, top = (int)region.Y;
        int right = Math.Min(image.Width, (int)Math.Ceiling(region.Right)), bottom = Math.Min(image.Height, (int)Math.Ceiling(region.Bottom));
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
                    // (rounding can put y1 a hair past the region)
                    for (int y = (int)y0, yEnd = Math.Min((int)Math.Ceiling(y1), bottom); y < yEnd; y++)
                    {
                        double wy = Math.Min(y + 1, y1) - Math.Max(y, y0);
                        for (int x = (int)x0, xEnd = Math.Min((int)Math.Ceiling(x1), right); x < xEnd; x++)
                        {
                            double w = wy * (Math.Min(x + 1, x1) - Math.Max(x, x0));
                            Accumulate(pixels, image.Offset(x, y), w, alphaWeighted, sum);
                            totalWeight += w;
                        }
                    }
                }
                else
                {
                    var (ix, ix1, fx) = Taps(region.X + (ox + 0.5) * scaleX, left, right);
                    var (iy, iy1, fy) = Taps(region.Y + (oy + 0.5) * scaleY, top, bottom);
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
        var (ix, _, fx) = Taps(x, 0, width);
        var (iy, _, fy) = Taps(y, 0, height);
        return (plane * width * height + iy * width + ix, (float)fx, (float)fy);
    }

    /// <summary>
    /// Bilinear interpolation along one axis — the only place it is written: the two pixels [first,
    /// second] around a continuous position (pixel centres at +0.5) among pixels [start, end), and
    /// the weight of the second. Beyond the outer centres the edge pixel repeats.
    /// </summary>
    static (int First, int Second, double Fraction) Taps(double position, int start, int end)
    {
        double p = Math.Clamp(position - 0.5, start, end - 1);
        int first = Math.Max(start, Math.Min((int)p, end - 2));
        return (first, Math.Min(first + 1, end - 1), p - first);
    }
}
