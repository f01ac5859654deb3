using System.Globalization;

namespace NeuralPhotoEdit.Training;

/// <summary>
/// The two objective weights training lets you choose (the others are the paper's constants in
/// <see cref="IanObjective"/>). The defaults are what the default model was trained with; the paper
/// uses 1 for both. Why they differ, measured on our photos (docs/model.md):
///   • KL: both terms are means, so at weight 1 one nat of information in the code costs 1/100 per
///     photo while 3·pixel (a mean over 12,288 values) pays back far less, and the optimum is a nearly
///     constant code (our first run reconstructed held-out crops below a 25-component PCA).
///   • Adversarial: at weight 1, once the warm-up ends the generator trades reconstruction for fooling
///     the discriminator, and the pixel loss rose as the adversarial terms came in.
///     At 0.1 it stalls at 0.163 from step 500 to 2,000; at 0 it keeps falling (0.130 at step 900).
///     With 0 the discriminator still trains on real / reconstructed / generated photos, and its
///     trunk still gives the feature loss and the encoder, so the model keeps the IAN's structure;
///     the generator just isn't pushed to fool it. On a GPU budget, use the paper's 1.
/// <see cref="AdversarialFrom"/> is the step the adversarial terms start ramping in: 0 for a run
/// that has them from the start, the resume step for a fine-tuning phase that adds them to a
/// trained model (`npe train --resume --adversarial-weight α`).
/// </summary>
public sealed record ObjectiveWeights(double Kl = ObjectiveWeights.DefaultKl, double Adversarial = ObjectiveWeights.DefaultAdversarial,
                                      long AdversarialFrom = 0)
{
    public const double DefaultKl = 0.01;
    public const double DefaultAdversarial = 0;

    /// <summary>The paper's weights.</summary>
    public static ObjectiveWeights Paper => new(1, 1);

    const string KlKey = "train_kl_weight", AdversarialKey = "train_adversarial_weight", AdversarialFromKey = "train_adversarial_from";

    /// <summary>α at step <paramref name="step"/> (0-based): 0 before <see cref="AdversarialFrom"/>, then
    /// ramped in linearly over <paramref name="warmupSteps"/> steps.</summary>
    public double AdversarialAt(long step, long warmupSteps) =>
        step < AdversarialFrom ? 0 : Adversarial * Math.Min(1.0, (step - AdversarialFrom + 1) / (double)warmupSteps);

    /// <summary>Null when the weights are fine, else what is wrong.</summary>
    public string? Problem() =>
        !double.IsFinite(Kl) || Kl < 0 ? "The KL weight must be a number ≥ 0."
        : !double.IsFinite(Adversarial) || Adversarial < 0 ? "The adversarial weight must be a number ≥ 0."
        : AdversarialFrom < 0 ? "The adversarial terms' first step must be ≥ 0."
        : null;

    public void WriteTo(IDictionary<string, string> metadata)
    {
        metadata[KlKey] = Kl.ToString("R", CultureInfo.InvariantCulture);
        metadata[AdversarialKey] = Adversarial.ToString("R", CultureInfo.InvariantCulture);
        metadata[AdversarialFromKey] = AdversarialFrom.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>The weights a checkpoint was trained with (a missing weight is the paper's 1: checkpoints
    /// from before these were options trained with it; a missing first step is 0), or null when a stored
    /// value is not a number.</summary>
    public static ObjectiveWeights? ReadFrom(IReadOnlyDictionary<string, string> metadata)
    {
        double? Read(string key) =>
            !metadata.TryGetValue(key, out var value) ? 1
            : double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) ? number
            : null;
        long? from = !metadata.TryGetValue(AdversarialFromKey, out var stored) ? 0
            : long.TryParse(stored, NumberStyles.Integer, CultureInfo.InvariantCulture, out var step) ? step
            : null;
        return Read(KlKey) is double kl && Read(AdversarialKey) is double adversarial && from is long first
            ? new ObjectiveWeights(kl, adversarial, first) : null;
    }

    public override string ToString() =>
        $"KL weight {Kl}, adversarial weight {Adversarial}" + (AdversarialFrom > 0 ? $" from step {AdversarialFrom}" : "");
}
