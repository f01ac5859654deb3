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
    /// <summary>The final mask on the work grid (<see cref="WorkArea.GridWidth"/> × <see cref="WorkArea.GridHeight"/>), in [0, 1].</summary>
    public float[] Mask { get; }

    /// <summary>The scene the model's whole change came from (<see cref="EditSettings.Context"/>), or null
    /// for a local edit; <see cref="Image"/> may then differ anywhere inside its bounds.</summary>
    public WorkArea? Scene { get; init; }
    /// <summary>The scene's share of the change, as a mask on the scene's grid: the context times the
    /// paper's mask of the scene window's change (null for a local edit).</summary>
    public float[]? SceneMask { get; init; }
    /// <summary>Where the edit may have changed pixels, in <see cref="Image"/>'s coordinates.</summary>
    public PixelRect ChangedBounds => Scene?.Bounds ?? Area.Bounds;

    /// <summary>The mask at a pixel of <see cref="Image"/>: the local edit's, or the scene's share where
    /// that is larger (0 outside both).</summary>
    public float MaskAt(int x, int y)
    {
        float local = 0;
        if (Area.Bounds.Contains(x, y))
        {
            var (u, v) = Area.GridPosition(x, y);
            local = Resampling.Sample(Mask, 0, Area.GridWidth, Area.GridHeight, u, v);
        }
        if (Scene is null || SceneMask is null || !Scene.Bounds.Contains(x, y)) return local;
        var (su, sv) = Scene.GridPosition(x, y);
        return Math.Max(local, Resampling.Sample(SceneMask, 0, Scene.GridWidth, Scene.GridHeight, su, sv));
    }
}
