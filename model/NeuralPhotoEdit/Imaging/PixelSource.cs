namespace NeuralPhotoEdit.Imaging;

/// <summary>
/// A picture the engine reads by rectangles. The engine asks only for the area it edits (and scans
/// a strokes layer once, band by band), so a front end whose layers are virtualised — Paint.NET's
/// are — never copies a whole 24-megapixel layer on every slider move. An image in memory is one
/// (implicitly).
/// </summary>
public abstract class PixelSource
{
    public abstract int Width { get; }
    public abstract int Height { get; }

    /// <summary>The pixels of <paramref name="rect"/> (inside the picture), as straight-alpha RGBA.</summary>
    public abstract RgbaImage Read(PixelRect rect, CancellationToken cancellation = default);

    public static implicit operator PixelSource(RgbaImage image) => new InMemory(image);

    /// <summary>The whole picture when it is already in memory (read it in place, without copies).</summary>
    internal virtual RgbaImage? InMemoryImage => null;

    sealed class InMemory(RgbaImage image) : PixelSource
    {
        internal override RgbaImage? InMemoryImage => image;
        public override int Width => image.Width;
        public override int Height => image.Height;

        public override RgbaImage Read(PixelRect rect, CancellationToken cancellation = default) =>
            rect == new PixelRect(0, 0, image.Width, image.Height) ? image : image.Crop(rect);
    }
}
