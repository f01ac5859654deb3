using NeuralPhotoEdit.Imaging;
using PaintDotNet.Effects;
using PaintDotNet.Rendering;

namespace NeuralPhotoEdit.Plugin;

/// <summary>
/// The user's selection by its real shape (Paint.NET's render scans), not its bounding box: an ellipse or a
/// lasso whose bounds touch the image's four edges is still a selection. The edit's area is kept inside the
/// selection's bounds, strokes outside its shape are ignored, and Paint.NET clips the result to the shape.
/// </summary>
sealed class SelectionShape
{
    readonly PixelRect[] _scans;

    public SelectionShape(IEffectSelectionInfo selection, SizeInt32 image)
    {
        var imageRect = new PixelRect(0, 0, image.Width, image.Height);
        _scans = selection.RenderScans.Select(s => new PixelRect(s.X, s.Y, s.Width, s.Height).Intersect(imageRect))
                                      .Where(s => !s.IsEmpty).ToArray();
        var bounds = selection.RenderBounds;
        Bounds = new PixelRect(bounds.X, bounds.Y, bounds.Width, bounds.Height).Intersect(imageRect);
        // Scans don't overlap, so their areas add up to the selection's.
        IsWholeImage = _scans.Sum(s => (long)s.Width * s.Height) == (long)image.Width * image.Height;
    }

    public PixelRect Bounds { get; }
    /// <summary>True when nothing is selected (Paint.NET then selects the whole image).</summary>
    public bool IsWholeImage { get; }
    /// <summary>True when the shape is its bounding box, so nothing inside the bounds needs masking.</summary>
    bool IsRectangle => _scans.Sum(s => (long)s.Width * s.Height) == (long)Bounds.Width * Bounds.Height;

    /// <summary>The strokes as the selection lets them act: transparent outside the shape.</summary>
    public PixelSource Strokes(PixelSource strokes) => IsRectangle ? strokes : new Masked(strokes, _scans);

    /// <summary>A source whose pixels outside the scans read as transparent.</summary>
    sealed class Masked(PixelSource inner, PixelRect[] scans) : PixelSource
    {
        public override int Width => inner.Width;
        public override int Height => inner.Height;

        public override RgbaImage Read(PixelRect rect, CancellationToken cancellation = default)
        {
            var pixels = inner.Read(rect, cancellation);
            var masked = new RgbaImage(rect.Width, rect.Height);
            foreach (var scan in scans)
            {
                var keep = scan.Intersect(rect);
                if (keep.IsEmpty) continue;
                for (int y = keep.Y; y < keep.Y + keep.Height; y++)
                {
                    int offset = pixels.Offset(keep.X - rect.X, y - rect.Y);
                    pixels.Pixels.AsSpan(offset, keep.Width * 4).CopyTo(masked.Pixels.AsSpan(offset));
                }
            }
            return masked;
        }
    }
}
