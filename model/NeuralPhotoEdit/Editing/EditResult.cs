using NeuralPhotoEdit.Imaging;

namespace NeuralPhotoEdit.Editing;

/// <summary>An edit rendered into the picture the session works on, with the mask it was applied
/// through (for sheets, tests and front ends that want to show it).</summary>
public sealed class EditResult
{
    internal EditResult(RgbaImage image, WorkArea area, float[] mask)
    {
        Image = image;
        Area = area;
        Mask = mask;
    }

    /// <summary>The session's picture with the edit applied: pixels outside <see cref="Area"/>'s bounds
    /// and all alpha are the input's. The whole photo, or the region read from it (see
    /// <see cref="EditOutcome"/>).</summary>
    public RgbaImage Image { get; }
    /// <summary>Where the edit worked, in <see cref="Image"/>'s coordinates.</summary>
    public WorkArea Area { get; }
    public PixelRect Roi => Area.Bounds;
    /// <summary>The final mask on the work grid (<see cref="WorkArea.GridWidth"/> × <see cref="WorkArea.GridHeight"/>), in [0, 1].</summary>
    public float[] Mask { get; }

    /// <summary>The mask at a pixel of <see cref="Image"/> (0 outside the area).</summary>
    public float MaskAt(int x, int y)
    {
        if (!Roi.Contains(x, y)) return 0;
        var (u, v) = Area.GridPosition(x, y);
        return Resampling.Sample(Mask, 0, Area.GridWidth, Area.GridHeight, u, v);
    }
}
