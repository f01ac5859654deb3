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

    [Fact]
    public void AnEditIsTheSessionsEditAndSettingsChangesDoNotEncodeAgain()
    {
        var photo = Demo("valley.jpg");
        var strokes = Demo("valley-strokes.png");
        using var service = new EditService();
        var request = new EditRequest { Photo = photo, Strokes = strokes, Device = "cpu" };
        var outcome = service.Run(request);
        Assert.Null(outcome.Problem);

        using var session = EditSession.Open(_shared.Model.Network, photo, strokes: strokes);
        session.Paint(strokes, request.Settings);
        Assert.Equal(session.Render(request.Settings).Image.Pixels, outcome.Image.Pixels);

        int encodes = EditSession.EncodeCount;
        var bolder = service.Run(request with { Settings = new EditSettings { StepSize = 1, Mask = MaskMode.Paper, ColourMatch = 0 } });
        Assert.Null(bolder.Problem);
        Assert.Equal(encodes, EditSession.EncodeCount);
        Assert.NotEqual(outcome.Image.Pixels, bolder.Image.Pixels);
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
            (new EditRequest { Photo = photo, Strokes = Demo("valley-strokes.png"), Settings = new EditSettings { ColourMatch = 2 } }, "Colour match"),
            (new EditRequest { Photo = photo, Strokes = Demo("valley-strokes.png"), Limit = new PixelRect(600, 300, 100, 50) }, "None of the strokes"),
        })
        {
            var outcome = service.Run(request);
            Assert.False(outcome.Changed);
            Assert.Contains(expected, outcome.Problem);
            Assert.Same(photo, outcome.Image);
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
