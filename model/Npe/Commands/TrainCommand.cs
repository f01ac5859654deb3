using System.CommandLine;
using NeuralPhotoEdit.Networks;
using NeuralPhotoEdit.Training;
using Spectre.Console;

namespace NeuralPhotoEdit.Cli.Commands;

static class TrainCommand
{
    public static Command Create()
    {
        var data = new Option<string>("--data") { Description = "Folder of JPEG/PNG photos (searched recursively).", Required = true };
        var config = new Option<string>("--config") { Description = $"Named config ({string.Join(", ", IanConfig.Named.Keys)}) or a config JSON " +
            $"file.", DefaultValueFactory = _ => "ian-cpu" };
        var size = new Option<int?>("--size") { Description = "Image size in pixels (default: the config's, 64)." };
        var batch = new Option<int>("--batch") { Description = "Photos per step.", DefaultValueFactory = _ => 64 };
        var steps = new Option<long>("--steps") { Description = "Train until this many steps in total.", DefaultValueFactory = _ => 10_000 };
        var output = new Option<string>("--out") { Description = "Folder for checkpoints, the model, metrics and grids.", DefaultValueFactory = _ =>
            "runs/train" };
        var resume = new Option<bool>("--resume") { Description = "Continue the run in --out from its last checkpoint." };
        var every = new Option<int>("--checkpoint-every") { Description = "Write checkpoint, model and grids every K steps.",
            DefaultValueFactory = _ => 250 };
        var klWeight = new Option<double?>("--kl-weight") { Description = $"Weight β of the KL term (the paper: 1; see docs/how-it-works.md). " +
            $"Default for a new run: {ObjectiveWeights.DefaultKl}. With --resume, a new β applies from the resume step on." };
        var adversarialWeight = new Option<double?>("--adversarial-weight") { Description = $"Weight α of the generator's adversarial terms (the " +
            $"paper: 1; see docs/how-it-works.md). Default for a new run: {ObjectiveWeights.DefaultAdversarial}. With --resume, a new α starts a " +
            $"fine-tuning phase: it ramps in over {IanTrainer.AdversarialWarmupSteps} steps from the resume step." };
        var halveAt = new Option<string?>("--lr-halve-at") { Description = "Steps at which to halve the learning rate, e.g. 8000,11000 (default: " +
            "constant; a resumed run keeps its own unless this is given)." };
        var augment = new Option<string?>("--augment") { Description = "Colour augmentation of the patches: light (±5 % jitter) or strong (hues " +
            "rotated, saturation 0.5–1.5×). Default: light; a resumed run keeps its own unless this is given." };
        augment.AcceptOnlyFromAmong(Augmentation.Light.Name, Augmentation.Strong.Name);
        var upsampling = new Option<string?>("--upsampling") { Description = $"With --resume: switch a resize-convolution decoder's resize to " +
            $"nearest-neighbour ({IanConfig.ResizeUpsampling}) or {IanConfig.BilinearUpsampling}, keeping its weights (a fine-tuning phase). New " +
            $"runs take it from --config." };
        upsampling.AcceptOnlyFromAmong(IanConfig.ResizeUpsampling, IanConfig.BilinearUpsampling);
        var evaluate = new Option<string[]>("--eval-data") { Description = "Folder of evaluation photos (repeatable, e.g. data/photos/heldout and " +
            "data/out-of-source): reconstruction PSNR on 1 000 fixed crops of each at every checkpoint, in evaluations.jsonl." };
        var separate = new Option<bool>("--separate-batches") { Description = "Decode reconstructions and prior samples as separate batches, each " +
            "with its own batch-norm statistics, as the authors' code does (default: one batch, as the default model was trained). New runs only." };
        var half = new Option<bool>("--fp16") { Description = "Store the exported model in float16 (half the size)." };
        var device = CommonOptions.Device();
        var seed = CommonOptions.Seed();

        var command = new Command("train", "Train an Introspective Adversarial Network on a folder of photos.")
            { data, config, size, batch, steps, output, resume, every, klWeight, adversarialWeight, halveAt, augment, upsampling, separate, evaluate,
                half, device, seed };
        command.SetAction((parse, cancellation) =>
        {
            var schedule = parse.GetValue(halveAt) is string text
                ? LearningRateSchedule.Parse(text) ?? throw new UserInputException("--lr-halve-at must be step numbers separated by commas, e.g. " +
                    "8000,11000.")
                : null;
            var options = new TrainingOptions
            {
                DataDirectory = parse.GetValue(data)!, OutputDirectory = parse.GetValue(output)!,
                Config = parse.GetValue(config)!, ImageSize = parse.GetValue(size), Batch = parse.GetValue(batch),
                Steps = parse.GetValue(steps), Resume = parse.GetValue(resume), CheckpointEvery = Math.Max(1, parse.GetValue(every)),
                HalfPrecisionModel = parse.GetValue(half),
                    Weights = new ObjectiveWeights(parse.GetValue(klWeight) ?? ObjectiveWeights.DefaultKl, parse.GetValue(adversarialWeight)
                    ?? ObjectiveWeights.DefaultAdversarial),
                ResumeAdversarialWeight = parse.GetValue(resume) ? parse.GetValue(adversarialWeight) : null,
                ResumeKlWeight = parse.GetValue(resume) ? parse.GetValue(klWeight) : null,
                ResumeUpsampling = parse.GetValue(resume) ? parse.GetValue(upsampling) : null, Device = parse.GetValue(device)!,
                    Seed = parse.GetValue(seed),
                Schedule = schedule,
                Augmentation = parse.GetValue(augment) is string name ? Augmentation.FromName(name) : null,
                EvaluationDirectories = parse.GetValue(evaluate) ?? [],
                SeparateBatches = parse.GetValue(separate),
            };
            Run(options, cancellation);
            return Task.FromResult(0);
        });
        return command;
    }

    static void Run(TrainingOptions options, CancellationToken cancellation)
    {
        TorchRuntime.PrepareForTraining();
        StepProgress.Run(context =>
        {
            ProgressTask? loading = null;
            ProgressTask? training = null;
            var run = new TrainingRun(options,
                log: StepProgress.Log,
                progress: p =>
                {
                    training ??= context.AddTask("training", maxValue: p.TotalSteps);
                    training.Value = p.Step;
                    training.Description = Markup.Escape(
                        $"step {p.Step}/{p.TotalSteps}  D {p.Losses.Discriminator:F3}  GE {p.Losses.GeneratorEncoder:F3}  " +
                        $"pixel {p.Losses.Pixel:F3}  KL {p.Losses.Kl:F3}  {p.ImagesPerSecond:F0} img/s");
                },
                loadingProgress: (done, total) =>
                {
                    loading ??= context.AddTask("decoding photos", maxValue: total);
                    loading.Value = done;
                });
            run.Run(cancellation);
            AnsiConsole.MarkupLineInterpolated($"Model: [green]{run.ModelPath}[/]  checkpoint: {run.CheckpointPath}");
        });
    }
}
