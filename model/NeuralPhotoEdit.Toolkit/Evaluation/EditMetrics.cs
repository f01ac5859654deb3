using NeuralPhotoEdit.Editing;
using NeuralPhotoEdit.Imaging;

namespace NeuralPhotoEdit.Evaluation;

/// <summary>How natural one edit is, computed on the full-resolution result Y against the photo X
/// (see docs/natural-edits.md). The context figures are null where they do not apply:
/// <see cref="Follow"/> to strokes that are not across a sky, <see cref="SceneCost"/> without a
/// <see cref="ThumbnailPrior"/>, <see cref="ModelShare"/> to an edit with no model in it.</summary>
public sealed record EditScores(double Fidelity, double Coverage, double NewEdges, double Misaligned, double Far)
{
    /// <summary>How the land below a sky stroke moves with it (<see cref="EditMetrics.Follow"/>).</summary>
    public double? Follow { get; init; }
    /// <summary>The rise of the thumbnail's −log-likelihood per unit of fidelity (<see cref="EditMetrics.SceneCost"/>).</summary>
    public double? SceneCost { get; init; }
    /// <summary>How much of the edit is the model's (<see cref="EditMetrics.ModelShare"/>).</summary>
    public double? ModelShare { get; init; }
}

/// <summary>What a stroke across a sky asks of the land below it: to warm (b*) or to darken (L*).</summary>
public enum FollowKind { None, Warm, Dark }

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
/// width — the bounding box's shorter side, or a quarter of its longer side if that is more). Printed,
/// no longer a goal: the product's promise is that the photo follows an edit, far from it too;</item>
/// <item>follow, scene_cost, model_share: how the rest of the photo takes part (<see cref="Follow"/>,
/// <see cref="SceneCost"/>, <see cref="ModelShare"/>).</item>
/// </list>
/// </summary>
public static class EditMetrics
{
    /// <summary>All figures of one edit; the context ones where they apply (<see cref="EditScores"/>).</summary>
    public static EditScores Score(RgbaImage photo, RgbaImage result, RgbaImage strokes, FollowKind follow,
                                   ThumbnailPrior? prior, double? modelShare)
    {
        var scores = Score(photo, result, strokes);
        return scores with
        {
            Follow = follow == FollowKind.None ? null : Follow(photo, result, strokes, follow),
            SceneCost = prior is null ? null : SceneCost(prior, photo, result, scores.Fidelity),
            ModelShare = modelShare,
        };
    }

    /// <summary>The rows of the photo that count as land below a sky stroke: its bottom third.</summary>
    public const double LandFrom = 2.0 / 3;

    /// <summary>
    /// follow: how the land below a stroke across the sky moves with it — the mean change of b*
    /// (warm: toward yellow) or L* (dark) over the photo's bottom third (<see cref="LandFrom"/>),
    /// over the same change under the strokes (pixels with alpha &gt; 127). 0: the land stays as it was
    /// (a colour fill that stops at the skyline); 1: it changes as much as the sky.
    /// </summary>
    public static double Follow(RgbaImage photo, RgbaImage result, RgbaImage strokes, FollowKind kind)
    {
        double Measure(byte[] pixels, int o) => LabOf(pixels, o) is var lab && kind == FollowKind.Warm ? lab.B : lab.L;
        double land = 0, under = 0;
        int landCount = 0, underCount = 0;
        int landTop = (int)Math.Ceiling(photo.Height * LandFrom);
        for (int y = 0; y < photo.Height; y++)
            for (int x = 0; x < photo.Width; x++)
            {
                int o = photo.Offset(x, y);
                bool stroked = strokes.Pixels[o + 3] > 127;
                if (y < landTop && !stroked) continue;
                double change = Measure(result.Pixels, o) - Measure(photo.Pixels, o);
                if (stroked) { under += change; underCount++; }
                if (y >= landTop) { land += change; landCount++; }
            }
        if (underCount == 0 || landCount == 0) return 0;
        double sky = under / underCount;
        return Math.Abs(sky) < 1e-6 ? 0 : land / landCount / sky;
    }

    /// <summary>
    /// scene_cost: how much less like a photo the edit made the photo's global colour layout — the rise
    /// of its thumbnail's −log-likelihood under <paramref name="prior"/> — per unit of fidelity (at
    /// least 0.1, so an edit that reached nothing is not divided by nothing).
    /// </summary>
    public static double SceneCost(ThumbnailPrior prior, RgbaImage photo, RgbaImage result, double fidelity) =>
        (prior.NegativeLogLikelihood(result) - prior.NegativeLogLikelihood(photo)) / Math.Max(fidelity, 0.1);

    /// <summary>
    /// model_share: the mean |Y − Y_flat| over the mean |Y − X| (both over every pixel and channel), with
    /// Y_flat the same pipeline with the model's change replaced by one flat colour shift
    /// (<see cref="NeuralPhotoEdit.Editing.ModelChange.FlatShift"/>): the part of the edit the model
    /// decided. 0 for an edit a colour shift would have made as well.
    /// </summary>
    public static double ModelShare(RgbaImage photo, RgbaImage result, RgbaImage flatResult)
    {
        double fromFlat = 0, fromPhoto = 0;
        for (int i = 0; i < photo.Pixels.Length; i += 4)
            for (int c = 0; c < 3; c++)
            {
                fromFlat += Math.Abs(result.Pixels[i + c] - flatResult.Pixels[i + c]);
                fromPhoto += Math.Abs(result.Pixels[i + c] - photo.Pixels[i + c]);
            }
        return fromPhoto > 0 ? fromFlat / fromPhoto : 0;
    }

    /// <summary>CIE L*a*b* (D65) of an sRGB pixel at <paramref name="offset"/>.</summary>
    static (double L, double A, double B) LabOf(byte[] pixels, int offset)
    {
        static double Linear(byte v)
        {
            double c = v / 255.0;
            return c <= 0.04045 ? c / 12.92 : Math.Pow((c + 0.055) / 1.055, 2.4);
        }
        static double F(double t) => t > 216.0 / 24389 ? Math.Cbrt(t) : (24389.0 / 27 * t + 16) / 116;
        double r = Linear(pixels[offset]), g = Linear(pixels[offset + 1]), b = Linear(pixels[offset + 2]);
        double x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047;
        double y = 0.2126 * r + 0.7152 * g + 0.0722 * b;
        double z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883;
        double fx = F(x), fy = F(y), fz = F(z);
        return (116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz));
    }

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
        WorkArea.StrokeWidth(StrokesScan.BoundsOf(strokes) ?? new PixelRect(0, 0, 1, 1));

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
