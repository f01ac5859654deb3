using System.CommandLine;
using NeuralPhotoEdit.Imaging;
using NeuralPhotoEdit.ModelFiles;
using Spectre.Console;
using static TorchSharp.torch;

namespace NeuralPhotoEdit.Cli.Commands;

static class SampleCommand
{
    public static Command Create()
    {
        var model = CommonOptions.Model();
        var count = new Option<int>("--count") { Description = "How many samples (laid out 8 to a row).", DefaultValueFactory = _ => 64 };
        var seed = CommonOptions.Seed();
        var output = new Option<string>("--out") { Description = "Grid image to write (.png).", Required = true };
        var overwrite = OutputGuard.OverwriteOption();
        var prior = new Option<string>("--codes") { Description = "Where the codes come from: fitted (the Gaussian the model file carries from " +
            "`npe fit-codes`, when it has one) or standard (N(0, I), the paper's prior).", DefaultValueFactory = _ => "fitted" };
        prior.AcceptOnlyFromAmong("fitted", "standard");
        var device = CommonOptions.Device();
        var command = new Command("sample", "Draw random images from the model: G(z), with z from the codes' fitted Gaussian or N(0, I).") { model,
            count, seed, output, overwrite, prior, device };
        command.SetAction(parse =>
        {
            int n = parse.GetValue(count);
            if (n is < 1 or > 1024) throw new UserInputException("--count must be between 1 and 1024.");
            string path = parse.GetValue(output)!;
            OutputGuard.Check(path, "--out", parse.GetValue(overwrite));
            using var loaded = ModelFile.Open(parse.GetValue(model), parse.GetValue(device)!);
            var dev = loaded.Device;
            using var _ = no_grad();
            using var generator = new Generator((ulong)parse.GetValue(seed), dev);
            bool standard = parse.GetValue(prior) == "standard" || loaded.Codes is null;
            using var z = loaded.SampleCodes(n, generator, standard);
            using var images = loaded.Network.Decode(z);
            ImageFiles.Save(ImageGrid.FromBatch(images, Math.Min(8, n)), path);
            string from = standard ? "N(0, I)" : "the fitted code distribution";
            AnsiConsole.MarkupLineInterpolated($"{n} samples (codes from {from}) from {loaded.Path} → [green]{path}[/]");
        });
        return command;
    }
}
