namespace NeuralPhotoEdit.Editing;

/// <summary>
/// The rest of the way to the stroke colours. The model can only make colours it learned (the
/// shipped landscape model turns a green stroke on a pink flower grey-purple), so after its change
/// the colour under the strokes still differs from the stroke colour. This takes that residual
/// under the strokes, averages it over the strokes' neighbourhood, and adds a share of it wherever
/// the change spreads (<paramref name="spread"/>: the edge-aware affinity), as a colour shift that is
/// nearly the same for neighbouring pixels — so the photo's texture and edges stay, and the
/// guided transfer carries it to full resolution like the model's own change.
/// <para>
/// Not in the paper, whose edit is the model's change alone. Why: on photos the model never saw,
/// the model's change alone moved the colour under the strokes about half of the way with the
/// previous landscape model and three quarters of it with the default (fidelity 0.49 and 0.77,
/// docs/natural-edits.md); a user who paints blue expects blue.
/// </para>
/// </summary>
static class ColourMatch
{
    /// <summary>
    /// Adds <paramref name="share"/> (0–1) of the remaining stroke-colour difference to
    /// <paramref name="change"/> (3 planes, [−1, 1] units, in place). <paramref name="photo"/> and
    /// <paramref name="strokeColours"/> are R, G, B planes in [−1, 1]; <paramref name="strokeAlpha"/>
    /// the strokes' coverage; <paramref name="radius"/> (grid pixels) the neighbourhood the residual
    /// is averaged over.
    /// </summary>
    public static void Add(float[] change, float[] photo, float[] strokeColours, float[] strokeAlpha, float[] spread,
                           int width, int height, int radius, double share, CancellationToken cancellation = default)
    {
        int n = width * height;
        var weight = Array.ConvertAll(strokeAlpha, a => (double)a);
        double totalWeight = weight.Sum();
        if (totalWeight <= 0) return;
        var residuals = new double[3][];
        var overall = new double[3];
        for (int c = 0; c < 3; c++)
        {
            var weighted = new double[n];
            for (int i = 0; i < n; i++)
            {
                int k = c * n + i;
                if (weight[i] > 0) weighted[i] = weight[i] * (strokeColours[k] - (photo[k] + change[k]));
            }
            overall[c] = weighted.Sum() / totalWeight;
            residuals[c] = Smooth(weighted, width, height, radius);
            cancellation.ThrowIfCancellationRequested();
        }
        var local = Smooth(weight, width, height, radius);
        for (int i = 0; i < n; i++)
        {
            if (spread[i] <= 0) continue;
            // Normalised convolution, pulled toward the mean over all strokes where few strokes are
            // near: the local mean under and beside a stroke, the overall mean far from them, and no
            // step where the box runs out of strokes.
            double denominator = local[i] + Anchor;
            for (int c = 0; c < 3; c++)
                change[c * n + i] += (float)(share * spread[i] * (residuals[c][i] + Anchor * overall[c]) / denominator);
        }
    }

    /// <summary>Weight of the overall mean in the local one: a box with 5 % stroke coverage counts as
    /// much as the overall mean.</summary>
    const double Anchor = 0.05;

    /// <summary>Two box means: a tent, smooth enough that the shift has no box-shaped steps.</summary>
    static double[] Smooth(double[] plane, int width, int height, int radius) =>
        BoxFilter.Mean(BoxFilter.Mean(plane, width, height, radius), width, height, radius);
}
