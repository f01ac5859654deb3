using System.CommandLine;
using NeuralPhotoEdit.Cli.Commands;

namespace NeuralPhotoEdit.Cli;

/// <summary>The command tree; Program and the tests both run it.</summary>
public static class NpeApp
{
    public static RootCommand Build() => new("npe — neural photo editing with an Introspective Adversarial Network.")
    {
        EditCommand.Create(),
        DataCommand.Create(),
        TrainCommand.Create(),
        SampleCommand.Create(),
        ReconstructCommand.Create(),
        EvalCommand.Create(),
        BenchCommand.Create(),
    };

    public static int Run(string[] args) => CommandRunner.Run(Build(), args);
}
