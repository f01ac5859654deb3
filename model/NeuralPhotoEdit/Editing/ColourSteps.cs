namespace NeuralPhotoEdit.Editing;

/// <summary>
/// The photo's colour steps between grid pixels as both edge-aware filters see them
/// (<see cref="EdgeAwareAffinity"/>, where the change spreads; <see cref="EdgeAwareSmoothing"/>, how it
/// is evened out): measured on the photo after a 3×3 box blur, as the Euclidean RGB distance, less
/// what noise and a smooth gradient such as a sky's account for. One instance per photo serves both,
/// so the two agree on what is one surface and what is an edge.
/// </summary>
public sealed class ColourSteps
{
    /// <summary>Colour differences per pixel of path below this (in [0, 1] RGB units) are noise or a
    /// smooth gradient such as a sky's, and count as no step at all.</summary>
    public const double Noise = 0.012;

    readonly double[] _colour;   // R, G, B planes in [0, 1] after the 3×3 box blur
    readonly int _plane;

    /// <summary>Measures the steps of <paramref name="photo"/> (R, G, B planes in [−1, 1]). The 3×3 box
    /// blur first lets texture finer than a grid pixel read as the surface it belongs to and not as a
    /// wall of edges.</summary>
    public ColourSteps(float[] photo, int width, int height)
    {
        (Width, Height, _plane) = (width, height, width * height);
        _colour = new double[3 * _plane];
        for (int c = 0; c < 3; c++)
        {
            var plane = new double[_plane];
            for (int i = 0; i < _plane; i++) plane[i] = (photo[c * _plane + i] + 1) / 2;
            BoxFilter.Mean(plane, width, height, radius: 1).CopyTo(_colour, c * _plane);
        }
    }

    public int Width { get; }
    public int Height { get; }

    /// <summary>The colour step from pixel <paramref name="p"/> to <paramref name="q"/>, a path of
    /// <paramref name="length"/> pixels, beyond the <see cref="Noise"/> that path may carry.</summary>
    public double BeyondNoise(int p, int q, double length)
    {
        int n = _plane;
        double dr = _colour[p] - _colour[q], dg = _colour[n + p] - _colour[n + q], db = _colour[2 * n + p] - _colour[2 * n + q];
        return Math.Max(0, Math.Sqrt(dr * dr + dg * dg + db * db) - Noise * length);
    }
}
