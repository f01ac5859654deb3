namespace NeuralPhotoEdit.Training;

/// <summary>What <c>npe train</c> was asked to do.</summary>
public sealed record TrainingOptions
{
    public required string DataDirectory { get; init; }
    public required string OutputDirectory { get; init; }
    public string Config { get; init; } = "ian-cpu";
    public int Batch { get; init; } = 64;
    public long Steps { get; init; } = 10_000;
    public int Seed { get; init; } = 0;
    public bool Resume { get; init; }
    public string Device { get; init; } = "auto";
    /// <summary>Write a checkpoint, the model file and picture grids every this many steps.</summary>
    public int CheckpointEvery { get; init; } = 250;
    /// <summary>Store the exported model in float16 (half the size; for shipping).</summary>
    public bool HalfPrecisionModel { get; init; }
    /// <summary>Overrides the config's image size (must be a power of two).</summary>
    public int? ImageSize { get; init; }
    /// <summary>KL and adversarial weights (a new run only; a resumed run keeps its own unless given the Resume… weights below).</summary>
    public ObjectiveWeights Weights { get; init; } = new();
    /// <summary>On a resumed run, a new adversarial weight α: a fine-tuning phase that ramps it in from the
    /// resume step (<see cref="ObjectiveWeights.AdversarialFrom"/>). Null, or the run's own α, keeps the run's.</summary>
    public double? ResumeAdversarialWeight { get; init; }
    /// <summary>On a resumed run, a new KL weight β from the resume step on; null keeps the run's.</summary>
    public double? ResumeKlWeight { get; init; }
    /// <summary>On a resumed run with a resize-convolution decoder, the other resize ("resize" or
    /// "bilinear"; same weights); null keeps the run's.</summary>
    public string? ResumeUpsampling { get; init; }
    /// <summary>When to halve the learning rate; null keeps a resumed run's own schedule (a new run: constant).</summary>
    public LearningRateSchedule? Schedule { get; init; }
    /// <summary>Colour augmentation of the training patches; null keeps a resumed run's own (a new run: light).</summary>
    public Augmentation? Augmentation { get; init; }
    /// <summary>Reconstructions and prior samples as separate decoder/trunk batches (a new run only;
    /// a resumed run keeps its own). See <see cref="IanTrainer.SeparateBatches"/>.</summary>
    public bool SeparateBatches { get; init; }
    /// <summary>Folders of evaluation photos (e.g. held-out, out of source) scored at every checkpoint:
    /// the PSNR curve over steps, in evaluations.jsonl.</summary>
    public IReadOnlyList<string> EvaluationDirectories { get; init; } = [];
    /// <summary>Crops per evaluation folder, seed 0: the same crops <c>npe eval --crops N --seed 0</c> scores.</summary>
    public int EvaluationCrops { get; init; } = 1000;
}

/// <summary>Reported after every step, for progress displays.</summary>
public sealed record TrainingProgress(long Step, long TotalSteps, StepLosses Losses, double ImagesPerSecond, TimeSpan Eta, string? Message = null);
