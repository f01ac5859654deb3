namespace NeuralPhotoEdit.Editing;

/// <summary>Box means on the work grid (the guided fit's statistics, the colour match's smoothing).
/// Hand-written: a grid of at most 384² doubles needs no library, and running sums make the cost
/// independent of the radius.</summary>
static class BoxFilter
{
    /// <summary>Mean over the (2r+1)² box around each pixel, clipped at the borders: two running sums.</summary>
    public static double[] Mean(double[] plane, int width, int height, int radius)
    {
        var rows = new double[plane.Length];
        for (int y = 0; y < height; y++)
        {
            int row = y * width;
            double sum = 0;
            for (int x = 0; x < Math.Min(radius, width); x++) sum += plane[row + x];
            for (int x = 0; x < width; x++)
            {
                if (x + radius < width) sum += plane[row + x + radius];
                if (x - radius - 1 >= 0) sum -= plane[row + x - radius - 1];
                rows[row + x] = sum / (Math.Min(width - 1, x + radius) - Math.Max(0, x - radius) + 1);
            }
        }
        var output = new double[plane.Length];
        for (int x = 0; x < width; x++)
        {
            double sum = 0;
            for (int y = 0; y < Math.Min(radius, height); y++) sum += rows[y * width + x];
            for (int y = 0; y < height; y++)
            {
                if (y + radius < height) sum += rows[(y + radius) * width + x];
                if (y - radius - 1 >= 0) sum -= rows[(y - radius - 1) * width + x];
                output[y * width + x] = sum / (Math.Min(height - 1, y + radius) - Math.Max(0, y - radius) + 1);
            }
        }
        return output;
    }
}
