using NeuralPhotoEdit.Editing;
using NeuralPhotoEdit.Imaging;

namespace NeuralPhotoEdit.Tests;

/// <summary>The engine's entry point for front ends: the same edit as a session, encoding once per
/// photo area, and every failure a message with the photo unchanged.</summary>
public class EditServiceTests : IClassFixture<EditingTests.Shared>
{
    readonly EditingTests.Shared _shared;
    public EditServiceTests(EditingTests.Shared shared) => _shared = shared;

    static RgbaImage Demo(string name) => ImageFiles.Load(Path.Combine(TestSupport.DemoFolder, name));

    /// <summary>The service edits only the area, read as a region of its own; the result is the
    /// session's edit of the whole photo to the byte (an area at the corner, and one inside the photo
    /// whose every side fades).</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void AnEditOfTheAreaAloneIsTheSessionsEditAndSettingsChangesDoNotEncodeAgain(bool inside)
    {
        var photo = Demo("valley.jpg");
        var strokes = Demo("valley-strokes.png");
        PixelRect? limit = inside ? new PixelRect(61, 37, 371, 187) : null;
        using var service = new EditService();
        var request = new EditRequest { Photo = photo, Strokes = strokes, Selection = limit, Device = "cpu" };
        var outcome = service.Run(request);
        Assert.Null(outcome.Problem);
        Assert.True(outcome.Encoded);
        Assert.Equal((outcome.Bounds.Width, outcome.Bounds.Height), (outcome.Pixels!.Width, outcome.Pixels.Height));
        if (inside) Assert.Equal(limit, outcome.Bounds);

        using var session = EditSession.Open(_shared.Model.Network, photo, limit, strokes, withScene: request.Settings.SeesScene);
        session.Paint(strokes, request.Settings);
        var whole = session.Render(request.Settings);
        Assert.Equal(whole.ChangedBounds, outcome.Bounds);
        Assert.Equal(whole.Image.Pixels, outcome.ApplyTo(photo).Pixels);

        var bolder = service.Run(request with { Settings = new EditSettings { StepSize = 1, Mask = MaskMode.Paper, ColourMatch = 0 } });
        Assert.Null(bolder.Problem);
        Assert.False(bolder.Encoded);
        Assert.NotEqual(outcome.Pixels.Pixels, bolder.Pixels!.Pixels);
    }

    [Fact]
    public void ProblemsAreMessagesAndThePhotoIsReturnedUnchanged()
    {
        var photo = Demo("valley.jpg");
        using var service = new EditService();
        foreach (var (request, expected) in new (EditRequest, string)[]
        {
            (new EditRequest { Photo = photo }, "no strokes"),
            (new EditRequest { Photo = photo, Strokes = new RgbaImage(photo.Width, photo.Height) }, "strokes are empty"),
            (new EditRequest { Photo = photo, Strokes = new RgbaImage(10, 10) }, "must be the same size"),
            (new EditRequest { Photo = photo, Strokes = Demo("valley-strokes.png"), ModelPath = "/nonexistent/model.safetensors" }, "does not exist"),
            (new EditRequest { Photo = photo, Strokes = Demo("valley-strokes.png"), Settings = new EditSettings { ColourMatch = 2 } },
                "Colour match"),
            (new EditRequest { Photo = photo, Strokes = Demo("valley-strokes.png"), Selection = new PixelRect(600, 300, 100, 50) },
                "None of the strokes"),
            // Found before any model work: the missing model is never reached.
            (new EditRequest { Photo = photo, Strokes = Demo("valley-strokes.png"), Selection = new PixelRect(600, 300, 100, 50),
                               ModelPath = "/nonexistent/model.safetensors" }, "None of the strokes"),
        })
        {
            var outcome = service.Run(request);
            Assert.False(outcome.Changed);
            Assert.Contains(expected, outcome.Problem);
            Assert.Null(outcome.Pixels);
            Assert.Same(photo, outcome.ApplyTo(photo));
        }
    }

    [Fact]
    public void ACancelledRequestThrowsInsteadOfReturningAResult()
    {
        using var service = new EditService();
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() =>
            service.Run(new EditRequest { Photo = Demo("valley.jpg"), Strokes = Demo("valley-strokes.png") }, cancelled.Token));
    }
}
