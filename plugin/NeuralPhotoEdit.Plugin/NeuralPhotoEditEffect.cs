using NeuralPhotoEdit.Editing;
using NeuralPhotoEdit.Imaging;
using NeuralPhotoEdit.ModelFiles;
using PaintDotNet.Effects;
using PaintDotNet.Imaging;
using PaintDotNet.IndirectUI;
using PaintDotNet.PropertySystem;
using PaintDotNet.Rendering;

namespace NeuralPhotoEdit.Plugin;

/// <summary>
/// Effects ▸ Photo ▸ Neural Photo Edit. Runs the engine once per settings change (in
/// <see cref="OnSetToken"/>, which Paint.NET calls off the UI thread) on the current layer and a
/// strokes layer — reading only the area the engine edits — and only copies pixels in
/// <see cref="OnRender"/>. Any failure leaves the image as it was, and the render path throws an
/// <see cref="EffectProblemException"/> with the reason, which Paint.NET shows in its error dialog.
/// </summary>
[PaintDotNet.PluginSupportInfo<PluginSupportInfo>(DisplayName = DisplayName)]
public sealed class NeuralPhotoEditEffect : PropertyBasedBitmapEffect
{
    internal const string DisplayName = "Neural Photo Edit";

    internal enum Names { StepSize, Context, Steps, StrokesLayer, Sigma, Blend, Mask, ColourMatch, Mode, Seed, Model }

    /// <summary>The dialog's modes, in its words.</summary>
    public enum PluginMode { EditWithStrokes, ReconstructOnly, RandomSample }

    const string LayerAbove = "(the layer above this one)";
    /// <summary>The seed is stepped by a Reseed button; a thousand samples are plenty to pick from.</summary>
    const int MaxSeed = 999;
    /// <summary>Where the model runs. The package ships libtorch's CPU build (TorchSharp-cpu), so the dialog
    /// offers no device: a GPU choice would be one the installed build can never use.</summary>
    const string Device = "cpu";

    readonly EditService _engine = new();
    /// <summary>Stroke scans by layer index. The document can't change while the effect runs (its
    /// dialog is modal), so each strokes layer is scanned once, not on every slider move.</summary>
    readonly Dictionary<int, (PixelRect? Bounds, bool HasTransparency)> _strokeScans = new();

    public NeuralPhotoEditEffect()
        : base(DisplayName, SubmenuNames.Photo, BitmapEffectOptions.Create() with { IsConfigurable = true })
    {
    }

    /// <summary>What the last settings change produced (null while none has finished): the pixels
    /// <see cref="OnRender"/> copies, or the problem it reports.</summary>
    internal EditOutcome? Outcome { get; private set; }

    protected override PropertyCollection OnCreatePropertyCollection()
    {
        var layers = new List<object> { LayerAbove };
        layers.AddRange(Environment.Document.Layers.Select(l => (object)l.Name).Distinct());
        var models = ModelCatalog.Installed().Select(m => (object)m).DefaultIfEmpty(DefaultModel.FileName).ToArray();
        return new PropertyCollection(new Property[]
        {
            new DoubleProperty(Names.StepSize, EditSettings.DefaultStepSize, 0, EditSettings.MaxStepSize),
            new DoubleProperty(Names.Context, EditSettings.DefaultContext, 0, 1),
            new Int32Property(Names.Steps, EditSettings.DefaultSteps, 0, EditSettings.MaxSteps),
            new StaticListChoiceProperty(Names.StrokesLayer, layers.ToArray(), 0),
            new DoubleProperty(Names.Sigma, EditSettings.DefaultSigma, 0, EditSettings.MaxSigma),
            StaticListChoiceProperty.CreateForEnum<BlendMode>(Names.Blend, BlendMode.Guided),
            StaticListChoiceProperty.CreateForEnum<MaskMode>(Names.Mask, MaskMode.EdgeAware),
            new DoubleProperty(Names.ColourMatch, EditSettings.DefaultColourMatch, 0, 1),
            StaticListChoiceProperty.CreateForEnum<PluginMode>(Names.Mode, PluginMode.EditWithStrokes),
            new Int32Property(Names.Seed, 0, 0, MaxSeed),
            new StaticListChoiceProperty(Names.Model, models, 0),
        });
    }

    protected override ControlInfo OnCreateConfigUI(PropertyCollection props)
    {
        var ui = CreateDefaultConfigUI(props);
        // Control types first: what a control can show (a reset button, slider steps) depends on it.
        ui.SetPropertyControlType(Names.StrokesLayer, PropertyControlType.DropDown);
        ui.SetPropertyControlType(Names.Blend, PropertyControlType.RadioButton);
        ui.SetPropertyControlType(Names.Mask, PropertyControlType.RadioButton);
        ui.SetPropertyControlType(Names.Mode, PropertyControlType.RadioButton);
        ui.SetPropertyControlType(Names.Seed, PropertyControlType.IncrementButton);
        ui.SetPropertyControlValue(Names.Seed, ControlInfoPropertyNames.ButtonText, "Reseed");

        void Describe(Names name, string display, string description)
        {
            ui.SetPropertyControlValue(name, ControlInfoPropertyNames.DisplayName, display);
            ui.SetPropertyControlValue(name, ControlInfoPropertyNames.Description, description);
        }
        void Slider(Names name, string display, string description)
        {
            Describe(name, display, description);
            ui.SetPropertyControlValue(name, ControlInfoPropertyNames.ShowResetButton, true);
        }
        void Choices<T>(Names name, params (T Value, string Display)[] choices) where T : notnull
        {
            var control = ui.FindControlForPropertyName(name);
            foreach (var (value, display) in choices) control.SetValueDisplayName(value, display);
        }

        Slider(Names.StepSize, "Latent step size", "How far each step moves the model's code toward your strokes: 0 changes nothing, 0.5 is a good start, 1 and above make bold changes.");
        ui.SetPropertyControlValue(Names.StepSize, ControlInfoPropertyNames.SliderSmallChange, 0.01);
        ui.SetPropertyControlValue(Names.StepSize, ControlInfoPropertyNames.SliderLargeChange, 0.1);
        ui.SetPropertyControlValue(Names.StepSize, ControlInfoPropertyNames.UpDownIncrement, 0.01);
        ui.SetPropertyControlValue(Names.StepSize, ControlInfoPropertyNames.DecimalPlaces, 2);
        Slider(Names.Context, "How far the photo follows", "0 changes only what is around your strokes; 1 lets the whole photo follow the model's change, as a scene would (paint a sky orange and the land takes on its warm light). Small touches stay local either way.");
        ui.SetPropertyControlValue(Names.Context, ControlInfoPropertyNames.SliderSmallChange, 0.05);
        ui.SetPropertyControlValue(Names.Context, ControlInfoPropertyNames.SliderLargeChange, 0.25);
        ui.SetPropertyControlValue(Names.Context, ControlInfoPropertyNames.UpDownIncrement, 0.05);
        ui.SetPropertyControlValue(Names.Context, ControlInfoPropertyNames.DecimalPlaces, 2);
        Slider(Names.Steps, "Steps", "Number of latent steps; more steps follow the strokes more closely.");
        Describe(Names.StrokesLayer, "Strokes layer", "Paint rough colour strokes on a transparent layer above the photo and pick it here (colour = target, opacity = strength). Select an area to keep the edit inside it. Undo with Ctrl+Z.");
        Slider(Names.Sigma, "Mask softness", "Blur of the change mask, in model pixels: higher blends the edit in more softly.");
        Describe(Names.Blend, "Blend", "How the model's change reaches the photo.");
        Choices(Names.Blend,
            (BlendMode.Guided, "Keep the photo's detail (colour transform along its edges)"),
            (BlendMode.Detail, "Add the model's change"),
            (BlendMode.Paper, "Paste the model's picture (the paper's blend)"));
        Describe(Names.Mask, "Where the change goes", "Whether the change follows the photo's edges or only the model's own mask.");
        Choices(Names.Mask,
            (MaskMode.EdgeAware, "Follow the strokes, stop at the photo's edges"),
            (MaskMode.Paper, "Wherever the model changed (the paper's mask)"));
        Slider(Names.ColourMatch, "Match stroke colour", "How much of the colour the model could not reach is added as a smooth colour shift (with \"Keep the photo's detail\"; 0 = the model's change alone).");
        Describe(Names.Mode, "Mode", "Edit with your strokes, or look at what the model makes of the area.");
        Choices(Names.Mode,
            (PluginMode.EditWithStrokes, "Edit with strokes"),
            (PluginMode.ReconstructOnly, "Show the model's reconstruction"),
            (PluginMode.RandomSample, "Show a random sample (Reseed for another)"));
        Describe(Names.Seed, "Sample", "Which random sample \"Show a random sample\" draws.");
        Describe(Names.Model, "Model", "The model file (installed beside the plugin, in its models folder).");
        return ui;
    }

    protected override void OnInitializeRenderInfo(IBitmapEffectRenderInfo renderInfo)
    {
        renderInfo.OutputPixelFormat = PixelFormats.Bgra32;
        base.OnInitializeRenderInfo(renderInfo);
    }

    /// <summary>Runs the engine for the new settings; a newer token cancels this one's work.</summary>
    protected override void OnSetToken(PropertyBasedEffectConfigToken? newToken)
    {
        base.OnSetToken(newToken);
        if (newToken is null) return;
        Outcome = null;
        try
        {
            Outcome = _engine.Run(BuildRequest(newToken), CancellationToken);
        }
        catch (OperationCanceledException)
        {
            // A newer token is on its way; it will compute its own result.
        }
        catch (UserInputException e)
        {
            Outcome = new EditOutcome(null, default, null, e.Message);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Reading Paint.NET's layers failed in a way we didn't foresee: leave the image unchanged.
            Outcome = new EditOutcome(null, default, null, "Neural Photo Edit could not read the image: " + e.Message);
        }
    }

    /// <summary>The engine request for a token: the photo and strokes layers as readable sources, and
    /// the strokes layer's scan. A problem with the layers is a request the engine refuses in words.</summary>
    EditRequest BuildRequest(PropertyBasedEffectConfigToken token)
    {
        var document = Environment.Document;
        var layers = document.Layers;
        var size = document.Size;
        int current = Environment.SourceLayerIndex;

        string strokesChoice = (string)token.GetProperty<StaticListChoiceProperty>(Names.StrokesLayer)!.Value;
        int strokesIndex = strokesChoice == LayerAbove ? current + 1 : IndexOf(layers, strokesChoice);
        var kind = (PluginMode)token.GetProperty<StaticListChoiceProperty>(Names.Mode)!.Value switch
        {
            PluginMode.ReconstructOnly => EditKind.Reconstruct,
            PluginMode.RandomSample => EditKind.Sample,
            _ => EditKind.Paint,
        };
        if (kind == EditKind.Paint && (strokesIndex < 0 || strokesIndex >= layers.Count))
            throw new UserInputException("There is no strokes layer: add a layer above the photo, paint rough colour strokes on it, and run the effect on the photo layer.");
        if (kind == EditKind.Paint && strokesIndex == current)
            throw new UserInputException("The strokes layer is the layer being edited: run the effect on the photo layer, with the strokes on another layer.");
        bool haveStrokes = strokesIndex >= 0 && strokesIndex < layers.Count && strokesIndex != current;
        var strokes = haveStrokes ? new LayerPixels(layers[strokesIndex], size) : null;
        (PixelRect?, bool)? scan = null;
        if (strokes is not null)
        {
            if (!_strokeScans.TryGetValue(strokesIndex, out var known))
                _strokeScans[strokesIndex] = known = RegionOfInterest.ScanStrokes(strokes, CancellationToken);
            scan = known;
        }

        var selection = Environment.Selection.RenderBounds;
        bool wholeImage = selection.X == 0 && selection.Y == 0 && selection.Width == size.Width && selection.Height == size.Height;
        return new EditRequest
        {
            Photo = new LayerPixels(layers[current], size),
            Strokes = strokes,
            StrokesScan = scan,
            Limit = wholeImage ? null : new PixelRect(selection.X, selection.Y, selection.Width, selection.Height),
            Settings = new EditSettings
            {
                StepSize = token.GetProperty<DoubleProperty>(Names.StepSize)!.Value,
                Steps = token.GetProperty<Int32Property>(Names.Steps)!.Value,
                Sigma = token.GetProperty<DoubleProperty>(Names.Sigma)!.Value,
                Blend = (BlendMode)token.GetProperty<StaticListChoiceProperty>(Names.Blend)!.Value,
                Mask = (MaskMode)token.GetProperty<StaticListChoiceProperty>(Names.Mask)!.Value,
                ColourMatch = token.GetProperty<DoubleProperty>(Names.ColourMatch)!.Value,
                Context = token.GetProperty<DoubleProperty>(Names.Context)!.Value,
            },
            Kind = kind,
            Seed = token.GetProperty<Int32Property>(Names.Seed)!.Value,
            Device = Device,
            ModelPath = ModelCatalog.PathOf((string)token.GetProperty<StaticListChoiceProperty>(Names.Model)!.Value),
        };
    }

    static int IndexOf(IReadOnlyList<IBitmapEffectLayerInfo> layers, string name)
    {
        for (int i = 0; i < layers.Count; i++) if (layers[i].Name == name) return i;
        return -1;
    }

    /// <summary>
    /// Copies this tile of the photo and, over it, the part of the edited area it overlaps; throws
    /// the reason when the settings could not be applied (Paint.NET shows it; the image is kept).
    /// </summary>
    protected override unsafe void OnRender(IBitmapEffectOutput output)
    {
        if (Outcome?.Problem is string problem) throw new EffectProblemException(problem);
        var bounds = output.Bounds;
        var tile = new PixelRect(bounds.X, bounds.Y, bounds.Width, bounds.Height);
        using var target = output.Lock(PixelFormats.Bgra32);
        using (var source = Environment.Document.Layers[Environment.SourceLayerIndex].GetBitmap(PixelFormats.Bgra32))
        using (var pixels = source.Lock(bounds))
            for (int y = 0; y < bounds.Height; y++)
                Buffer.MemoryCopy((byte*)pixels.Buffer + (long)y * pixels.BufferStride, (byte*)target.Buffer + (long)y * target.BufferStride,
                                  (long)bounds.Width * 4, (long)bounds.Width * 4);
        if (Outcome is { Pixels: RgbaImage edited, Bounds: var area })
        {
            var overlap = tile.Intersect(area);
            if (overlap.IsEmpty) return;
            byte* corner = (byte*)target.Buffer + (long)(overlap.Y - tile.Y) * target.BufferStride + (overlap.X - tile.X) * 4L;
            Bgra.CopyTo(edited, overlap with { X = overlap.X - area.X, Y = overlap.Y - area.Y }, corner, target.BufferStride);
        }
    }

    protected override void OnDispose(bool disposing)
    {
        if (disposing) _engine.Dispose();
        base.OnDispose(disposing);
    }
}
