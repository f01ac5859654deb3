using NeuralPhotoEdit.Imaging;

namespace NeuralPhotoEdit.Editing;

/// <summary>
/// An edit rendered back into the photo, plus what was computed at the model's resolution
/// (for before/after sheets, tests and front ends that want to show the mask).
/// </summary>
public sealed class EditResult
{
    internal EditResult(RgbaImage image, PixelRect roi, int modelSize, float[] mask, float[] modelOutput, float[] modelBlend)
    {
        Image = image;
        Roi = roi;
        ModelSize = modelSize;
        Mask = mask;
        ModelOutput = modelOutput;
        ModelBlend = modelBlend;
    }

    /// <summary>The whole photo with the edit applied; pixels outside <see cref="Roi"/> and all alpha are the input's.</summary>
    public RgbaImage Image { get; }
    public PixelRect Roi { get; }
    public int ModelSize { get; }
    /// <summary>M at the model's resolution, size×size, in [0, 1].</summary>
    public float[] Mask { get; }
    /// <summary>G(Z): 3 planes at the model's resolution, [−1, 1].</summary>
    public float[] ModelOutput { get; }
    /// <summary>The paper's Y = X̂₀ + MΔ + (1−M)E at the model's resolution: 3 planes, [−1, 1].</summary>
    public float[] ModelBlend { get; }

    /// <summary>The mask as applied at a full-resolution pixel, border fade included (0 outside the region).</summary>
    public float MaskAt(int x, int y)
    {
        if (!Roi.Contains(x, y)) return 0;
        double u = (x - Roi.X + 0.5) * ModelSize / Roi.Width, v = (y - Roi.Y + 0.5) * ModelSize / Roi.Height;
        return Resampling.Sample(Mask, 0, ModelSize, u, v) * RegionFeather.At(u, v, ModelSize);
    }

    /// <summary>The mask as a grey image the size of the region at model resolution.</summary>
    public RgbaImage MaskImage()
    {
        var image = new RgbaImage(ModelSize, ModelSize);
        for (int i = 0; i < Mask.Length; i++)
        {
            byte v = (byte)Math.Clamp(MathF.Round(Mask[i] * 255), 0, 255);
            image.Pixels[i * 4] = image.Pixels[i * 4 + 1] = image.Pixels[i * 4 + 2] = v;
            image.Pixels[i * 4 + 3] = 255;
        }
        return image;
    }
}
