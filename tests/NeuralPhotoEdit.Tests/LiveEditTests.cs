using System.Collections.Concurrent;
using NeuralPhotoEdit.Editing;
using NeuralPhotoEdit.Imaging;
using static NeuralPhotoEdit.Tests.Shared.ImageMeasures;

namespace NeuralPhotoEdit.Tests;

/// <summary>The engine's live loop (<see cref="LiveEdit"/>, <see cref="EditService.Preview"/>) and the
/// latent tools behind <see cref="EditService"/>: what the studio (and any front end) paints with.</summary>
public class LiveEditTests
{
    static RgbaImage Demo(string name) => ImageFiles.Load(Path.Combine(TestSupport.DemoFolder, name));

    /// <summary>A preview is the changed bounds at preview size, moving toward the strokes frame by frame
    /// while the codes are kept (not started again from the photo's code each frame), and settling there:
    /// frames that go on with one descent halve its step after an overshoot, as one call's steps do.</summary>
    [Fact]
    public void PreviewsMoveTowardTheStrokesFrameByFrame()
    {
        var photo = Demo("valley.jpg");
        var strokes = Demo("valley-strokes.png");
        using var service = new EditService();
        var request = new EditRequest { Photo = photo, Strokes = strokes, Device = "cpu" };
        var first = service.Preview(request, steps: 1, side: 200);
        Assert.Null(first.Problem);
        Assert.True(first.Encoded);
        Assert.Equal(200, Math.Max(first.Frame!.Width, first.Frame.Height));
        Assert.Equal(new PixelRect(0, 0, photo.Width, photo.Height), first.Bounds);   // the scene: the whole photo
        var distances = new List<double> { DistanceToStrokes(first.Frame, photo, strokes, first.Bounds) };
        for (int frame = 1; frame < 20; frame++)
        {
            var next = service.Preview(request, steps: 1, side: 200, continueDescent: true);
            Assert.False(next.Encoded);   // the area is kept while the strokes stay inside it
            distances.Add(DistanceToStrokes(next.Frame!, photo, strokes, next.Bounds));
        }
        string all = string.Join(" ", distances.Select(d => d.ToString("F4")));
        Assert.True(distances[^1] < distances[0] - 0.01, all);
        // Settling: the last frames move little (measured: a mean 0.004 frame to frame; starting a new
        // descent each frame, they jump back and forth across the strokes' colours by 0.018).
        double jitter = Enumerable.Range(distances.Count - 4, 3).Average(i => Math.Abs(distances[i + 1] - distances[i]));
        Assert.True(jitter < 0.008, $"jitter {jitter:F4}: {all}");
    }

    /// <summary>The live loop shows frames while strokes arrive, never two of the same input queued behind a
    /// slow front end, and finishing gives exactly <see cref="EditService.Run"/>'s result.</summary>
    [Fact]
    public async Task TheLoopShowsFramesAndFinishesWithTheBatchResult()
    {
        var photo = Demo("valley.jpg");
        var strokes = Demo("valley-strokes.png");
        var shown = new ConcurrentQueue<(EditRequest Request, EditPreview Preview)>();
        int showing = 0, overlapped = 0;
        using var service = new EditService();
        using var live = new LiveEdit(service, async (request, preview) =>
        {
            if (Interlocked.Increment(ref showing) > 1) Interlocked.Increment(ref overlapped);
            shown.Enqueue((request, preview));
            await Task.Delay(30);   // a slow page
            Interlocked.Decrement(ref showing);
        });
        var request = new EditRequest { Photo = photo, Strokes = strokes, Device = "cpu", Settings = new EditSettings { Steps = 6 } };
        live.Update(request);
        for (int i = 0; i < 600 && shown.Count < 6; i++) await Task.Delay(20);
        await Task.Delay(200);
        Assert.Equal(6, shown.Count);   // Steps steps since the last input, one per frame, then it rests
        Assert.Equal(0, overlapped);
        Assert.All(shown, frame => Assert.Null(frame.Preview.Problem));

        var finished = await live.FinishAsync(request);
        using var batch = new EditService();
        var expected = batch.Run(request);
        Assert.Equal(expected.ApplyTo(photo).Pixels, finished.ApplyTo(photo).Pixels);
    }

    /// <summary>Lightening and darkening brushes and latent nudges reach the engine through
    /// <see cref="EditRequest.Adjustments"/>: each changes the result, the brushes where they paint.</summary>
    [Fact]
    public void LighteningBrushesAndNudgesChangeTheResult()
    {
        var photo = Demo("valley.jpg");
        var brush = new RgbaImage(photo.Width, photo.Height);
        var painted = new PixelRect(200, 240, 160, 60);
        for (int y = painted.Y; y < painted.Bottom; y++)
            for (int x = painted.X; x < painted.Right; x++) brush.Pixels[brush.Offset(x, y) + 3] = 255;
        using var service = new EditService();
        var empty = new RgbaImage(photo.Width, photo.Height);
        var lighter = service.Run(new EditRequest { Photo = photo, Strokes = empty, Adjustments = [new LightenAdjustment(1, brush)],
            Device = "cpu" });
        Assert.Null(lighter.Problem);
        var darker = service.Run(new EditRequest { Photo = photo, Strokes = empty, Adjustments = [new LightenAdjustment(-1, brush)],
            Device = "cpu" });
        Assert.Null(darker.Problem);
        double original = Brightness(photo, painted), up = Brightness(lighter.ApplyTo(photo), painted),
            down = Brightness(darker.ApplyTo(photo), painted);
        Assert.True(up > original + 5 && down < original - 5, $"lighten {original:F1} → {up:F1}, darken → {down:F1}");

        var nudged = service.Run(new EditRequest { Photo = photo, Adjustments = [new NudgeAdjustment([0, 1, 2, 3, 4], 1, 1)], Device = "cpu" });
        Assert.Null(nudged.Problem);
        Assert.NotEqual(photo.Pixels, nudged.ApplyTo(photo).Pixels);
        var code = service.CurrentCode()!;
        Assert.All(code[..5], value => Assert.Equal(3, value, 3));   // moved all the way to the prior's +3σ
    }

    static double DistanceToStrokes(RgbaImage frame, RgbaImage photo, RgbaImage strokes, PixelRect bounds)
    {
        double sum = 0, weight = 0;
        for (int y = 0; y < frame.Height; y++)
            for (int x = 0; x < frame.Width; x++)
            {
                int px = bounds.X + Math.Min(bounds.Width - 1, (int)((x + 0.5) * bounds.Width / frame.Width));
                int py = bounds.Y + Math.Min(bounds.Height - 1, (int)((y + 0.5) * bounds.Height / frame.Height));
                int s = strokes.Offset(px, py), f = frame.Offset(x, y);
                double alpha = strokes.Pixels[s + 3] / 255.0;
                if (alpha == 0) continue;
                for (int c = 0; c < 3; c++) sum += alpha * Math.Abs(frame.Pixels[f + c] - strokes.Pixels[s + c]) / 255.0;
                weight += 3 * alpha;
            }
        return sum / weight;
    }
}
