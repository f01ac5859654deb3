using System.Diagnostics;
using System.Globalization;
using NeuralPhotoEdit.Evaluation;
using NeuralPhotoEdit.ModelFiles;
using NeuralPhotoEdit.Networks;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralPhotoEdit.Training;

/// <summary>What <see cref="ReconstructionTuningRun"/> does: which model, which photos, how long.</summary>
public sealed record ReconstructionTuningOptions
{
    public required string ModelPath { get; init; }
    public required string DataDirectory { get; init; }
    public required string OutputPath { get; init; }
    public long Steps { get; init; } = 2000;
    public int Batch { get; init; } = 64;
    public double LearningRate { get; init; } = 3e-5;
    public Augmentation Augmentation { get; init; } = Augmentation.Strong;
    /// <summary>Scored (1 000 fixed crops each, as <c>npe eval</c>) before the first step and at every save.</summary>
    public IReadOnlyList<string> EvaluationDirectories { get; init; } = [];
    public int EvaluationCrops { get; init; } = 1000;
    public int SaveEvery { get; init; } = 250;
    /// <summary>Crops of <see cref="DataDirectory"/> the code distribution is fitted to again at the end.</summary>
    public int CodeFitCrops { get; init; } = 10_000;
    /// <summary>Tune the decoder as well as the encoder.</summary>
    public bool TuneDecoder { get; init; }
    /// <summary>A new <see cref="IanConfig.DecoderPadding"/> for the decoder (with <see cref="TuneDecoder"/>), or null to keep it.</summary>
    public string? DecoderPadding { get; init; }
    /// <summary>Weight of the <see cref="EvenChange"/> term (with <see cref="TuneDecoder"/>); 0 leaves it out.</summary>
    public double EvenChangeWeight { get; init; }
    /// <summary>Weight of the <see cref="EvenChange"/> reach term (with <see cref="TuneDecoder"/>); 0 leaves it out.</summary>
    public double ReachWeight { get; init; }
    /// <summary>Decay of the <see cref="WeightAverage"/> that is saved instead of the last step's weights; 0 saves the last step's.</summary>
    public double WeightAverageDecay { get; init; }
    public string Device { get; init; } = "auto";
    public int Seed { get; init; }
}

/// <summary>One step's progress: where it is and the training batch's PSNR (on [−1, 1]).</summary>
public sealed record ReconstructionTuningProgress(long Step, long TotalSteps, double BatchPsnr, double ImagesPerSecond);

/// <summary>
/// Loads a model file, tunes it for reconstruction (<see cref="ReconstructionTuning"/>) on patches of the photos, and
/// every <see cref="ReconstructionTuningOptions.SaveEvery"/> steps writes the model file, so an interrupted
/// run leaves a usable model. At the end, when the model carries a code distribution, it is fitted
/// again (<see cref="CodeDistributionFit"/>): the codes moved with the encoder.
/// </summary>
public sealed class ReconstructionTuningRun(ReconstructionTuningOptions options, Action<string> log, Action<ReconstructionTuningProgress> progress)
{
    // The encoder is tuned in every run; the config's decoder padding tells a decoder that was switched.
    public const string StepsKey = "encoder_tuning_steps";
    public const string LearningRateKey = "encoder_tuning_learning_rate";
    public const string EvenChangeKey = "tuning_even_change_weight";
    public const string ReachKey = "tuning_reach_weight";
    public const string WeightAverageKey = "tuning_weight_average_decay";

    /// <summary>Runs all steps, or until cancelled (then saves first). Returns each step's batch PSNR.</summary>
    public IReadOnlyList<double> Run(CancellationToken cancellation = default)
    {
        if (options.Batch < 2) throw new UserInputException("The batch must hold at least 2 photos.");
        if (options.Steps < 1) throw new UserInputException("Tuning needs at least 1 step.");
        if (!(options.LearningRate is > 0 and < 1)) throw new UserInputException("The learning rate must be between 0 and 1.");
        var device = Devices.Resolve(options.Device);
        NativeHeap.KeepMemoryBetweenSteps();
        if (options.DecoderPadding is not null && !options.TuneDecoder)
            throw new UserInputException("A new decoder padding needs the decoder tuned too.");
        CheckTermWeight(options.EvenChangeWeight, "even-change");
        CheckTermWeight(options.ReachWeight, "reach");
        if (!(options.WeightAverageDecay is >= 0 and < 1)) throw new UserInputException("The weight average's decay must be at least 0 and below 1 " +
            "(0 = no average).");
        using var loaded = ModelFile.Load(options.ModelPath, device,
            config => options.DecoderPadding is string padding ? config with { DecoderPadding = padding } : config);
        var network = loaded.Network;
        var config = network.Config;
        long tunedBefore = loaded.Metadata.TryGetValue(StepsKey, out var text) && long.TryParse(text, CultureInfo.InvariantCulture, out var s)
            ? s : 0;

        var photos = PhotoCollection.Load(options.DataDirectory, config.ImageSize);
        log($"{photos.Count} photos from {options.DataDirectory}; {options.Augmentation}; learning rate {options.LearningRate}.");
        var sampler = new PatchSampler(photos, config.ImageSize, options.Seed, options.Augmentation);
        using var evaluation = new CheckpointEvaluation(options.EvaluationDirectories, config.ImageSize, options.EvaluationCrops, device);
        Evaluate(evaluation, network, 0);

        using var tuning = new ReconstructionTuning(network, options.LearningRate, options.TuneDecoder, options.EvenChangeWeight,
            options.ReachWeight);
        using var average = options.WeightAverageDecay > 0 ? new WeightAverage(tuning.Parameters, options.WeightAverageDecay) : null;
        var psnr = new List<double>();
        var clock = Stopwatch.StartNew();
        var nextBatch = Task.Run(() => sampler.Batch(0, options.Batch));
        long step = 0;
        for (; step < options.Steps && !cancellation.IsCancellationRequested; step++)
        {
            var batch = nextBatch.Result;
            long following = step + 1;
            nextBatch = Task.Run(() => sampler.Batch(following, options.Batch));
            using (var images = tensor(batch, [options.Batch, 3, config.ImageSize, config.ImageSize], device: device))
            using (var noise = new Generator((ulong)PatchSampler.StepSeed(~options.Seed, step), device))
                psnr.Add(tuning.Step(images, noise));
            average?.Update();
            if (!double.IsFinite(psnr[^1]))
                throw new InvalidOperationException($"Tuning diverged at step {step + 1}; '{options.OutputPath}' holds the last saved model. Try a " +
                    $"lower learning rate.");
            progress(new ReconstructionTuningProgress(step + 1, options.Steps, psnr[^1], (step + 1) * options.Batch / clock.Elapsed.TotalSeconds));
            if ((step + 1) % options.SaveEvery == 0 && step + 1 < options.Steps)
            {
                average?.Swap();
                Save(loaded, network, tunedBefore + step + 1, codes: null);
                Evaluate(evaluation, network, step + 1);
                average?.Swap();
            }
        }
        // From here on the network is what is saved: the averaged weights when there is an average.
        average?.Swap();
        CodeDistribution? codes = null;
        if (loaded.Codes is not null)
        {
            log($"Fitting the code distribution again to {options.CodeFitCrops} crops of {options.DataDirectory}.");
            using var crops = ReconstructionEvaluation.LoadCrops(options.DataDirectory, config.ImageSize, options.CodeFitCrops, options.Seed);
            codes = CodeDistributionFit.Fit(network, crops, device);
        }
        Save(loaded, network, tunedBefore + step, codes);
        Evaluate(evaluation, network, step);
        return psnr;
    }

    /// <summary>Refuses a term's weight before any model loads, in the user's words.</summary>
    void CheckTermWeight(double weight, string term)
    {
        if (!(weight >= 0 && double.IsFinite(weight))) throw new UserInputException($"The {term} weight must be 0 or more.");
        if (weight > 0 && !options.TuneDecoder) throw new UserInputException($"The {term} term shapes the decoder: it needs the decoder tuned too.");
    }

    void Save(LoadedModel loaded, IntrospectiveAdversarialNetwork network, long tunedSteps, CodeDistribution? codes)
    {
        var facts = loaded.Facts();
        facts[StepsKey] = tunedSteps.ToString(CultureInfo.InvariantCulture);
        facts[LearningRateKey] = options.LearningRate.ToString(CultureInfo.InvariantCulture);
        // A model tuned before with the term keeps saying so: its decoder still carries it.
        if (options.EvenChangeWeight > 0) facts[EvenChangeKey] = options.EvenChangeWeight.ToString(CultureInfo.InvariantCulture);
        if (options.ReachWeight > 0) facts[ReachKey] = options.ReachWeight.ToString(CultureInfo.InvariantCulture);
        if (options.WeightAverageDecay > 0) facts[WeightAverageKey] = options.WeightAverageDecay.ToString(CultureInfo.InvariantCulture);
        else facts.Remove(WeightAverageKey);
        // The fitted distribution described the old encoder's codes: a saved model carries only the new fit.
        CodeDistributionFit.RemoveFacts(facts);
        if (codes is not null) CodeDistributionFit.WriteFacts(facts, options.DataDirectory, options.CodeFitCrops);
        ModelFile.Save(options.OutputPath, network, facts, loaded.HalfPrecision, codes: codes);
    }

    void Evaluate(CheckpointEvaluation evaluation, IntrospectiveAdversarialNetwork network, long step)
    {
        if (!evaluation.IsEmpty) log(CheckpointEvaluation.Describe(step, evaluation.Score(network)));
    }
}
