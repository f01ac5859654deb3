namespace NeuralPhotoEdit.Imaging;

/// <summary>
/// An 8-bit RGBA image with straight (not premultiplied) alpha, rows top to bottom. The engine's
/// only image type: front ends convert to and from it (Paint.NET's BGRA, files via SkiaSharp).
/// </summary>
public sealed class RgbaImage
{
    public RgbaImage(int width, int height, byte[]? pixels = null)
    {
        if (width <= 0 || height <= 0) throw new UserInputException($"An image must be at least 1×1 pixels (got {width}×{height}).");
        long bytes = (long)width * height * 4;
        if (bytes > Array.MaxLength) throw new UserInputException($"A {width}×{height} image is too large to hold in memory.");
        if (pixels is not null && pixels.Length != bytes)
            throw new ArgumentException($"Expected {bytes} bytes of RGBA pixels for {width}×{height}, got {pixels.Length}.");
        Width = width;
        Height = height;
        Pixels = pixels ?? new byte[bytes];
    }

    public int Width { get; }
    public int Height { get; }
    /// <summary>R, G, B, A bytes per pixel, row-major.</summary>
    public byte[] Pixels { get; }

    public int Offset(int x, int y) => (y * Width + x) * 4;

    public RgbaImage Clone() => Clone(CancellationToken.None);

    /// <summary>A copy made in 4 MB pieces, checking <paramref name="cancellation"/> between them: a
    /// 24-megapixel photo is 96 MB, whose copy alone can take over 100 ms.</summary>
    public RgbaImage Clone(CancellationToken cancellation)
    {
        const int Piece = 4 << 20;
        var copy = GC.AllocateUninitializedArray<byte>(Pixels.Length);
        for (int start = 0; start < Pixels.Length; start += Piece)
        {
            cancellation.ThrowIfCancellationRequested();
            Buffer.BlockCopy(Pixels, start, copy, start, Math.Min(Piece, Pixels.Length - start));
        }
        return new RgbaImage(Width, Height, copy);
    }

    /// <summary>Copies a rectangle (which must lie inside the image) into a new image.</summary>
    public RgbaImage Crop(PixelRect rect)
    {
        var crop = new RgbaImage(rect.Width, rect.Height);
        for (int y = 0; y < rect.Height; y++)
            Buffer.BlockCopy(Pixels, Offset(rect.X, rect.Y + y), crop.Pixels, y * rect.Width * 4, rect.Width * 4);
        return crop;
    }
}

/// <summary>An integer pixel rectangle.</summary>
public readonly record struct PixelRect(int X, int Y, int Width, int Height)
{
    public int Right => X + Width;
    public int Bottom => Y + Height;
    public bool IsEmpty => Width <= 0 || Height <= 0;
    public bool Contains(int x, int y) => x >= X && x < Right && y >= Y && y < Bottom;

    /// <summary>The smallest rectangle holding both.</summary>
    public PixelRect Union(PixelRect other)
    {
        int x = Math.Min(X, other.X), y = Math.Min(Y, other.Y);
        return new PixelRect(x, y, Math.Max(Right, other.Right) - x, Math.Max(Bottom, other.Bottom) - y);
    }

    public PixelRect Intersect(PixelRect other)
    {
        int x = Math.Max(X, other.X), y = Math.Max(Y, other.Y);
        int right = Math.Min(Right, other.Right), bottom = Math.Min(Bottom, other.Bottom);
        return right <= x || bottom <= y ? default : new PixelRect(x, y, right - x, bottom - y);
    }

    public override string ToString() => $"{X},{Y},{Width},{Height}";
}
