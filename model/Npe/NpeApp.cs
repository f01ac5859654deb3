using System.CommandLine;
using NeuralPhotoEdit.Cli.Commands;

namespace NeuralPhotoEdit.Cli;

/// <summary>The command tree; Program and the tests both run it.</summary>
public static class NpeApp
{
    public static RootCommand Build() => new("npe — neural photo editing with an Introspective Adversarial Network.")
    {
        EditCommand.Create(),
        StudioCommand.Create(),
        DataCommand.Create(),
        TrainCommand.Create(),
        SampleCommand.Create(),
        FitCodesCommand.Create(),
        TuneCommand.Create(),
        ReconstructCommand.Create(),
        EvalCommand.Create(),
        BenchCommand.Create(),
    };

    public static int Run(string[] args)
    {
        // Before anything touches TorchSharp: OpenMP reads its settings when libtorch loads.
        TorchRuntime.PrepareEnvironment();
        // Spectre.Console wraps at the terminal's width, or 80 columns when output is piped: a path
        // split over two lines can't be pasted. Piped output gets lines as long as they are.
        if (Console.IsOutputRedirected) Spectre.Console.AnsiConsole.Profile.Width = 4096;
        return CommandRunner.Run(Build(), args);
    }
}
