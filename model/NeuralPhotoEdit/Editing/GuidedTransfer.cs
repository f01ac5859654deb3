using NeuralPhotoEdit.Imaging;
namespace NeuralPhotoEdit.Editing;

/// <summary>
/// Carries a change computed at low resolution to the full-resolution photo as a local colour
/// transform: around every grid pixel the change D is fitted as an affine function of the photo's
/// colour, D ≈ A·I + b (the colour guided filter of He, Sun &amp; Tang 2013, with the photo as guide),
/// the coefficients are averaged, upsampled, and applied to each full-resolution pixel's own colour
/// (the fast guided filter, He &amp; Sun 2015). Edges and texture of the photo stay sharp because they
/// come from the photo itself, and the decoder's grid pattern cannot reach it: a pattern that does
/// not follow the photo's colours has no affine fit.
/// </summary>
public sealed class GuidedTransfer
{
    /// <summary>Regularisation ε of the fit, in [0, 1] colour units squared: colour variations much
    /// smaller than √ε (≈ 0.03, 8/255) count as flat.</summary>
    public const double Epsilon = 1e-3;

    readonly float[] _coefficients;   // 12 planes: A (row-major 3×3), then b
    readonly int _width, _height;

    GuidedTransfer(float[] coefficients, int width, int height)
    {
        _coefficients = coefficients;
        _width = width;
        _height = height;
    }

    /// <summary>
    /// Fits the transform on a width×height grid: <paramref name="guide"/> is the photo (R, G, B
    /// planes in [−1, 1]), <paramref name="change"/> the change to carry (3 planes, [−1, 1] units);
    /// <paramref name="radius"/> is the fit's box radius in grid pixels.
    /// </summary>
    public static GuidedTransfer Fit(float[] guide, float[] change, int width, int height, int radius,
                                     CancellationToken cancellation = default)
    {
        int n = width * height;
        // The guide in [0, 1] colour units (what ε is measured in); the change as it is.
        var i = Enumerable.Range(0, 3).Select(c => Plane(guide, c, n, v => (v + 1) / 2)).ToArray();
        var p = Enumerable.Range(0, 3).Select(c => Plane(change, c, n, v => v)).ToArray();

        cancellation.ThrowIfCancellationRequested();
        var meanI = i.Select(plane => BoxFilter.Mean(plane, width, height, radius)).ToArray();
        var meanP = p.Select(plane => BoxFilter.Mean(plane, width, height, radius)).ToArray();
        var covII = new double[3, 3][];
        for (int a = 0; a < 3; a++)
            for (int b = a; b < 3; b++)
                covII[a, b] = covII[b, a] = Covariance(i[a], i[b], meanI[a], meanI[b], width, height, radius);
        cancellation.ThrowIfCancellationRequested();
        var covIP = new double[3, 3][];   // [input channel, output channel]
        for (int a = 0; a < 3; a++)
            for (int c = 0; c < 3; c++)
                covIP[a, c] = Covariance(i[a], p[c], meanI[a], meanP[c], width, height, radius);

        // Per pixel: A_c = (Σ + εU)⁻¹ cov(I, p_c), b_c = mean(p_c) − A_c · mean(I).
        var a9 = new double[9][];
        var b3 = new double[3][];
        for (int k = 0; k < 9; k++) a9[k] = new double[n];
        for (int c = 0; c < 3; c++) b3[c] = new double[n];
        cancellation.ThrowIfCancellationRequested();
        Parallel.For(0, n, new ParallelOptions { CancellationToken = cancellation }, k =>
        {
            Span<double> m = stackalloc double[9];
            for (int r = 0; r < 3; r++)
                for (int s = 0; s < 3; s++)
                    m[r * 3 + s] = covII[r, s][k] + (r == s ? Epsilon : 0);
            Span<double> inverse = stackalloc double[9];
            Invert3(m, inverse);
            for (int c = 0; c < 3; c++)
            {
                double bc = meanP[c][k];
                for (int r = 0; r < 3; r++)
                {
                    double coefficient = 0;
                    for (int s = 0; s < 3; s++) coefficient += inverse[r * 3 + s] * covIP[s, c][k];
                    a9[c * 3 + r][k] = coefficient;
                    bc -= coefficient * meanI[r][k];
                }
                b3[c][k] = bc;
            }
            LimitContrast(a9, b3, meanI, covII, k);
        });

        // The output at a pixel averages the fits of every box that covers it.
        cancellation.ThrowIfCancellationRequested();
        var coefficients = new float[12 * n];
        for (int k = 0; k < 9; k++) Store(BoxFilter.Mean(a9[k], width, height, radius), coefficients, k, n);
        for (int c = 0; c < 3; c++) Store(BoxFilter.Mean(b3[c], width, height, radius), coefficients, 9 + c, n);
        return new GuidedTransfer(coefficients, width, height);
    }

    /// <summary>
    /// Caps the fit's contrast gain at 1. The fitted transform maps a colour I to I + (A·I + b)/2, whose
    /// Jacobian J = Id + A/2 scales every colour difference around the pixel — the photo's texture and
    /// edges. J is scaled down until it sharpens them in neither of two senses, and b corrected so the
    /// box's mean colour still gets exactly the fitted change:
    /// <list type="bullet">
    /// <item>no colour difference grows: ‖J‖₂ ≤ 1 (fur turned a brighter colour gains visible grain
    /// that was never in the photo);</item>
    /// <item>no channel's texture grows beyond the photo's strongest: per output channel c,
    /// J_c Σ J_cᵀ ≤ max_r Σ_rr, Σ the box's colour covariance. Why besides the norm: a recolouring can
    /// keep the size of every difference and still gather a texture's three channels into one (brown
    /// fur painted blue, its grain √3 as strong in blue as in any channel before) — a sharper grain in
    /// that colour. Measured on the photo's own texture rather than as a worst case over all colours
    /// (the row sums of J), which would also cap a change that only lowers a grey texture's contrast.</item>
    /// </list>
    /// Lowering contrast is left alone: it adds no edges. Not in He et al.: measured with
    /// <c>npe eval edits</c> on out-of-source photos, both lower new edges (docs/natural-edits.md,
    /// "Measuring natural edits").
    /// </summary>
    static void LimitContrast(double[][] a9, double[][] b3, double[][] meanI, double[,][] covII, int k)
    {
        Span<double> j = stackalloc double[9];
        for (int c = 0; c < 3; c++)
            for (int r = 0; r < 3; r++) j[c * 3 + r] = (c == r ? 1 : 0) + a9[c * 3 + r][k] / 2;
        double norm = Math.Max(SpectralNorm(j), ChannelGain(j, covII, k));
        if (norm <= 1) return;
        for (int c = 0; c < 3; c++)
            for (int r = 0; r < 3; r++)
            {
                double capped = 2 * (j[c * 3 + r] / norm - (c == r ? 1 : 0));
                b3[c][k] += (a9[c * 3 + r][k] - capped) * meanI[r][k];
                a9[c * 3 + r][k] = capped;
            }
    }

    /// <summary>How much stronger the box's texture becomes in its strongest output channel than in its
    /// strongest input channel: √(max_c J_c Σ J_cᵀ / max_r Σ_rr) (0 on a flat box).</summary>
    static double ChannelGain(ReadOnlySpan<double> j, double[,][] covII, int k)
    {
        double before = Math.Max(covII[0, 0][k], Math.Max(covII[1, 1][k], covII[2, 2][k]));
        if (before <= 0) return 0;
        double after = 0;
        for (int c = 0; c < 3; c++)
        {
            double variance = 0;
            for (int r = 0; r < 3; r++)
                for (int s = 0; s < 3; s++) variance += j[c * 3 + r] * j[c * 3 + s] * covII[r, s][k];
            after = Math.Max(after, variance);
        }
        return Math.Sqrt(after / before);
    }

    /// <summary>Largest singular value of a 3×3 matrix (row-major): power iteration on JᵀJ.</summary>
    static double SpectralNorm(ReadOnlySpan<double> j)
    {
        Span<double> v = stackalloc double[3], w = stackalloc double[3];
        v.Fill(1 / Math.Sqrt(3));
        double norm = 0;
        for (int iteration = 0; iteration < 12; iteration++)
        {
            for (int c = 0; c < 3; c++) w[c] = j[c * 3] * v[0] + j[c * 3 + 1] * v[1] + j[c * 3 + 2] * v[2];          // J v
            for (int r = 0; r < 3; r++) v[r] = j[r] * w[0] + j[3 + r] * w[1] + j[6 + r] * w[2];                     // Jᵀ J v
            double length = Math.Sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
            if (length == 0) return 0;
            norm = Math.Sqrt(length);
            for (int r = 0; r < 3; r++) v[r] /= length;
        }
        return norm;
    }

    /// <summary>
    /// The change at continuous grid position (u, v) for a photo colour <paramref name="rgb"/> in
    /// [0, 1] (written into <paramref name="change"/>, [−1, 1] units). Returns false, writing nothing,
    /// where the transform is exactly nothing (all four neighbouring fits zero): the pixel is left as
    /// it was, bit for bit.
    /// </summary>
    public bool ChangeAt(double u, double v, ReadOnlySpan<float> rgb, Span<float> change)
    {
        var (offset, fx, fy) = Resampling.Locate(0, _width, _height, u, v);
        int n = _width * _height, right = _width > 1 ? 1 : 0, below = _height > 1 ? _width : 0;
        bool any = false;
        for (int plane = 0; plane < 12 && !any; plane++)
        {
            int o = plane * n + offset;
            any = _coefficients[o] != 0 || _coefficients[o + right] != 0 || _coefficients[o + below] != 0 || _coefficients[o + below + right] != 0;
        }
        if (!any) return false;
        float w00 = (1 - fx) * (1 - fy), w10 = fx * (1 - fy), w01 = (1 - fx) * fy, w11 = fx * fy;
        float Coefficient(int plane)
        {
            int o = plane * n + offset;
            return w00 * _coefficients[o] + w10 * _coefficients[o + right] + w01 * _coefficients[o + below] + w11 * _coefficients[o + below + right];
        }
        for (int c = 0; c < 3; c++)
            change[c] = Coefficient(c * 3) * rgb[0] + Coefficient(c * 3 + 1) * rgb[1] + Coefficient(c * 3 + 2) * rgb[2] + Coefficient(9 + c);
        return true;
    }

    static double[] Plane(float[] planes, int index, int n, Func<float, float> map)
    {
        var plane = new double[n];
        for (int k = 0; k < n; k++) plane[k] = map(planes[index * n + k]);
        return plane;
    }

    static void Store(double[] plane, float[] coefficients, int index, int n)
    {
        // Values this small are the rounding of sums over an area without change: exactly nothing.
        for (int k = 0; k < n; k++) coefficients[index * n + k] = Math.Abs(plane[k]) < 1e-7 ? 0 : (float)plane[k];
    }

    static double[] Covariance(double[] x, double[] y, double[] meanX, double[] meanY, int width, int height, int radius)
    {
        var product = new double[x.Length];
        for (int k = 0; k < x.Length; k++) product[k] = x[k] * y[k];
        var mean = BoxFilter.Mean(product, width, height, radius);
        for (int k = 0; k < x.Length; k++) mean[k] -= meanX[k] * meanY[k];
        return mean;
    }

    /// <summary>Inverse of a symmetric positive definite 3×3 matrix (row-major) by cofactors.</summary>
    static void Invert3(ReadOnlySpan<double> m, Span<double> inverse)
    {
        double c00 = m[4] * m[8] - m[5] * m[7], c01 = m[5] * m[6] - m[3] * m[8], c02 = m[3] * m[7] - m[4] * m[6];
        double determinant = m[0] * c00 + m[1] * c01 + m[2] * c02;
        double s = 1 / determinant;
        inverse[0] = c00 * s;
        inverse[1] = (m[2] * m[7] - m[1] * m[8]) * s;
        inverse[2] = (m[1] * m[5] - m[2] * m[4]) * s;
        inverse[3] = c01 * s;
        inverse[4] = (m[0] * m[8] - m[2] * m[6]) * s;
        inverse[5] = (m[2] * m[3] - m[0] * m[5]) * s;
        inverse[6] = c02 * s;
        inverse[7] = (m[1] * m[6] - m[0] * m[7]) * s;
        inverse[8] = (m[0] * m[4] - m[1] * m[3]) * s;
    }
}
