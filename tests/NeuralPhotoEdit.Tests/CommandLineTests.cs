using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using NeuralPhotoEdit.Cli;
using NeuralPhotoEdit.Editing;
using NeuralPhotoEdit.Evaluation;
using NeuralPhotoEdit.Imaging;
using NeuralPhotoEdit.ModelFiles;
using NeuralPhotoEdit.Networks;
using Spectre.Console;
using static TorchSharp.torch;

namespace NeuralPhotoEdit.Tests;

/// <summary>The README's commands, run in-process the way a user types them.</summary>
public class CommandLineTests
{
    /// <summary>The demo edit, locally (context 0: every pixel outside the edited area is the photo's,
    /// byte for byte) and with the defaults (the photo follows: the land outside the area changes too,
    /// less than the sky under the strokes).</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TheDemoEditChangesThePhotoUnderTheStrokesAndOutsideTheAreaOnlyWithContext(bool local)
    {
        using var temp = TestSupport.TempDirectory();
        string[] context = local ? ["--context", "0"] : [];
        var (exit, output) = Run(["edit", "--demo", "--out", temp.File("demo.png"), "--sheet", .. context]);
        Assert.Equal(0, exit);
        var result = ImageFiles.Load(temp.File("demo.png"));
        var photo = ImageFiles.Load(Path.Combine(TestSupport.DemoFolder, "valley.jpg"));
        var strokes = ImageFiles.Load(Path.Combine(TestSupport.DemoFolder, "valley-strokes.png"));
        Assert.Equal((photo.Width, photo.Height), (result.Width, result.Height));
        // "Edited area X,Y,W,H …": the local edit's area.
        var area = Regex.Match(output, @"Edited area (\d+),(\d+),(\d+),(\d+)");
        Assert.True(area.Success, output);
        var (x0, y0) = (int.Parse(area.Groups[1].Value), int.Parse(area.Groups[2].Value));
        var (x1, y1) = (x0 + int.Parse(area.Groups[3].Value), y0 + int.Parse(area.Groups[4].Value));
        double underStrokes = 0, outside = 0;
        int strokePixels = 0, outsidePixels = 0;
        for (int y = 0; y < photo.Height; y++)
            for (int x = 0; x < photo.Width; x++)
            {
                int o = photo.Offset(x, y);
                int change = Math.Abs(result.Pixels[o] - photo.Pixels[o]) + Math.Abs(result.Pixels[o + 1] - photo.Pixels[o + 1])
                    + Math.Abs(result.Pixels[o + 2] - photo.Pixels[o + 2]);
                if (x < x0 || x >= x1 || y < y0 || y >= y1)
                {
                    if (local) Assert.True(change == 0, $"({x}, {y}) is outside the edited area and changed");
                    outside += change / 3.0; outsidePixels++;
                }
                else if (strokes.Pixels[o + 3] > 128) { underStrokes += change / 3.0; strokePixels++; }
            }
        Assert.True(strokePixels > 100);
        Assert.True(underStrokes / strokePixels > 8, $"the photo under the strokes changed by {underStrokes / strokePixels:F1} levels on average");
        if (!local)
        {
            double follows = outside / outsidePixels;
            Assert.True(follows > 0.5 && follows < underStrokes / strokePixels / 2,
                        $"outside the area the photo changed by {follows:F1} levels on average, under the strokes by " +
                            $"{underStrokes / strokePixels:F1}");
        }
        var sheet = ImageFiles.Load(temp.File("demo-sheet.png"));
        Assert.True(sheet.Width > 3 * sheet.Height, "the sheet shows four panels side by side");
    }

    [Fact]
    public void SampleReconstructAndEvalReportWhatTheEngineComputes()
    {
        using var temp = TestSupport.TempDirectory();
        // Samples: a 8×2 grid of 64-px tiles, different from each other, the same for the same seed.
        Assert.Equal(0, NpeApp.Run(["sample", "--count", "16", "--seed", "3", "--out", temp.File("a.png")]));
        Assert.Equal(0, NpeApp.Run(["sample", "--count", "16", "--seed", "3", "--out", temp.File("b.png")]));
        var grid = ImageFiles.Load(temp.File("a.png"));
        Assert.Equal(ImageFiles.Load(temp.File("b.png")).Pixels, grid.Pixels);
        Assert.True(grid.Width >= 8 * 64 && grid.Height >= 2 * 64 && grid.Width < 9 * 64 && grid.Height < 3 * 64, $"{grid.Width}×{grid.Height}");
        Assert.NotEqual(grid.Crop(new PixelRect(0, 0, 64, 64)).Pixels, grid.Crop(new PixelRect(grid.Width - 64, grid.Height - 64, 64, 64)).Pixels);

        // Reconstruct: the PSNRs printed are those of the model's reconstructions of the photo's central
        // square, from the encoder's code and from the refined code the editor starts from.
        string photoPath = Path.Combine(TestSupport.FixturePhotos, "fog2.jpg");
        var (exit, output) = Run("reconstruct", "--image", photoPath, "--out", temp.File("sheet.png"));
        Assert.Equal(0, exit);
        double Printed(string pattern) => double.Parse(Regex.Match(output, pattern).Groups[1].Value, CultureInfo.InvariantCulture);
        double printedEncoder = Printed(@"encoder's code ([0-9.]+) dB"), printedRefined = Printed(@"refined \(20 steps\) ([0-9.]+) dB");
        using (var model = ModelFile.Open(null, "cpu"))
        {
            var photo = ImageFiles.Load(photoPath);
            int side = Math.Min(photo.Width, photo.Height), size = model.Config.ImageSize;
            var square = new PixelRect((photo.Width - side) / 2, (photo.Height - side) / 2, side, side);
            var planes = Resampling.ToModelPlanes(photo, square, size, alphaWeighted: false);
            using var x = tensor(planes, [1, 3, size, size]);
            double PsnrFrom(int steps)
            {
                using var scope = NewDisposeScope();
                var code = PhotoCodes.Encode(model.Network, x, steps);
                using var _ = no_grad();
                return Psnr.FromPlanes(planes, ImageTensors.ToPlanes(model.Network.Decode(code)));
            }
            Assert.Equal(PsnrFrom(0), printedEncoder, 2);
            Assert.Equal(PsnrFrom(PhotoCodes.DefaultRefinementSteps), printedRefined, 2);
        }
        Assert.True(printedRefined > printedEncoder, output);
        Assert.True(ImageFiles.Load(temp.File("sheet.png")).Width > 3 * 64);

        // --json: stdout is exactly one JSON object, nothing before or after it, with the engine's figure.
        var (evalExit, json) = Run("eval", "--data", TestSupport.FixturePhotos, "--crops", "50", "--seed", "2", "--json");
        Assert.Equal(0, evalExit);
        var lines = json.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        using (var model = ModelFile.Open(null, "cpu"))
        {
            var reports = new List<(EvaluationStage Stage, int Done, int Total)>();
            var expected = ReconstructionEvaluation.Run(model.Network, "m", TestSupport.FixturePhotos, 50, 2, model.Device, null,
                                                        PhotoCodes.DefaultRefinementSteps, (stage, done, total) => reports.Add((stage, done, total)));
            // Progress: each stage in turn (no baselines without --pca-fit), each finished.
            Assert.Equal([EvaluationStage.EncoderCodes, EvaluationStage.RefinedCodes, EvaluationStage.Samples],
                         reports.Select(r => r.Stage).Distinct());
            Assert.True(reports.Select(r => r.Stage).SequenceEqual(reports.Select(r => r.Stage).Order()), "stages out of order");
            Assert.All(reports.GroupBy(r => r.Stage), stage => Assert.Equal(stage.Last().Total, stage.Last().Done));
            var printed = JsonDocument.Parse(lines[0]).RootElement;
            Assert.Equal(Math.Round(expected.Psnr, 3), printed.GetProperty("psnr").GetDouble(), 3);
            Assert.Equal(expected.RefinedPsnr!.Value, printed.GetProperty("refined_psnr").GetDouble(), 3);
            Assert.Equal(PhotoCodes.DefaultRefinementSteps, printed.GetProperty("refinement_steps").GetInt32());
        }
    }

    /// <summary>The studio refuses, before it starts, a photo it can't open and a port that is taken —
    /// one line each on standard error, nothing on standard output.</summary>
    [Fact]
    public void TheStudioRefusesAMissingPhotoAndATakenPortInWords()
    {
        var (exit, output, errors) = RunSeparately("studio", "no-such-photo.jpg", "--no-browser");
        Assert.Equal((1, ""), (exit, output));
        Assert.Contains("does not exist", errors);

        var taken = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        taken.Start();
        try
        {
            int port = ((System.Net.IPEndPoint)taken.LocalEndpoint).Port;
            (exit, output, errors) = RunSeparately("studio", "--port", port.ToString(), "--no-browser");
            Assert.Equal((1, ""), (exit, output));
            Assert.Contains($"Port {port} on 127.0.0.1 is taken", errors);
        }
        finally { taken.Stop(); }
        (exit, _, errors) = RunSeparately("studio", "--port", "70000");
        Assert.Equal(1, exit);
        Assert.Contains("--port must be from 0", errors);
    }

    /// <summary>Runs npe in-process; Output is what it wrote to standard output, then to standard error.</summary>
    static (int Exit, string Output) Run(params string[] args)
    {
        var (exit, output, errors) = RunSeparately(args);
        return (exit, output + errors);
    }

    static (int Exit, string Output, string Errors) RunSeparately(params string[] args)
    {
        var (writer, errorWriter) = (new StringWriter(), new StringWriter());
        var (savedOut, savedError, savedConsole) = (Console.Out, Console.Error, AnsiConsole.Console);
        Console.SetOut(writer);
        Console.SetError(errorWriter);
        AnsiConsole.Console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer), Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors,
        });
        try { return (NpeApp.Run(args), writer.ToString(), errorWriter.ToString()); }
        finally { Console.SetOut(savedOut); Console.SetError(savedError); AnsiConsole.Console = savedConsole; }
    }

    /// <summary>Errors go to standard error in one line each, in every command; standard output keeps only
    /// results, so a script reading --json never reads an error.</summary>
    [Theory]
    [InlineData("eval", "edits", "--data", "no-such-folder", "--json")]
    [InlineData("eval", "--data", "no-such-folder", "--json")]
    [InlineData("fit-codes", "--data", "no-such-folder", "--out", "fitted.safetensors")]
    [InlineData("tune", "--data", "no-such-folder", "--out", "tuned.safetensors")]
    [InlineData("train", "--data", "no-such-folder", "--steps", "1")]
    [InlineData("reconstruct", "--image", "no-such-photo.png", "--out", "sheet.png")]
    [InlineData("sample", "--model", "no-such-model.safetensors", "--out", "s.png")]
    [InlineData("bench", "edit", "--model", "no-such-model.safetensors", "--json")]
    [InlineData("bench", "live", "--photo-size", "0x0", "--json")]
    [InlineData("bench", "train", "--config", "no-such-config")]
    [InlineData("data", "fetch", "--out", "/proc/no-such-folder")]
    [InlineData("studio", "no-such-photo.png", "--no-browser")]
    [InlineData("edit", "--image", "no-such-photo.png", "--strokes", "no-such-strokes.png", "--out", "out.png")]
    [InlineData("edit", "--demo", "--step-size", "7")]
    [InlineData("sample", "--count", "lots", "--out", "s.png")]
    public void ErrorsGoToStandardErrorAndNothingElseDoes(params string[] args)
    {
        var (exit, output, errors) = RunSeparately(args);
        Assert.Equal(1, exit);
        Assert.Equal("", output);
        Assert.StartsWith("error: ", errors);
    }

    /// <summary>What the option parser would take silently is refused in words: an enum's number for its
    /// name, an empty file name for the default model or a photo.</summary>
    [Theory]
    [InlineData("must be one of paper, detail, guided (got '1')", "edit", "--demo", "--blend", "1")]
    [InlineData("must be one of paper, edgeaware (got '0')", "edit", "--demo", "--mask", "0")]
    [InlineData("--model needs a file name", "edit", "--demo", "--model", "")]
    [InlineData("--image needs a file name", "edit", "--image", "", "--strokes", "s.png", "--out", "o.png")]
    [InlineData("Must be one of: 'auto', 'cpu', 'cuda'.", "edit", "--demo", "--device", "xyz")]
    [InlineData("--roi is written x,y,width,height in pixels (got '1,2,3')", "edit", "--demo", "--roi", "1,2,3")]
    [InlineData("The selection 700,0,64,64 extends past the 720×360 image.", "edit", "--demo", "--roi", "700,0,64,64")]
    public void NumbersForNamesAndEmptyFileNamesAreRefused(string expected, params string[] args)
    {
        var (exit, output, errors) = RunSeparately(args);
        Assert.Equal(1, exit);
        Assert.Equal("", output);
        Assert.Contains(expected, errors);
    }

    /// <summary>An output or sheet in a folder nothing can be written to is refused before the edit runs
    /// (no "Edited area" line, no file left behind), not after it.</summary>
    [Theory]
    [InlineData("--out")]
    [InlineData("--sheet")]
    public void AnUnwritableOutputIsRefusedBeforeTheEdit(string option)
    {
        if (!OperatingSystem.IsLinux()) return;   // /proc: a folder no one can create files in
        using var temp = TestSupport.TempDirectory();
        string[] args = option == "--out"
            ? ["edit", "--demo", "--out", "/proc/npe-test.png"]
            : ["edit", "--demo", "--out", temp.File("ok.png"), "--sheet", "/proc/npe-test-sheet.png"];
        var (exit, output, errors) = RunSeparately(args);
        Assert.Equal(1, exit);
        Assert.Equal("", output);
        Assert.Contains("nothing can be written in the folder '/proc'", errors);
        Assert.False(File.Exists(temp.File("ok.png")));
    }

    [Fact]
    public void AnErrorNeverPrintsControlCharacters() =>
        Assert.Equal("unknown dtype 'F\\x00\\x0A'", PrintableText.Of("unknown dtype 'F\0\n'"));

    /// <summary><c>eval edits --rounds 2 --against</c> the same model: both models see the same photos and
    /// strokes (every paired difference and its interval is exactly 0), and each round draws new strokes.
    /// A second model that does not exist is refused before any edit runs.</summary>
    [Fact]
    public void AComparisonEditsTheSameStrokesWithBothModels()
    {
        var (exit, output) = Run("eval", "edits", "--data", TestSupport.FixturePhotos, "--count", "1", "--rounds", "2",
                                 "--against", DefaultModel.Path, "--json");
        Assert.Equal(0, exit);
        var printed = JsonDocument.Parse(output).RootElement;
        Assert.Equal(10, printed.GetProperty("edits").GetProperty("edits").GetInt32());   // five stroke kinds, two rounds
        foreach (var difference in printed.GetProperty("differences").EnumerateArray())
            foreach (string value in new[] { "difference", "low", "high" })
                Assert.Equal(0, difference.GetProperty(value).GetDouble());
        var fidelities = printed.GetProperty("edits").GetProperty("per_edit").EnumerateArray()
            .Select(e => e.GetProperty("neural").GetProperty("fidelity").GetDouble()).ToList();
        Assert.NotEqual(fidelities.Take(5), fidelities.Skip(5));   // round 2's strokes are not round 1's

        var (missingExit, missingOutput) = Run("eval", "edits", "--data", TestSupport.FixturePhotos, "--count", "1",
                                               "--against", "no-such-model.safetensors");
        Assert.Equal(1, missingExit);
        Assert.Contains("no-such-model.safetensors", missingOutput);
        Assert.DoesNotContain("edits on", missingOutput);
    }

    [Fact]
    public void AComparisonAtAnotherStepSizeEditsTheSecondModelWithIt()
    {
        // The model against itself, but the second edit takes smaller steps: its colour moves less far.
        // The copy is a training run's export, so the report names it by its run's folder.
        using var temp = TestSupport.TempDirectory();
        string run = Directory.CreateDirectory(Path.Combine(temp.Path, "some-run")).FullName;
        File.Copy(DefaultModel.Path, Path.Combine(run, "model.safetensors"));
        var (exit, output) = Run("eval", "edits", "--data", TestSupport.FixturePhotos, "--count", "1",
                                 "--against", Path.Combine(run, "model.safetensors"), "--against-step-size", "0.1", "--json");
        Assert.Equal(0, exit);
        var printed = JsonDocument.Parse(output).RootElement;
        Assert.Equal("some-run/model.safetensors", printed.GetProperty("against").GetProperty("model").GetString());
        Assert.Equal(0.1, printed.GetProperty("against").GetProperty("step_size").GetDouble());
        Assert.Equal(EditSettings.DefaultStepSize, printed.GetProperty("edits").GetProperty("step_size").GetDouble());
        var fidelity = printed.GetProperty("differences").EnumerateArray().Single(d => d.GetProperty("metric").GetString() == "fidelity");
        Assert.True(fidelity.GetProperty("low").GetDouble() > 0.1, $"fidelity difference {fidelity}");

        var (alone, aloneOutput) = Run("eval", "edits", "--data", TestSupport.FixturePhotos, "--count", "1", "--against-step-size", "1");
        Assert.Equal(1, alone);
        Assert.Contains("needs --against", aloneOutput);
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
