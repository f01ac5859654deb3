using NeuralPhotoEdit.Imaging;
using NeuralPhotoEdit.Networks;

namespace NeuralPhotoEdit.Editing;

/// <summary>What an edit request asks the model to do.</summary>
public enum EditKind
{
    /// <summary>Paint: latent steps toward the strokes, then render (the contextual paintbrush).</summary>
    Paint,
    /// <summary>The area replaced by the model's reconstruction (to judge how well it knows the photo).</summary>
    Reconstruct,
    /// <summary>The area's codes replaced by a seeded random sample from the prior.</summary>
    Sample,
}

/// <summary>One request to the engine: a photo, its strokes, an optional selection and the settings.
/// The engine reads from the photo only the area it edits, and scans the strokes once per request.</summary>
public sealed record EditRequest
{
    public required PixelSource Photo { get; init; }
    /// <summary>The strokes, the photo's size: colour = target, alpha = brush weight. Required to paint.</summary>
    public PixelSource? Strokes { get; init; }
    /// <summary>The strokes' painted bounds and whether they have transparency, when the front end
    /// already knows them (<see cref="Editing.StrokesScan.Of"/>): saves a pass over the layer.</summary>
    public StrokesScan? StrokesScan { get; init; }
    /// <summary>The rectangle the edit must stay inside (the user's selection), or null: the work area is
    /// then chosen around the strokes.</summary>
    public PixelRect? Selection { get; init; }
    public EditSettings Settings { get; init; } = new();
    public EditKind Kind { get; init; } = EditKind.Paint;
    /// <summary>Seed of <see cref="EditKind.Sample"/>.</summary>
    public int Seed { get; init; }
    /// <summary>auto, cpu or cuda (<see cref="Devices"/>).</summary>
    public string Device { get; init; } = "auto";
    /// <summary>The model file, or null for the bundled model.</summary>
    public string? ModelPath { get; init; }
    /// <summary>How far the photo's code is refined when the area is encoded (<see cref="PhotoCodes"/>).</summary>
    public int RefinementSteps { get; init; } = PhotoCodes.DefaultRefinementSteps;
    /// <summary>Lightening brushes and latent nudges applied after the strokes, in order (painting only).</summary>
    public IReadOnlyList<LatentAdjustment> Adjustments { get; init; } = [];
}

/// <summary>A live preview (<see cref="EditService.Preview"/>): <see cref="Frame"/> shows the photo's
/// <see cref="Bounds"/> at a smaller size — or no frame and the reason in <see cref="Problem"/>.</summary>
public sealed record EditPreview(RgbaImage? Frame, PixelRect Bounds, string? Problem)
{
    /// <summary>Whether this preview encoded the area (the strokes reached beyond the one kept so far).</summary>
    public bool Encoded { get; init; }
}

/// <summary>
/// The outcome: the new pixels of the area the edit worked on (<see cref="Pixels"/>, placed at
/// <see cref="Bounds"/> in the photo; everything outside is the photo's), the rendered edit in the
/// area's coordinates when there is one — or no pixels and the reason in <see cref="Problem"/>.
/// </summary>
public sealed record EditOutcome(RgbaImage? Pixels, PixelRect Bounds, EditResult? Edit, string? Problem)
{
    public bool Changed => Problem is null;
    /// <summary>Whether this outcome was computed before, for a request on the same pixels and settings,
    /// and handed back without work (<see cref="EditService"/>'s recent results).</summary>
    public bool Reused { get; init; }
    /// <summary>Whether this request encoded the area (false when the service reused the codes of an
    /// earlier request on the same area: only the settings changed).</summary>
    public bool Encoded { get; init; }

    internal static EditOutcome Failed(string problem) => new(null, default, null, problem);

    /// <summary>The photo with the outcome applied: a copy, or the photo itself when nothing changed.</summary>
    public RgbaImage ApplyTo(RgbaImage photo, CancellationToken cancellation = default)
    {
        if (Pixels is null) return photo;
        var result = photo.Clone(cancellation);
        for (int y = 0; y < Bounds.Height; y++)
            Pixels.Pixels.AsSpan(y * Bounds.Width * 4, Bounds.Width * 4).CopyTo(result.Pixels.AsSpan(result.Offset(Bounds.X, Bounds.Y + y)));
        return result;
    }
}
