using NeuralPhotoEdit.Imaging;

namespace NeuralPhotoEdit.Tests.Shared;

/// <summary>Measures of pictures that tests of several assemblies compare (linked into each test project).</summary>
static class ImageMeasures
{
    /// <summary>The mean of the red, green and blue values (0–255) over <paramref name="rect"/>.</summary>
    public static double Brightness(RgbaImage image, PixelRect rect)
    {
        double sum = 0;
        for (int y = rect.Y; y < rect.Bottom; y++)
            for (int x = rect.X; x < rect.Right; x++)
                for (int c = 0; c < 3; c++) sum += image.Pixels[image.Offset(x, y) + c];
        return sum / (3.0 * rect.Width * rect.Height);
    }
}
