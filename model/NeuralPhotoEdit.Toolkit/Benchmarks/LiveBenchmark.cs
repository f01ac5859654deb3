using System.Collections.Concurrent;
using System.Diagnostics;
using NeuralPhotoEdit.Editing;
using NeuralPhotoEdit.Imaging;

namespace NeuralPhotoEdit.Benchmarks;

/// <summary>What the live loop achieves while a stroke is painted (see <see cref="LiveBenchmark"/>).</summary>
public sealed record LiveBenchmarkResult(string Photo, int Updates, int Frames,
                                         double UpdateToFrameMs, double FramesPerSecond, double FramesPerSecondStill,
                                         double StrokeEndToResultMs, double FirstFrameMs, int StepsPerFrame)
{
    /// <summary>CPU-bound processes that ran beside the benchmark (set by the front end that started them).</summary>
    public int Background { get; init; }
}

/// <summary>
/// Times the engine's live loop (<see cref="LiveEdit"/>) as a front end drives it: a stroke across the
/// sky of a 12-megapixel photo grows by one segment every <see cref="UpdateEveryMs"/> (a pointer's
/// pace), each growth an update; frames are shown as they come. Reports the median time from an update
/// to the first frame made from it, frames per second while painting — as the stroke grows across the
/// photo (the area is chosen again as it outgrows it), and then with the pointer held still for
/// <see cref="StillMs"/> (the loop goes on stepping toward the strokes) — and the time from the stroke's end
/// to the full-resolution result. Default settings (context included).
/// </summary>
public static class LiveBenchmark
{
    public const int UpdateEveryMs = 40, StillMs = 1000;

    public static LiveBenchmarkResult Run(string? modelPath, string device, int width = 4000, int height = 3000, int segments = 40)
    {
        var photo = EditBenchmark.SyntheticPhoto(width, height);
        var strokes = new RgbaImage(width, height);
        var updates = new ConcurrentDictionary<EditRequest, long>(ReferenceEqualityComparer.Instance);
        var latencies = new ConcurrentBag<double>();
        int frames = 0;
        long firstFrame = 0;
        var clock = Stopwatch.StartNew();
        using var service = new EditService();
        using var live = new LiveEdit(service, (request, preview) =>
        {
            if (preview.Problem is not null) throw new InvalidOperationException(preview.Problem);
            long now = clock.ElapsedTicks;
            if (updates.TryRemove(request, out long updated)) latencies.Add(Stopwatch.GetElapsedTime(0, now - updated).TotalMilliseconds);
            Interlocked.CompareExchange(ref firstFrame, now, 0);
            Interlocked.Increment(ref frames);
            return Task.CompletedTask;
        });
        // The model is loaded before the clock matters: a studio has it loaded when the page opens.
        service.Run(new EditRequest { Photo = new RgbaImage(64, 64), Kind = EditKind.Reconstruct, ModelPath = modelPath, Device = device });

        var (x0, x1, y0, y1) = (width * 0.08, width * 0.92, height * 0.10, height * 0.14);
        // As a front end that draws the strokes knows where it drew (no pass over the layer per frame).
        PixelRect? painted = null;
        EditRequest Request() => new() { Photo = photo, Strokes = strokes, StrokesScan = new StrokesScan(painted, true), ModelPath = modelPath,
            Device = device };
        long start = clock.ElapsedTicks;
        for (int i = 0; i < segments; i++)
        {
            double from = (double)i / segments, to = (i + 1.0) / segments;
            var segment = PaintSegment(strokes, x0 + (x1 - x0) * from, x0 + (x1 - x0) * to, y0 + (y1 - y0) * from, y0 + (y1 - y0) * to,
                width / 100.0);
            painted = painted?.Union(segment) ?? segment;
            var request = Request();
            updates[request] = clock.ElapsedTicks;
            live.Update(request);
            Thread.Sleep(UpdateEveryMs);
        }
        double painting = Stopwatch.GetElapsedTime(0, clock.ElapsedTicks - start).TotalSeconds;
        int framesWhilePainting = frames;
        // The frame in progress belongs to the moving stroke; count the still pointer's from the next one.
        int before = frames;
        while (frames == before && clock.ElapsedMilliseconds < 60_000) Thread.Sleep(1);
        var still = Stopwatch.StartNew();
        int stillFrom = frames;
        Thread.Sleep(StillMs);
        double framesStill = (frames - stillFrom) / still.Elapsed.TotalSeconds;
        var end = Stopwatch.StartNew();
        var outcome = live.FinishAsync(Request()).GetAwaiter().GetResult();
        double toResult = end.Elapsed.TotalMilliseconds;
        if (outcome.Problem is not null) throw new InvalidOperationException(outcome.Problem);

        var sorted = latencies.Order().ToArray();
        return new LiveBenchmarkResult($"{width}×{height} synthetic", segments, framesWhilePainting,
            Math.Round(sorted.Length == 0 ? -1 : sorted[sorted.Length / 2], 1),
            Math.Round(framesWhilePainting / painting, 1), Math.Round(framesStill, 1), Math.Round(toResult, 1),
            Math.Round(Stopwatch.GetElapsedTime(0, firstFrame - start).TotalMilliseconds, 1), live.StepsPerFrame);
    }

    /// <summary>An opaque orange segment of a round brush, as a pointer paints it.</summary>
    static PixelRect PaintSegment(RgbaImage strokes, double xa, double xb, double ya, double yb, double radius)
    {
        int left = Math.Max(0, (int)(Math.Min(xa, xb) - radius)), right = Math.Min(strokes.Width, (int)(Math.Max(xa, xb) + radius) + 1);
        int top = Math.Max(0, (int)(Math.Min(ya, yb) - radius)), bottom = Math.Min(strokes.Height, (int)(Math.Max(ya, yb) + radius) + 1);
        for (int y = top; y < bottom; y++)
            for (int x = left; x < right; x++)
            {
                double along = (x - xa) * (xb - xa) + (y - ya) * (yb - ya);
                double t = Math.Clamp(along / Math.Max(1e-9, (xb - xa) * (xb - xa) + (yb - ya) * (yb - ya)), 0, 1);
                double dx = x - (xa + t * (xb - xa)), dy = y - (ya + t * (yb - ya));
                if (dx * dx + dy * dy > radius * radius) continue;
                int o = strokes.Offset(x, y);
                (strokes.Pixels[o], strokes.Pixels[o + 1], strokes.Pixels[o + 2], strokes.Pixels[o + 3]) = (240, 120, 40, 255);
            }
        return new PixelRect(left, top, right - left, bottom - top);
    }

}
