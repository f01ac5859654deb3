using NeuralPhotoEdit.Imaging;
using PaintDotNet.Effects;
using PaintDotNet.IndirectUI;
using Names = NeuralPhotoEdit.Plugin.NeuralPhotoEditEffect.Names;

namespace NeuralPhotoEdit.Plugin.Tests;

/// <summary>The strokes layer is found by identity, whatever its name, visibility or opacity; and the dialog's
/// window has a title and help.</summary>
public class StrokesLayerTests
{
    static readonly RgbaImage Photo = ImageFiles.Load(Path.Combine(AppContext.BaseDirectory, "demo", "valley.jpg"));
    static readonly RgbaImage Strokes = ImageFiles.Load(Path.Combine(AppContext.BaseDirectory, "demo", "valley-strokes.png"));
    static readonly RgbaImage Empty = new(Photo.Width, Photo.Height);

    /// <summary>Applies the effect with a few steps (enough to tell edits apart) and the strokes layer chosen.</summary>
    static (RgbaImage Shown, TestHost Host) Edit(TestHost host, string strokesChoice, PropertyBasedEffectConfigToken? token = null)
    {
        var (effect, fresh) = host.CreateEffect();
        token ??= fresh;
        token.SetPropertyValue(Names.Steps, 6);
        if (strokesChoice.Length > 0) token.SetPropertyValue(Names.StrokesLayer, strokesChoice);
        return (host.Apply(effect, token), host);
    }

    static TestHost Document(params (string Name, RgbaImage Pixels)[] layers)
    {
        var host = new TestHost(Photo.Width, Photo.Height);
        foreach (var (name, pixels) in layers) host.AddLayer(name, pixels);
        return host;
    }

    [Fact]
    public void TwoLayersOfOneNameStayApart()
    {
        var document = Document(("Background", Photo), ("Strokes", Empty), ("Strokes", Strokes));
        var (edited, host) = Edit(document, "3: Strokes");
        Assert.True(host.ErrorDialog is null, host.ErrorDialog);
        Assert.NotEqual(Photo.Pixels, edited.Pixels);
        Edit(document, "2: Strokes");
        Assert.Contains("strokes are empty", document.ErrorDialog);
    }

    /// <summary>Repeat Effect in another image hands the effect the last token: its strokes layer is found by
    /// name when one layer has it, and refused in words when none or several do.</summary>
    [Fact]
    public void RepeatEffectInAnotherImageFindsTheStrokesLayerByName()
    {
        var (_, lastToken) = Document(("Background", Photo), ("Strokes", Strokes)).CreateEffect();
        lastToken.SetPropertyValue(Names.StrokesLayer, "2: Strokes");

        var other = Document(("Background", Photo), ("Sketch", Empty), ("Strokes", Strokes));
        var (repeated, _) = Edit(other, "", (PropertyBasedEffectConfigToken)lastToken.Clone());
        Assert.True(other.ErrorDialog is null, other.ErrorDialog);
        var (chosen, _) = Edit(Document(("Background", Photo), ("Sketch", Empty), ("Strokes", Strokes)), "3: Strokes");
        Assert.Equal(chosen.Pixels, repeated.Pixels);

        var none = Document(("Background", Photo), ("Sketch", Strokes));
        Assert.Equal(Photo.Pixels, Edit(none, "", (PropertyBasedEffectConfigToken)lastToken.Clone()).Shown.Pixels);
        Assert.Equal("The strokes layer \"Strokes\" is not in this image: open Neural Photo Edit's dialog and pick the strokes layer again.",
            none.ErrorDialog);
        var two = Document(("Background", Photo), ("Sketch", Empty), ("Strokes", Strokes), ("Strokes", Strokes));
        Edit(two, "", (PropertyBasedEffectConfigToken)lastToken.Clone());
        Assert.Contains("Several layers are named \"Strokes\"", two.ErrorDialog);
    }

    /// <summary>A hidden strokes layer is used (hiding it is how one sees the result under it); the layer's
    /// opacity scales the strokes' strength, as it scales how they look.</summary>
    [Fact]
    public void AHiddenStrokesLayerIsUsedAndItsOpacityIsStrength()
    {
        var (visible, _) = Edit(Document(("Background", Photo), ("Strokes", Strokes)), "2: Strokes");
        var hiddenDocument = new TestHost(Photo.Width, Photo.Height).AddLayer("Background", Photo).AddLayer("Strokes", Strokes, visible: false);
        var (hidden, _) = Edit(hiddenDocument, "2: Strokes");
        Assert.True(hiddenDocument.ErrorDialog is null, hiddenDocument.ErrorDialog);
        Assert.Equal(visible.Pixels, hidden.Pixels);

        var halfStrokes = Strokes.Clone();
        for (int i = 3; i < halfStrokes.Pixels.Length; i += 4) halfStrokes.Pixels[i] = (byte)MathF.Round(halfStrokes.Pixels[i] * 0.5f);
        var (halfAlpha, _) = Edit(Document(("Background", Photo), ("Strokes", halfStrokes)), "2: Strokes");
        var halfLayer = new TestHost(Photo.Width, Photo.Height).AddLayer("Background", Photo).AddLayer("Strokes", Strokes, opacity: 0.5f);
        var (halfOpacity, _) = Edit(halfLayer, "2: Strokes");
        Assert.Equal(halfAlpha.Pixels, halfOpacity.Pixels);
        Assert.NotEqual(visible.Pixels, halfOpacity.Pixels);
    }

    [Fact]
    public void TheWindowHasATitleAndHelp()
    {
        var host = Document(("Background", Photo), ("Strokes", Strokes));
        host.CreateEffect();
        Assert.Equal("Neural Photo Edit", host.Window![ControlInfoPropertyNames.WindowTitle].Value);
        Assert.Equal(WindowHelpContentType.PlainText, host.Window[ControlInfoPropertyNames.WindowHelpContentType].Value);
        var help = (string)host.Window[ControlInfoPropertyNames.WindowHelpContent].Value!;
        foreach (var part in new[] { "layer above the photo", "Latent step size", "How far the photo follows", "Select an area", "Ctrl+Z" })
            Assert.Contains(part, help);
    }
}
