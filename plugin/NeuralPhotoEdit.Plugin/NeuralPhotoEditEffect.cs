using NeuralPhotoEdit.Editing;
using NeuralPhotoEdit.Imaging;
using PaintDotNet.Effects;
using PaintDotNet.Imaging;
using PaintDotNet.PropertySystem;
using PaintDotNet.Rendering;

namespace NeuralPhotoEdit.Plugin;

/// <summary>
/// Effects ▸ Photo ▸ Neural Photo Edit. Runs the engine once per settings change (in
/// <see cref="OnSetToken"/>, which Paint.NET calls off the UI thread) on the current layer and a
/// strokes layer — reading only the area the engine edits — and only copies pixels in
/// <see cref="OnRender"/>, which Paint.NET calls for many tiles at once on several threads. A problem is
/// shown in Paint.NET's error dialog in one sentence, and the tiles are the photo as it was.
/// </summary>
[PaintDotNet.PluginSupportInfo<PluginSupportInfo>(DisplayName = DisplayName)]
public sealed partial class NeuralPhotoEditEffect : PropertyBasedBitmapEffect
{
    internal const string DisplayName = "Neural Photo Edit";

    internal enum Names { StepSize, Context, Steps, StrokesLayer, Sigma, Blend, Mask, ColourMatch, Mode, Seed, Model }

    /// <summary>The dialog's modes, in its words.</summary>
    public enum PluginMode { EditWithStrokes, ReconstructOnly, RandomSample }

    /// <summary>The seed is stepped by a Reseed button; a thousand samples are plenty to pick from.</summary>
    const int MaxSeed = 999;
    /// <summary>Where the model runs. The package ships libtorch's CPU build (TorchSharp-cpu), so the dialog
    /// offers no device: a GPU choice would be one the installed build can never use.</summary>
    const string Device = "cpu";

    readonly EditService _engine = new();
    readonly ProblemDialog _problems;
    /// <summary>Stroke scans by layer index. The document can't change while the effect runs (its
    /// dialog is modal), so each strokes layer is scanned once, not on every slider move.</summary>
    readonly Dictionary<int, StrokesScan> _strokeScans = new();
    /// <summary>Whether the last problem reached Paint.NET's error dialog (else the render path throws it).</summary>
    bool _problemShown;

    public NeuralPhotoEditEffect()
        : base(DisplayName, EffectIcon.Load()!, SubmenuNames.Photo, BitmapEffectOptions.Create() with { IsConfigurable = true })
    {
        _problems = new ProblemDialog(() => Services);
    }

    /// <summary>What the last settings change produced (null while none has finished): the pixels
    /// <see cref="OnRender"/> copies, or the problem it reports.</summary>
    internal EditOutcome? Outcome { get; private set; }

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
            return;   // A newer token is on its way; it will compute its own result.
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
        if (Outcome.Problem is string problem) _problemShown = _problems.Show(problem);
        else _problems.Clear();
    }


    /// <summary>The engine request for a token: the photo and strokes layers as readable sources, and
    /// the strokes layer's scan. A problem with the layers is a request the engine refuses in words.</summary>
    EditRequest BuildRequest(PropertyBasedEffectConfigToken token)
    {
        var document = Environment.Document;
        var layers = document.Layers;
        var size = document.Size;
        int current = Environment.SourceLayerIndex;
        var selection = new SelectionShape(Environment.Selection, size);

        var kind = (PluginMode)token.GetProperty<StaticListChoiceProperty>(Names.Mode)!.Value switch
        {
            PluginMode.ReconstructOnly => EditKind.Reconstruct,
            PluginMode.RandomSample => EditKind.Sample,
            _ => EditKind.Paint,
        };
        string strokesChoice = (string)token.GetProperty<StaticListChoiceProperty>(Names.StrokesLayer)!.Value;
        int strokesIndex = StrokesIndex(strokesChoice, layers, current, kind);
        PixelSource? strokes = null;
        StrokesScan? scan = null;
        if (strokesIndex >= 0)
        {
            var layer = new LayerPixels(layers[strokesIndex], size, withOpacity: true);
            strokes = selection.Strokes(layer);
            if (!_strokeScans.TryGetValue(strokesIndex, out var known))
            {
                known = StrokesScan.Of(layer, CancellationToken);
                // Strokes outside the selection's shape don't count; whether the layer has transparency at
                // all (strokes, not a flattened picture) is the layer's own.
                if (!ReferenceEquals(strokes, layer))
                    known = known with { Bounds = StrokesScan.Of(strokes, CancellationToken).Bounds };
                _strokeScans[strokesIndex] = known;
            }
            scan = known;
        }

        return new EditRequest
        {
            Photo = new LayerPixels(layers[current], size),
            Strokes = strokes,
            StrokesScan = scan,
            Selection = selection.IsWholeImage ? null : selection.Bounds,
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

    /// <summary>The strokes layer's index, or -1 for none. Painting needs one (a problem in words otherwise);
    /// the reconstruction and samples use it only to place the area around the strokes when there is one.</summary>
    static int StrokesIndex(string choice, IReadOnlyList<IEffectLayerInfo> layers, int current, EditKind kind)
    {
        int index;
        try { index = StrokesLayers.Resolve(choice, layers, current); }
        catch (UserInputException) when (kind != EditKind.Paint) { return -1; }
        if (kind != EditKind.Paint) return index == current ? -1 : index;
        if (index < 0)
            throw new UserInputException("There is no strokes layer: add a layer above the photo, paint rough colour strokes on it, and run the " +
                "effect on the photo layer.");
        if (index == current)
            throw new UserInputException("The strokes layer is the layer being edited: run the effect on the photo layer, with the strokes on " +
                "another layer.");
        return index;
    }

    /// <summary>
    /// Copies this tile of the photo and, over it, the part of the edited area it overlaps. After a
    /// problem the tile is the photo as it was (the problem was shown in Paint.NET's error dialog).
    /// </summary>
    protected override unsafe void OnRender(IBitmapEffectOutput output)
    {
        if (Outcome?.Problem is string problem && !_problemShown) throw new EffectProblemException(problem);
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
