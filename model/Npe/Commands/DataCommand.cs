using System.CommandLine;
using NeuralPhotoEdit.Data;
using Spectre.Console;

namespace NeuralPhotoEdit.Cli.Commands;

static class DataCommand
{
    public const string DefaultDirectory = "data/photos", OutOfSourceDirectory = "data/out-of-source";

    public static Command Create()
    {
        var output = new Option<string?>("--out") { Description = $"Where to put the photos (default: {DefaultDirectory}, or " +
            $"{OutOfSourceDirectory} with --out-of-source)." };
        var outOfSource = new Option<bool>("--out-of-source") { Description = "Fetch the evaluation photos from packages the model never trained " +
            "on (scikit-image's test photos, UKUI's photographic wallpapers) instead." };
        var fetch = new Command("fetch", "Get the training photos from Debian packages, with a manifest (package, licence, SHA-256) and a train / " +
            "held-out split by photo; or, with --out-of-source, the out-of-source evaluation photos.")
            { output, outOfSource };
        fetch.SetAction(parse =>
        {
            bool evaluationOnly = parse.GetValue(outOfSource);
            string directory = parse.GetValue(output) ?? (evaluationOnly ? OutOfSourceDirectory : DefaultDirectory);
            OutputGuard.CheckFolder(directory, "--out");
            AnsiConsole.Progress().Start(context =>
            {
                ProgressTask? copying = null;
                new DebianPhotoFetcher(
                    log: m => AnsiConsole.MarkupLineInterpolated($"[grey]{m}[/]"),
                    progress: (done, total) => { copying ??= context.AddTask("copying photos", maxValue: total); copying.Value = done; })
                    .Fetch(directory, evaluationOnly ? PhotoSource.OutOfSource : PhotoSource.Training, split: !evaluationOnly);
            });
        });
        return new Command("data", "Training and evaluation photos.") { fetch };
    }
}
