namespace NeuralPhotoEdit.Editing;

/// <summary>
/// Smooths planes on the work grid along the photo's flat areas and not across its edges: the
/// recursive filter of the domain transform (Gastal &amp; Oliveira 2011, "Domain Transform for
/// Edge-Aware Image and Video Processing", §4 "RF"). Each row and column is stretched by the photo's
/// colour steps, ct(x) = ∫ 1 + σs/σr·|I′|, and filtered by a first-order recursive filter in the
/// stretched coordinate, so a step across an edge weighs almost nothing while a flat run averages
/// over about σs pixels. Linear in the grid's size and independent of σs.
/// <para>
/// Not as in Gastal &amp; Oliveira, |I′| is the step as the affinity measures it
/// (<see cref="ColourSteps"/>: on the 3×3-blurred photo, less the noise a sky's gradient carries),
/// where they take Σ_c |I′_c| of the photo itself. Why: with theirs, a cloudy sky's faint texture
/// stretched each pixel several times over, so the change was evened out over a few pixels there,
/// however large σs, and the decoder's change kept fading from the stroke down to the skyline
/// (docs/natural-edits.md).
/// </para>
/// <para>
/// Hand-written: the filter is a few lines on float planes, and the engine's other grid filters
/// (<see cref="BoxFilter"/>, <see cref="EdgeAwareAffinity"/>) are too; no imaging library we use has it.
/// </para>
/// </summary>
public sealed class EdgeAwareSmoothing
{
    /// <summary>Horizontal-then-vertical rounds; the paper finds 3 enough for artefact-free results.</summary>
    const int Iterations = 3;

    readonly int _width, _height;
    /// <summary>The smoothing's extent on a flat area, in grid pixels.</summary>
    public double SpatialSigma { get; }
    /// <summary>Per round, the feedback a^d of every step along rows and along columns (empty: no smoothing).</summary>
    readonly (float[] Horizontal, float[] Vertical)[] _rounds;

    /// <summary>
    /// Prepares the smoothing guided by a photo, given by its colour <paramref name="steps"/>, once for
    /// every plane smoothed with it. <paramref name="spatialSigma"/>: the smoothing's extent on a flat
    /// area, in grid pixels (0 = none); <paramref name="rangeSigma"/>: the colour step beyond the noise
    /// (<see cref="ColourSteps.BeyondNoise"/>, [0, 1] units) that counts as an edge.
    /// </summary>
    public EdgeAwareSmoothing(ColourSteps steps, double spatialSigma, double rangeSigma)
    {
        int width = steps.Width, height = steps.Height;
        (_width, _height, SpatialSigma) = (width, height, spatialSigma);
        if (spatialSigma <= 0)
        {
            _rounds = [];
            return;
        }
        int n = width * height;
        // Derivatives of the domain transform, dct = 1 + σs/σr·|ΔI|.
        var horizontal = new double[n];
        var vertical = new double[n];
        double ratio = spatialSigma / rangeSigma;
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                int p = y * width + x;
                horizontal[p] = 1 + (x > 0 ? ratio * steps.BeyondNoise(p, p - 1, 1) : 0);
                vertical[p] = 1 + (y > 0 ? ratio * steps.BeyondNoise(p, p - width, 1) : 0);
            }

        _rounds = new (float[], float[])[Iterations];
        for (int i = 0; i < Iterations; i++)
        {
            // σ of this round (the paper's eq. 14): the rounds' variances add up to σs². The feedback
            // a^d = exp(−√2·d/σ).
            double sigma = spatialSigma * Math.Sqrt(3) * Math.Pow(2, Iterations - i - 1) / Math.Sqrt(Math.Pow(4, Iterations) - 1);
            double rate = -Math.Sqrt(2) / sigma;
            var (h, v) = (new float[n], new float[n]);
            for (int p = 0; p < n; p++)
            {
                h[p] = Weight(rate * horizontal[p]);
                v[p] = Weight(rate * vertical[p]);
            }
            _rounds[i] = (h, v);
        }
    }

    /// <summary>Smooths <paramref name="planeCount"/> planes of <paramref name="values"/> in place.</summary>
    public void Apply(float[] values, int planeCount, CancellationToken cancellation = default)
    {
        int n = _width * _height;
        foreach (var (horizontal, vertical) in _rounds)
        {
            cancellation.ThrowIfCancellationRequested();
            for (int plane = 0; plane < planeCount; plane++)
            {
                var span = values.AsSpan(plane * n, n);
                for (int y = 0; y < _height; y++) Row(span.Slice(y * _width, _width), horizontal.AsSpan(y * _width, _width));
                Columns(span, vertical, _width, _height);
            }
        }
    }

    /// <summary>a^d; a step this costly is a full stop (and no value shrinks into float's slow
    /// subnormal range by being carried across it).</summary>
    static float Weight(double exponent) => exponent < -12 ? 0 : (float)Math.Exp(exponent);

    /// <summary>One causal and one anti-causal pass of J[k] = (1 − w)·I[k] + w·J[k−1] along a row;
    /// w[k] = aᵈ weighs the step from k−1 to k, d its stretched length.</summary>
    static void Row(Span<float> values, ReadOnlySpan<float> weight)
    {
        for (int k = 1; k < values.Length; k++) values[k] += weight[k] * (values[k - 1] - values[k]);
        for (int k = values.Length - 2; k >= 0; k--) values[k] += weight[k + 1] * (values[k + 1] - values[k]);
    }

    /// <summary>The same down and up every column, a whole row at a time (the rows are contiguous).</summary>
    static void Columns(Span<float> values, float[] weight, int width, int height)
    {
        for (int y = 1; y < height; y++)
        {
            var row = values.Slice(y * width, width);
            var above = values.Slice((y - 1) * width, width);
            var w = weight.AsSpan(y * width, width);
            for (int x = 0; x < width; x++) row[x] += w[x] * (above[x] - row[x]);
        }
        for (int y = height - 2; y >= 0; y--)
        {
            var row = values.Slice(y * width, width);
            var below = values.Slice((y + 1) * width, width);
            var w = weight.AsSpan((y + 1) * width, width);
            for (int x = 0; x < width; x++) row[x] += w[x] * (below[x] - row[x]);
        }
    }
}
