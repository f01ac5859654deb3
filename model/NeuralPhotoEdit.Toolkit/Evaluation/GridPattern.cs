using static TorchSharp.torch;

namespace NeuralPhotoEdit.Evaluation;

/// <summary>
/// How strongly images repeat with a period of 2 or 4 pixels — the checkerboard a stride-2
/// transposed convolution can paint (Odena et al. 2016). For each image's brightness (mean of the
/// channels, its own mean removed), the power spectrum's value at the frequencies of those periods
/// (N/2 and N/4 along x, along y and both) divided by the mean power of the 8 frequencies around
/// it; the score is the mean of that ratio over the frequencies and the images. Natural photos have
/// a smooth spectrum there (about 1); a grid pattern is a spike (well above 1).
/// </summary>
public static class GridPattern
{
    public static double Score(Tensor images)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        long n = images.shape[^1];
        var grey = images.to(ScalarType.Float64).mean([1]);                            // N×S×S
        grey = grey - grey.mean([1, 2], keepdim: true);
        var power = fft.fft2(grey).abs().Squared().cpu();                             // N×S×S
        var values = power.data<double>().ToArray();
        long count = power.shape[0], plane = n * n;
        long[] frequencies = [n / 2, n / 4];
        var peaks = new List<(long Y, long X)>();
        foreach (long f in frequencies) peaks.AddRange([(0, f), (f, 0), (f, f)]);
        double total = 0;
        int terms = 0;
        for (long i = 0; i < count; i++)
        {
            foreach (var (y, x) in peaks)
            {
                double around = 0;
                for (long dy = -1; dy <= 1; dy++)
                    for (long dx = -1; dx <= 1; dx++)
                        if (dy != 0 || dx != 0) around += values[i * plane + Wrap(y + dy, n) * n + Wrap(x + dx, n)];
                around /= 8;
                if (around <= 0) continue;
                total += values[i * plane + y * n + x] / around;
                terms++;
            }
        }
        return terms == 0 ? 1 : total / terms;
    }

    static long Wrap(long index, long n) => ((index % n) + n) % n;
}
