namespace NeuralPhotoEdit.Editing;

/// <summary>
/// Fades the mask to zero toward the region's border, so an edit never ends in a visible seam where
/// the region stops (the paper's editor worked on the whole 64×64 image and had no border to hide).
/// </summary>
public static class RegionFeather
{
    /// <summary>Width of the fade, as a fraction of the region's side.</summary>
    public const double Width = 0.125;

    /// <summary>Weight in [0, 1] at model-resolution position (u, v) of a size×size region.</summary>
    public static float At(double u, double v, int size)
    {
        double edge = Math.Min(Math.Min(u, size - u), Math.Min(v, size - v)) / size;
        double t = Math.Clamp(edge / Width, 0, 1);
        return (float)(t * t * (3 - 2 * t));   // smoothstep: no kink where the fade ends
    }
}
