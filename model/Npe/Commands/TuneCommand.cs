using System.CommandLine;
using NeuralPhotoEdit.ModelFiles;
using NeuralPhotoEdit.Networks;
using NeuralPhotoEdit.Training;
using Spectre.Console;

namespace NeuralPhotoEdit.Cli.Commands;

static class TuneCommand
{
    public static Command Create()
    {
        var model = CommonOptions.Model();
        var data = new Option<string>("--data") { Description = "Folder of the photos to tune on (the training photos, e.g. data/photos/train).",
            Required = true };
        var output = new Option<string>("--out") { Description = "Model file to write: the model with the tuned encoder (written every " +
            "--save-every steps).", Required = true };
        var steps = new Option<long>("--steps") { Description = "Tuning steps.", DefaultValueFactory = _ => 2000 };
        var batch = new Option<int>("--batch") { Description = "Photos per step.", DefaultValueFactory = _ => 64 };
        var rate = new Option<double>("--lr") { Description = "Adam's learning rate.", DefaultValueFactory = _ => 3e-5 };
        var augment = new Option<string>("--augment") { Description = "Colour augmentation of the patches: light or strong (see train).",
            DefaultValueFactory = _ => Augmentation.Strong.Name };
        augment.AcceptOnlyFromAmong(Augmentation.Light.Name, Augmentation.Strong.Name);
        var evaluate = new Option<string[]>("--eval-data") { Description = "Folder of evaluation photos (repeatable): reconstruction PSNR on 1 000 " +
            "fixed crops of each, before tuning and at every save." };
        var every = new Option<int>("--save-every") { Description = "Write the model (and score --eval-data) every K steps.",
            DefaultValueFactory = _ => 250 };
        var decoder = new Option<bool>("--decoder") { Description = "Tune the decoder too (changes samples and edits as well as reconstructions)." };
        var padding = new Option<string?>("--decoder-padding") { Description = $"With --decoder: what the decoder's convolutions read past the " +
            $"border, {IanConfig.ZeroPadding} or {IanConfig.ReflectPadding} (default: the model's own)." };
        padding.AcceptOnlyFromAmong(IanConfig.ZeroPadding, IanConfig.ReflectPadding);
        var evenChange = new Option<double>("--even-change") { Description = "With --decoder: weight of the even-change term, which teaches the " +
            "decoder to change a flat area evenly when the editor moves the code (0 = off). See the model card, \"Tuning\"." };
        var reach = new Option<double>("--reach") { Description = "With --decoder: weight of the reach term, which teaches the decoder to take the " +
            "colour under a stroke further when the editor moves the code (0 = off). See the model card, \"Tuning\"." };
        var average = new Option<double>("--average") { Description = "Save an exponential moving average of the weights over the steps instead of " +
            "the last step's weights: its decay per step, e.g. 0.995 (0 = the last step's). See the model card, \"Tuning\"." };
        var overwrite = OutputGuard.OverwriteOption();
        var device = CommonOptions.Device();
        var seed = CommonOptions.Seed();
        var command = new Command("tune",
            "Tune a trained model for reconstruction: its encoder (and with --decoder its decoder) learn to raise the mean PSNR of what the editor " +
                "decodes; its code distribution is fitted again. See docs/model.md.")
            { model, data, output, steps, batch, rate, augment, decoder, padding, evenChange, reach, average, evaluate, every, overwrite, device,
                seed };
        command.SetAction((parse, cancellation) =>
        {
            string modelPath = DefaultModel.Resolve(parse.GetValue(model));
            string path = parse.GetValue(output)!;
            OutputGuard.CheckModel(path, "--out", parse.GetValue(overwrite), modelPath);
            var options = new ReconstructionTuningOptions
            {
                ModelPath = modelPath, DataDirectory = parse.GetValue(data)!, OutputPath = path,
                Steps = parse.GetValue(steps), Batch = parse.GetValue(batch), LearningRate = parse.GetValue(rate),
                Augmentation = Augmentation.FromName(parse.GetValue(augment)!)!,
                EvaluationDirectories = parse.GetValue(evaluate) ?? [], SaveEvery = Math.Max(1, parse.GetValue(every)),
                TuneDecoder = parse.GetValue(decoder), DecoderPadding = parse.GetValue(padding), EvenChangeWeight = parse.GetValue(evenChange),
                ReachWeight = parse.GetValue(reach), WeightAverageDecay = parse.GetValue(average),
                Device = parse.GetValue(device)!, Seed = parse.GetValue(seed),
            };
            TorchRuntime.PrepareForTraining();
            StepProgress.Run(context =>
            {
                ProgressTask? tuning = null;
                new ReconstructionTuningRun(options, StepProgress.Log, progress: p =>
                {
                    tuning ??= context.AddTask("tuning", maxValue: p.TotalSteps);
                    tuning.Value = p.Step;
                    tuning.Description = Markup.Escape($"step {p.Step}/{p.TotalSteps}  batch PSNR {p.BatchPsnr:F2} dB  {p.ImagesPerSecond:F0} img/s");
                }).Run(cancellation);
            });
            AnsiConsole.MarkupLineInterpolated($"Model: [green]{path}[/]");
            return Task.FromResult(0);
        });
        return command;
    }
}
