using System.Text.Json;
using NeuralPhotoEdit.Cli;
using NeuralPhotoEdit.Imaging;
using Spectre.Console;

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
        // --json: stdout is exactly one JSON object, nothing before or after it.
        var (exit, output) = Run("eval", "--data", TestSupport.FixturePhotos, "--crops", "50", "--json");
        Assert.Equal(0, exit);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.True(JsonDocument.Parse(lines[0]).RootElement.GetProperty("psnr").GetDouble() > 10);
    }

    /// <summary>Runs npe in-process with stdout (plain text and Spectre's) captured.</summary>
    static (int Exit, string Output) Run(params string[] args)
    {
        var writer = new StringWriter();
        var (savedOut, savedConsole) = (Console.Out, AnsiConsole.Console);
        Console.SetOut(writer);
        AnsiConsole.Console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer), Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors,
        });
        try { return (NpeApp.Run(args), writer.ToString()); }
        finally { Console.SetOut(savedOut); AnsiConsole.Console = savedConsole; }
    }

    [Fact]
    public void StrokesWithoutTransparencyAreRefusedWithWhatToDo()
    {
        using var temp = TestSupport.TempDirectory();
        string photo = temp.File("photo.png");
        ImageFiles.Save(TestSupport.Solid(64, 64, 10, 20, 30), photo);
        foreach (string name in new[] { "flat.png", "flat.jpg" })
        {
            // A flattened export: every pixel opaque, so every pixel would be a stroke.
            ImageFiles.Save(TestSupport.Solid(64, 64, 200, 40, 40), temp.File(name));
            var (exit, output) = Run("edit", "--image", photo, "--strokes", temp.File(name), "--out", temp.File("out.png"));
            Assert.Equal(1, exit);
            Assert.Contains("no transparent pixels", output);
            Assert.Contains("transparent layer", output);
            Assert.False(File.Exists(temp.File("out.png")));
        }
    }

    [Fact]
    public void NoCommandReplacesAnExistingFileWithoutOverwrite()
    {
        using var temp = TestSupport.TempDirectory();
        string existing = temp.File("precious.png");
        ImageFiles.Save(TestSupport.Solid(8, 8, 1, 2, 3), existing);
        byte[] before = File.ReadAllBytes(existing);
        foreach (var args in new[]
        {
            new[] { "edit", "--demo", "--out", existing },
            new[] { "sample", "--count", "1", "--out", existing },
            new[] { "reconstruct", "--image", Path.Combine(TestSupport.FixturePhotos, "fog2.jpg"), "--out", existing },
        })
        {
            var (exit, output) = Run(args);
            Assert.Equal(1, exit);
            Assert.Contains("already exists; pass --overwrite", output);
            Assert.Equal(before, File.ReadAllBytes(existing));
        }
        // A sheets folder that already holds sheets is refused before any edit runs.
        var (sheetsExit, sheetsOutput) = Run("eval", "edits", "--data", TestSupport.FixturePhotos, "--count", "1", "--sheets", temp.Path);
        Assert.Equal(1, sheetsExit);
        Assert.Contains("already holds sheets; pass --overwrite", sheetsOutput);
        Assert.Equal(before, File.ReadAllBytes(existing));
        Assert.Equal(0, Run("sample", "--count", "1", "--out", existing, "--overwrite").Exit);
        Assert.NotEqual(before, File.ReadAllBytes(existing));
    }

    [Fact]
    public void ABadOptionValueIsOneLineInWordsAndAPointerToHelp()
    {
        foreach (var (args, expected) in new[]
        {
            (new[] { "edit", "--demo", "--steps", "abc" }, "(expected a whole number)"),
            (new[] { "edit", "--demo", "--step-size", "big" }, "(expected a number)"),
            (new[] { "edit", "--demo", "--blend", "fancy" }, "(expected one of: paper, detail, guided)"),
        })
        {
            var (exit, output) = Run(args);
            Assert.Equal(1, exit);
            var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(2, lines.Length);
            Assert.Contains(expected, lines[0]);
            Assert.DoesNotContain("System.", output);
            Assert.Equal("See 'npe edit --help' for the options.", lines[1].Trim());
        }
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
