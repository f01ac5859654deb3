using NeuralPhotoEdit.Editing;
using NeuralPhotoEdit.Evaluation;
using NeuralPhotoEdit.Imaging;
using Xunit.Abstractions;

namespace NeuralPhotoEdit.Tests;

/// <summary>
/// Context (<see cref="EditSettings.Context"/>): the photo follows an edit. A sky painted over changes
/// the land below it with the model's whole change at context 1 and not at all at 0; a scribble stays
/// local; the scene's change has no seams where the local windows meet. Through the engine's entry point,
/// on the demo photo (720×360) with the evaluation's strokes across its sky.
/// </summary>
public class ContextTests : IClassFixture<EditingTests.Shared>
{
    readonly ITestOutputHelper _output;
    public ContextTests(EditingTests.Shared shared, ITestOutputHelper output) => _output = output;

    static readonly RgbaImage Photo = ImageFiles.Load(Path.Combine(TestSupport.DemoFolder, "valley.jpg"));

    static TestStroke Stroke(string kind) => TestStrokes.For(Photo, seed: 0).Single(s => s.Kind == kind);

    static EditOutcome Edit(RgbaImage strokes, EditSettings settings, PixelRect? limit = null)
    {
        using var service = new EditService();
        var outcome = service.Run(new EditRequest { Photo = Photo, Strokes = strokes, Settings = settings, Selection = limit, Device = "cpu" });
        Assert.Null(outcome.Problem);
        return outcome;
    }

    [Theory]
    [InlineData(TestStrokes.Sunset)]
    [InlineData(TestStrokes.Storm)]
    public void APaintedSkyChangesTheLandBelowAtContextOneAndNotAtZero(string kind)
    {
        var stroke = Stroke(kind);
        var local = Edit(stroke.Layer, new EditSettings { Context = 0 });
        var context = Edit(stroke.Layer, new EditSettings { Context = 1 });
        var localImage = local.ApplyTo(Photo);
        var contextImage = context.ApplyTo(Photo);

        // Context 0: the local edit; nothing outside its area changes, bit for bit.
        for (int y = 0; y < Photo.Height; y++)
            for (int x = 0; x < Photo.Width; x++)
                if (!local.Bounds.Contains(x, y))
                    Assert.True(SamePixel(Photo, localImage, x, y), $"({x}, {y}) is outside the local edit's area and changed");
        Assert.True(local.Bounds.Bottom < Photo.Height * EditMetrics.LandFrom, "the local area must leave the land below it");

        double followsLocally = EditMetrics.Follow(Photo, localImage, stroke.Layer, stroke.Follow);
        double follows = EditMetrics.Follow(Photo, contextImage, stroke.Layer, stroke.Follow);
        _output.WriteLine($"{kind}: follow {follows:F3} at context 1, {followsLocally:F3} at 0");
        Assert.Equal(0, followsLocally);
        Assert.True(follows >= 0.1, $"the land followed the sky by {follows:F3} at context 1");
        // And the sky itself still takes the strokes' colour.
        Assert.True(EditMetrics.Score(Photo, contextImage, stroke.Layer).Fidelity >= 0.7);
    }

    /// <summary>Every blend carries the scene's change: the land below a painted sky changes at context 1
    /// with the detail and paper blends too (the scene's change is then upsampled on the scene's grid).</summary>
    [Theory]
    [InlineData(BlendMode.Detail)]
    [InlineData(BlendMode.Paper)]
    public void EveryBlendCarriesTheScenesChange(BlendMode blend)
    {
        var stroke = Stroke(TestStrokes.Sunset);
        var image = Edit(stroke.Layer, new EditSettings { Context = 1, Blend = blend }).ApplyTo(Photo);
        double follows = EditMetrics.Follow(Photo, image, stroke.Layer, stroke.Follow);
        _output.WriteLine($"{blend}: follow {follows:F3}");
        Assert.True(follows >= 0.1, $"with the {blend} blend the land followed the sky by {follows:F3}");
    }

    /// <summary>A scribble repaints a few hundredths of the photo: the scene does not follow it (the
    /// model's whole change for a red spot would tint the whole photo red).</summary>
    [Fact]
    public void AScribbleStaysLocalAtContextOne()
    {
        var strokes = NaturalEditTests.Stroke(Photo.Width, Photo.Height, new PixelRect(470, 280, 40, 24), (220, 40, 40));
        var outcome = Edit(strokes, new EditSettings { Context = 1 });
        var image = outcome.ApplyTo(Photo);
        var area = WorkArea.AroundStrokes(StrokesScan.BoundsOf(strokes)!.Value, Photo.Width, Photo.Height).Bounds;
        double far = 0;
        int count = 0;
        for (int y = 0; y < Photo.Height; y++)
            for (int x = 0; x < Photo.Width; x++)
                if (!area.Contains(x, y)) { far += MeanChange(Photo, image, x, y); count++; }
        _output.WriteLine($"mean change outside the scribble's area: {far / count:F3}/255 over {count} pixels");
        Assert.True(count > 0 && far / count < 0.5, $"outside the scribble's area the photo changed by {far / count:F2}/255 on average");
    }

    /// <summary>
    /// No seam: on a wide sky (1 200×400, blue on the left turning grey on the right), the change along a row is no steeper where
    /// windows meet than inside them. The same measure finds the seams of the paper's editor run over the
    /// whole photo in windows that move independently (the way the whole change was reached before the
    /// scene).
    /// </summary>
    [Fact]
    public void TheSceneChangeHasNoSeamWhereWindowsMeet()
    {
        var photo = SkyFromBlueToGrey(1200, 400, horizon: 260);
        var strokes = NaturalEditTests.Stroke(1200, 400, new PixelRect(100, 50, 1000, 30), (250, 130, 40));
        var whole = new PixelRect(0, 0, photo.Width, photo.Height);
        EditOutcome Run(EditSettings settings, PixelRect? limit)
        {
            using var service = new EditService();
            var outcome = service.Run(new EditRequest { Photo = photo, Strokes = strokes, Settings = settings, Selection = limit, Device = "cpu" });
            Assert.Null(outcome.Problem);
            return outcome;
        }
        var withContext = Run(new EditSettings { Context = 1 }, null);
        var independent = Run(new EditSettings
        {
            Context = 0, Mask = MaskMode.Paper, Blend = BlendMode.Detail, MaskGain = 1, ColourMatch = 0, Smoothing = 0,
        }, whole);
        // Where either edit's windows meet: the whole photo's (independent) and the local area's (context).
        var bounds = StrokesScan.BoundsOf(strokes);
        var windows = WorkArea.Choose(photo.Width, photo.Height, whole, bounds).Windows
            .Concat(WorkArea.Choose(photo.Width, photo.Height, null, bounds).Windows).ToList();
        Assert.True(windows.Count > 2, "the photo must be covered by several windows");
        var seam = Bending(photo, withContext.ApplyTo(photo), windows, 260);
        var before = Bending(photo, independent.ApplyTo(photo), windows, 260);
        _output.WriteLine($"bending where windows meet / inside them: {seam.Near:F3} / {seam.Inside:F3} with context, "
                          + $"{before.Near:F3} / {before.Inside:F3} with independent windows");
        Assert.True(before.Near > 1.3 * before.Inside, "the measure must see the independent windows' seams");
        Assert.True(seam.Near <= 1.2 * seam.Inside + 0.01, $"the change bends by {seam.Near:F3} where the windows meet, {seam.Inside:F3} inside " +
            $"them");
    }

    /// <summary>
    /// How the change along a row bends where windows meet, and inside them: the row-averaged change's
    /// second difference over 10 px (|p(x − 10) − 2p(x) + p(x + 10)|, levels of 255), averaged over the
    /// columns two windows of one set cover (where their weights cross) and over the rest. Averaging
    /// over the sky's rows first cancels the photo's noise; what is left is the change's shape: a seam
    /// is a bend where two windows' different changes are blended.
    /// </summary>
    static (double Near, double Inside) Bending(RgbaImage photo, RgbaImage result, IReadOnlyList<PixelRect> windows, int skyRows)
    {
        const int span = 10;
        var profile = new double[photo.Width];
        for (int x = 0; x < photo.Width; x++)
            for (int y = 0; y < skyRows; y++) profile[x] += SignedChange(photo, result, x, y) / skyRows;
        double near = 0, inside = 0;
        int nearCount = 0, insideCount = 0;
        for (int x = span; x + span < photo.Width; x++)
        {
            double bend = Math.Abs(profile[x - span] - 2 * profile[x] + profile[x + span]);
            bool shared = windows.GroupBy(w => w.Width).Any(set => set.Count(w => x >= w.X && x < w.Right) > 1);
            if (shared) { near += bend; nearCount++; }
            else { inside += bend; insideCount++; }
        }
        return (near / nearCount, inside / insideCount);
    }

    /// <summary>A sky that turns from blue to grey from left to right over dark green land, with mild noise:
    /// windows along it see different skies, so windows that move independently change it differently.</summary>
    static RgbaImage SkyFromBlueToGrey(int width, int height, int horizon)
    {
        var random = new Random(1);
        var image = new RgbaImage(width, height);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                double t = (double)x / (width - 1);
                int o = image.Offset(x, y), noise = random.Next(-3, 4);
                (double r, double g, double b) = y < horizon ? (110 + 90 * t, 150 + 50 * t, 215 - 15 * t) : (50, 80, 40);
                image.Pixels[o] = (byte)(r + noise); image.Pixels[o + 1] = (byte)(g + noise); image.Pixels[o + 2] = (byte)(b + noise);
                image.Pixels[o + 3] = 255;
            }
        return image;
    }

    static bool SamePixel(RgbaImage a, RgbaImage b, int x, int y)
    {
        int o = a.Offset(x, y);
        return a.Pixels[o] == b.Pixels[o] && a.Pixels[o + 1] == b.Pixels[o + 1] && a.Pixels[o + 2] == b.Pixels[o + 2];
    }

    static double MeanChange(RgbaImage a, RgbaImage b, int x, int y)
    {
        int o = a.Offset(x, y);
        return (Math.Abs(a.Pixels[o] - b.Pixels[o]) + Math.Abs(a.Pixels[o + 1] - b.Pixels[o + 1])
            + Math.Abs(a.Pixels[o + 2] - b.Pixels[o + 2])) / 3.0;
    }

    static double SignedChange(RgbaImage a, RgbaImage b, int x, int y)
    {
        int o = a.Offset(x, y);
        return (b.Pixels[o] - a.Pixels[o] + b.Pixels[o + 1] - a.Pixels[o + 1] + b.Pixels[o + 2] - a.Pixels[o + 2]) / 3.0;
    }
}
