using System.Globalization;

namespace NeuralPhotoEdit.Training;

/// <summary>
/// How much a training patch's colours are varied, beyond its random crop, scale and flip. Each
/// patch gets a brightness shift of up to ±<see cref="Brightness"/> (on [−1, 1]), a contrast and a
/// saturation factor of 1 ± <see cref="Contrast"/> and 1 ± <see cref="Saturation"/>, with probability
/// <see cref="HueProbability"/> a rotation of its hues by a uniform angle (a rotation of RGB about the
/// grey axis), and with probability <see cref="GreyProbability"/> all its colour taken out.
///
/// Why "strong" exists: trained on landscapes with the light jitter, the model learned landscape
/// colours and reconstructs photos from other sources (a red rocket, an orange goldfish) below a
/// 25-component PCA (model card, "Out of source"). Rotated hues show it every colour on the same
/// shapes. Stored in checkpoints like the schedule; a resumed run keeps its own unless told otherwise.
/// </summary>
public sealed record Augmentation(string Name, double Brightness, double Contrast, double Saturation,
                                  double HueProbability, double GreyProbability)
{
    const string Key = "train_augmentation";

    /// <summary>What the previous default model, <c>ian-cpu-landscapes</c>, was trained with: a ±5 % jitter.</summary>
    public static Augmentation Light { get; } = new("light", 0.05, 0.05, 0.05, 0, 0);
    /// <summary>Half the patches hue-rotated, saturation 0.5×–1.5×, 1 in 20 grey.</summary>
    public static Augmentation Strong { get; } = new("strong", 0.1, 0.2, 0.5, 0.5, 0.05);
    /// <summary>The photos as they are (evaluation crops).</summary>
    public static Augmentation None { get; } = new("none", 0, 0, 0, 0, 0);

    public static IReadOnlyList<Augmentation> Named { get; } = [Light, Strong, None];

    public static Augmentation? FromName(string name) =>
        Named.FirstOrDefault(a => string.Equals(a.Name, name, StringComparison.OrdinalIgnoreCase));

    public void WriteTo(IDictionary<string, string> metadata) => metadata[Key] = Name;

    /// <summary>The augmentation a checkpoint was trained with (missing: light, as before it was
    /// stored), or null when the stored name is unknown.</summary>
    public static Augmentation? ReadFrom(IReadOnlyDictionary<string, string> metadata) =>
        metadata.TryGetValue(Key, out var name) ? FromName(name) : Light;

    public override string ToString() => Name switch
    {
        "none" => "no colour augmentation",
        _ => string.Create(CultureInfo.InvariantCulture,
            $"{Name} colour augmentation (brightness ±{Brightness}, contrast ±{Contrast}, saturation ±{Saturation}, hue rotated in " +
                $"{HueProbability:P0}, grey {GreyProbability:P0})"),
    };
}
