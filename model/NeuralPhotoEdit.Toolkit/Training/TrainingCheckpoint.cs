using NeuralPhotoEdit.Optimisation;
using System.Globalization;
using NeuralPhotoEdit.ModelFiles;
using NeuralPhotoEdit.Networks;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NeuralPhotoEdit.Training;

/// <summary>
/// Everything needed to continue training exactly where it stopped, in one safetensors file:
/// the network, both Adam optimisers' moments and step counts (tensors "adam.{d|g}.{i}.*"), and the
/// run's position (step, seed, wall time) in the metadata. Written atomically.
/// </summary>
public static class TrainingCheckpoint
{
    const string AdamPrefix = ModelFile.CheckpointTensorPrefix;

    public sealed record Position(long Step, int Seed, double TrainSeconds);

    public static void Save(string path, IanTrainer trainer, Position position, IReadOnlyDictionary<string, string> facts)
    {
        var metadata = new Dictionary<string, string>(facts)
        {
            ["train_step"] = position.Step.ToString(CultureInfo.InvariantCulture),
            ["train_seed"] = position.Seed.ToString(CultureInfo.InvariantCulture),
            ["train_seconds"] = position.TrainSeconds.ToString("R", CultureInfo.InvariantCulture),
        };
        trainer.Weights.WriteTo(metadata);
        trainer.Schedule.WriteTo(metadata);
        trainer.WriteTo(metadata);
        var adamTensors = new List<(string, Tensor)>();
        foreach (var (key, optimizer) in Optimizers(trainer))
        {
            for (int i = 0; i < optimizer.States.Count; i++)
            {
                var state = optimizer.States[i];
                adamTensors.Add(($"{AdamPrefix}{key}.{i}.exp_avg", state.FirstMoment));
                adamTensors.Add(($"{AdamPrefix}{key}.{i}.exp_avg_sq", state.SecondMoment));
                metadata[$"{AdamPrefix}{key}.{i}.step"] = state.Step.ToString(CultureInfo.InvariantCulture);
            }
        }
        ModelFile.Save(path, trainer.Network, metadata, halfPrecision: false, extraTensors: adamTensors);
    }

    /// <summary>What a resumed run changes about itself; null keeps the run's own.</summary>
    /// <param name="Schedule">replaces the run's learning-rate schedule.</param>
    /// <param name="AdversarialWeight">when it differs from the run's α, starts a fine-tuning phase: that α,
    /// ramped in from the resume step on.</param>
    /// <param name="KlWeight">replaces the run's β from the resume step on.</param>
    /// <param name="Upsampling">switches a resize-convolution decoder to the other resize
    /// (<see cref="IanConfig.WithResize"/>): nearest-neighbour or bilinear.</param>
    public sealed record Changes(LearningRateSchedule? Schedule = null, double? AdversarialWeight = null, double? KlWeight = null,
                                 string? Upsampling = null);

    /// <summary>Rebuilds the network and trainer from a checkpoint, validated like any model file, with
    /// <paramref name="changes"/> applied.</summary>
    public static (IanTrainer Trainer, Position Position, IReadOnlyDictionary<string, string> Metadata) Load(string path, Device device,
                                                                                                        Changes? changes = null)
    {
        changes ??= new Changes();
        var header = SafeTensorsHeader.Read(path);
        ModelFileException Bad(string problem) => new(path, problem);
        var network = ModelFile.BuildFromHeader(header, AdamPrefix, config => changes.Upsampling is not string upsampling ? config
            : config.WithResize(upsampling) ?? throw new UserInputException(
                $"Only a resize-convolution decoder can switch its resize, to '{IanConfig.ResizeUpsampling}' or '{IanConfig.BilinearUpsampling}'; " +
                    $"this run's decoder is '{config.Upsampling}'."));
        using (var stream = SafeTensorsHeader.OpenForReading(path))
        {
            ModelFile.LoadWeights(network, header, stream, ignorePrefix: AdamPrefix);
            network.to(device);
            // Checked here so a damaged checkpoint is reported as one, naming the file.
            var weights = ObjectiveWeights.ReadFrom(header.Metadata) ?? throw Bad("has an objective weight that is not a number");
            if (weights.Problem() is not null) throw Bad($"has invalid objective weights ({weights})");
            var position = new Position(
                long.Parse(Required(header, "train_step"), CultureInfo.InvariantCulture),
                int.Parse(Required(header, "train_seed"), CultureInfo.InvariantCulture),
                double.Parse(Required(header, "train_seconds"), CultureInfo.InvariantCulture));
            if (changes.AdversarialWeight is double alpha && alpha != weights.Adversarial)
                weights = weights with { Adversarial = alpha, AdversarialFrom = position.Step };
            if (changes.KlWeight is double beta) weights = weights with { Kl = beta };
            var schedule = changes.Schedule ?? LearningRateSchedule.ReadFrom(header.Metadata) ?? throw Bad("has a damaged learning-rate schedule");
            bool separateBatches = IanTrainer.ReadSeparateBatches(header.Metadata) ?? throw Bad("has a damaged batch setting");
            var trainer = new IanTrainer(network, weights, schedule, separateBatches);
            using var _ = no_grad();
            foreach (var (key, optimizer) in Optimizers(trainer))
            {
                for (int i = 0; i < optimizer.States.Count; i++)
                {
                    var state = optimizer.States[i];
                    foreach (var (name, target) in new[] { ("exp_avg", state.FirstMoment), ("exp_avg_sq", state.SecondMoment) })
                    {
                        string tensorName = $"{AdamPrefix}{key}.{i}.{name}";
                        if (!header.Tensors.TryGetValue(tensorName, out var entry)) throw Bad($"is not a training checkpoint (no '{tensorName}')");
                        if (!entry.Shape.SequenceEqual(target.shape)) throw Bad($"has optimizer tensor '{tensorName}' of the wrong shape");
                        using var stored = SafeTensorsFile.ReadTensor(header, stream, entry);
                        target.copy_(stored);
                    }
                    state.Step = long.Parse(Required(header, $"{AdamPrefix}{key}.{i}.step"), CultureInfo.InvariantCulture);
                }
            }
            return (trainer, position, header.Metadata);
        }
    }

    static string Required(SafeTensorsHeader header, string key) =>
        header.Metadata.TryGetValue(key, out var value) ? value : throw new ModelFileException(header.Path, $"is not a training checkpoint (no " +
            $"'{key}' in its metadata)");

    static IEnumerable<(string Key, AdamOptimizer Optimizer)> Optimizers(IanTrainer trainer)
    {
        yield return ("d", trainer.DiscriminatorOptimizer);
        yield return ("g", trainer.GeneratorOptimizer);
    }
}
