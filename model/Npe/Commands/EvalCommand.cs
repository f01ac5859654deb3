using System.CommandLine;
using System.Text.Json;
using NeuralPhotoEdit.Evaluation;
using NeuralPhotoEdit.ModelFiles;
using Spectre.Console;

namespace NeuralPhotoEdit.Cli.Commands;

static class EvalCommand
{
    static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };

    public static Command Create()
    {
        var model = CommonOptions.Model();
        var data = new Option<string>("--data") { Description = "Folder of evaluation photos (e.g. data/photos/heldout).", Required = true };
        var crops = new Option<int>("--crops") { Description = "Random crops taken from photos larger than the model's size.", DefaultValueFactory = _ => 1000 };
        var seed = CommonOptions.Seed();
        var json = CommonOptions.Json();
        var pca = new Option<string?>("--pca-fit") { Description = "Also score the PCA-25 and PCA-100 baselines fitted on crops of this folder (e.g. data/photos/train)." };
        var device = CommonOptions.Device();
        var command = new Command("eval", "Mean reconstruction PSNR (8-bit) at the model's resolution.") { model, data, crops, seed, json, pca, device };
        command.SetAction(parse =>
        {
            int n = parse.GetValue(crops);
            if (n < 1) throw new UserInputException("--crops must be at least 1.");
            var dev = Devices.Resolve(parse.GetValue(device)!);
            using var loaded = ModelFile.Load(DefaultModel.Resolve(parse.GetValue(model)), dev);
            var result = AnsiConsole.Status().Start("Evaluating…", _ => ReconstructionEvaluation.Run(
                loaded.Network, Path.GetFileName(loaded.Path), parse.GetValue(data)!, n, parse.GetValue(seed), dev, parse.GetValue(pca)));
            if (!parse.GetValue(json))
            {
                AnsiConsole.MarkupLineInterpolated($"model {result.Model}: PSNR [green]{result.Psnr:F2} dB[/] over {result.Crops} crops");
                if (result.Pca25Psnr is double p25) AnsiConsole.MarkupLineInterpolated($"PCA-25 baseline {p25:F2} dB, PCA-100 baseline {result.Pca100Psnr:F2} dB (fitted on {result.PcaFitCrops} training crops)");
            }
            Console.WriteLine(JsonSerializer.Serialize(result, Json));
        });
        return command;
    }
}
