using static TorchSharp.torch;

namespace NeuralPhotoEdit.Imaging;

/// <summary>Conversions between 8-bit RGBA images and the network's 3×H×W tensors in [−1, 1].</summary>
public static class ImageTensors
{
    /// <summary>RGB as a 1×3×H×W float tensor in [−1, 1] (x/127.5 − 1); alpha is ignored.</summary>
    public static Tensor ToTensor(RgbaImage image, Device? device = null)
    {
        int plane = image.Width * image.Height;
        var values = new float[3 * plane];
        var pixels = image.Pixels;
        for (int i = 0; i < plane; i++)
        {
            values[i] = pixels[i * 4] / 127.5f - 1;
            values[plane + i] = pixels[i * 4 + 1] / 127.5f - 1;
            values[2 * plane + i] = pixels[i * 4 + 2] / 127.5f - 1;
        }
        return tensor(values, [1, 3, image.Height, image.Width], device: device);
    }

    /// <summary>Float RGB planes (3×H×W, [−1, 1]) of one image, copied off the device.</summary>
    public static float[] ToPlanes(Tensor image)
    {
        using var scope = NewDisposeScope();   // keeps the chain's temporaries referenced (see Scalars)
        return image.detach().cpu().contiguous().to(ScalarType.Float32).data<float>().ToArray();
    }

    /// <summary>A 3×H×W (or 1×3×H×W) tensor in [−1, 1] to an opaque RGBA image (rounded, clamped).</summary>
    public static RgbaImage ToImage(Tensor image)
    {
        long height = image.shape[^2], width = image.shape[^1];
        var planes = ToPlanes(image);
        var result = new RgbaImage((int)width, (int)height);
        int plane = (int)(width * height);
        for (int i = 0; i < plane; i++)
        {
            result.Pixels[i * 4] = ToByte(planes[i]);
            result.Pixels[i * 4 + 1] = ToByte(planes[plane + i]);
            result.Pixels[i * 4 + 2] = ToByte(planes[2 * plane + i]);
            result.Pixels[i * 4 + 3] = 255;
        }
        return result;
    }

    public static byte ToByte(float value) => (byte)Math.Clamp(MathF.Round((value + 1) * 127.5f), 0, 255);
}
