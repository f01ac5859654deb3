using System.Globalization;

namespace NeuralPhotoEdit.Training;

/// <summary>
/// Adam's learning rate over a run: the paper's 2e-4, halved at each of <see cref="HalveAt"/> (step
/// numbers, ascending). The paper halves it three times late in training (to 1e-5 after 80 epochs);
/// a late halving lets the weights settle where a constant rate keeps them jittering around a
/// minimum (docs/model.md, has what it did for the shipped model). Stored in checkpoints, so a
/// resumed run keeps its schedule unless a new one is given.
/// </summary>
public sealed record LearningRateSchedule(IReadOnlyList<long> HalveAt)
{
    public const double Initial = 2e-4;
    const string Key = "train_lr_halve_at";

    public static LearningRateSchedule Constant { get; } = new(Array.Empty<long>());

    /// <summary>The rate for step <paramref name="step"/> (0-based).</summary>
    public double RateAt(long step) => Initial * Math.Pow(0.5, HalveAt.Count(s => s <= step));

    /// <summary>Null when the schedule is fine, else what is wrong.</summary>
    public string? Problem() =>
        HalveAt.Any(s => s < 1) || HalveAt.Zip(HalveAt.Skip(1)).Any(p => p.Second <= p.First)
            ? "The learning-rate halving steps must be step numbers ≥ 1 in ascending order, e.g. 8000,11000."
            : null;

    /// <summary>Parses "8000,11000" (empty: a constant rate); null when it is not a list of whole numbers.</summary>
    public static LearningRateSchedule? Parse(string text)
    {
        var steps = new List<long>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!long.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var step)) return null;
            steps.Add(step);
        }
        return new LearningRateSchedule(steps);
    }

    public void WriteTo(IDictionary<string, string> metadata) =>
        metadata[Key] = string.Join(",", HalveAt.Select(s => s.ToString(CultureInfo.InvariantCulture)));

    /// <summary>The schedule a checkpoint was trained with (missing: constant, as before schedules
    /// were stored), or null when the stored value is damaged.</summary>
    public static LearningRateSchedule? ReadFrom(IReadOnlyDictionary<string, string> metadata) =>
        !metadata.TryGetValue(Key, out var value) ? Constant
        : Parse(value) is { } schedule && schedule.Problem() is null ? schedule
        : null;

    public override string ToString() =>
        HalveAt.Count == 0 ? $"learning rate {Initial:0.#####} throughout"
                           : $"learning rate {Initial:0.#####}, halved at step {string.Join(", ", HalveAt)}";
}
