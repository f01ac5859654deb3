namespace NeuralPhotoEdit.Editing;

/// <summary>
/// The photo's colour steps between grid pixels as both edge-aware filters see them
/// (<see cref="EdgeAwareAffinity"/>, where the change spreads; <see cref="EdgeAwareSmoothing"/>, how it
/// is evened out): measured on the photo after a 3×3 box blur, as the Euclidean RGB distance, less
/// what noise and a smooth gradient such as a sky's account for. So the two agree on what is one
/// surface and what is an edge.
/// </summary>
static class ColourSteps
{
    /// <summary>Colour differences per pixel of path below this (in [0, 1] RGB units) are noise or a
    /// smooth gradient such as a sky's, and count as no step at all.</summary>
    public const double Noise = 0.012;

    /// <summary>R, G, B planes in [0, 1] of <paramref name="photo"/> (planes in [−1, 1]) after a 3×3
    /// box blur, so that texture finer than a grid pixel reads as the surface it belongs to and not as
    /// a wall of edges.</summary>
    public static double[] Smoothed(float[] photo, int width, int height)
    {
        int n = width * height;
        var smooth = new double[3 * n];
        for (int c = 0; c < 3; c++)
        {
            var plane = new double[n];
            for (int i = 0; i < n; i++) plane[i] = (photo[c * n + i] + 1) / 2;
            BoxFilter.Mean(plane, width, height, radius: 1).CopyTo(smooth, c * n);
        }
        return smooth;
    }

    /// <summary>The colour step from pixel <paramref name="p"/> to <paramref name="q"/> of
    /// <paramref name="colour"/> (<see cref="Smoothed"/>), a path of <paramref name="length"/>
    /// pixels, beyond the <see cref="Noise"/> that path may carry.</summary>
    public static double BeyondNoise(double[] colour, int p, int q, double length)
    {
        int n = colour.Length / 3;
        double dr = colour[p] - colour[q], dg = colour[n + p] - colour[n + q], db = colour[2 * n + p] - colour[2 * n + q];
        return Math.Max(0, Math.Sqrt(dr * dr + dg * dg + db * db) - Noise * length);
    }
}
