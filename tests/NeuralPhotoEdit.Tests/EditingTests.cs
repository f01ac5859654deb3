using NeuralPhotoEdit.Editing;
using NeuralPhotoEdit.Imaging;
using NeuralPhotoEdit.ModelFiles;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace NeuralPhotoEdit.Tests;

/// <summary>The editor on a real photo with the shipped model.</summary>
public class EditingTests : IClassFixture<EditingTests.Shared>
{
    public sealed class Shared : IDisposable
    {
        public Shared()
        {
            TorchRuntime.EnsureInitialised();
            Model = ModelFile.Load(DefaultModel.Resolve(null), CPU);
            Photo = ImageFiles.Load(Path.Combine(TestSupport.DemoFolder, "valley.jpg"));
            Strokes = ImageFiles.Load(Path.Combine(TestSupport.DemoFolder, "valley-strokes.png"));
        }
        public LoadedModel Model { get; }
        public RgbaImage Photo { get; }
        public RgbaImage Strokes { get; }
        public void Dispose() => Model.Dispose();
    }

    readonly Shared _shared;
    readonly ITestOutputHelper _output;
    public EditingTests(Shared shared, ITestOutputHelper output) => (_shared, _output) = (shared, output);

    EditResult Edit(EditSettings settings, RgbaImage? photo = null, RgbaImage? strokes = null, PixelRect? roi = null)
    {
        photo ??= _shared.Photo;
        strokes ??= _shared.Strokes;
        using var session = EditSession.Open(_shared.Model.Network, photo, roi, strokes);
        session.Paint(strokes, settings);
        return session.Render(settings);
    }

    static (double R, double G, double B) MeanUnderStrokes(RgbaImage image, RgbaImage strokes)
    {
        double r = 0, g = 0, b = 0, w = 0;
        for (int i = 0; i < image.Pixels.Length; i += 4)
        {
            double a = strokes.Pixels[i + 3] / 255.0;
            r += a * image.Pixels[i]; g += a * image.Pixels[i + 1]; b += a * image.Pixels[i + 2]; w += a;
        }
        return (r / w, g / w, b / w);
    }

    static double Distance((double R, double G, double B) a, (double R, double G, double B) b) =>
        Math.Sqrt((a.R - b.R) * (a.R - b.R) + (a.G - b.G) * (a.G - b.G) + (a.B - b.B) * (a.B - b.B));

    /// <summary>How far the colour under the strokes moved toward the stroke colour: 0 = not at all, 1 = all the way.</summary>
    double ShareMoved(EditResult result)
    {
        var target = MeanUnderStrokes(_shared.Strokes, _shared.Strokes);
        var before = MeanUnderStrokes(_shared.Photo, _shared.Strokes);
        return 1 - Distance(MeanUnderStrokes(result.Image, _shared.Strokes), target) / Distance(before, target);
    }

    [Fact]
    public void DefaultSettingsMoveTheColourUnderTheStrokesAtLeastHalfWayToTheStrokeColour()
    {
        double moved = ShareMoved(Edit(new EditSettings()));
        _output.WriteLine($"default settings: the colour under the strokes moved {moved:P0} of the way");
        Assert.True(moved >= 0.5, $"colour moved {moved:P0} of the way toward the stroke colour; expected at least 50 %");
    }

    /// <summary>The step size is the user's main control: a larger one must move the edit further —
    /// until the colour under the strokes is within 5 % of the stroke colour, where there is no
    /// further to go (the default model gets there at η 1) and a larger step must not fall back.
    /// Also prints the figures the README quotes for the step size.</summary>
    [Fact]
    public void LargerStepSizesMoveTheColourFurther()
    {
        var moved = new[] { 0.25, 0.5, 1.0, 2.0 }.Select(eta =>
        {
            double share = ShareMoved(Edit(new EditSettings { StepSize = eta }));
            _output.WriteLine($"η {eta}: moved {share:P1}");
            return share;
        }).ToArray();
        string figures = string.Join(", ", moved.Select(m => m.ToString("P1")));
        for (int i = 1; i < moved.Length; i++)
        {
            bool arrived = moved[i - 1] >= 0.95;
            Assert.True(arrived ? moved[i] >= moved[i - 1] - 0.01 : moved[i] > moved[i - 1], $"step sizes 0.25, 0.5, 1, 2 moved the colour " +
                $"{figures}");
        }
    }

    [Fact]
    public void PixelsWithoutMaskStayAndPixelsOutsideTheRegionAreBitIdentical()
    {
        foreach (var blend in Enum.GetValues<BlendMode>())
        {
            var result = Edit(new EditSettings { Blend = blend });
            var input = _shared.Photo.Pixels;
            var output = result.Image.Pixels;
            for (int y = 0; y < _shared.Photo.Height; y++)
                for (int x = 0; x < _shared.Photo.Width; x++)
                {
                    int o = _shared.Photo.Offset(x, y);
                    Assert.Equal(input[o + 3], output[o + 3]);   // alpha is never touched
                    if (!result.Area.Bounds.Contains(x, y))
                    {
                        for (int c = 0; c < 3; c++) Assert.Equal(input[o + c], output[o + c]);
                    }
                    else if (blend != BlendMode.Guided && result.MaskAt(x, y) < 0.01f)
                    {   // (the guided transfer fits the change over a neighbourhood: it may reach a few pixels further)
                        for (int c = 0; c < 3; c++) Assert.InRange(output[o + c] - input[o + c], -1, 1);
                    }
                }
            Assert.True(result.Area.Bounds.Width < _shared.Photo.Width, "the region must leave pixels outside it");
        }
    }

    /// <summary>The guided blend (the default) fits the change over a neighbourhood, so it may reach past
    /// the mask by the fit's reach: twice its box radius on the grid and the upsampling's pixel. Beyond
    /// that reach from every pixel the mask touches, pixels stay within 1/255.</summary>
    [Fact]
    public void TheGuidedBlendLeavesPixelsBeyondItsReachFromTheMaskWithin1Of255()
    {
        var result = Edit(new EditSettings { Blend = BlendMode.Guided });
        var roi = result.Area.Bounds;
        int gridLong = Math.Max(result.Area.GridWidth, result.Area.GridHeight);
        double scale = (double)Math.Max(roi.Width, roi.Height) / gridLong;
        int radius = Math.Max(2, gridLong / 32);
        int reach = (int)Math.Ceiling((2 * radius + 2) * scale) + 1;
        // Chebyshev dilation of the masked pixels by the reach, one axis at a time.
        var masked = new bool[roi.Width * roi.Height];
        for (int y = 0; y < roi.Height; y++)
            for (int x = 0; x < roi.Width; x++) masked[y * roi.Width + x] = result.MaskAt(roi.X + x, roi.Y + y) >= 0.01f;
        var across = Dilate(masked, roi.Width, roi.Height, reach, horizontal: true);
        var near = Dilate(across, roi.Width, roi.Height, reach, horizontal: false);
        int checkedPixels = 0;
        for (int y = 0; y < roi.Height; y++)
            for (int x = 0; x < roi.Width; x++)
            {
                if (near[y * roi.Width + x]) continue;
                int o = _shared.Photo.Offset(roi.X + x, roi.Y + y);
                for (int c = 0; c < 3; c++)
                    Assert.True(Math.Abs(result.Image.Pixels[o + c] - _shared.Photo.Pixels[o + c]) <= 1,
                        $"pixel {roi.X + x},{roi.Y + y}, {reach} px from the mask, changed by " +
                            $"{result.Image.Pixels[o + c] - _shared.Photo.Pixels[o + c]}");
                checkedPixels++;
            }
        _output.WriteLine($"reach {reach} px; {checkedPixels} of {roi.Width * roi.Height} pixels of the area are beyond it");
        Assert.True(checkedPixels > roi.Width * roi.Height / 20, $"only {checkedPixels} pixels were beyond the reach: the test checks too little");
    }

    static bool[] Dilate(bool[] set, int width, int height, int reach, bool horizontal)
    {
        var result = new bool[set.Length];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                if (!set[y * width + x]) continue;
                int from = Math.Max(0, (horizontal ? x : y) - reach), to = Math.Min((horizontal ? width : height) - 1, (horizontal ? x : y) + reach);
                for (int k = from; k <= to; k++) result[horizontal ? y * width + k : k * width + x] = true;
            }
        return result;
    }

    /// <summary>A photo with real transparency (alpha from 0 to 255 across it) is edited in colour and its
    /// alpha comes back exactly, pixel for pixel.</summary>
    [Fact]
    public void APhotosTransparencyIsKeptExactly()
    {
        var photo = _shared.Photo.Clone();
        for (int y = 0; y < photo.Height; y++)
            for (int x = 0; x < photo.Width; x++)
                photo.Pixels[photo.Offset(x, y) + 3] = (byte)(x < photo.Width / 2 ? 255 : (x * 7 + y * 3) % 256);
        var result = Edit(new EditSettings(), photo);
        int changed = 0;
        for (int i = 0; i < photo.Pixels.Length; i += 4)
        {
            Assert.Equal(photo.Pixels[i + 3], result.Image.Pixels[i + 3]);
            if (photo.Pixels[i] != result.Image.Pixels[i] || photo.Pixels[i + 1] != result.Image.Pixels[i + 1]
                || photo.Pixels[i + 2] != result.Image.Pixels[i + 2]) changed++;
        }
        Assert.True(changed > 1000, $"only {changed} pixels changed colour: the edit did not happen");
        Assert.Contains(photo.Pixels.Where((_, i) => i % 4 == 3), a => a is > 0 and < 255);
    }

    [Fact]
    public void ZeroStepsOrZeroStepSizeLeaveThePhotoUnchanged()
    {
        Assert.Equal(_shared.Photo.Pixels, Edit(new EditSettings { Steps = 0 }).Image.Pixels);
        Assert.Equal(_shared.Photo.Pixels, Edit(new EditSettings { StepSize = 0 }).Image.Pixels);
    }

    [Fact]
    public void SameInputsGiveIdenticalBytes()
    {
        var settings = new EditSettings { Steps = 8 };
        Assert.Equal(Edit(settings).Image.Pixels, Edit(settings).Image.Pixels);
        using var a = EditSession.Open(_shared.Model.Network, _shared.Photo, null, _shared.Strokes);
        using var b = EditSession.Open(_shared.Model.Network, _shared.Photo, null, _shared.Strokes);
        a.Sample(7);
        b.Sample(7);
        Assert.Equal(a.Render(settings).Image.Pixels, b.Render(settings).Image.Pixels);
    }

    [Fact]
    public void LightenDarkenNudgeSampleResetAndCommit()
    {
        var settings = new EditSettings { Steps = 10 };
        using var session = EditSession.Open(_shared.Model.Network, _shared.Photo, new PixelRect(300, 100, 200, 200));
        double Brightness(EditResult r) => r.Image.Crop(r.Area.Bounds).Pixels.Where((_, i) => i % 4 != 3).Average(v => (double)v);
        var neutral = session.Render(settings);

        session.Lighten(1, settings);
        double lighter = Brightness(session.Render(settings));
        session.Reset();
        session.Lighten(-1, settings);
        double darker = Brightness(session.Render(settings));
        Assert.True(lighter > Brightness(neutral) && darker < Brightness(neutral), $"lighten {lighter:F3}, neutral {Brightness(neutral):F3}, " +
            $"darken {darker:F3}");

        session.Reset();
        Assert.Equal(_shared.Photo.Pixels, session.Render(settings).Image.Pixels);
        session.NudgeLatents([0, 1, 2, 3, 4], target: 1, strength: 1);
        Assert.NotEqual(_shared.Photo.Pixels, session.Render(settings).Image.Pixels);

        session.Reset();
        session.Lighten(1, settings);
        var lightened = session.Render(settings).Image;
        session.Commit(settings);
        Assert.Equal(lightened.Pixels, session.Photo.Pixels);
        Assert.Equal(lightened.Pixels, session.Render(settings).Image.Pixels);   // a new start: Z = Z₀ of the committed photo
    }

    [Fact]
    public void BadInputIsAClearMessage()
    {
        var network = _shared.Model.Network;
        var photo = _shared.Photo;
        var settings = new EditSettings();

        var wrongSize = new RgbaImage(100, 50);
        wrongSize.Pixels[3] = 255;
        Assert.Contains("must be the same size", Assert.Throws<UserInputException>(() => EditSession.Open(network, photo, null, wrongSize)).Message);

        var empty = new RgbaImage(photo.Width, photo.Height);
        Assert.Contains("strokes are empty", Assert.Throws<UserInputException>(() => EditSession.Open(network, photo, null, empty)).Message);
        using (var session = EditSession.Open(network, photo, new PixelRect(0, 0, 100, 100)))
            Assert.False(session.Paint(empty, settings));   // no-op, reported to the caller

        Assert.Contains("outside", Assert.Throws<UserInputException>(() =>
            EditSession.Open(network, photo, new PixelRect(5000, 5000, 64, 64))).Message);
        Assert.Contains("extends past", Assert.Throws<UserInputException>(() =>
            EditSession.Open(network, photo, new PixelRect(700, 0, 64, 64))).Message);
        Assert.Contains("at least 8×8", Assert.Throws<UserInputException>(() =>
            EditSession.Open(network, photo, new PixelRect(10, 10, 3, 3))).Message);
        Assert.Contains("at least 1×1", Assert.Throws<UserInputException>(() => new RgbaImage(0, 0)).Message);
        var tiny = TestSupport.Solid(1, 1, 10, 20, 30);
        Assert.Contains("too small", Assert.Throws<UserInputException>(() =>
            EditSession.Open(network, tiny, null, TestSupport.Solid(1, 1, 0, 0, 255))).Message);
        Assert.Contains("step size", Assert.Throws<UserInputException>(() => new EditSettings { StepSize = double.NaN }.Validate()).Message);
        Assert.Contains("Steps", Assert.Throws<UserInputException>(() => new EditSettings { Steps = -1 }.Validate()).Message);
    }

    [Fact]
    public void UnreadableAndTruncatedFilesAreReported()
    {
        using var temp = TestSupport.TempDirectory();
        File.WriteAllText(temp.File("not-an-image.png"), "hello");
        Assert.Contains("not an image", Assert.Throws<UserInputException>(() => ImageFiles.Load(temp.File("not-an-image.png"))).Message);
        var jpeg = File.ReadAllBytes(Path.Combine(TestSupport.DemoFolder, "valley.jpg"));
        File.WriteAllBytes(temp.File("truncated.jpg"), jpeg[..(jpeg.Length / 2)]);
        Assert.Contains("truncated", Assert.Throws<UserInputException>(() => ImageFiles.Load(temp.File("truncated.jpg"))).Message);
        Assert.Contains("does not exist", Assert.Throws<UserInputException>(() => ImageFiles.Load(temp.File("missing.png"))).Message);
    }

    [Fact]
    public void NonFiniteModelOutputIsAMessageAndChangesNothing()
    {
        using var broken = new Networks.IntrospectiveAdversarialNetwork(_shared.Model.Config);
        using (no_grad())
            foreach (var p in broken.Decoder.parameters()) p.fill_(NeuralPhotoEdit.Scalars.Of(float.NaN));
        broken.eval();
        var error = Assert.Throws<UserInputException>(() => EditSession.Open(broken, _shared.Photo, null, _shared.Strokes));
        Assert.Contains("invalid values", error.Message);
    }

    [Fact]
    public void AHundredMegapixelPhotoIsEditedWithBoundedMemory()
    {
        var photo = new RgbaImage(10_000, 10_000);
        for (int i = 0; i < photo.Pixels.Length; i += 4) { photo.Pixels[i] = 120; photo.Pixels[i + 1] = 110; photo.Pixels[i + 2] = 90;
            photo.Pixels[i + 3] = 255; }
        var strokes = new RgbaImage(10_000, 10_000);
        for (int y = 5000; y < 5100; y++)
            for (int x = 5000; x < 5200; x++) { int o = strokes.Offset(x, y); strokes.Pixels[o + 2] = 255; strokes.Pixels[o + 3] = 255; }

        long before = GC.GetTotalAllocatedBytes(precise: true);
        var result = Edit(new EditSettings { Steps = 5 }, photo, strokes);
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        // The result is one copy of the photo (400 MB). Everything else allocated, even briefly, is
        // the work grid's (at most 384², about 120 MB of statistics in all); a buffer of one byte per
        // photo pixel would add 100 MB.
        long beyondResult = allocated - photo.Pixels.Length;
        Assert.True(beyondResult < 180_000_000, $"the edit allocated {beyondResult / 1e6:F0} MB besides the result");
        Assert.True(result.Area.Bounds.Width < 1000);
        Assert.Equal(photo.Pixels[0], result.Image.Pixels[0]);
    }
}
