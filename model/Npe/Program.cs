using System.CommandLine;
using NeuralPhotoEdit.Cli.Commands;

var root = new RootCommand("npe — neural photo editing with an Introspective Adversarial Network.")
{
    DataCommand.Create(),
    TrainCommand.Create(),
    SampleCommand.Create(),
    ReconstructCommand.Create(),
    EvalCommand.Create(),
    BenchCommand.Create(),
};
return CommandRunner.Run(root, args);
