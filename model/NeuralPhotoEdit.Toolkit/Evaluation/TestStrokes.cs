using NeuralPhotoEdit.Imaging;

namespace NeuralPhotoEdit.Evaluation;

/// <summary>One set of strokes drawn for an evaluation edit: the layer, its single colour, what kind it is
/// and what it asks of the land below (<see cref="FollowKind"/>, for strokes across the sky).</summary>
public sealed record TestStroke(string Kind, RgbaImage Layer, (byte R, byte G, byte B) Colour, FollowKind Follow = FollowKind.None);

/// <summary>
/// Brush-like strokes drawn the way a user would on a photo (seeded: same seed, same strokes):
/// a scribble in a colour taken from elsewhere in the same photo, a scribble in a bold colour, one
/// wide stroke across most of the photo's width near its top, and two strokes across the sky that ask
/// the whole scene to follow: a warm sunset orange and a dark storm grey (<see cref="SkyKinds"/>).
/// Round brush, anti-aliased edge.
/// </summary>
public static class TestStrokes
{
    static readonly (byte, byte, byte)[] BoldColours = [(30, 90, 230), (220, 40, 40), (40, 180, 60), (240, 200, 30), (200, 50, 200)];
    public const string Sunset = "sunset across the sky", Storm = "storm across the sky";
    /// <summary>The kinds whose consequences reach the whole scene (scored with follow).</summary>
    public static readonly IReadOnlyList<string> SkyKinds = [Sunset, Storm];
    static readonly (byte, byte, byte) SunsetColour = (250, 130, 40), StormColour = (45, 50, 65);

    public static IReadOnlyList<TestStroke> For(RgbaImage photo, int seed)
    {
        var random = new Random(seed);
        int w = photo.Width, h = photo.Height, shortSide = Math.Min(w, h);
        double brush = Math.Max(3, shortSide / 40.0);

        // The photo's own colour, from a spot far from the scribble.
        var (sx, sy) = (random.Next(w / 5, w * 4 / 5), random.Next(h / 4, h * 3 / 4));
        var (cx, cy) = ((sx + w / 2) % w, (sy + h / 2) % h);
        var own = MeanColour(photo, cx, cy, (int)brush * 2);
        var scribbleOwn = Scribble(random, sx, sy, shortSide / 5.0);

        var (bx, by) = (random.Next(w / 5, w * 4 / 5), random.Next(h / 4, h * 3 / 4));
        var bold = BoldColours[random.Next(BoldColours.Length)];
        var scribbleBold = Scribble(random, bx, by, shortSide / 5.0);

        var wideColour = BoldColours[random.Next(BoldColours.Length)];
        var wide = new List<(double, double)>();
        double top = h * 0.12, amplitude = h * 0.02;
        for (int i = 0; i <= 40; i++)
            wide.Add((w * (0.08 + 0.84 * i / 40.0), top + amplitude * Math.Sin(i * 0.5)));

        return
        [
            new("scribble, photo's colour", Draw(w, h, scribbleOwn, brush, own), own),
            new("scribble, bold colour", Draw(w, h, scribbleBold, brush, bold), bold),
            new("wide stroke near the top", Draw(w, h, wide, brush * 1.5, wideColour), wideColour),
            new(Sunset, Draw(w, h, wide, brush * 1.5, SunsetColour), SunsetColour, FollowKind.Warm),
            new(Storm, Draw(w, h, wide, brush * 1.5, StormColour), StormColour, FollowKind.Dark),
        ];
    }

    /// <summary>A zig-zag of a few random segments around a centre, like a quick fill-in scribble.</summary>
    static List<(double, double)> Scribble(Random random, double x, double y, double size)
    {
        var points = new List<(double, double)>();
        int turns = 5;
        for (int i = 0; i <= turns; i++)
        {
            double along = (i / (double)turns - 0.5) * size;
            double across = (i % 2 == 0 ? -0.3 : 0.3) * size + (random.NextDouble() - 0.5) * 0.2 * size;
            points.Add((x + along, y + across));
        }
        return points;
    }

    static (byte, byte, byte) MeanColour(RgbaImage photo, int x, int y, int radius)
    {
        double r = 0, g = 0, b = 0;
        int count = 0;
        for (int yy = Math.Max(0, y - radius); yy < Math.Min(photo.Height, y + radius); yy++)
            for (int xx = Math.Max(0, x - radius); xx < Math.Min(photo.Width, x + radius); xx++)
            {
                int o = photo.Offset(xx, yy);
                r += photo.Pixels[o]; g += photo.Pixels[o + 1]; b += photo.Pixels[o + 2]; count++;
            }
        return ((byte)(r / count), (byte)(g / count), (byte)(b / count));
    }

    /// <summary>A polyline with a round brush of the given radius; alpha falls off over the last pixel.</summary>
    static RgbaImage Draw(int width, int height, List<(double X, double Y)> points, double radius, (byte R, byte G, byte B) colour)
    {
        var layer = new RgbaImage(width, height);
        for (int i = 0; i + 1 < points.Count; i++)
        {
            var (x0, y0) = points[i];
            var (x1, y1) = points[i + 1];
            int minX = (int)Math.Max(0, Math.Min(x0, x1) - radius - 1), maxX = (int)Math.Min(width - 1, Math.Max(x0, x1) + radius + 1);
            int minY = (int)Math.Max(0, Math.Min(y0, y1) - radius - 1), maxY = (int)Math.Min(height - 1, Math.Max(y0, y1) + radius + 1);
            double dx = x1 - x0, dy = y1 - y0, lengthSquared = Math.Max(1e-9, dx * dx + dy * dy);
            for (int y = minY; y <= maxY; y++)
                for (int x = minX; x <= maxX; x++)
                {
                    double t = Math.Clamp(((x + 0.5 - x0) * dx + (y + 0.5 - y0) * dy) / lengthSquared, 0, 1);
                    double ex = x + 0.5 - (x0 + t * dx), ey = y + 0.5 - (y0 + t * dy);
                    double alpha = Math.Clamp(radius + 0.5 - Math.Sqrt(ex * ex + ey * ey), 0, 1);
                    int o = layer.Offset(x, y);
                    byte a = (byte)Math.Round(alpha * 255);
                    if (a <= layer.Pixels[o + 3]) continue;
                    (layer.Pixels[o], layer.Pixels[o + 1], layer.Pixels[o + 2], layer.Pixels[o + 3]) = (colour.R, colour.G, colour.B, a);
                }
        }
        return layer;
    }
}
