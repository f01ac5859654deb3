namespace NeuralPhotoEdit.Editing;

/// <summary>
/// How much each pixel of the work area belongs with the painted ones: 1 under the strokes, falling
/// with the geodesic distance to them, where a path pays for its length and, much more, for every
/// edge of the photo it crosses. The change therefore spreads through the rest of a sky or a field
/// and stops at the horizon, a ridge or an object's outline.
/// <para>
/// This is edit propagation in the spirit of Levin, Lischinski &amp; Weiss (2004) and An &amp; Pellacini
/// (2008, "AppProp"): the painted pixels are seeds and the affinity between pixels falls with their
/// colour difference. It is computed as a geodesic distance (Criminisi, Sharp &amp; Blake 2008,
/// "GeoS") rather than by solving their linear systems: two raster sweeps per pass, linear in the
/// area and without a solver, which keeps the edit live.
/// </para>
/// <para>
/// The work area's inner border is a second set of seeds, where the affinity must be 0. Weighing the
/// two distances against each other lets a region that edges close off from the border fill to its
/// edges, while an even surface open to the border still fades out before it, along the photo rather
/// than in the border's straight lines. (On an even line, d_B / (d + d_B) is exactly the harmonic
/// interpolation between strokes at 1 and border at 0 that the linear-system methods give; a
/// smoothstep eases both of its ends.)
/// </para>
/// </summary>
public sealed class EdgeAwareAffinity
{
    /// <summary>A colour step this much above the noise (<see cref="ColourSteps.Noise"/>) costs as much as a whole reach.</summary>
    public const double EdgeCost = 0.04;
    /// <summary>Alpha above which a grid pixel counts as painted.</summary>
    const float PaintedAlpha = 0.25f;
    const int Passes = 3;
    /// <summary>Steps to the 16 neighbours (the 8 around and the 8 a knight's move away). Why the knight's
    /// moves: with 8 neighbours a distance's level sets are octagons, and an affinity that fades over a
    /// textured surface ended in straight vertical and horizontal edges (seen on a rock: a boxy patch);
    /// with 16 they are within 1 % of circles.</summary>
    static readonly double Diagonal = Math.Sqrt(2), KnightMove = Math.Sqrt(5);

    readonly ColourSteps _steps;
    readonly int _width, _height;
    readonly double _reach;
    readonly double[]? _toBorder;

    /// <summary>
    /// Prepares the affinity on a photo, given by its colour <paramref name="steps"/>, once for every
    /// set of strokes painted on it. <paramref name="reach"/> (in grid pixels) is the distance over
    /// which the affinity falls to e⁻¹ across an even area: affinity = exp(−d²), d = the geodesic
    /// distance to the strokes in reaches.
    /// <para>
    /// <paramref name="border"/> (optional, one flag per pixel): where the change must have died out,
    /// such as the work area's sides inside the photo. The affinity is then also multiplied by
    /// smoothstep(d_B / (d + d_B)), d_B the geodesic distance to the border: it reaches 0 at the
    /// border whatever the reach, along the photo and not along the border's straight lines, while a
    /// region that edges close off from the border (a sky under its skyline) keeps its full affinity.
    /// d_B depends only on the photo, so it is computed here, not per set of strokes.
    /// </para>
    /// </summary>
    public EdgeAwareAffinity(ColourSteps steps, double reach, bool[]? border = null, CancellationToken cancellation = default)
    {
        (_steps, _width, _height, _reach) = (steps, steps.Width, steps.Height, reach);
        if (border is not null && border.Contains(true))
            _toBorder = GeodesicDistance(i => border[i], cancellation);
    }

    /// <summary>The affinity (width×height, in [0, 1]) to the painted pixels; <paramref name="alpha"/>
    /// holds the strokes' coverage in [0, 1].</summary>
    public float[] To(float[] alpha, CancellationToken cancellation = default)
    {
        var toStrokes = GeodesicDistance(i => alpha[i] > PaintedAlpha, cancellation);
        var affinity = new float[toStrokes.Length];
        for (int i = 0; i < affinity.Length; i++)
        {
            double d = toStrokes[i], value = Math.Exp(-d * d);
            if (_toBorder is not null && d > 0 && double.IsFinite(_toBorder[i]))
                value *= WorkArea.SmoothStep(_toBorder[i] / (d + _toBorder[i]));
            affinity[i] = (float)value;
        }
        return affinity;
    }

    /// <summary>Per pixel, the cheapest path's cost, in reaches, to a pixel where <paramref name="isSeed"/>
    /// holds (infinity when there is none): GeoS's raster sweeps over 16 neighbours.</summary>
    double[] GeodesicDistance(Func<int, bool> isSeed, CancellationToken cancellation)
    {
        int width = _width, height = _height, n = width * height;
        var distance = new double[n];
        for (int i = 0; i < n; i++) distance[i] = isSeed(i) ? 0 : double.PositiveInfinity;

        double perStep = 1 / Math.Max(_reach, 1e-6);
        double Cost(int p, int q, double length) =>
            length * perStep + _steps.BeyondNoise(p, q, length) / EdgeCost;
        void Relax(int p, int q, double length)
        {
            double candidate = distance[q] + Cost(p, q, length);
            if (candidate < distance[p]) distance[p] = candidate;
        }

        for (int pass = 0; pass < Passes; pass++)
        {
            cancellation.ThrowIfCancellationRequested();
            for (int y = 0; y < height; y++)          // forward: from the left and from above
                for (int x = 0; x < width; x++)
                {
                    int p = y * width + x;
                    if (x > 0) Relax(p, p - 1, 1);
                    if (y > 0)
                    {
                        Relax(p, p - width, 1);
                        if (x > 0) Relax(p, p - width - 1, Diagonal);
                        if (x < width - 1) Relax(p, p - width + 1, Diagonal);
                        if (x > 1) Relax(p, p - width - 2, KnightMove);
                        if (x < width - 2) Relax(p, p - width + 2, KnightMove);
                    }
                    if (y > 1)
                    {
                        if (x > 0) Relax(p, p - 2 * width - 1, KnightMove);
                        if (x < width - 1) Relax(p, p - 2 * width + 1, KnightMove);
                    }
                }
            cancellation.ThrowIfCancellationRequested();
            for (int y = height - 1; y >= 0; y--)     // backward: from the right and from below
                for (int x = width - 1; x >= 0; x--)
                {
                    int p = y * width + x;
                    if (x < width - 1) Relax(p, p + 1, 1);
                    if (y < height - 1)
                    {
                        Relax(p, p + width, 1);
                        if (x < width - 1) Relax(p, p + width + 1, Diagonal);
                        if (x > 0) Relax(p, p + width - 1, Diagonal);
                        if (x < width - 2) Relax(p, p + width + 2, KnightMove);
                        if (x > 1) Relax(p, p + width - 2, KnightMove);
                    }
                    if (y < height - 2)
                    {
                        if (x < width - 1) Relax(p, p + 2 * width + 1, KnightMove);
                        if (x > 0) Relax(p, p + 2 * width - 1, KnightMove);
                    }
                }
        }

        return distance;
    }
}
