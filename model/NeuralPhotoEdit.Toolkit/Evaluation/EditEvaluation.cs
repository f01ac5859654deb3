using NeuralPhotoEdit.Editing;
using NeuralPhotoEdit.Imaging;
using NeuralPhotoEdit.Networks;
using static TorchSharp.torch;

namespace NeuralPhotoEdit.Evaluation;

public sealed record ScoredEdit(string Photo, string Strokes, EditScores Neural, EditScores PlainBrush, EditScores ColourBrush);

public sealed record EditEvaluationResult(string Model, string Data, int Edits, EditScores Neural, EditScores PlainBrush,
                                          EditScores ColourBrush, IReadOnlyList<ScoredEdit> PerEdit)
{
    /// <summary>The latent step size the edits were made with.</summary>
    public double StepSize { get; init; }
}

/// <summary>
/// <c>npe eval edits</c>: draws test strokes on photos (<see cref="TestStrokes"/>), edits them with the
/// given settings (the engine's defaults unless a test or option says otherwise), and scores the result and two non-neural references on the same strokes
/// (<see cref="EditMetrics"/>, <see cref="ReferenceBrushes"/>). Optionally writes a sheet per edit:
/// photo with strokes | neural edit | plain brush | colour brush, cropped around the strokes. With more
/// than one round, each round draws new strokes (seeds <c>seed</c>, <c>seed + 1</c>, …) and all edits
/// are pooled.
/// </summary>
public static class EditEvaluation
{
    public static EditEvaluationResult Run(IntrospectiveAdversarialNetwork network, string modelName, string dataDirectory,
                                           int count, int seed, Device device, EditSettings settings, string? sheetsDirectory = null,
                                           int refinementSteps = PhotoCodes.DefaultRefinementSteps, Action<int, int>? progress = null,
                                           int rounds = 1)
    {
        if (rounds < 1) throw new UserInputException($"The number of rounds must be at least 1 (got {rounds}).");
        if (!Directory.Exists(dataDirectory)) throw new UserInputException($"The folder '{dataDirectory}' does not exist.");
        var photos = Directory.EnumerateFiles(dataDirectory, "*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".jpg", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".jpeg", StringComparison.OrdinalIgnoreCase)
                        || f.EndsWith(".png", StringComparison.OrdinalIgnoreCase))
            .Order(StringComparer.Ordinal).Take(count).ToList();
        if (photos.Count == 0) throw new UserInputException($"No JPEG or PNG photos in '{dataDirectory}'.");
        if (sheetsDirectory is not null) Directory.CreateDirectory(sheetsDirectory);

        var scored = new List<ScoredEdit>();
        int work = rounds * photos.Count;
        for (int round = 0; round < rounds; round++)
        {
            for (int p = 0; p < photos.Count; p++)
            {
                progress?.Invoke(round * photos.Count + p, work);
                var photo = ImageFiles.Load(photos[p]);
                string name = Path.GetFileNameWithoutExtension(photos[p]) + (rounds > 1 ? $"-seed{seed + round}" : "");
                int strokeIndex = 0;
                // A seed per photo from the round's seed (not HashCode.Combine: it is randomised per process).
                foreach (var stroke in TestStrokes.For(photo, (seed + round) * 7919 + p))
                {
                    RgbaImage neural;
                    using (var session = EditSession.Open(network, photo, null, stroke.Layer, device, refinementSteps))
                    {
                        session.Paint(stroke.Layer, settings);
                        neural = session.Render(settings).Image;
                    }
                    var plain = ReferenceBrushes.Plain(photo, stroke.Layer);
                    var colour = ReferenceBrushes.Colour(photo, stroke.Layer);
                    scored.Add(new ScoredEdit(Path.GetFileName(photos[p]), stroke.Kind, EditMetrics.Score(photo, neural, stroke.Layer),
                                              EditMetrics.Score(photo, plain, stroke.Layer), EditMetrics.Score(photo, colour, stroke.Layer)));
                    if (sheetsDirectory is not null)
                        ImageFiles.Save(Sheet(photo, stroke.Layer, neural, plain, colour), Path.Combine(sheetsDirectory, $"{name}-{++strokeIndex}.png"));
                }
            }
        }
        progress?.Invoke(work, work);
        return new EditEvaluationResult(modelName, dataDirectory, scored.Count, Mean(scored.Select(s => s.Neural)),
            Mean(scored.Select(s => s.PlainBrush)), Mean(scored.Select(s => s.ColourBrush)), scored) { StepSize = settings.StepSize };
    }

    static EditScores Mean(IEnumerable<EditScores> scores)
    {
        var list = scores.ToList();
        return new EditScores(list.Average(s => s.Fidelity), list.Average(s => s.Coverage), list.Average(s => s.NewEdges),
                              list.Average(s => s.Misaligned), list.Average(s => s.Far));
    }

    /// <summary>Photo with strokes | neural edit | plain brush | colour brush, around the strokes.</summary>
    public static RgbaImage Sheet(RgbaImage photo, RgbaImage strokes, RgbaImage neural, RgbaImage plain, RgbaImage colour)
    {
        var bounds = RegionOfInterest.StrokeBounds(strokes)!.Value;
        int margin = (int)EditMetrics.StrokeSize(strokes);
        var crop = new PixelRect(bounds.X - margin, bounds.Y - margin, bounds.Width + 2 * margin, bounds.Height + 2 * margin)
            .Intersect(new PixelRect(0, 0, photo.Width, photo.Height));
        const int height = 300;
        int width = Math.Max(1, (int)Math.Round((double)crop.Width * height / crop.Height));
        if (width > 900) (width, _) = (900, 0);
        int panelHeight = Math.Max(1, (int)Math.Round((double)crop.Height * width / crop.Width));
        RgbaImage Panel(RgbaImage image) => ImageFiles.Resize(image.Crop(crop), width, panelHeight);
        return ImageGrid.FromImages([Panel(EditSheet.Overlay(photo, strokes)), Panel(neural), Panel(plain), Panel(colour)], 2);
    }
}
