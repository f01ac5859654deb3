using NeuralPhotoEdit.Editing;
using NeuralPhotoEdit.Imaging;
using NeuralPhotoEdit.Networks;
using static TorchSharp.torch;

namespace NeuralPhotoEdit.Evaluation;

public sealed record ScoredEdit(string Photo, string Strokes, EditScores Neural, EditScores PlainBrush, EditScores ColourBrush);

/// <summary>The means over the edits of one stroke kind.</summary>
public sealed record KindScores(string Kind, int Edits, EditScores Neural, EditScores PlainBrush, EditScores ColourBrush);

public sealed record EditEvaluationResult(string Model, string Data, int Edits, EditScores Neural, EditScores PlainBrush,
                                          EditScores ColourBrush, IReadOnlyList<ScoredEdit> PerEdit)
{
    /// <summary>The latent step size the edits were made with.</summary>
    public double StepSize { get; init; }
    /// <summary>The context the edits were made with (<see cref="EditSettings.Context"/>).</summary>
    public double Context { get; init; }
    /// <summary>The means per stroke kind, in the order the kinds were drawn.</summary>
    public IReadOnlyList<KindScores> ByKind { get; init; } = [];
}

/// <summary>
/// <c>npe eval edits</c>: draws test strokes on photos (<see cref="TestStrokes"/>), edits them with the
/// given settings (the engine's defaults unless a test or option says otherwise), and scores the result
/// and two non-neural references on the same strokes
/// (<see cref="EditMetrics"/>, <see cref="ReferenceBrushes"/>); with context, the model sees the whole
/// photo as the front ends' sessions do, and the neural edit is also rendered with a flat colour shift
/// for the model's change (model_share). Optionally writes a sheet per edit: photo with strokes | neural
/// edit | the same with a flat shift for the model's change | plain brush | colour brush, cropped around
/// the strokes (with context: the whole photo, and the local edit, context 0, in the plain brush's place). With more
/// than one round, each round draws new strokes (seeds <c>seed</c>, <c>seed + 1</c>, …) and all edits
/// are pooled.
/// </summary>
public static class EditEvaluation
{
    public static EditEvaluationResult Run(IntrospectiveAdversarialNetwork network, string modelName, string dataDirectory,
                                           int count, int seed, Device device, EditSettings settings, string? sheetsDirectory = null,
                                           int refinementSteps = PhotoCodes.DefaultRefinementSteps, Action<int, int>? progress = null,
                                           int rounds = 1, ThumbnailPrior? prior = null)
    {
        if (rounds < 1) throw new UserInputException($"The number of rounds must be at least 1 (got {rounds}).");
        if (!Directory.Exists(dataDirectory)) throw new UserInputException($"The folder '{dataDirectory}' does not exist.");
        var photos = Photos(dataDirectory, count);
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
                    RgbaImage neural, flat, localEdit;
                    using (var session = EditSession.Open(network, photo, null, stroke.Layer, device, refinementSteps, withScene: settings.SeesScene))
                    {
                        session.Paint(stroke.Layer, settings);
                        var change = session.Decode(settings);
                        neural = session.Render(settings, change).Image;
                        // The ablation behind model_share: the same pipeline with a flat colour shift for the model's change.
                        flat = session.Render(settings, change.FlatShift(FlatShift(photo, stroke.Layer))).Image;
                        // For the sheets: the same codes rendered as a local edit (context 0).
                        localEdit = settings.SeesScene && sheetsDirectory is not null
                            ? session.Render(settings with { Context = 0 }, change).Image
                            : neural;
                    }
                    var plain = ReferenceBrushes.Plain(photo, stroke.Layer);
                    var colour = ReferenceBrushes.Colour(photo, stroke.Layer);
                    EditScores Score(RgbaImage result, double modelShare) =>
                        EditMetrics.Score(photo, result, stroke.Layer, stroke.Follow, prior, modelShare);
                    scored.Add(new ScoredEdit(Path.GetFileName(photos[p]), stroke.Kind, Score(neural, EditMetrics.ModelShare(photo, neural, flat)),
                                              Score(plain, 0), Score(colour, 0)));
                    if (sheetsDirectory is not null)
                        ImageFiles.Save(Sheet(photo, stroke.Layer, neural, flat, settings.SeesScene ? localEdit : plain, colour,
                            wholePhoto: settings.SeesScene),
                                        Path.Combine(sheetsDirectory, $"{name}-{++strokeIndex}.png"));
                }
            }
        }
        progress?.Invoke(work, work);
        var byKind = scored.GroupBy(s => s.Strokes)
            .Select(g => new KindScores(g.Key, g.Count(), Mean(g.Select(s => s.Neural)), Mean(g.Select(s => s.PlainBrush)),
                                        Mean(g.Select(s => s.ColourBrush))))
            .ToList();
        return new EditEvaluationResult(modelName, dataDirectory, scored.Count, Mean(scored.Select(s => s.Neural)),
            Mean(scored.Select(s => s.PlainBrush)), Mean(scored.Select(s => s.ColourBrush)), scored)
            { StepSize = settings.StepSize, Context = settings.Context, ByKind = byKind };
    }

    /// <summary>The first <paramref name="count"/> JPEG and PNG photos in a folder and its subfolders, in name order.</summary>
    public static IReadOnlyList<string> Photos(string directory, int count)
    {
        if (!Directory.Exists(directory)) throw new UserInputException($"The folder '{directory}' does not exist.");
        var photos = Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".jpg", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".jpeg", StringComparison.OrdinalIgnoreCase)
                        || f.EndsWith(".png", StringComparison.OrdinalIgnoreCase))
            .Order(StringComparer.Ordinal).Take(count).ToList();
        if (photos.Count == 0) throw new UserInputException($"No JPEG or PNG photos in '{directory}'.");
        return photos;
    }

    /// <summary>The flat colour shift of the model_share ablation, in [−1, 1] units
    /// (<see cref="ReferenceBrushes.StrokeShift"/>).</summary>
    static float[] FlatShift(RgbaImage photo, RgbaImage strokes) =>
        ReferenceBrushes.StrokeShift(photo, strokes).Select(v => (float)(2 * v / 255)).ToArray();

    static EditScores Mean(IEnumerable<EditScores> scores)
    {
        var list = scores.ToList();
        static double? MeanOf(IEnumerable<double?> values) => values.OfType<double>().ToList() is { Count: > 0 } v ? v.Average() : null;
        return new EditScores(list.Average(s => s.Fidelity), list.Average(s => s.Coverage), list.Average(s => s.NewEdges),
                              list.Average(s => s.Misaligned), list.Average(s => s.Far))
        {
            Follow = MeanOf(list.Select(s => s.Follow)), SceneCost = MeanOf(list.Select(s => s.SceneCost)),
            ModelShare = MeanOf(list.Select(s => s.ModelShare)),
        };
    }

    /// <summary>Photo with strokes | neural edit | flat shift (the same pipeline with one flat colour shift for
    /// the model's change: what the edit would be without the network) | plain brush | colour brush, around
    /// the strokes (3 + 2); for edits the whole photo follows, the whole photos in one row, with the same
    /// codes' local edit (context 0) in the plain brush's place.</summary>
    public static RgbaImage Sheet(RgbaImage photo, RgbaImage strokes, RgbaImage neural, RgbaImage flat, RgbaImage plain,
                                  RgbaImage colour, bool wholePhoto = false)
    {
        var bounds = StrokesScan.BoundsOf(strokes)!.Value;
        int margin = (int)EditMetrics.StrokeSize(strokes);
        var whole = new PixelRect(0, 0, photo.Width, photo.Height);
        var crop = wholePhoto ? whole
            : new PixelRect(bounds.X - margin, bounds.Y - margin, bounds.Width + 2 * margin, bounds.Height + 2 * margin).Intersect(whole);
        // Whole photos side by side in one row (the eye compares them across), crops in a 2×2 grid.
        int height = wholePhoto ? 240 : 300, columns = wholePhoto ? 5 : 3;
        int width = Math.Max(1, (int)Math.Round((double)crop.Width * height / crop.Height));
        if (width > 900) (width, _) = (900, 0);
        int panelHeight = Math.Max(1, (int)Math.Round((double)crop.Height * width / crop.Width));
        RgbaImage Panel(RgbaImage image) => ImageFiles.Resize(image.Crop(crop), width, panelHeight);
        return ImageGrid.FromImages([Panel(EditSheet.Overlay(photo, strokes)), Panel(neural), Panel(flat), Panel(plain), Panel(colour)], columns);
    }
}
