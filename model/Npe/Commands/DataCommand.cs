using System.CommandLine;
using NeuralPhotoEdit.Data;
using Spectre.Console;

namespace NeuralPhotoEdit.Cli.Commands;

static class DataCommand
{
    public const string DefaultDirectory = "data/photos";

    public static Command Create()
    {
        var output = new Option<string>("--out") { Description = "Where to put the photos.", DefaultValueFactory = _ => DefaultDirectory };
        var fetch = new Command("fetch", "Get the training photos from Debian packages, with a manifest (package, licence, SHA-256) and a train / held-out split by photo.")
            { output };
        fetch.SetAction(parse =>
        {
            string directory = parse.GetValue(output)!;
            AnsiConsole.Progress().Start(context =>
            {
                ProgressTask? copying = null;
                new DebianPhotoFetcher(
                    log: m => AnsiConsole.MarkupLineInterpolated($"[grey]{m}[/]"),
                    progress: (done, total) => { copying ??= context.AddTask("copying photos", maxValue: total); copying.Value = done; })
                    .Fetch(directory);
            });
        });
        return new Command("data", "Training and evaluation photos.") { fetch };
    }
}
