using NeuralPhotoEdit.Imaging;

namespace NeuralPhotoEdit.Training;

/// <summary>
/// Turns a few hundred photos into an endless stream of square training patches: random photo,
/// random scale (the crop covers 1× to 8× the patch size, log-uniform), random position, area-averaged
/// to the patch size by the editor's own resampler (<see cref="Resampling"/>),
/// horizontal flip, and colour changes (<see cref="Augmentation"/>). Batch k depends only on
/// (seed, k), which is what makes resumed training exact.
/// </summary>
public sealed class PatchSampler(PhotoCollection photos, int patchSize, int seed, Augmentation augmentation, double maxScale = 8)
{
    public int PatchSize => patchSize;

    /// <summary>A batch as N×3×S×S floats in [−1, 1], channel planes per image.</summary>
    public float[] Batch(long index, int count)
    {
        var random = new Random(StepSeed(seed, index));
        int plane = patchSize * patchSize;
        var batch = new float[count * 3 * plane];
        for (int n = 0; n < count; n++) Sample(random, batch.AsSpan(n * 3 * plane, 3 * plane));
        return batch;
    }

    /// <summary>A well-mixed 32-bit seed for (run seed, batch index) — SplitMix64's finaliser.</summary>
    public static int StepSeed(int seed, long index)
    {
        ulong z = (ulong)seed * 0x9E3779B97F4A7C15UL + (ulong)index + 0x632BE59BD9B4E019UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return (int)((z ^ (z >> 31)) & 0x7FFFFFFF);
    }

    void Sample(Random random, Span<float> output)
    {
        var pyramid = photos.Pyramids[random.Next(photos.Count)];
        var full = pyramid[0];
        double largest = Math.Min(maxScale, Math.Min(full.Width, full.Height) / (double)patchSize);
        double scale = Math.Pow(2, random.NextDouble() * Math.Log2(Math.Max(1, largest)));
        // Cut from the pyramid level that leaves a crop between 1× and 2× the patch size: the area
        // average over it is then a few pixels per patch pixel, not up to 64.
        int level = Math.Min(pyramid.Length - 1, (int)Math.Floor(Math.Log2(scale)));
        var source = pyramid[level];
        double crop = Math.Min(patchSize * scale / (1 << level), Math.Min(source.Width, source.Height));
        double x0 = random.NextDouble() * (source.Width - crop);
        double y0 = random.NextDouble() * (source.Height - crop);
        bool flip = random.Next(2) == 1;
        float brightness = (float)((random.NextDouble() * 2 - 1) * augmentation.Brightness);
        float contrast = (float)(1 + (random.NextDouble() * 2 - 1) * augmentation.Contrast);
        float saturation = (float)(1 + (random.NextDouble() * 2 - 1) * augmentation.Saturation);
        var chroma = ChromaTransform(random, saturation);

        int plane = patchSize * patchSize;
        var planes = Resampling.ToModelPlanes(source, new Resampling.Footprint(x0, y0, crop, crop), patchSize);
        for (int y = 0; y < patchSize; y++)
        {
            for (int x = 0; x < patchSize; x++)
            {
                int i = y * patchSize + x;
                float red = planes[i], green = planes[plane + i], blue = planes[2 * plane + i];
                float grey = (red + green + blue) / 3;
                red -= grey; green -= grey; blue -= grey;
                int o = y * patchSize + (flip ? patchSize - 1 - x : x);
                for (int ch = 0; ch < 3; ch++)
                {
                    float v = (grey + (chroma[ch, 0] * red + chroma[ch, 1] * green + chroma[ch, 2] * blue)) * contrast + brightness;
                    output[ch * plane + o] = Math.Clamp(v, -1, 1);
                }
            }
        }
    }

    /// <summary>
    /// The 3×3 map applied to a pixel's chroma (its RGB minus its grey): saturation × a rotation by θ
    /// about the grey axis k = (1, 1, 1)/√3. On chroma (which is orthogonal to k) Rodrigues' formula
    /// reduces to cos θ·c + sin θ·(k × c). No rotation and no grey draw no random numbers, so the light
    /// augmentation draws the crops and colours it always did.
    /// </summary>
    float[,] ChromaTransform(Random random, float saturation)
    {
        double angle = augmentation.HueProbability > 0 && random.NextDouble() < augmentation.HueProbability
            ? (random.NextDouble() * 2 - 1) * Math.PI : 0;
        if (augmentation.GreyProbability > 0 && random.NextDouble() < augmentation.GreyProbability) saturation = 0;
        float cos = (float)Math.Cos(angle) * saturation, sin = (float)(Math.Sin(angle) / Math.Sqrt(3)) * saturation;
        return new float[,]
        {
            { cos, -sin, sin },
            { sin, cos, -sin },
            { -sin, sin, cos },
        };
    }
}
