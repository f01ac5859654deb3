using NeuralPhotoEdit.Imaging;

namespace NeuralPhotoEdit.Editing;

/// <summary>A before/after sheet: photo, strokes over the photo, result, and the mask — side by side.</summary>
public static class EditSheet
{
    const int PanelWidth = 480;

    public static RgbaImage Build(RgbaImage photo, RgbaImage? strokes, EditOutcome outcome)
    {
        var result = outcome.Edit ?? throw new ArgumentException("The outcome holds no rendered edit.", nameof(outcome));
        var panels = new List<RgbaImage> { Fit(photo) };
        if (strokes is not null) panels.Add(Fit(Overlay(photo, strokes)));
        panels.Add(Fit(outcome.ApplyTo(photo)));
        panels.Add(Fit(MaskOnPhoto(photo, result, outcome.Bounds.X, outcome.Bounds.Y)));
        return ImageGrid.FromImages(panels, panels.Count);
    }

    static RgbaImage Fit(RgbaImage image)
    {
        double scale = Math.Min(1.0, (double)PanelWidth / image.Width);
        int w = Math.Max(1, (int)Math.Round(image.Width * scale)), h = Math.Max(1, (int)Math.Round(image.Height * scale));
        var opaque = image.Clone();
        for (int i = 3; i < opaque.Pixels.Length; i += 4) opaque.Pixels[i] = 255;
        return ImageFiles.Resize(opaque, w, h);
    }

    /// <summary>Strokes composited over the photo by their alpha.</summary>
    public static RgbaImage Overlay(RgbaImage photo, RgbaImage strokes)
    {
        var image = photo.Clone();
        for (int i = 0; i < image.Pixels.Length; i += 4)
        {
            float a = strokes.Pixels[i + 3] / 255f;
            for (int c = 0; c < 3; c++) image.Pixels[i + c] = (byte)MathF.Round(image.Pixels[i + c] * (1 - a) + strokes.Pixels[i + c] * a);
        }
        return image;
    }

    /// <summary>The full-resolution mask as white over a dimmed photo, with the region outlined.</summary>
    static RgbaImage MaskOnPhoto(RgbaImage photo, EditResult result, int originX, int originY)
    {
        var image = photo.Clone();
        var area = result.Area.Bounds with { X = result.Area.Bounds.X + originX, Y = result.Area.Bounds.Y + originY };
        for (int y = 0; y < image.Height; y++)
            for (int x = 0; x < image.Width; x++)
            {
                int o = image.Offset(x, y);
                float m = result.MaskAt(x - originX, y - originY);
                bool edge = area.Contains(x, y) && (x == area.X || x == area.Right - 1 || y == area.Y || y == area.Bottom - 1);
                for (int c = 0; c < 3; c++)
                    image.Pixels[o + c] = edge ? (byte)(c == 0 ? 255 : 64) : (byte)MathF.Round(image.Pixels[o + c] * 0.25f * (1 - m) + 255 * m);
            }
        return image;
    }
}
