using NeuralPhotoEdit.Imaging;

namespace NeuralPhotoEdit.Tests;

/// <summary>Paths and small helpers shared by the tests.</summary>
static class TestSupport
{
    /// <summary>Six small public-domain landscape photos (held-out photos of the training set's package).</summary>
    public static string FixturePhotos => Path.Combine(AppContext.BaseDirectory, "Fixtures", "photos");

    public static string DemoFolder => Path.Combine(AppContext.BaseDirectory, "demo");

    public static TempDirectory TempDirectory() => new();

    /// <summary>The checkout the tests run from (the folder holding NeuralPhotoEdit.sln).</summary>
    public static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "NeuralPhotoEdit.sln"))) directory = directory.Parent;
        return directory?.FullName ?? throw new InvalidOperationException("Repository root not found.");
    }

    /// <summary>A training run's exported model in model/TrainingState (e.g. "ian-cpu", the previous default).</summary>
    public static string TrainingRunModel(string run) => Path.Combine(RepositoryRoot(), "model", "TrainingState", run, "model.safetensors");

    public static RgbaImage Solid(int width, int height, byte r, byte g, byte b, byte a = 255)
    {
        var image = new RgbaImage(width, height);
        for (int i = 0; i < image.Pixels.Length; i += 4)
        {
            image.Pixels[i] = r; image.Pixels[i + 1] = g; image.Pixels[i + 2] = b; image.Pixels[i + 3] = a;
        }
        return image;
    }
}

sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "npe-tests-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }
    public string File(string name) => System.IO.Path.Combine(Path, name);
    public void Dispose() { try { Directory.Delete(Path, true); } catch (IOException) { } }
}
