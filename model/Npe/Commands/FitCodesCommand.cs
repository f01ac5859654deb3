using System.CommandLine;
using NeuralPhotoEdit.Evaluation;
using NeuralPhotoEdit.ModelFiles;
using Spectre.Console;
using static TorchSharp.torch;

namespace NeuralPhotoEdit.Cli.Commands;

static class FitCodesCommand
{
    public static Command Create()
    {
        var model = CommonOptions.Model();
        var data = new Option<string>("--data") { Description = "Folder of the photos whose codes to fit (the training photos, e.g. " +
            "data/photos/train).", Required = true };
        var crops = new Option<int>("--crops") { Description = "Random crops encoded (1×–8× the model's size, no colour changes).",
            DefaultValueFactory = _ => 10_000 };
        var seed = CommonOptions.Seed();
        var output = new Option<string>("--out") { Description = "Model file to write: the model with the fitted distribution.", Required = true };
        var overwrite = OutputGuard.OverwriteOption();
        var device = CommonOptions.Device();
        var command = new Command("fit-codes",
            "Fit a Gaussian to the model's codes of photos (mean and covariance) and write a copy of the model that draws its samples from it; see " +
                "docs/model.md.")
            { model, data, crops, seed, output, overwrite, device };
        command.SetAction(parse =>
        {
            int n = parse.GetValue(crops);
            if (n is < 2 or > 1_000_000) throw new UserInputException("--crops must be between 2 and 1000000.");
            string path = parse.GetValue(output)!;
            using var loaded = ModelFile.Open(parse.GetValue(model), parse.GetValue(device)!);
            OutputGuard.CheckModel(path, "--out", parse.GetValue(overwrite), loaded.Path);
            using var photos = ReconstructionEvaluation.LoadCrops(parse.GetValue(data)!, loaded.Config.ImageSize, n, parse.GetValue(seed));
            var codes = AnsiConsole.Progress().Start(context =>
            {
                var task = context.AddTask("encoding crops", maxValue: (int)photos.shape[0]);
                return CodeDistributionFit.Fit(loaded.Network, photos, loaded.Device, (done, _) => task.Value = done);
            });
            var facts = loaded.Facts();
            CodeDistributionFit.WriteFacts(facts, parse.GetValue(data)!, photos.shape[0]);
            ModelFile.Save(path, loaded.Network, facts, loaded.HalfPrecision, codes: codes);
            int size = codes.LatentSize;
            double variance = Enumerable.Range(0, size).Sum(row =>
                Enumerable.Range(0, row + 1).Sum(column => Math.Pow(codes.Scale[row * size + column], 2)));
            double distance = Math.Sqrt(codes.Mean.Sum(m => m * m));
            AnsiConsole.MarkupInterpolated($"Codes of {photos.shape[0]} crops fitted: total variance {variance:F1} (N(0, I): {size}), ");
            AnsiConsole.MarkupLineInterpolated($"mean {distance:F2} from 0 → [green]{path}[/]");
        });
        return command;
    }
}
