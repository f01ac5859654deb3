using NeuralPhotoEdit.ModelFiles;

namespace NeuralPhotoEdit.Plugin;

/// <summary>The model files installed beside the plugin (its models folder), listed by file name.</summary>
public static class ModelCatalog
{
    static string Folder => Path.GetDirectoryName(DefaultModel.Path)!;

    public static IReadOnlyList<string> Installed() =>
        Directory.Exists(Folder)
            ? Directory.GetFiles(Folder, "*.safetensors").Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToList()
            : [];

    /// <summary>The full path of an installed model; file names only, so a choice can't point elsewhere.</summary>
    public static string PathOf(string fileName) => Path.Combine(Folder, Path.GetFileName(fileName));
}
