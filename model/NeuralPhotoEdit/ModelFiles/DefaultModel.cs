namespace NeuralPhotoEdit.ModelFiles;

/// <summary>
/// Where the model that ships with Neural Photo Edit lives: in a <c>models</c> folder beside this
/// library's DLL (the build copies it there, for the command line, the tests and the plugin alike).
/// The NPE_MODEL environment variable overrides it.
/// </summary>
public static class DefaultModel
{
    public const string FileName = "ian-cpu-resize-landscapes.safetensors";

    public static string Path
    {
        get
        {
            var overridePath = Environment.GetEnvironmentVariable("NPE_MODEL");
            if (!string.IsNullOrWhiteSpace(overridePath)) return overridePath;
            string directory = System.IO.Path.GetDirectoryName(typeof(DefaultModel).Assembly.Location) ?? AppContext.BaseDirectory;
            return System.IO.Path.Combine(directory, "models", FileName);
        }
    }

    /// <summary>The given path, or the default model when none is given; a clear error if it's missing.</summary>
    public static string Resolve(string? path)
    {
        string resolved = string.IsNullOrWhiteSpace(path) ? Path : path;
        if (Directory.Exists(resolved)) throw new ModelFileException(resolved, "is a folder; pass the model file (.safetensors) itself");
        if (!File.Exists(resolved))
            throw new ModelFileException(resolved, string.IsNullOrWhiteSpace(path)
                ? "(the bundled default model) is missing; reinstall Neural Photo Edit, or choose another model file"
                : "does not exist");
        return resolved;
    }
}
