using NeuralPhotoEdit.Imaging;

namespace NeuralPhotoEdit.Editing;

/// <summary>
/// Where an edit works: the area that may change (<see cref="Bounds"/>), the square windows the model
/// sees (each is encoded and edited at the model's resolution), and a grid over the area on which
/// the windows' changes are joined, the change is confined to what belongs with the strokes and its
/// colour transform is fitted (<see cref="EdgeAwareAffinity"/>, <see cref="GuidedTransfer"/>).
/// <para>
/// Why several windows: the model sees a square. One square capped at the photo's height drops the
/// ends of a stroke across a wide photo, and squashing a wide area into the square bends what the
/// model sees. Overlapping squares along the long side honour every stroke; their changes are
/// blended with weights that fade toward each window's edge, so no window's border can show.
/// Work and memory grow with the area, never with the photo.
/// </para>
/// </summary>
public sealed class WorkArea
{
    /// <summary>Longest side of the grid, in grid pixels. Bounds the cost of the full-resolution
    /// stages' preparation whatever the area's size; the grid is finer than the model's 64 px so the
    /// change can follow the photo's edges closely.</summary>
    public const int MaxGridSide = 384;
    /// <summary>Windows overlap by at least this fraction of their side.</summary>
    const double Overlap = 0.25;
    /// <summary>Share of a window's side over which its blend weight fades out.</summary>
    const double WindowFade = 0.125;

    WorkArea(PixelRect bounds, IReadOnlyList<PixelRect> windows, int imageWidth, int imageHeight, double reach)
        : this(bounds, windows, reach, (bounds.X > 0, bounds.Y > 0, bounds.Right < imageWidth, bounds.Bottom < imageHeight))
    {
    }

    WorkArea(PixelRect bounds, IReadOnlyList<PixelRect> windows, double reach, (bool Left, bool Top, bool Right, bool Bottom) insideSides,
             int gridSide = MaxGridSide)
    {
        Bounds = bounds;
        Windows = windows;
        _gridSide = gridSide;
        Scale = Math.Max(1.0, (double)Math.Max(bounds.Width, bounds.Height) / gridSide);
        GridWidth = Math.Max(1, (int)Math.Round(bounds.Width / Scale));
        GridHeight = Math.Max(1, (int)Math.Round(bounds.Height / Scale));
        Reach = reach;
        _insideSides = insideSides;
    }

    /// <summary>Which of the area's sides lie inside the image (a change fades out toward those).</summary>
    readonly (bool Left, bool Top, bool Right, bool Bottom) _insideSides;
    readonly int _gridSide;

    /// <summary>The same area and windows on a coarser grid (at most <paramref name="gridSide"/> on its
    /// longer side): a live preview's, whose stages on the grid then cost a fraction of the full render's.</summary>
    public WorkArea WithGridSide(int gridSide)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(gridSide, 8);
        return new WorkArea(Bounds, Windows, Reach, _insideSides, Math.Min(gridSide, MaxGridSide));
    }

    /// <summary>
    /// The same area in the coordinates of a picture that holds exactly the photo's pixels inside
    /// <paramref name="part"/> (which contains this area): what an edit of a part read from a larger photo
    /// works in. Which sides lie inside the photo is kept, so the change fades out exactly as it would in
    /// the whole photo.
    /// </summary>
    public WorkArea RelativeTo(PixelRect part)
    {
        int dx = -part.X, dy = -part.Y;
        var windows = Windows.Select(w => w with { X = w.X + dx, Y = w.Y + dy }).ToArray();
        return new WorkArea(Bounds with { X = Bounds.X + dx, Y = Bounds.Y + dy }, windows, Reach, _insideSides, _gridSide);
    }

    /// <summary>The only pixels an edit may change.</summary>
    public PixelRect Bounds { get; }
    /// <summary>Square windows (inside <see cref="Bounds"/>) the model edits.</summary>
    public IReadOnlyList<PixelRect> Windows { get; }
    public int GridWidth { get; }
    public int GridHeight { get; }
    /// <summary>Photo pixels per grid pixel (≥ 1).</summary>
    public double Scale { get; }
    /// <summary>Half the strokes' width, in photo pixels: the unit in which the editor says how far a
    /// change spreads from the strokes through an even area (the affinity, the smoothing, the colour match).</summary>
    public double Reach { get; }

    /// <summary>
    /// The area around strokes with <paramref name="bounds"/>: the bounds grown on every side by a
    /// margin, so the model sees what surrounds the strokes and the change has room to fade out
    /// before the area ends. The margin is the strokes' width (their shorter side, or a quarter of
    /// the longer one if that is more): a long thin stroke gets a margin fit for its width, not its
    /// length.
    /// </summary>
    public static WorkArea AroundStrokes(PixelRect bounds, int imageWidth, int imageHeight)
    {
        int margin = Math.Max(MinimumSide, StrokeWidth(bounds));
        var grown = new PixelRect(bounds.X - margin, bounds.Y - margin, bounds.Width + 2 * margin, bounds.Height + 2 * margin)
            .Intersect(new PixelRect(0, 0, imageWidth, imageHeight));
        // Square up a nearly square area (more context for the model, one window instead of two).
        var area = Squared(grown, imageWidth, imageHeight);
        return new WorkArea(area, Cover(area), imageWidth, imageHeight, reach: margin / 2.0);
    }

    /// <summary>The strokes' width: their bounding box's shorter side, or a quarter of its longer side
    /// if that is more (a long thin stroke is as wide as a quarter of its length, for context).</summary>
    public static int StrokeWidth(PixelRect bounds) =>
        Math.Max(Math.Min(bounds.Width, bounds.Height), Math.Max(bounds.Width, bounds.Height) / 4);

    /// <summary>The area is exactly <paramref name="selection"/>.</summary>
    public static WorkArea Within(PixelRect selection, int imageWidth, int imageHeight, PixelRect? strokeBounds = null)
    {
        double reach = strokeBounds is PixelRect b
            ? Math.Max(MinimumSide, StrokeWidth(b)) / 2.0
            : Math.Max(selection.Width, selection.Height) / 4.0;
        return new WorkArea(selection, Cover(selection), imageWidth, imageHeight, reach);
    }

    /// <summary>
    /// The scene around an edit: all of <paramref name="extent"/> (the photo, or the selection an edit
    /// must stay inside) as one window, squashed into the model's square when it is not one. What the
    /// model sees here is the whole scene at once, so its change — a sunset's warm light on the land
    /// below a sky painted orange — is one picture with no window borders in it. Its reach (for the
    /// smoothing of that change) is a sixteenth of the longer side: the model's change at this scale
    /// is coarse, and a longer reach would flatten its gradients.
    /// </summary>
    public static WorkArea Scene(PixelRect extent, int imageWidth, int imageHeight) =>
        new(extent, [extent], imageWidth, imageHeight, reach: Math.Max(extent.Width, extent.Height) / 16.0);

    /// <summary>The scene around <paramref name="area"/> (<see cref="Scene"/>): the whole image, or the
    /// area itself when the edit is limited to it (a selection).</summary>
    public static WorkArea SceneAround(WorkArea area, bool limited, int imageWidth, int imageHeight) =>
        Scene(limited ? area.Bounds : new PixelRect(0, 0, imageWidth, imageHeight), imageWidth, imageHeight);

    /// <summary>Where <paramref name="scene"/>'s window stands among the windows the model edits: one of
    /// this area's own when it is the same rectangle (a square selection: not encoded twice), else after them.</summary>
    public int SceneWindowIndex(WorkArea scene) =>
        Windows.ToList().IndexOf(scene.Windows[0]) is int i and >= 0 ? i : Windows.Count;

    /// <summary>Smallest side of an area that still carries a meaningful edit.</summary>
    public const int MinimumSide = 8;

    /// <summary>
    /// The work area for an edit: <paramref name="selection"/> when given (nothing outside it changes),
    /// else the strokes' surroundings (<see cref="AroundStrokes"/>).
    /// </summary>
    public static WorkArea Choose(int imageWidth, int imageHeight, PixelRect? selection, PixelRect? strokeBounds)
    {
        var area = selection is PixelRect r
            ? Within(CheckSelection(r, imageWidth, imageHeight), imageWidth, imageHeight, strokeBounds)
            : AroundStrokes(
                strokeBounds ?? throw new UserInputException("Nothing to edit: the strokes are empty and no selection was given."),
                imageWidth, imageHeight);
        if (area.Bounds.Width < MinimumSide || area.Bounds.Height < MinimumSide)
            throw new UserInputException($"The image is too small to edit ({imageWidth}×{imageHeight}; the area must be at least " +
                $"{MinimumSide}×{MinimumSide}).");
        return area;
    }

    /// <summary>Checks a given selection against the image; it need not be square.</summary>
    static PixelRect CheckSelection(PixelRect selection, int imageWidth, int imageHeight)
    {
        if (selection.Width <= 0 || selection.Height <= 0)
            throw new UserInputException($"The selection {selection} is empty.");
        var clipped = selection.Intersect(new PixelRect(0, 0, imageWidth, imageHeight));
        if (clipped.IsEmpty)
            throw new UserInputException($"The selection {selection} lies outside the {imageWidth}×{imageHeight} image.");
        if (clipped != selection)
            throw new UserInputException($"The selection {selection} extends past the {imageWidth}×{imageHeight} image.");
        if (selection.Width < MinimumSide || selection.Height < MinimumSide)
            throw new UserInputException(
                $"The selection {selection} is only {selection.Width}×{selection.Height} pixels; it must be at least {MinimumSide}×{MinimumSide}.");
        return selection;
    }

    /// <summary>Grows an area whose sides differ by less than the overlap into a square (where the image allows).</summary>
    static PixelRect Squared(PixelRect area, int imageWidth, int imageHeight)
    {
        int side = Math.Max(area.Width, area.Height);
        if (side > (1 + Overlap) * Math.Min(area.Width, area.Height)) return area;
        int width = Math.Min(side, imageWidth), height = Math.Min(side, imageHeight);
        int x = Math.Clamp(area.X + area.Width / 2 - width / 2, 0, imageWidth - width);
        int y = Math.Clamp(area.Y + area.Height / 2 - height / 2, 0, imageHeight - height);
        return new PixelRect(x, y, width, height);
    }

    /// <summary>Square windows of the area's shorter side, spaced evenly along the longer side with
    /// at least <see cref="Overlap"/> overlap (at most <see cref="MaxWindows"/>). A nearly square area
    /// is one (slightly squashed) window.</summary>
    static PixelRect[] Cover(PixelRect area)
    {
        int side = Math.Min(area.Width, area.Height);
        int longSide = Math.Max(area.Width, area.Height);
        if (longSide <= (1 + Overlap) * side) return [area];
        int count = (int)Math.Ceiling((longSide - side) / ((1 - Overlap) * side)) + 1;
        int length = side;
        if (count > MaxWindows)
        {
            // A strip far thinner than it is long (a 700×8 selection would need 117 squares): at most
            // MaxWindows windows, each squashed from a longer rectangle — work and time stay bounded.
            count = MaxWindows;
            length = (int)Math.Ceiling(longSide / (1 + (1 - Overlap) * (count - 1)));
        }
        var windows = new PixelRect[count];
        for (int i = 0; i < count; i++)
        {
            int offset = (int)Math.Round((double)i * (longSide - length) / (count - 1));
            windows[i] = area.Width >= area.Height
                ? new PixelRect(area.X + offset, area.Y, length, side)
                : new PixelRect(area.X, area.Y + offset, side, length);
        }
        return windows;
    }

    /// <summary>The most windows an area gets: 16 squares cover a strip 12.25 times longer than wide; a
    /// thinner one gets 16 squashed windows.</summary>
    public const int MaxWindows = 16;

    /// <summary>Centre of grid pixel (gx, gy) in photo coordinates.</summary>
    public (double X, double Y) PhotoPosition(int gx, int gy) =>
        (Bounds.X + (gx + 0.5) * Bounds.Width / GridWidth, Bounds.Y + (gy + 0.5) * Bounds.Height / GridHeight);

    /// <summary>Continuous grid position of a photo pixel's centre.</summary>
    public (double U, double V) GridPosition(int x, int y) =>
        ((x - Bounds.X + 0.5) * GridWidth / Bounds.Width, (y - Bounds.Y + 0.5) * GridHeight / Bounds.Height);

    /// <summary>A window's blend weight at a photo position: 1 inside, fading (smoothstep) to a small
    /// floor at its edges, 0 outside. The floor keeps the weights' sum positive where every window
    /// fades (the area's own edges).</summary>
    public static double WindowWeight(PixelRect window, double x, double y)
    {
        if (x < window.X || x > window.Right || y < window.Y || y > window.Bottom) return 0;
        double edge = Math.Min(Math.Min(x - window.X, window.Right - x) / window.Width,
                               Math.Min(y - window.Y, window.Bottom - y) / window.Height);
        return 1e-3 + SmoothStep(edge / WindowFade);
    }

    /// <summary>
    /// Fades the change to 0 toward the area's sides that lie inside the image (none at the image's
    /// own edges: a sky that reaches the top of the photo is edited up to its last row).
    /// </summary>
    public double BorderFade(double x, double y)
    {
        double fade = WindowFade * Math.Min(Bounds.Width, Bounds.Height);
        double weight = 1;
        if (_insideSides.Left) weight *= SmoothStep((x - Bounds.X) / fade);
        if (_insideSides.Right) weight *= SmoothStep((Bounds.Right - x) / fade);
        if (_insideSides.Top) weight *= SmoothStep((y - Bounds.Y) / fade);
        if (_insideSides.Bottom) weight *= SmoothStep((Bounds.Bottom - y) / fade);
        return weight;
    }

    /// <summary>The grid pixels along the area's sides that lie inside the image (all false when the
    /// area is the whole image): where a change must have died out.</summary>
    public bool[] InnerBorder()
    {
        var border = new bool[GridWidth * GridHeight];
        for (int gy = 0; gy < GridHeight; gy++)
            for (int gx = 0; gx < GridWidth; gx++)
                border[gy * GridWidth + gx] = (_insideSides.Left && gx == 0) || (_insideSides.Right && gx == GridWidth - 1)
                                              || (_insideSides.Top && gy == 0) || (_insideSides.Bottom && gy == GridHeight - 1);
        return border;
    }

    /// <summary>3t² − 2t³ on t clamped to [0, 1]: 0 and 1 with zero slope at both ends.</summary>
    internal static double SmoothStep(double t)
    {
        t = Math.Clamp(t, 0, 1);
        return t * t * (3 - 2 * t);
    }
}
