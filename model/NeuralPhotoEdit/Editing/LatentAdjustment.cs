using NeuralPhotoEdit.Imaging;

namespace NeuralPhotoEdit.Editing;

/// <summary>A tool that moves the codes other than toward colour strokes (the paper's lighten/darken
/// brush and latent sliders), applied after the strokes, in order.</summary>
public abstract record LatentAdjustment;

/// <summary>Lighten (<see cref="Amount"/> &gt; 0) or darken (&lt; 0, down to −1) the model's output under
/// <see cref="Brush"/> (the photo's size; alpha = weight):
/// <see cref="EditSession.Lighten(double, RgbaImage, EditSettings, CancellationToken)"/>.</summary>
public sealed record LightenAdjustment(double Amount, PixelSource Brush) : LatentAdjustment;

/// <summary>Move the code's entries <see cref="Indices"/> toward <see cref="Target"/> (−1…1) by a fraction
/// <see cref="Strength"/>: <see cref="EditSession.NudgeLatents"/>.</summary>
public sealed record NudgeAdjustment(IReadOnlyList<int> Indices, double Target, double Strength) : LatentAdjustment;
