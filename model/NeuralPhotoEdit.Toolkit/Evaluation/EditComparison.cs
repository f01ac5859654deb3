namespace NeuralPhotoEdit.Evaluation;

/// <summary>One metric of <c>npe eval edits --against</c>: the two models' means over the same edits, the
/// mean of the per-edit differences (first − second) and its 95 % bootstrap interval.</summary>
public sealed record PairedDifference(string Metric, double Mean, double AgainstMean, double Difference, double Low, double High);

public sealed record EditComparisonResult(EditEvaluationResult Edits, EditEvaluationResult Against, IReadOnlyList<PairedDifference> Differences);

/// <summary>
/// Whether two models' edits differ by more than the edits' own spread: both models edit the same
/// photos with the same strokes, and per metric the per-edit differences are resampled with
/// replacement (a paired bootstrap, Efron &amp; Tibshirani 1993, percentile interval). A difference
/// whose interval excludes 0 is more than the choice of photos and strokes.
/// </summary>
public static class EditComparison
{
    public const int Resamples = 10_000;

    static readonly (string Name, Func<EditScores, double?> Of)[] Metrics =
    [
        ("fidelity", s => s.Fidelity), ("coverage", s => s.Coverage), ("new_edges", s => s.NewEdges),
        ("misaligned", s => s.Misaligned), ("far", s => s.Far), ("follow", s => s.Follow), ("scene_cost", s => s.SceneCost),
        ("model_share", s => s.ModelShare),
    ];

    public static EditComparisonResult Compare(EditEvaluationResult edits, EditEvaluationResult against, int seed = 0)
    {
        var a = edits.PerEdit;
        var b = against.PerEdit;
        if (a.Count != b.Count || Enumerable.Range(0, a.Count).Any(i => a[i].Photo != b[i].Photo || a[i].Strokes != b[i].Strokes))
            throw new InvalidOperationException("The two evaluations did not edit the same photos with the same strokes.");
        // A figure counts on the edits where both have it (follow: the sky strokes only).
        var differences = Metrics.Select(metric =>
        {
            var pairs = Enumerable.Range(0, a.Count)
                .Where(i => metric.Of(a[i].Neural) is not null && metric.Of(b[i].Neural) is not null)
                .Select(i => (First: metric.Of(a[i].Neural)!.Value, Second: metric.Of(b[i].Neural)!.Value)).ToArray();
            if (pairs.Length == 0) return null;
            var d = pairs.Select(p => p.First - p.Second).ToArray();
            var (low, high) = Interval(d, seed);
            return new PairedDifference(metric.Name, pairs.Average(p => p.First), pairs.Average(p => p.Second), d.Average(), low, high);
        }).OfType<PairedDifference>().ToList();
        return new EditComparisonResult(edits, against, differences);
    }

    /// <summary>The 2.5th and 97.5th percentiles of the mean of <paramref name="differences"/> resampled
    /// with replacement <see cref="Resamples"/> times.</summary>
    static (double Low, double High) Interval(double[] differences, int seed)
    {
        var random = new Random(seed);
        var means = new double[Resamples];
        for (int r = 0; r < Resamples; r++)
        {
            double sum = 0;
            for (int i = 0; i < differences.Length; i++) sum += differences[random.Next(differences.Length)];
            means[r] = sum / differences.Length;
        }
        Array.Sort(means);
        return (means[(int)(0.025 * Resamples)], means[(int)(0.975 * Resamples) - 1]);
    }
}
