namespace NeuralPhotoEdit.Evaluation;

/// <summary>Peak signal-to-noise ratio of 8-bit images, the way image-quality papers report it.</summary>
public static class Psnr
{
    /// <summary>Identical images would give infinity; this cap keeps averages finite.</summary>
    public const double Max = 100;

    /// <summary>PSNR in dB between two equally long runs of 8-bit values (RGB, no alpha).</summary>
    public static double FromBytes(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        if (a.Length != b.Length || a.Length == 0) throw new ArgumentException("PSNR needs two non-empty images of the same size.");
        double sum = 0;
        for (int i = 0; i < a.Length; i++)
        {
            double d = a[i] - b[i];
            sum += d * d;
        }
        double mse = sum / a.Length;
        return mse == 0 ? Max : Math.Min(Max, 10 * Math.Log10(255.0 * 255.0 / mse));
    }

    /// <summary>PSNR between two images given as [−1, 1] float planes, each first rounded to 8 bits.</summary>
    public static double FromPlanes(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        var qa = new byte[a.Length];
        var qb = new byte[b.Length];
        for (int i = 0; i < a.Length; i++) { qa[i] = Imaging.ImageTensors.ToByte(a[i]); qb[i] = Imaging.ImageTensors.ToByte(b[i]); }
        return FromBytes(qa, qb);
    }
}
