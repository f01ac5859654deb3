using SkiaSharp;

namespace NeuralPhotoEdit.Imaging;

/// <summary>Reading and writing image files with SkiaSharp, with every failure turned into a clear message.</summary>
public static class ImageFiles
{
    /// <summary>Decodes PNG, JPEG, WebP, BMP, GIF (first frame) into straight-alpha RGBA.</summary>
    public static RgbaImage Load(string path)
    {
        if (!File.Exists(path)) throw new UserInputException($"Image '{path}' does not exist.");
        using var codec = OpenCodec(path);
        var info = codec.Info;
        if (info.Width <= 0 || info.Height <= 0) throw new UserInputException($"Image '{path}' has no pixels ({info.Width}×{info.Height}).");
        if ((long)info.Width * info.Height * 4 > Array.MaxLength)
            throw new UserInputException($"Image '{path}' ({info.Width}×{info.Height}) is too large to hold in memory.");

        var image = new RgbaImage(info.Width, info.Height);
        var target = new SKImageInfo(info.Width, info.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        unsafe
        {
            fixed (byte* pixels = image.Pixels)
            {
                var result = codec.GetPixels(target, (IntPtr)pixels);
                if (result is not (SKCodecResult.Success or SKCodecResult.IncompleteInput))
                    throw new UserInputException($"Image '{path}' could not be decoded ({result}).");
                if (result == SKCodecResult.IncompleteInput)
                    throw new UserInputException($"Image '{path}' is truncated (incomplete image data).");
            }
        }
        return image;
    }

    static SKCodec OpenCodec(string path)
    {
        SKCodec? codec;
        try { codec = SKCodec.Create(path, out var result); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UserInputException($"Image '{path}' cannot be read: {e.Message}");
        }
        return codec ?? throw new UserInputException($"'{path}' is not an image this program can read (PNG, JPEG, WebP, BMP or GIF).");
    }

    /// <summary>Encodes by extension (.png, .jpg/.jpeg, .webp); writes to a temporary file first so a
    /// failed write never leaves a broken file behind.</summary>
    public static void Save(RgbaImage image, string path, int quality = 95)
    {
        var format = Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".png" => SKEncodedImageFormat.Png,
            ".jpg" or ".jpeg" => SKEncodedImageFormat.Jpeg,
            ".webp" => SKEncodedImageFormat.Webp,
            var other => throw new UserInputException($"Can't write '{path}': unknown image type '{other}' (use .png, .jpg or .webp)."),
        };
        using var bitmap = ToBitmap(image);
        using var data = bitmap.Encode(format, quality) ?? throw new IOException($"Encoding '{path}' failed.");
        string full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        string temporary = full + ".tmp";
        using (var stream = File.Create(temporary)) data.SaveTo(stream);
        File.Move(temporary, full, overwrite: true);
    }

    internal static SKBitmap ToBitmap(RgbaImage image)
    {
        var bitmap = new SKBitmap(new SKImageInfo(image.Width, image.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        System.Runtime.InteropServices.Marshal.Copy(image.Pixels, 0, bitmap.GetPixels(), image.Pixels.Length);
        return bitmap;
    }

    /// <summary>Resamples with a high-quality filter (Mitchell cubic, area-averaging mip-maps when
    /// shrinking) — the antialiasing a downscale needs.</summary>
    public static RgbaImage Resize(RgbaImage image, int width, int height)
    {
        if (width == image.Width && height == image.Height) return image.Clone();
        using var source = ToBitmap(image);
        using var sourceImage = SKImage.FromBitmap(source);
        var info = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        using var target = new SKBitmap(info);
        bool shrinking = width < image.Width || height < image.Height;
        var sampling = shrinking
            ? new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear)
            : new SKSamplingOptions(SKCubicResampler.Mitchell);
        if (!sourceImage.ScalePixels(target.PeekPixels(), sampling))
            throw new InvalidOperationException("Resampling failed.");
        var result = new RgbaImage(width, height);
        System.Runtime.InteropServices.Marshal.Copy(target.GetPixels(), result.Pixels, 0, result.Pixels.Length);
        return result;
    }
}
