using NeuralPhotoEdit.Cli;
using NeuralPhotoEdit.Imaging;

namespace NeuralPhotoEdit.Tests;

/// <summary>The README's commands, run in-process the way a user types them.</summary>
public class CommandLineTests
{
    [Fact]
    public void TheDemoEditWritesTheResultAndTheSheet()
    {
        using var temp = TestSupport.TempDirectory();
        Assert.Equal(0, NpeApp.Run(["edit", "--demo", "--out", temp.File("demo.png"), "--sheet"]));
        var result = ImageFiles.Load(temp.File("demo.png"));
        var photo = ImageFiles.Load(Path.Combine(TestSupport.DemoFolder, "valley.jpg"));
        Assert.Equal((photo.Width, photo.Height), (result.Width, result.Height));
        Assert.NotEqual(photo.Pixels, result.Pixels);
        var sheet = ImageFiles.Load(temp.File("demo-sheet.png"));
        Assert.True(sheet.Width > 3 * sheet.Height, "the sheet shows four panels side by side");
    }

    [Fact]
    public void SampleReconstructAndEvalUseTheBundledModel()
    {
        using var temp = TestSupport.TempDirectory();
        Assert.Equal(0, NpeApp.Run(["sample", "--count", "16", "--out", temp.File("samples.png")]));
        Assert.True(File.Exists(temp.File("samples.png")));
        Assert.Equal(0, NpeApp.Run(["reconstruct", "--image", Path.Combine(TestSupport.FixturePhotos, "fog2.jpg"), "--out", temp.File("sheet.png")]));
        Assert.True(File.Exists(temp.File("sheet.png")));
        Assert.Equal(0, NpeApp.Run(["eval", "--data", TestSupport.FixturePhotos, "--crops", "50", "--json"]));
    }

    [Fact]
    public void BadInputExitsWithOneAndNeverOverwritesTheInput()
    {
        using var temp = TestSupport.TempDirectory();
        string photo = temp.File("photo.png");
        ImageFiles.Save(TestSupport.Solid(64, 64, 10, 20, 30), photo);
        string strokes = temp.File("strokes.png");
        ImageFiles.Save(TestSupport.Solid(32, 32, 0, 0, 255), strokes);
        byte[] before = File.ReadAllBytes(photo);
        Assert.Equal(1, NpeApp.Run(["edit", "--image", photo, "--strokes", strokes, "--out", photo]));
        Assert.Equal(1, NpeApp.Run(["edit", "--image", photo, "--strokes", strokes, "--out", temp.File("out.png")]));
        Assert.Equal(1, NpeApp.Run(["edit", "--image", temp.File("missing.png"), "--strokes", strokes, "--out", temp.File("out.png")]));
        Assert.Equal(1, NpeApp.Run(["sample", "--model", temp.File("missing.safetensors"), "--out", temp.File("s.png")]));
        Assert.Equal(before, File.ReadAllBytes(photo));
    }
}
