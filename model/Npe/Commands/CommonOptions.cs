using System.CommandLine;

namespace NeuralPhotoEdit.Cli.Commands;

/// <summary>Options shared by several commands, defined once so they read the same everywhere.</summary>
static class CommonOptions
{
    public static Option<string> Device()
    {
        var option = new Option<string>("--device")
        {
            Description = "Where to run: auto (CUDA when available), cpu or cuda.",
            DefaultValueFactory = _ => "auto",
        };
        option.AcceptOnlyFromAmong(NeuralPhotoEdit.Devices.Choices);
        return option;
    }

    public static Option<string?> Model() => new("--model")
    {
        Description = "Model file (.safetensors). Default: the bundled model.",
    };

    public static Option<int> Seed(int defaultValue = 0) => new("--seed")
    {
        Description = "Random seed (same seed, same result).",
        DefaultValueFactory = _ => defaultValue,
    };

    public static Option<bool> Json() => new("--json") { Description = "Print the result as one JSON line." };
}
