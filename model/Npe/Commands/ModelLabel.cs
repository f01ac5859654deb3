using NeuralPhotoEdit.ModelFiles;
using NeuralPhotoEdit.Training;

namespace NeuralPhotoEdit.Cli.Commands;

/// <summary>How reports name a model: its file name, and for a training run's export (every run writes
/// <see cref="TrainingRun.ModelFileName"/>) the run's folder too, so two runs' models in one comparison
/// are told apart ("ian-cpu/model.safetensors", not "model.safetensors").</summary>
static class ModelLabel
{
    public static string Of(LoadedModel model)
    {
        string file = Path.GetFileName(model.Path);
        string? run = Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(model.Path)));
        return file == TrainingRun.ModelFileName && !string.IsNullOrEmpty(run) ? $"{run}/{file}" : file;
    }
}
