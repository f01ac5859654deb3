using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using NeuralPhotoEdit.Imaging;
using NeuralPhotoEdit.ModelFiles;
using NeuralPhotoEdit.Networks;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralPhotoEdit.Training;

/// <summary>
/// A whole training run, top to bottom: load photos, build or resume the model, then step, log,
/// and every K steps write a checkpoint, the model file, and sample / reconstruction grids.
/// Files in the output folder:
///   checkpoint.safetensors  — resumable state (written atomically)
///   model.safetensors       — the model for sample / reconstruct / edit
///   metrics.jsonl           — one JSON object per step
///   evaluations.jsonl       — with evaluation folders: their reconstruction PSNR at every checkpoint
///   samples/step-N.png, reconstructions/step-N.png — grids to look at
/// </summary>
public sealed class TrainingRun(TrainingOptions options, Action<string> log, Action<TrainingProgress> progress,
                                Action<int, int>? loadingProgress = null)
{
    public const string CheckpointFile = "checkpoint.safetensors";
    public const string ModelFileName = "model.safetensors";
    public const string MetricsFile = "metrics.jsonl";
    public const string EvaluationsFile = "evaluations.jsonl";
    /// <summary>The evaluations as a chart (<see cref="EvaluationChart"/>), redrawn at every checkpoint.</summary>
    public const string EvaluationChartFile = "evaluations.svg";
    const int GridSamples = 64, GridPairs = 16;

    public string CheckpointPath => Path.Combine(options.OutputDirectory, CheckpointFile);
    public string ModelPath => Path.Combine(options.OutputDirectory, ModelFileName);
    string MetricsPath => Path.Combine(options.OutputDirectory, MetricsFile);
    string EvaluationsPath => Path.Combine(options.OutputDirectory, EvaluationsFile);
    string EvaluationChartPath => Path.Combine(options.OutputDirectory, EvaluationChartFile);

    /// <summary>Runs until <see cref="TrainingOptions.Steps"/> or cancellation (which checkpoints first).
    /// Returns the losses of every step run in this call.</summary>
    public IReadOnlyList<StepLosses> Run(CancellationToken cancellation = default)
    {
        if (options.Batch < 2) throw new UserInputException("The batch must hold at least 2 photos (minibatch discrimination compares them).");
        if (options.Steps < 1) throw new UserInputException("Training needs at least 1 step.");
        if (options.Weights.Problem() is string problem) throw new UserInputException(problem);
        if (options.ResumeAdversarialWeight is double alpha && new ObjectiveWeights(Adversarial: alpha).Problem() is string alphaProblem)
            throw new UserInputException(alphaProblem);
        if (options.ResumeKlWeight is double beta && new ObjectiveWeights(Kl: beta).Problem() is string betaProblem)
            throw new UserInputException(betaProblem);
        if (options.Schedule?.Problem() is string scheduleProblem) throw new UserInputException(scheduleProblem);
        var device = Devices.Resolve(options.Device);
        NativeHeap.KeepMemoryBetweenSteps();
        Directory.CreateDirectory(options.OutputDirectory);

        var (trainer, position, augmentation) = StartOrResume(device);
        using var _ = trainer;
        var config = trainer.Network.Config;
        int seed = position.Seed;

        var photos = PhotoCollection.Load(options.DataDirectory, config.ImageSize, progress: loadingProgress);
        log($"{photos.Count} photos from {options.DataDirectory}; {config.Name} ({config.Upsampling} decoder) at {config.ImageSize} px, " +
            $"{trainer.Network.parameters().Sum(p => p.numel()):N0} parameters, on {device}.");
        log($"Patches: {augmentation}.");
        var sampler = new PatchSampler(photos, config.ImageSize, seed, augmentation);
        using var fixedLatents = randn([GridSamples, config.LatentSize], generator: new Generator((ulong)seed, device), device: device);
        // The reconstruction grid shows the photos as they are, whatever the augmentation.
        var gridSampler = new PatchSampler(photos, config.ImageSize, seed, Augmentation.None);
        using var fixedPhotos = BatchTensor(gridSampler.Batch(-1, GridPairs), GridPairs, config.ImageSize, device);
        using var evaluation = new CheckpointEvaluation(options.EvaluationDirectories, config.ImageSize, options.EvaluationCrops, device);
        TruncateLog(MetricsPath, position.Step);
        TruncateLog(EvaluationsPath, position.Step);
        EvaluationChart.Write(EvaluationsPath, EvaluationChartPath);

        var losses = new List<StepLosses>();
        var clock = Stopwatch.StartNew();
        double secondsBefore = position.TrainSeconds;
        var recent = new Queue<(long Step, double Seconds)>();
        var nextBatch = Task.Run(() => sampler.Batch(position.Step, options.Batch));
        long step = position.Step;
        for (; step < options.Steps && !cancellation.IsCancellationRequested; step++)
        {
            var batch = nextBatch.Result;
            long following = step + 1;
            nextBatch = Task.Run(() => sampler.Batch(following, options.Batch));

            StepLosses stepLosses;
            using (var images = BatchTensor(batch, options.Batch, config.ImageSize, device))
            using (var noise = new Generator((ulong)PatchSampler.StepSeed(~seed, step), device))
                stepLosses = trainer.Step(images, noise, step);
            if (!double.IsFinite(stepLosses.GeneratorEncoder) || !double.IsFinite(stepLosses.Discriminator))
                throw new InvalidOperationException($"Training diverged at step {step + 1} (a loss became NaN or infinite). The last checkpoint in " +
                    $"'{options.OutputDirectory}' is intact; resume from it with a different --seed.");
            losses.Add(stepLosses);

            double seconds = secondsBefore + clock.Elapsed.TotalSeconds;
            AppendMetrics(step + 1, seconds, stepLosses);
            recent.Enqueue((step + 1, clock.Elapsed.TotalSeconds));
            while (recent.Count > 20) recent.Dequeue();
            double stepsPerSecond = recent.Count > 1 ? (recent.Count - 1) / (recent.Last().Seconds - recent.Peek().Seconds) : 0;
            var eta = stepsPerSecond > 0 ? TimeSpan.FromSeconds((options.Steps - step - 1) / stepsPerSecond) : TimeSpan.Zero;
            progress(new TrainingProgress(step + 1, options.Steps, stepLosses, stepsPerSecond * options.Batch, eta));

            if ((step + 1) % options.CheckpointEvery == 0 || step + 1 == options.Steps)
                SaveAll(trainer, new TrainingCheckpoint.Position(step + 1, seed, seconds), augmentation, photos.Count, fixedLatents, fixedPhotos,
                    evaluation);
        }
        if (cancellation.IsCancellationRequested && losses.Count > 0 && step % options.CheckpointEvery != 0)
            SaveAll(trainer, new TrainingCheckpoint.Position(step, seed, secondsBefore + clock.Elapsed.TotalSeconds), augmentation, photos.Count,
                fixedLatents, fixedPhotos, evaluation);
        return losses;
    }

    (IanTrainer, TrainingCheckpoint.Position, Augmentation) StartOrResume(Device device)
    {
        if (File.Exists(CheckpointPath))
        {
            if (!options.Resume)
                throw new UserInputException($"'{options.OutputDirectory}' already holds a training run: resume it, or train into another folder.");
            var (trainer, position, metadata) = TrainingCheckpoint.Load(CheckpointPath, device,
                new TrainingCheckpoint.Changes(options.Schedule, options.ResumeAdversarialWeight, options.ResumeKlWeight, options.ResumeUpsampling));
            var augmentation = options.Augmentation ?? Augmentation.ReadFrom(metadata)
                ?? throw new ModelFileException(CheckpointPath, "names an unknown augmentation");
            log($"Resuming from step {position.Step} ({TimeSpan.FromSeconds(position.TrainSeconds):hh\\:mm\\:ss} trained so far; " +
                $"{trainer.Weights}; {trainer.Schedule}; " +
                (trainer.SeparateBatches ? "reconstructions and samples in separate batches" : "reconstructions and samples in one batch") + ").");
            return (trainer, position, augmentation);
        }
        // A new run writes its model, metrics and grids here: never over another run's files.
        string? existing = new[] { ModelFileName, MetricsFile, EvaluationsFile, EvaluationChartFile, "samples", "reconstructions" }
            .FirstOrDefault(name => Path.Exists(Path.Combine(options.OutputDirectory, name)));
        if (existing is not null)
            throw new UserInputException($"'{options.OutputDirectory}' already holds training output ({existing}) but no checkpoint to resume: " +
                $"train into another folder, or move those files away.");
        if (options.Resume) log($"No checkpoint in '{options.OutputDirectory}' yet; starting a new run.");
        var config = IanConfig.FromNameOrFile(options.Config);
        if (options.ImageSize is int size) config = config.WithImageSize(size);
        config.Validate();
        manual_seed(options.Seed);
        var network = new IntrospectiveAdversarialNetwork(config);
        network.to(device);
        return (new IanTrainer(network, options.Weights, options.Schedule, options.SeparateBatches),
            new TrainingCheckpoint.Position(0, options.Seed, 0),
                options.Augmentation ?? Augmentation.Light);
    }

    static Tensor BatchTensor(float[] batch, int count, int size, Device device) =>
        tensor(batch, [count, 3, size, size], device: device);

    void SaveAll(IanTrainer trainer, TrainingCheckpoint.Position position, Augmentation augmentation, int photoCount,
                 Tensor fixedLatents, Tensor fixedPhotos, CheckpointEvaluation evaluation)
    {
        var facts = new Dictionary<string, string>
        {
            ["train_steps"] = position.Step.ToString(CultureInfo.InvariantCulture),
            ["train_seconds"] = Math.Round(position.TrainSeconds).ToString(CultureInfo.InvariantCulture),
            ["train_batch"] = options.Batch.ToString(CultureInfo.InvariantCulture),
            ["train_photos"] = photoCount.ToString(CultureInfo.InvariantCulture),
            ["train_data"] = Path.GetFileName(Path.GetFullPath(options.DataDirectory).TrimEnd(Path.DirectorySeparatorChar)),
        };
        trainer.Weights.WriteTo(facts);
        trainer.WriteTo(facts);
        augmentation.WriteTo(facts);
        TrainingCheckpoint.Save(CheckpointPath, trainer, position, facts);
        ModelFile.Save(ModelPath, trainer.Network, facts, options.HalfPrecisionModel);
        WriteGrids(trainer.Network, position.Step, fixedLatents, fixedPhotos);
        if (!evaluation.IsEmpty)
        {
            var scores = evaluation.Score(trainer.Network);
            File.AppendAllText(EvaluationsPath, CheckpointEvaluation.ToJsonLine(position.Step, scores) + "\n");
            EvaluationChart.Write(EvaluationsPath, EvaluationChartPath);
            log(CheckpointEvaluation.Describe(position.Step, scores));
        }
    }

    void WriteGrids(IntrospectiveAdversarialNetwork network, long step, Tensor fixedLatents, Tensor fixedPhotos)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        network.eval();
        try
        {
            string name = $"step-{step:D6}.png";
            var samples = network.Decode(fixedLatents);
            ImageFiles.Save(ImageGrid.FromBatch(samples, 8), Path.Combine(options.OutputDirectory, "samples", name));
            var reconstructions = network.Decode(network.Encode(fixedPhotos).Mean);
            // Rows alternate: 8 photos, then their 8 reconstructions right below.
            var rows = new List<Tensor>();
            for (int i = 0; i < GridPairs; i += 8)
            {
                rows.Add(fixedPhotos[i..(i + 8)]);
                rows.Add(reconstructions[i..(i + 8)]);
            }
            ImageFiles.Save(ImageGrid.FromBatch(cat(rows, 0), 8), Path.Combine(options.OutputDirectory, "reconstructions", name));
        }
        finally
        {
            network.train();
        }
    }

    void AppendMetrics(long step, double seconds, StepLosses l)
    {
        var line = JsonSerializer.Serialize(new
        {
            step, seconds = Math.Round(seconds, 2),
            loss_d = l.Discriminator, loss_ge = l.GeneratorEncoder, pixel = l.Pixel, feature = l.Feature, kl = l.Kl,
            adv_recon = l.AdversarialReconstruction, adv_sample = l.AdversarialSample, ortho_d = l.OrthogonalD, ortho_g = l.OrthogonalG,
        });
        File.AppendAllText(MetricsPath, line + "\n");
    }

    /// <summary>On resume, drops log lines from steps after the checkpoint (they will be run again).</summary>
    static void TruncateLog(string path, long lastStep)
    {
        if (!File.Exists(path)) return;
        var kept = File.ReadLines(path).Where(line =>
        {
            try { return JsonDocument.Parse(line).RootElement.GetProperty("step").GetInt64() <= lastStep; }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException) { return false; }
        }).ToList();
        File.WriteAllLines(path, kept);
    }
}
