using TorchSharp;
using System.Diagnostics;
using NeuralPhotoEdit.Networks;
using NeuralPhotoEdit.Training;
using static TorchSharp.torch;

namespace NeuralPhotoEdit.Benchmarks;

public sealed record TrainingBenchmarkResult(string Config, int Batch, int ImageSize, long Parameters,
                                             double TrainStepMs, double TrainStepMsMin, int Steps, int WarmupSteps, string Device, int Threads,
                                             bool SeparateBatches);

/// <summary>Times full-objective training steps on random images (the step's cost doesn't depend on
/// pixels), from a fresh network or a trained model's weights, with the objective as it is after
/// the adversarial warm-up (the bulk of a run).</summary>
public static class TrainingBenchmark
{
    public static TrainingBenchmarkResult Run(IanConfig config, int batch, int steps, int warmup, Device device,
                                              string? trainedModel = null, bool separateBatches = false)
    {
        if (steps < 1 || warmup < 0 || batch < 1)
            throw new UserInputException("The timed steps and the batch must be at least 1, and the warm-up steps at least 0.");
        TorchRuntime.EnsureInitialised();
        NativeHeap.KeepMemoryBetweenSteps();
        manual_seed(0);
        using var network = trainedModel is null ? new IntrospectiveAdversarialNetwork(config) : ModelFiles.ModelFile.Load(trainedModel, CPU).Network;
        config = network.Config;
        network.to(device);
        using var trainer = new IanTrainer(network, ObjectiveWeights.Paper, separateBatches: separateBatches); // every term weighted, as in the paper
        using var images = rand([batch, 3, config.ImageSize, config.ImageSize], device: device).Times(2).Minus(1);
        using var noise = new Generator(0, device);

        const long afterWarmup = IanTrainer.AdversarialWarmupSteps;
        var (median, fastest) = Timing.Measure(steps, () => trainer.Step(images, noise, afterWarmup), warmup);
        long parameters = network.parameters().Sum(p => p.numel());
        return new TrainingBenchmarkResult(config.Name, batch, config.ImageSize, parameters,
            Math.Round(median, 1), Math.Round(fastest, 1), steps, warmup, device.ToString(), get_num_threads(), separateBatches);
    }
}
