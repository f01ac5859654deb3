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
/// Effects ▸ Photo ▸ Neural Photo Edit. Reads the current layer and a strokes layer, runs the engine
/// once per settings change (in <see cref="OnSetToken"/>, which Paint.NET calls off the UI thread),
/// and only copies the finished pixels in <see cref="OnRender"/>. Any failure leaves the image as it
/// was; the reason is kept in <see cref="LastProblem"/> and shown in the dialog's footnote.
/// </summary>
public sealed class NeuralPhotoEditEffect : PropertyBasedBitmapEffect
{
    internal enum Names { StepSize, Steps, StrokesLayer, Sigma, Blend, Mask, ColourMatch, Mode, Seed, Device, Model }

    /// <summary>The dialog's modes, in its words.</summary>
    public enum PluginMode { EditWithStrokes, ReconstructOnly, RandomSample }

    const string LayerAbove = "(the layer above this one)";
    static readonly string[] DeviceChoices = ["Auto", "CPU", "GPU"];

    readonly EditService _engine = new();
    RgbaImage? _result;

    public NeuralPhotoEditEffect()
        : base("Neural Photo Edit", SubmenuNames.Photo, BitmapEffectOptions.Create() with { IsConfigurable = true })
    {
    }

    /// <summary>Why the last render left the image unchanged, or null when it worked.</summary>
    internal string? LastProblem { get; private set; }

    protected override PropertyCollection OnCreatePropertyCollection()
    {
        var layers = new List<object> { LayerAbove };
        layers.AddRange(Environment.Document.Layers.Select(l => (object)l.Name).Distinct());
        var models = ModelCatalog.Installed().Select(m => (object)m).DefaultIfEmpty(DefaultModel.FileName).ToArray();
        return new PropertyCollection(new Property[]
        {
            new DoubleProperty(Names.StepSize, EditSettings.DefaultStepSize, 0, EditSettings.MaxStepSize),
            new Int32Property(Names.Steps, EditSettings.DefaultSteps, 0, 200),
            new StaticListChoiceProperty(Names.StrokesLayer, layers.ToArray(), 0),
            new DoubleProperty(Names.Sigma, EditSettings.DefaultSigma, 0, EditSettings.MaxSigma),
            StaticListChoiceProperty.CreateForEnum<BlendMode>(Names.Blend, BlendMode.Guided),
            StaticListChoiceProperty.CreateForEnum<MaskMode>(Names.Mask, MaskMode.EdgeAware),
            new DoubleProperty(Names.ColourMatch, EditSettings.DefaultColourMatch, 0, 1),
            StaticListChoiceProperty.CreateForEnum<PluginMode>(Names.Mode, PluginMode.EditWithStrokes),
            new Int32Property(Names.Seed, 0, 0, int.MaxValue),
            new StaticListChoiceProperty(Names.Device, DeviceChoices, 0),
            new StaticListChoiceProperty(Names.Model, models, 0),
        });
    }

    protected override ControlInfo OnCreateConfigUI(PropertyCollection props)
    {
        var ui = CreateDefaultConfigUI(props);
        void Describe(Names name, string display, string description)
        {
            ui.SetPropertyControlValue(name, ControlInfoPropertyNames.DisplayName, display);
            ui.SetPropertyControlValue(name, ControlInfoPropertyNames.Description, description);
            ui.SetPropertyControlValue(name, ControlInfoPropertyNames.ShowResetButton, true);
        }
        Describe(Names.StepSize, "Latent step size", "How far each step moves the model's code toward your strokes (0 = no change; 0.5 is a good start, 1 and above for bold changes).");
        ui.SetPropertyControlValue(Names.StepSize, ControlInfoPropertyNames.SliderSmallChange, 0.01);
        ui.SetPropertyControlValue(Names.StepSize, ControlInfoPropertyNames.SliderLargeChange, 0.1);
        ui.SetPropertyControlValue(Names.StepSize, ControlInfoPropertyNames.UpDownIncrement, 0.01);
        ui.SetPropertyControlValue(Names.StepSize, ControlInfoPropertyNames.DecimalPlaces, 2);
        Describe(Names.Steps, "Steps", "Number of latent steps; more steps follow the strokes more closely.");
        Describe(Names.StrokesLayer, "Strokes layer", "The layer with your rough colour strokes (colour = target, opacity = strength).");
        ui.SetPropertyControlType(Names.StrokesLayer, PropertyControlType.DropDown);
        Describe(Names.Sigma, "Mask softness", "Blur of the change mask, in model pixels: higher blends the edit in more softly.");
        Describe(Names.Blend, "Blend", "Guided carries the change as a colour transform that keeps the photo's edges and texture sharp; Detail adds the upsampled change; Paper blends in the model's output.");
        ui.SetPropertyControlType(Names.Blend, PropertyControlType.RadioButton);
        Describe(Names.Mask, "Where the change goes", "EdgeAware follows the strokes into what belongs with them and stops at the photo's edges; Paper uses the paper's mask alone.");
        ui.SetPropertyControlType(Names.Mask, PropertyControlType.RadioButton);
        Describe(Names.ColourMatch, "Match stroke colour", "How much of the colour the model could not reach is added as a smooth colour shift (Guided blend; 0 = the model's change alone).");
        Describe(Names.Mode, "Mode", "Edit with strokes, show the model's reconstruction only, or draw a random sample (with the seed).");
        Describe(Names.Seed, "Seed", "Seed for random samples: the same seed gives the same sample.");
        Describe(Names.Device, "Device", "Where the model runs: Auto uses a CUDA GPU when one is available.");
        Describe(Names.Model, "Model", "The model file (installed beside the plugin, in its models folder).");
        ui.SetPropertyControlValue(Names.StepSize, ControlInfoPropertyNames.Footnote,
            "Paint rough colour strokes on a new layer, pick it above, and select a region to limit the edit. Undo with Ctrl+Z.");
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
        _result = null;
        try
        {
            var (request, strokesProblem) = BuildRequest(newToken);
            if (request.Kind == EditKind.Paint && strokesProblem is not null)
            {
                LastProblem = strokesProblem;
                return;
            }
            var outcome = _engine.Run(request, CancellationToken);
            LastProblem = outcome.Problem;
            _result = outcome.Changed ? outcome.Image : null;
        }
        catch (OperationCanceledException)
        {
            // A newer token is on its way; it will compute its own result.
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Reading Paint.NET's layers failed in a way we didn't foresee: leave the image unchanged.
            LastProblem = "Neural Photo Edit could not read the image: " + e.Message;
        }
    }

    /// <summary>The engine request for a token, and why there are no usable strokes when the layers say so.</summary>
    (EditRequest Request, string? StrokesProblem) BuildRequest(PropertyBasedEffectConfigToken token)
    {
        var document = Environment.Document;
        var layers = document.Layers;
        int current = Environment.SourceLayerIndex;
        var photo = ReadLayer(layers[current]);

        string strokesChoice = (string)token.GetProperty<StaticListChoiceProperty>(Names.StrokesLayer)!.Value;
        int strokesIndex = strokesChoice == LayerAbove ? current + 1 : IndexOf(layers, strokesChoice);
        string? problem = strokesIndex < 0 || strokesIndex >= layers.Count
            ? "There is no strokes layer: add a layer above the photo, paint rough colour strokes on it, and run the effect on the photo layer."
            : strokesIndex == current
                ? "The strokes layer is the layer being edited: run the effect on the photo layer, with the strokes on another layer."
                : null;

        var selection = Environment.Selection.RenderBounds;
        bool wholeImage = selection.X == 0 && selection.Y == 0 && selection.Width == photo.Width && selection.Height == photo.Height;
        var request = new EditRequest
        {
            Photo = photo,
            Strokes = problem is null ? ReadLayer(layers[strokesIndex]) : null,
            Limit = wholeImage ? null : new PixelRect(selection.X, selection.Y, selection.Width, selection.Height),
            Settings = new EditSettings
            {
                StepSize = token.GetProperty<DoubleProperty>(Names.StepSize)!.Value,
                Steps = token.GetProperty<Int32Property>(Names.Steps)!.Value,
                Sigma = token.GetProperty<DoubleProperty>(Names.Sigma)!.Value,
                Blend = (BlendMode)token.GetProperty<StaticListChoiceProperty>(Names.Blend)!.Value,
                Mask = (MaskMode)token.GetProperty<StaticListChoiceProperty>(Names.Mask)!.Value,
                ColourMatch = token.GetProperty<DoubleProperty>(Names.ColourMatch)!.Value,
            },
            Kind = (PluginMode)token.GetProperty<StaticListChoiceProperty>(Names.Mode)!.Value switch
            {
                PluginMode.ReconstructOnly => EditKind.Reconstruct,
                PluginMode.RandomSample => EditKind.Sample,
                _ => EditKind.Paint,
            },
            Seed = token.GetProperty<Int32Property>(Names.Seed)!.Value,
            Device = ((string)token.GetProperty<StaticListChoiceProperty>(Names.Device)!.Value) switch { "GPU" => "cuda", "CPU" => "cpu", _ => "auto" },
            ModelPath = ModelCatalog.PathOf((string)token.GetProperty<StaticListChoiceProperty>(Names.Model)!.Value),
        };
        return (request, problem);
    }

    static int IndexOf(IReadOnlyList<IBitmapEffectLayerInfo> layers, string name)
    {
        for (int i = 0; i < layers.Count; i++) if (layers[i].Name == name) return i;
        return -1;
    }

    static unsafe RgbaImage ReadLayer(IEffectLayerInfo layer)
    {
        using var bitmap = layer.GetBitmap(PixelFormats.Bgra32);
        var size = bitmap.Size;
        using var pixels = bitmap.Lock(new RectInt32(0, 0, size.Width, size.Height));
        return Bgra.ToRgba(pixels.Buffer, pixels.BufferStride, size.Width, size.Height);
    }

    /// <summary>Copies this tile of the precomputed result, or of the unchanged photo when there is none.</summary>
    protected override unsafe void OnRender(IBitmapEffectOutput output)
    {
        var bounds = output.Bounds;
        using var target = output.Lock(PixelFormats.Bgra32);
        var area = new PixelRect(bounds.X, bounds.Y, bounds.Width, bounds.Height);
        if (_result is RgbaImage result)
        {
            Bgra.CopyTo(result, area, target.Buffer, target.BufferStride);
            return;
        }
        var layers = Environment.Document.Layers;
        using var source = layers[Environment.SourceLayerIndex].GetBitmap(PixelFormats.Bgra32);
        using var pixels = source.Lock(bounds);
        for (int y = 0; y < bounds.Height; y++)
            Buffer.MemoryCopy((byte*)pixels.Buffer + (long)y * pixels.BufferStride, (byte*)target.Buffer + (long)y * target.BufferStride,
                              (long)bounds.Width * 4, (long)bounds.Width * 4);
    }

    protected override void OnDispose(bool disposing)
    {
        if (disposing) _engine.Dispose();
        base.OnDispose(disposing);
    }
}
