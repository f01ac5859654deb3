using NeuralPhotoEdit.Editing;
using NeuralPhotoEdit.Imaging;

namespace NeuralPhotoEdit.Evaluation;

/// <summary>How natural one edit is, computed on the full-resolution result Y against the photo X
/// (values in [0, 1]; see README, "Measuring natural edits").</summary>
public sealed record EditScores(double Fidelity, double Coverage, double NewEdges, double Misaligned, double Far);

/// <summary>
/// The naturalness metrics of <c>npe eval edits</c>. |∇I| is the per-pixel maximum over RGB of the
/// central-difference gradient magnitude; C = the per-pixel mean over channels of |Y − X|.
/// <list type="bullet">
/// <item>fidelity = (d₀ − d₁)/d₀, d = distance between the alpha-weighted mean colour under the strokes
/// and the stroke colour, before and after;</item>
/// <item>coverage = share of stroked pixels (alpha &gt; 127, at least 20/255 from the stroke colour) whose
/// colour moved at least a quarter of the way toward it;</item>
/// <item>new_edges = Σ max(|∇Y| − |∇X| − 2/255, 0) / Σ C: new visible structure per unit of change;</item>
/// <item>misaligned = Σ |∇C|²·[|∇X| &lt; 4/255] / Σ |∇C|²: the share of the change's own edges that cross
/// places where the photo is flat (squares, bands, blobs, grids);</item>
/// <item>far = max |Y − X| farther than 3 stroke sizes from the strokes (a stroke size: the strokes'
/// width — the bounding box's shorter side, or a quarter of its longer side if that is more).</item>
/// </list>
/// </summary>
public static class EditMetrics
{
    public static EditScores Score(RgbaImage photo, RgbaImage result, RgbaImage strokes)
    {
        int w = photo.Width, h = photo.Height, n = w * h;
        var x = Planes(photo);
        var y = Planes(result);
        var s = Planes(strokes);
        var alpha = new double[n];
        for (int i = 0; i < n; i++) alpha[i] = strokes.Pixels[4 * i + 3] / 255.0;

        // fidelity
        double[] MeanUnder(double[][] image)
        {
            var mean = new double[3];
            double total = 0;
            for (int i = 0; i < n; i++)
            {
                if (alpha[i] == 0) continue;
                total += alpha[i];
                for (int c = 0; c < 3; c++) mean[c] += alpha[i] * image[c][i];
            }
            for (int c = 0; c < 3; c++) mean[c] /= total;
            return mean;
        }
        var target = MeanUnder(s);
        double d0 = Distance(MeanUnder(x), target), d1 = Distance(MeanUnder(y), target);
        double fidelity = d0 > 0 ? (d0 - d1) / d0 : 1;

        // coverage
        int counted = 0, moved = 0;
        for (int i = 0; i < n; i++)
        {
            if (strokes.Pixels[4 * i + 3] <= 127) continue;
            double before = PixelDistance(x, s, i);
            if (before < 20 / 255.0) continue;
            counted++;
            if (PixelDistance(y, s, i) <= 0.75 * before) moved++;
        }
        double coverage = counted > 0 ? (double)moved / counted : 1;

        // new_edges and misaligned
        var gradientX = GradientMagnitude(x, w, h);
        var gradientY = GradientMagnitude(y, w, h);
        var change = new double[n];
        for (int i = 0; i < n; i++) change[i] = (Math.Abs(y[0][i] - x[0][i]) + Math.Abs(y[1][i] - x[1][i]) + Math.Abs(y[2][i] - x[2][i])) / 3;
        var gradientC = GradientMagnitude([change], w, h);
        double newStructure = 0, totalChange = 0, flatEdges = 0, allEdges = 0;
        for (int i = 0; i < n; i++)
        {
            newStructure += Math.Max(gradientY[i] - gradientX[i] - 2 / 255.0, 0);
            totalChange += change[i];
            double edge = gradientC[i] * gradientC[i];
            allEdges += edge;
            if (gradientX[i] < 4 / 255.0) flatEdges += edge;
        }
        double newEdges = totalChange > 0 ? newStructure / totalChange : 0;
        double misaligned = allEdges > 0 ? flatEdges / allEdges : 0;

        // far
        var distance = DistanceToStrokes(strokes);
        double strokeSize = StrokeSize(strokes), far = 0;
        for (int i = 0; i < n; i++)
            if (distance[i] > 3 * strokeSize)
                for (int c = 0; c < 3; c++) far = Math.Max(far, Math.Abs(y[c][i] - x[c][i]));

        return new EditScores(fidelity, coverage, newEdges, misaligned, far);
    }

    /// <summary>The strokes' width (<see cref="WorkArea.StrokeWidth"/>), in pixels.</summary>
    public static double StrokeSize(RgbaImage strokes) =>
        WorkArea.StrokeWidth(RegionOfInterest.StrokeBounds(strokes) ?? new PixelRect(0, 0, 1, 1));

    static double[][] Planes(RgbaImage image)
    {
        int n = image.Width * image.Height;
        var planes = new double[3][];
        for (int c = 0; c < 3; c++)
        {
            planes[c] = new double[n];
            for (int i = 0; i < n; i++) planes[c][i] = image.Pixels[4 * i + c] / 255.0;
        }
        return planes;
    }

    static double Distance(double[] a, double[] b) =>
        Math.Sqrt((a[0] - b[0]) * (a[0] - b[0]) + (a[1] - b[1]) * (a[1] - b[1]) + (a[2] - b[2]) * (a[2] - b[2]));

    static double PixelDistance(double[][] a, double[][] b, int i) =>
        Math.Sqrt(Enumerable.Range(0, 3).Sum(c => (a[c][i] - b[c][i]) * (a[c][i] - b[c][i])));

    /// <summary>Per pixel, the largest over the planes of the central-difference gradient magnitude.</summary>
    static double[] GradientMagnitude(double[][] planes, int w, int h)
    {
        var magnitude = new double[w * h];
        foreach (var p in planes)
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                {
                    int i = y * w + x;
                    double dx = (p[y * w + Math.Min(w - 1, x + 1)] - p[y * w + Math.Max(0, x - 1)]) / 2;
                    double dy = (p[Math.Min(h - 1, y + 1) * w + x] - p[Math.Max(0, y - 1) * w + x]) / 2;
                    magnitude[i] = Math.Max(magnitude[i], Math.Sqrt(dx * dx + dy * dy));
                }
        return magnitude;
    }

    /// <summary>Approximate Euclidean distance (in pixels) to the nearest pixel painted with alpha above
    /// <paramref name="paintedAbove"/>: a two-pass chamfer transform with 1 and √2 steps.</summary>
    internal static double[] DistanceToStrokes(RgbaImage strokes, byte paintedAbove = 0)
    {
        int w = strokes.Width, h = strokes.Height;
        var d = new double[w * h];
        for (int i = 0; i < d.Length; i++) d[i] = strokes.Pixels[4 * i + 3] > paintedAbove ? 0 : double.PositiveInfinity;
        double diagonal = Math.Sqrt(2);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                int i = y * w + x;
                if (x > 0) d[i] = Math.Min(d[i], d[i - 1] + 1);
                if (y > 0) d[i] = Math.Min(d[i], d[i - w] + 1);
                if (x > 0 && y > 0) d[i] = Math.Min(d[i], d[i - w - 1] + diagonal);
                if (x < w - 1 && y > 0) d[i] = Math.Min(d[i], d[i - w + 1] + diagonal);
            }
        for (int y = h - 1; y >= 0; y--)
            for (int x = w - 1; x >= 0; x--)
            {
                int i = y * w + x;
                if (x < w - 1) d[i] = Math.Min(d[i], d[i + 1] + 1);
                if (y < h - 1) d[i] = Math.Min(d[i], d[i + w] + 1);
                if (x < w - 1 && y < h - 1) d[i] = Math.Min(d[i], d[i + w + 1] + diagonal);
                if (x > 0 && y < h - 1) d[i] = Math.Min(d[i], d[i + w - 1] + diagonal);
            }
        return d;
    }
}
