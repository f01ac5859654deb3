using SkiaSharp;

namespace NeuralPhotoEdit.Imaging;

/// <summary>Reading and writing image files with SkiaSharp, with every failure turned into a clear message.</summary>
public static class ImageFiles
{
    /// <summary>The largest image the program decodes: 200 megapixels (800 MB of RGBA). Checked from
    /// the file's header before any pixel is decoded, so a small file that declares a huge image (a
    /// decompression bomb) costs nothing.</summary>
    public const long MaxPixels = 200_000_000;

    /// <summary>Width and height from the file's header, without decoding pixels; checked against
    /// <see cref="MaxPixels"/>.</summary>
    public static (int Width, int Height) ReadSize(string path)
    {
        CheckIsFile(path);
        using var codec = OpenCodec(path);
        return CheckedSize(path, codec.Info);
    }

    static void CheckIsFile(string path)
    {
        if (Directory.Exists(path)) throw new UserInputException($"'{path}' is a folder, not an image file.");
        if (!File.Exists(path)) throw new UserInputException($"Image '{path}' does not exist.");
    }

    static (int Width, int Height) CheckedSize(string path, SKImageInfo info)
    {
        if (info.Width <= 0 || info.Height <= 0) throw new UserInputException($"Image '{path}' has no pixels ({info.Width}×{info.Height}).");
        if ((long)info.Width * info.Height > MaxPixels)
            throw new UserInputException($"Image '{path}' is {info.Width}×{info.Height} ({(double)info.Width * info.Height / 1e6:F0} megapixels), " +
                $"above the {MaxPixels / 1_000_000} megapixels this program edits; scale it down first.");
        return (info.Width, info.Height);
    }

    /// <summary>Decodes PNG, JPEG, WebP, BMP, GIF (first frame) into straight-alpha RGBA, after checking
    /// the size its header declares.</summary>
    public static RgbaImage Load(string path)
    {
        CheckIsFile(path);
        using var codec = OpenCodec(path);
        return Decode(codec, path);
    }

    /// <summary>Like <see cref="Load"/>, for a file's bytes (an upload); <paramref name="name"/> names it in messages.</summary>
    public static RgbaImage Decode(byte[] file, string name)
    {
        using var data = SKData.CreateCopy(file);
        using var codec = SKCodec.Create(data)
            ?? throw new UserInputException($"'{name}' is not an image this program can read (PNG, JPEG, WebP, BMP or GIF).");
        return Decode(codec, name);
    }

    /// <summary>Like <see cref="ReadSize"/>, for a file's bytes.</summary>
    public static (int Width, int Height) ReadSize(byte[] file, string name)
    {
        using var data = SKData.CreateCopy(file);
        using var codec = SKCodec.Create(data)
            ?? throw new UserInputException($"'{name}' is not an image this program can read (PNG, JPEG, WebP, BMP or GIF).");
        return CheckedSize(name, codec.Info);
    }

    static RgbaImage Decode(SKCodec codec, string path)
    {
        var info = codec.Info;
        CheckedSize(path, info);

        var image = new RgbaImage(info.Width, info.Height);
        var target = new SKImageInfo(info.Width, info.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        unsafe
        {
            fixed (byte* pixels = image.Pixels)
            {
                var result = codec.GetPixels(target, (IntPtr)pixels);
                if (result is not (SKCodecResult.Success or SKCodecResult.IncompleteInput))
                    throw new UserInputException(result switch
                    {
                        SKCodecResult.ErrorInInput or SKCodecResult.InvalidInput =>
                            $"Image '{path}' is damaged: its image data cannot be decoded. Open and save it again in an image editor, or use " +
                                $"another copy.",
                        SKCodecResult.Unimplemented or SKCodecResult.InvalidConversion =>
                            $"Image '{path}' uses a kind of {Path.GetExtension(path).TrimStart('.').ToUpperInvariant()} this program cannot " +
                                $"decode; save it again as an ordinary PNG or JPEG.",
                        _ => $"Image '{path}' could not be decoded; save it again as PNG or JPEG.",
                    });
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

    /// <summary>
    /// Checks, before any work, that an image can be written at <paramref name="path"/>: a known
    /// extension, not a folder, and an existing folder to put it in. <paramref name="what"/> names
    /// the path in messages (an option name, or "output").
    /// </summary>
    public static void CheckWritable(string path, string what)
    {
        if (string.IsNullOrWhiteSpace(path)) throw new UserInputException($"{what} is empty: give the image file to write (.png, .jpg or .webp).");
        if (Directory.Exists(path) || path.EndsWith('/') || path.EndsWith('\\'))
            throw new UserInputException($"{what} '{path}' is a folder: give a file name such as '{Path.Combine(path, "edited.png")}'.");
        if (FormatOf(path) is null)
            throw new UserInputException($"{what} '{path}' has an unknown image type '{Path.GetExtension(path)}': use .png, .jpg or .webp.");
        string folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        if (!Directory.Exists(folder)) throw new UserInputException($"{what} '{path}': the folder '{folder}' does not exist.");
        CheckFolderWritable(folder, path, what);
    }

    /// <summary>Creates and removes a probe file in <paramref name="folder"/>, so a folder nothing can be
    /// written to is found before any work, not after it.</summary>
    public static void CheckFolderWritable(string folder, string path, string what)
    {
        string probe = Path.Combine(folder, $".npe-probe-{Guid.NewGuid():N}.tmp");
        try
        {
            using (File.Create(probe, 1, FileOptions.DeleteOnClose)) { }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UserInputException($"{what} '{path}': nothing can be written in the folder '{folder}'; choose another place.");
        }
        finally { if (File.Exists(probe)) File.Delete(probe); }
    }

    static SKEncodedImageFormat? FormatOf(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".png" => SKEncodedImageFormat.Png,
        ".jpg" or ".jpeg" => SKEncodedImageFormat.Jpeg,
        ".webp" => SKEncodedImageFormat.Webp,
        _ => null,
    };

    /// <summary>Encodes by extension (.png, .jpg/.jpeg, .webp); writes to a temporary file first so a
    /// failed write never leaves a broken file behind.</summary>
    public static void Save(RgbaImage image, string path, int quality = 95)
    {
        var format = FormatOf(path)
            ?? throw new UserInputException($"Can't write '{path}': unknown image type '{Path.GetExtension(path)}' (use .png, .jpg or .webp).");
        using var bitmap = ToBitmap(image);
        using var data = bitmap.Encode(format, quality) ?? throw new IOException($"Encoding '{path}' failed.");
        AtomicFile.Write(path, data.SaveTo);
    }

    /// <summary>The image as PNG file bytes (for a download).</summary>
    public static byte[] EncodePng(RgbaImage image)
    {
        using var bitmap = ToBitmap(image);
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100) ?? throw new IOException("Encoding the PNG failed.");
        return data.ToArray();
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
