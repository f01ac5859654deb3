using NeuralPhotoEdit.Editing;
using NeuralPhotoEdit.Imaging;
using SkiaSharp;

namespace NeuralPhotoEdit.Studio;

/// <summary>The brushes that paint on the photo.</summary>
public enum BrushTool { Colour, Lighten, Darken, Erase }

/// <summary>One thing the user did, undone and redone as a whole.</summary>
abstract class Stroke(int id)
{
    public int Id { get; } = id;
}

/// <summary>A brush stroke in photo pixels: a colour stroke, lightening, darkening, or erasing strokes.</summary>
sealed class BrushStroke(int id, BrushTool tool, SKColor colour, float size) : Stroke(id)
{
    public BrushTool Tool { get; } = tool;
    public SKColor Colour { get; } = colour;
    public float Size { get; } = size;
    public List<SKPoint> Points { get; } = [];
}

/// <summary>The latent brush: the code's entries painted over, pushed toward a target.</summary>
sealed class LatentStroke(int id, double target, double strength) : Stroke(id)
{
    public double Target { get; } = target;
    public double Strength { get; } = strength;
    public List<int> Indices { get; } = [];
}

/// <summary>Reset: everything before it no longer counts (and an undo brings it back).</summary>
sealed class ClearStroke(int id) : Stroke(id);

/// <summary>
/// The strokes of one photo, with undo and redo of whole strokes, drawn into the layers the engine
/// reads: the colour strokes (colour = target, alpha = weight, as <c>npe edit</c>'s strokes file), a
/// lightening and a darkening brush layer, and the latent nudges. Drawing is deterministic (the same
/// segments in the same order), so a layer drawn again after an undo is the layer it was.
/// </summary>
sealed class StrokeHistory : IDisposable
{
    readonly List<Stroke> _done = [];
    readonly Stack<Stroke> _undone = new();
    readonly int _width, _height;
    readonly SkiaLayer _colour, _lighten, _darken;
    int _nextId = 1;

    public StrokeHistory(int width, int height)
    {
        (_width, _height) = (width, height);
        (_colour, _lighten, _darken) = (new(width, height), new(width, height), new(width, height));
    }

    /// <summary>The stroke being painted, or null.</summary>
    public Stroke? Current { get; private set; }
    public int UndoCount => _done.Count;
    public int RedoCount => _undone.Count;

    /// <summary>Names what the strokes are now: equal keys, equal edits.</summary>
    public string Key => string.Join(",", Effective().Select(s => s.Id));

    /// <summary>The colour strokes layer (the photo's size), as the engine reads strokes.</summary>
    public PixelSource ColourLayer => _colour;

    /// <summary>Where colour has been drawn (a box around every colour segment since the layers were last
    /// drawn from scratch; erasing doesn't shrink it): for live previews, which needn't scan the layer.</summary>
    public PixelRect? ColourBounds { get; private set; }

    public BrushStroke BeginBrush(BrushTool tool, SKColor colour, float size, SKPoint at)
    {
        var stroke = new BrushStroke(_nextId++, tool, colour.WithAlpha(255), size);
        Begin(stroke);
        Extend([at]);
        return stroke;
    }

    public LatentStroke BeginLatent(double target, double strength)
    {
        var stroke = new LatentStroke(_nextId++, target, strength);
        Begin(stroke);
        return stroke;
    }

    void Begin(Stroke stroke)
    {
        End();
        _undone.Clear();
        Current = stroke;
    }

    /// <summary>More points of the brush stroke being painted, drawn at once.</summary>
    public void Extend(IReadOnlyList<SKPoint> points)
    {
        if (Current is not BrushStroke stroke) return;
        foreach (var point in points)
        {
            var from = stroke.Points.Count == 0 ? point : stroke.Points[^1];
            stroke.Points.Add(point);
            Draw(stroke, from, point);
        }
    }

    /// <summary>More latent entries painted over by the latent brush.</summary>
    public void Touch(IEnumerable<int> indices)
    {
        if (Current is not LatentStroke stroke) return;
        foreach (int i in indices) if (!stroke.Indices.Contains(i)) stroke.Indices.Add(i);
    }

    /// <summary>The stroke being painted becomes one step of the history.</summary>
    public bool End()
    {
        if (Current is null) return false;
        _done.Add(Current);
        Current = null;
        return true;
    }

    public void Clear()
    {
        End();
        if (Effective().Any()) Begin(new ClearStroke(_nextId++));
        End();
        Redraw();
    }

    public bool Undo()
    {
        End();
        if (_done.Count == 0) return false;
        _undone.Push(_done[^1]);
        _done.RemoveAt(_done.Count - 1);
        Redraw();
        return true;
    }

    public bool Redo()
    {
        End();
        if (_undone.Count == 0) return false;
        _done.Add(_undone.Pop());
        Redraw();
        return true;
    }

    /// <summary>Whether nothing counts now: no nudge, and every layer blank (erased strokes count for nothing).</summary>
    public bool IsEmpty => !Effective().Any(s => s is LatentStroke { Indices.Count: > 0 }) && _colour.IsBlank && _lighten.IsBlank && _darken.IsBlank;

    /// <summary>The strokes since the last reset, the one being painted last.</summary>
    IEnumerable<Stroke> Effective()
    {
        var all = Current is null ? _done : [.. _done, Current];
        int start = all.FindLastIndex(s => s is ClearStroke) + 1;
        return all.Skip(start);
    }

    /// <summary>The engine's lightening brushes and nudges, in order, the kind being painted now last
    /// (the live loop steps toward the last one).</summary>
    public IReadOnlyList<LatentAdjustment> Adjustments()
    {
        var strokes = Effective().ToList();
        var adjustments = new List<(int Order, LatentAdjustment Adjustment)>();
        int LastOf(BrushTool tool) => strokes.FindLastIndex(s => s is BrushStroke b && b.Tool == tool);
        if (LastOf(BrushTool.Lighten) is int lighten and >= 0) adjustments.Add((lighten, new LightenAdjustment(1, _lighten)));
        if (LastOf(BrushTool.Darken) is int darken and >= 0) adjustments.Add((darken, new LightenAdjustment(-1, _darken)));
        for (int i = 0; i < strokes.Count; i++)
            if (strokes[i] is LatentStroke { Indices.Count: > 0 } latent)
                adjustments.Add((i, new NudgeAdjustment([.. latent.Indices], latent.Target, latent.Strength)));
        return [.. adjustments.OrderBy(a => a.Order).Select(a => a.Adjustment)];
    }

    void Redraw()
    {
        ColourBounds = null;
        foreach (var layer in new[] { _colour, _lighten, _darken }) layer.Clear();
        foreach (var stroke in Effective().OfType<BrushStroke>())
            for (int i = 0; i < stroke.Points.Count; i++)
                Draw(stroke, stroke.Points[Math.Max(0, i - 1)], stroke.Points[i]);
    }

    void Draw(BrushStroke stroke, SKPoint from, SKPoint to)
    {
        using var paint = new SKPaint
        {
            Color = stroke.Colour, IsAntialias = true, Style = SKPaintStyle.Stroke, StrokeWidth = stroke.Size,
            StrokeCap = SKStrokeCap.Round, StrokeJoin = SKStrokeJoin.Round,
            BlendMode = stroke.Tool == BrushTool.Erase ? SKBlendMode.Clear : SKBlendMode.SrcOver,
        };
        var layers = stroke.Tool switch
        {
            BrushTool.Colour => [_colour],
            BrushTool.Lighten => [_lighten],
            BrushTool.Darken => [_darken],
            _ => new[] { _colour, _lighten, _darken },
        };
        foreach (var layer in layers) layer.DrawLine(from, to, paint);
        if (stroke.Tool != BrushTool.Colour) return;
        int reach = (int)Math.Ceiling(stroke.Size / 2) + 2;
        var box = new PixelRect((int)Math.Min(from.X, to.X) - reach, (int)Math.Min(from.Y, to.Y) - reach,
                                (int)Math.Abs(to.X - from.X) + 2 * reach + 1, (int)Math.Abs(to.Y - from.Y) + 2 * reach + 1)
            .Intersect(new PixelRect(0, 0, _width, _height));
        ColourBounds = ColourBounds?.Union(box) ?? box;
    }


    public void Dispose()
    {
        _colour.Dispose();
        _lighten.Dispose();
        _darken.Dispose();
    }
}

/// <summary>A layer the photo's size that strokes are drawn into, read by the engine as straight-alpha RGBA.</summary>
sealed class SkiaLayer : PixelSource, IDisposable
{
    readonly SKBitmap _bitmap;
    readonly SKCanvas _canvas;

    public SkiaLayer(int width, int height)
    {
        _bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
        _bitmap.Erase(SKColors.Transparent);
        _canvas = new SKCanvas(_bitmap);
    }

    public override int Width => _bitmap.Width;
    public override int Height => _bitmap.Height;

    public void Clear() => _canvas.Clear(SKColors.Transparent);

    /// <summary>Whether no pixel has any alpha.</summary>
    public bool IsBlank
    {
        get
        {
            var pixels = _bitmap.GetPixelSpan();
            for (int i = 3; i < pixels.Length; i += 4) if (pixels[i] != 0) return false;
            return true;
        }
    }

    public void DrawLine(SKPoint from, SKPoint to, SKPaint paint)
    {
        if (from == to) _canvas.DrawPoint(to, paint);
        else _canvas.DrawLine(from, to, paint);
    }

    public override RgbaImage Read(PixelRect rect, CancellationToken cancellation = default)
    {
        var image = new RgbaImage(rect.Width, rect.Height);
        var info = new SKImageInfo(rect.Width, rect.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        unsafe
        {
            using var pixmap = _bitmap.PeekPixels();
            fixed (byte* pixels = image.Pixels)
                if (!pixmap.ReadPixels(info, (IntPtr)pixels, rect.Width * 4, rect.X, rect.Y))
                    throw new InvalidOperationException("Reading the strokes layer failed.");
        }
        return image;
    }

    public void Dispose()
    {
        _canvas.Dispose();
        _bitmap.Dispose();
    }
}
